"""What the learner thought, as opposed to what they typed: a prediction picked before a
command, a quiz answer, and the words both front ends show for them. Recorded in
progress (Progress.record_pick) and carried into the report."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.core.model import Question, Step
from tutor.core.outcome import Outcome

PREDICTIONS, QUIZ = "predictions", "quiz"
LEARNER, AUTO, CATCH_UP = "learner", "auto", "catch-up"  # who picked, or who revealed a solution


@dataclass(frozen=True)
class Pick:
    question: Question
    choice: str | None  # None: skipped
    by: str = LEARNER

    @property
    def skipped(self) -> bool:
        """True when the learner passed on the question."""
        return self.choice is None

    @property
    def correct(self) -> bool | None:
        """Whether the choice was the answer; None when skipped."""
        return None if self.choice is None else self.choice == self.question.answer

    def compared(self) -> str:
        """After the step passed: the prediction beside what the engine did."""
        said = "you skipped the prediction" if self.skipped else f"you predicted: {self.choice}"
        mark = "" if self.skipped else (" ✓" if self.correct else " ✗")
        return f"{said}; the engine: {self.question.answer}{mark}. {self.question.explain}"

    def pending(self) -> str:
        """Before the step passed: the prediction, kept in view (a toast can pass unseen)."""
        if self.skipped:
            return "you skipped the prediction; run the step's commands and see what the engine does."
        return f"you predicted: {self.choice}. Run the step's commands and see what the engine does."

    def verdict(self) -> str:
        """A quiz answer, checked at once and explained."""
        if self.skipped:
            return f"not answered. {self.question.explain}"
        head = "✓ right" if self.correct else f"✗ not quite: the answer is {self.question.answer}"
        return f"{head}. {self.question.explain}"

    def to_record(self) -> dict:
        """The pick as progress and the report keep it."""
        return {
            "question": self.question.question,
            "choice": self.choice,
            "answer": self.question.answer,
            "correct": self.correct,
            "skipped": self.skipped,
            "by": self.by,
        }


def picks(step: Step, kind: str, records: dict) -> list[Pick | None]:
    """The step's predictions or quiz questions, each with its recorded pick (None: not yet)."""
    questions = step.predictions if kind == PREDICTIONS else step.quiz
    mine = records.get(kind, {})
    return [
        Pick(q, mine[str(i)].get("choice"), mine[str(i)].get("by", LEARNER)) if str(i) in mine else None
        for i, q in enumerate(questions)
    ]


def quiz_outcomes(step: Step, records: dict) -> list[Outcome]:
    """A quiz step is done when every question is answered, right or not: one outcome each."""
    out = []
    for i, (q, pick) in enumerate(zip(step.quiz, picks(step, QUIZ, records)), start=1):
        if pick is None:
            out.append(
                Outcome(
                    False,
                    f"question {i} answered",
                    expected="an answer",
                    found="not answered yet",
                    hint="pick one of the choices",
                )
            )
        else:
            out.append(
                Outcome(
                    True,
                    f"question {i} answered",
                    found=f"{pick.choice}: " + ("right" if pick.correct else f"wrong (the answer is {q.answer})"),
                )
            )
    return out


def score(step: Step, records: dict) -> tuple[int, int]:
    """(right, total) of a quiz step."""
    return sum(bool(p and p.correct) for p in picks(step, QUIZ, records)), len(step.quiz)
