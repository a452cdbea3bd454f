"""Small modal screens: a confirmation that lists exactly what will happen, and help."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class Confirm(ModalScreen[bool]):
    """Yes/no, keyboard first: y confirms, n or Escape cancels."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

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


HELP = """\
docklab keys (also in the footer and the command palette, Ctrl+P)

In a lesson
  F2          check the current step now
  F3          run the step's next command in the terminal (a step done: the next step)
  F6          move between the terminal and the lesson
  F7 / F8     previous / next step
  F9          reset the lesson (asks first, lists what goes)
  F10         a hint: one more each time (nudge, fact, command)
  F12         a challenge's solution (offered after two failed checks; the report notes it)
  F4          suspend docklab and open your own shell (exit returns)
  F5          restart the terminal's shell
  Escape      back to the lessons (outside the terminal)
  Enter       on a command: run it in the terminal

A step passed stays in view with its results: F8 (or F3) moves on. A prediction is
asked in a dialog when its step is reached: a number or Enter picks, Escape skips. A quiz
question is answered with the arrows and Enter, or its number.

While the terminal has focus every other key goes to the shell: type any command,
`docker exec -it ...` included. Checks run by themselves after each command.

Everywhere
  F1          this help
  Ctrl+P      command palette
  Ctrl+Q      quit (your progress is kept)
"""


class Help(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(HELP)
            yield Button("Close (Escape)", id="close")

    def on_button_pressed(self) -> None:
        self.dismiss()
