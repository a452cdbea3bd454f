"""Small modal screens: a confirmation that lists exactly what will happen, and help."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tutor.ui import keys


class Confirm(ModalScreen[bool]):
    """Yes/no, keyboard first: y confirms, n or Escape cancels."""

    BINDINGS = keys.bindings(keys.CONFIRM)

    def __init__(self, title: str, lines: list[str], yes: str = "Yes (y)", no: str = "No (n)") -> None:
        super().__init__()
        self.title_text, self.lines, self.yes, self.no = title, lines, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="dialog-title")
            yield Static("\n".join(self.lines) or "(nothing)", id="dialog-body")
            yield Button(self.yes, id="yes", variant="error")
            yield Button(self.no, id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class Help(ModalScreen[None]):
    BINDINGS = keys.bindings(keys.HELP)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(keys.help_text())
            yield Button("Close (Escape)", id="close")

    def on_button_pressed(self) -> None:
        self.dismiss()
