"""The lesson screen's part that makes the learner think: a challenge's goal, hints and solution, the
prediction asked when a step is reached, a passed step kept in view with the prediction
beside what the engine did, the quiz and the recap. Mixed into LessonScreen, whose
`session`, `lesson`, `current`, `asking`, `next_command`, `go_to` and
`run_check` it uses; the panes are widgets of their own under tutor/ui/widgets/."""

from __future__ import annotations

from tutor.core.learner.thinking import QUIZ
from tutor.core.lessons.thinking import judged_by
from tutor.core.model import Step
from tutor.ui.widgets.goal import GoalPane
from tutor.ui.widgets.hints import HintPane
from tutor.ui.widgets.predict import PredictionOutcome, PredictScreen
from tutor.ui.widgets.quiz import QuestionBox, QuizPane
from tutor.ui.widgets.recap import RecapPane
from tutor.ui.widgets.stepview import StepView


class ThinkingMixin:
    def is_done(self, number: int) -> bool:
        return number in self.app.progress.done(self.lesson.id)

    async def show_thinking(self, step: Step) -> None:
        view = self.query_one(StepView)
        view.query_one(GoalPane).show(step.goal if step.challenge else None, judged_by(step, self.lesson.roles))
        self.show_hints(step)
        picks = self.session.picks(step.number, QUIZ) if self.session else [None] * len(step.quiz)
        await view.query_one(QuizPane).show(step.quiz, picks)
        if self.is_done(step.number):
            self.show_passed(step)
        else:
            self.show_prediction_made(step)

    def show_prediction_made(self, step: Step) -> None:
        """The learner's predictions for a step not yet passed, in view under its title."""
        if self.session is not None:
            made = self.query_one(StepView).query_one("#prediction-made", PredictionOutcome)
            made.show(self.session.picks(step.number), passed=False)

    def show_hints(self, step: Step) -> None:
        thought = self.session.thinking(step.number) if self.session else {}
        solution = [self.command_text(c) for c in step.solution] if thought.get("revealed") else None
        self.query_one(HintPane).show(
            self.session.hints(step.number) if self.session else [],
            len(step.hints),
            step.challenge,
            solution,
            stuck=bool(self.session and self.session.stuck(step.number)),
        )

    def show_passed(self, step: Step) -> None:
        """A passed step stays in view: its results, the prediction beside the engine, and
        (the lesson done) the recap, until the learner moves on (F8, or F3)."""
        view = self.query_one(StepView)
        last = step.number == len(self.lesson.steps)
        score = ""
        if step.is_quiz and self.session is not None:
            right = sum(bool(p and p.correct) for p in self.session.picks(step.number, QUIZ))
            score = f" Quiz: {right} of {len(step.quiz)} right."
        view.done(
            f"✓ Step {step.number} done.{score} "
            + ("That was the last step." if last else "F8 (or F3) goes to the next step.")
        )
        if self.session is not None:
            view.query_one("#prediction-made", PredictionOutcome).show([])
            view.query_one("#predicted", PredictionOutcome).show(self.session.picks(step.number))
        if len(self.app.progress.done(self.lesson.id)) == len(self.lesson.steps):
            view.query_one(RecapPane).show(self.lesson.recap or "(this lesson has no recap)")

    def ask_prediction(self, step: Step) -> None:
        """When a step is reached, before its commands run: each prediction not yet made."""
        if self.session is None or self.asking or self.is_done(step.number) or step.number != self.current:
            return
        pending = [i for i, pick in enumerate(self.session.picks(step.number)) if pick is None]
        if not pending:
            return
        index, question = pending[0], step.predictions[pending[0]]
        self.asking = True

        def answered(number: int | None) -> None:
            self.asking = False
            pick = self.session.predict(step.number, index, number)
            self.notify(
                "Skipped: see what the engine does."
                if pick.skipped
                else f"You predicted: {pick.choice}. Now run it and see.",
                title="Prediction",
            )
            if step.number == self.current and not self.is_done(step.number):
                self.show_prediction_made(step)
            self.ask_prediction(step)

        self.app.push_screen(PredictScreen(question, self.session.text(question.question)), answered)

    def action_hint(self) -> None:
        step = self.lesson.step(self.current)
        if self.session is None:
            self.notify("Still reaching the engine: try again in a moment.", severity="warning")
        elif not step.hints:
            self.notify(
                "This step has no written hints"
                + (": F12 shows a solution." if step.challenge else ": its commands are in the text."),
                title="Hint",
            )
        elif self.session.hint(self.current) is None:
            self.notify(
                f"No more hints: all {len(step.hints)} are shown."
                + (" F12 shows a solution." if step.challenge else ""),
                title="Hint",
            )
        self.show_hints(step)

    def action_solution(self) -> None:
        step = self.lesson.step(self.current)
        if not step.challenge:
            self.notify("Only a challenge hides its solution: this step's commands are in its text.", title="Solution")
            return
        if self.session is None:
            self.notify("Still reaching the engine: try again in a moment.", severity="warning")
            return
        self.session.reveal(self.current)
        self.next_command = 0
        self.show_hints(step)

    async def on_question_box_answered(self, message: QuestionBox.Answered) -> None:
        if self.session is None:
            self.notify("Still reaching the engine: try again in a moment.", severity="warning")
            return
        pick = self.session.answer(self.current, message.index, message.number)
        quiz = self.query_one(QuizPane)
        await quiz.answered(message.index, pick)
        if all(p is not None for p in self.session.picks(self.current, QUIZ)):
            self.notify(f"Quiz: {quiz.score()}.", title="Quiz")
            self.run_check(wait=False)
