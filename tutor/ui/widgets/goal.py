"""A challenge's goal and the checks that will judge it, shown instead of a command."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class GoalPane(Static):
    def show(self, goal: str | None, claims: list[str]) -> None:
        """`goal` None: not a challenge, nothing to show."""
        self.set_class(goal is None, "hidden")
        if goal is None:
            return
        text = Text()
        text.append("Challenge: ", "bold")
        text.append(f"{goal}. No command is given: do it your way in the terminal.\n")
        text.append("Judged by these checks (any correct way passes):\n", "bold")
        for claim in claims:
            text.append(f"  • {claim}\n")
        self.update(text)
