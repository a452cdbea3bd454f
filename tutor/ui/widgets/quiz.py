"""A quiz step: each question with its choices (arrows and Enter, or its number), checked
at once and explained; right and wrong are said in words and marks, not colour alone."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static

from tutor.core.learner.thinking import Pick
from tutor.core.model import Question


class QuestionBox(Vertical):
    class Answered(Message):
        def __init__(self, index: int, number: int) -> None:
            super().__init__()
            self.index, self.number = index, number

    def __init__(self, index: int, total: int, question: Question, pick: Pick | None) -> None:
        super().__init__(classes="question")
        self.index, self.total, self.question, self.pick = index, total, question, pick

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Question {self.index + 1} of {self.total}: {self.question.question}", "bold"))
        if self.pick is None:
            yield OptionList(*(f"{n}. {c}" for n, c in enumerate(self.question.choices, start=1)))
        yield Static(self._verdict(), classes="verdict")

    def _verdict(self) -> str:
        return "" if self.pick is None else f"Your answer: {self.pick.choice}. {self.pick.verdict()}"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Answered(self.index, event.option_index + 1))

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(self.question.choices):
            event.stop()
            self.post_message(self.Answered(self.index, int(event.character)))

    async def answered(self, pick: Pick) -> None:
        self.pick = pick
        await self.query(OptionList).remove()
        self.query_one(".verdict", Static).update(self._verdict())


class QuizPane(Vertical):
    """Every question of the step; the screen records each answer and calls `answered`."""

    async def show(self, questions: list[Question], picks: list[Pick | None]) -> None:
        await self.remove_children()
        self.set_class(not questions, "hidden")
        await self.mount_all([QuestionBox(i, len(questions), q, p) for i, (q, p) in enumerate(zip(questions, picks))])
        self.focus_next_question()

    def focus_next_question(self) -> None:
        lists = self.query(OptionList)
        if lists:
            lists.first().focus()

    async def answered(self, index: int, pick: Pick) -> None:
        await self.query(QuestionBox)[index].answered(pick)
        self.focus_next_question()

    def score(self) -> str:
        boxes = list(self.query(QuestionBox))
        right = sum(bool(b.pick and b.pick.correct) for b in boxes)
        return f"{right} of {len(boxes)} right"
