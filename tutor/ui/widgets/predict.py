"""A prediction: asked in a dialog when its step is reached, before the command runs
(a number or Enter picks, Escape skips); after the step passes, the pane below the
checks sets the pick beside what the engine did."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from tutor.core.learner.thinking import Pick
from tutor.core.model import Question


class PredictScreen(ModalScreen[int | None]):
    """Dismissed with the choice's number (1-based), or None when skipped."""

    BINDINGS = [Binding("escape", "skip", "Skip"), *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 5))]

    def __init__(self, question: Question, text: str) -> None:
        super().__init__()
        self.question, self.text = question, text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="predict"):
            yield Static("Predict before you run it", id="dialog-title")
            yield Static(self.text, id="predict-question")
            yield OptionList(*(f"{n}. {c}" for n, c in enumerate(self.question.choices, start=1)), id="choices")
            yield Static("A number or Enter picks; Escape skips (recorded as skipped).", classes="dim")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index + 1)

    def action_pick(self, number: int) -> None:
        if number <= len(self.question.choices):
            self.dismiss(number)

    def action_skip(self) -> None:
        self.dismiss(None)


class PredictionOutcome(Static):
    """Before the step passed: the learner's prediction; after: "you predicted: X; the
    engine: Y" and why."""

    def show(self, picks: list[Pick | None], passed: bool = True) -> None:
        text = Text()
        for pick in picks:
            if pick is not None:
                text.append("Your prediction  ", "bold")
                text.append((pick.compared() if passed else pick.pending()) + "\n")
        self.update(text)
        self.set_class(not text.plain, "hidden")
