"""The lesson's steps, each with its status as a word and a symbol (never colour alone)."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import ListItem, ListView, Static

from tutor.core.model import Step

MARKS = {"done": "✓ done", "current": "▶ now ", "todo": "· todo", "failed": "✗ fail"}


class StepItem(ListItem):
    def __init__(self, step: Step, status: str) -> None:
        self.text = Static(self.label(step, status))
        super().__init__(self.text, id=f"step-{step.number}")
        self.step, self.status = step, status

    @staticmethod
    def label(step: Step, status: str) -> str:
        return f"{MARKS[status]}  {step.number}. {step.title}"

    def set_status(self, status: str) -> None:
        self.status = status
        self.set_class(status == "done", "-done")
        self.set_class(status == "failed", "-failed")
        self.text.update(self.label(self.step, status))


class StepList(ListView):
    """Attributes go down (statuses), messages come up (StepChosen)."""

    class StepChosen(Message):
        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def __init__(self, steps: list[Step], **kw) -> None:
        super().__init__(*(StepItem(s, "todo") for s in steps), **kw)

    def show(self, statuses: dict[int, str]) -> None:
        for item in self.query(StepItem):
            item.set_status(statuses.get(item.step.number, "todo"))

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, StepItem):
            self.post_message(self.StepChosen(event.item.step.number))
