"""The lesson's recap ("What to take away"), shown once every step is done."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static

from tutor.core.lessons.thinking import RECAP


class RecapPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(f"✓ Lesson done. {RECAP}:", classes="section")
        yield Markdown(id="recap-text")

    def show(self, recap: str | None) -> None:
        """None: not done yet (hidden)."""
        self.set_class(not recap, "hidden")
        if recap:
            self.query_one(Markdown).update(recap)
