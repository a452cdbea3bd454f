"""Steps that docklab does itself: `run --auto` does every step, and catching up does the
steps before the one a learner who fell behind rejoins at. Both run each step's commands
as a learner would (a challenge's hidden solution, recorded as revealed; a quiz answered
from its key, recorded so), guard each prune, and check the step; catching up also marks
each step it did as caught up, never as proven by the learner."""

from __future__ import annotations

from typing import Protocol

from tutor.core.engine import runner
from tutor.core.errors import EngineError
from tutor.core.learner.session import Session, StepReport
from tutor.core.learner.thinking import AUTO, CATCH_UP
from tutor.core.model import Step
from tutor.core.outcome import redact

WHO = {AUTO: "--auto", CATCH_UP: "catching up"}


class Shows(Protocol):
    """What a front end shows as docklab does a step (cli.output.Printer is one)."""

    def line(self, text: str = "") -> None:
        """A note in words."""
        ...

    def command(self, text: str, indent: str = "$ ") -> None:
        """A command as it is about to run."""
        ...

    def stream(self, text: str) -> None:
        """The command's output as it comes."""
        ...

    def result(self, result: runner.Result) -> None:
        """How the command ended."""
        ...

    def waiting(self, claim: str, waited: float, limit: float) -> None:
        """A check that waits (a database starting)."""
        ...


def do_step(session: Session, number: int, by: str, shows: Shows) -> StepReport | None:
    """Do step `number` as docklab (`by`: AUTO or CATCH_UP) and check it; None when a
    command was interrupted. A prune that would take what is not the lesson's raises."""
    with session.progress.held():  # one write for the step's commands and answers, not one each
        if not _do_commands(session, session.lesson.step(number), by, shows):
            return None
    return session.check_step(number, wait=True, on_wait=shows.waiting)


def _do_commands(session: Session, step: Step, by: str, shows: Shows) -> bool:
    """Answer the step's quiz and run its commands (a challenge's hidden solution); False
    when a command was interrupted."""
    who = WHO[by]
    commands = step.commands
    if step.challenge:
        shows.line(f"A challenge: {who} runs its hidden solution (the report records it as revealed by {by}).")
        commands = session.reveal(step.number, by=by)
    for i, question in enumerate(step.quiz):
        pick = session.answer(step.number, i, question.answer, by=by)
        shows.line(f"Quiz: {question.question} -> {pick.choice} (answered by {who} from the key; recorded so)")
    unasked = {} if step.challenge else {p.block: p for p in step.predictions}
    for command in commands:
        if (prediction := unasked.pop(command.block, None)) is not None:
            shows.line(f"Prediction not asked ({who} skips them): {prediction.question}")
        shows.command(session.command_text(command))
        verdict = session.guard(command)
        if verdict is not None and not verdict.safe:
            raise EngineError(redact(verdict.message(), session.lesson.secrets))
        if verdict is not None:
            shows.line(verdict.message())
        result = session.run(command, shows.stream)
        shows.result(result)
        if result.interrupted:
            return False
    return True


def catch_up_plan(session: Session, number: int) -> list[str]:
    """What catching up to step `number` will do, in words, to show before it does it."""
    plan = [f"remove what {session.lesson.id} made: " + (", ".join(session.reset_plan()) or "nothing yet")]
    for step in session.lesson.steps[: number - 1]:
        if step.challenge:
            plan.append(f"step {step.number} (a challenge): run its hidden solution, recorded as revealed")
            commands = step.solution
        elif step.is_quiz:
            plan.append(f"step {step.number}: answer the quiz from its key, recorded so")
            commands = []
        else:
            plan.append(f"step {step.number}: {step.title}")
            commands = step.commands
        plan += [f"    $ {session.command_text(c)}" for c in commands]
    return plan


CAUGHT_UP, INTERRUPTED = "caught up", "interrupted"


def catch_up(session: Session, number: int, shows: Shows) -> StepReport | str:
    """Reset the lesson (as `docklab reset` does), then do steps 1 to `number` - 1 as
    docklab, each recorded as caught up; the learner goes on at step `number`. Returns
    CAUGHT_UP, INTERRUPTED, or the report of the step that did not pass (it stops there)."""
    removed = session.reset(again=True).removed
    shows.line(
        f"Catching up to step {number}: " + (f"removed {', '.join(removed)}" if removed else "nothing to remove")
    )
    for step in session.lesson.steps[: number - 1]:
        shows.line(f"== Step {step.number}/{len(session.lesson.steps)}: {step.title} (catching up)")
        report = do_step(session, step.number, CATCH_UP, shows)
        if report is None:
            return INTERRUPTED
        if not report.passed:
            return report
        session.progress.caught_up(session.lesson.id, step.number)
    session.progress.set_current(session.lesson.id, number)
    return CAUGHT_UP
