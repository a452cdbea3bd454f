"""The plain step-by-step run: `docklab run LESSON` without --auto (with --plain, or off a
terminal) shows the lesson as linear text for a learner typing the commands in their own
shell (screen readers, dumb terminals); Enter checks the step. `show` is also what
`docklab start` prints of a step."""

from __future__ import annotations

import shlex

from tutor.cli import FAILED, NO_ENGINE, OK
from tutor.cli.output import Printer
from tutor.core.learner.ownership import Conflict
from tutor.core.lessons import lessonfile
from tutor.core.learner.session import Session
from tutor.core.learner.thinking import QUIZ
from tutor.core.lessons.thinking import RECAP, judged_by
from tutor.core.model import Step
from tutor.core.model import usable_name


def run(session: Session, out: Printer) -> int:
    """Each step not yet done, in order, until the lesson is done or the learner stops."""
    try:
        session.begin()
    except Conflict as err:
        out.line(str(err))
        session = _other_names(session, err, out)
        if session is None:
            return NO_ENGINE
    lesson = session.lesson
    out.title(lesson, session.image_map.name)
    if lesson.requires.cli and session.engine.cli_note:  # the learner types into their own shell
        out.line(f"Before you start: {session.engine.cli_note}")
    if lesson.intro:
        out.line(lesson.intro)
    done = session.progress.done(lesson.id)
    for step in lesson.steps:
        if step.number in done:
            out.line(f"(step {step.number} done earlier: {step.title})")
            continue
        out.step(step, len(lesson.steps))
        session.progress.set_current(lesson.id, step.number)
        if step.body:
            out.command(session.text(step.body), indent="")
            out.line()
        if (_quiz if step.is_quiz else _step)(session, step, out) is None:
            out.line(f"Stopped at step {step.number}; your progress is kept. `docklab run {lesson.id}` resumes.")
            return FAILED
    out.line(f"All {len(lesson.steps)} steps of {lesson.id} done.")
    if lesson.recap:
        out.line()
        out.line(f"== {RECAP}")
        out.command(lesson.recap, indent="")
    return OK


def _ask(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        return "q"


def show(session: Session, step: Step, out: Printer, ask: bool = True) -> bool:
    """A challenge's goal and checks, or the step's commands for the learner's own shell,
    each prediction before the command it asks about: asked (`ask`), else only shown.
    False: the learner stopped at a prediction."""
    if step.challenge:
        out.line(f"Your goal: {step.goal}. No command is given: do it your way, in your own shell.")
        out.line("docklab judges it by these checks:")
        for claim in judged_by(step, session.lesson.roles):
            out.line(f"  - {claim}")
        return True
    out.line("Run these in your own shell" + (f", in {session.workdir}:" if session.workdir else ":"))
    if session.workdir:
        out.line(f"    cd {shlex.quote(session.workdir)}")
    asked: set[int] = set()
    for command in step.commands:
        prediction = step.prediction_for(command.block)
        if prediction is not None and command.block not in asked:  # before its block's first command
            asked.add(command.block)
            index = step.predictions.index(prediction)
            if ask and not _predict(session, step, index, out):
                return False
            if not ask:
                out.line(f"Predict before you run it: {session.text(prediction.question)}")
                _choices(prediction.choices, out)
        out.command(session.command_text(command), indent="    ")
        verdict = session.guard(command)
        if verdict is not None and not verdict.safe:
            out.line("    " + verdict.message(refusing=False).replace("\n", "\n    "))
    return True


def _step(session: Session, step: Step, out: Printer) -> bool | None:
    """Show the step, then check it on Enter until it passes (True) or the learner stops (None)."""
    if not show(session, step, out):
        return None
    extra = (["hint"] if step.hints else []) + (["solution"] if step.challenge else [])
    offered = False
    while True:
        answer = _ask(f"Press Enter to check this step ({', '.join(extra + ['q to stop'])}): ").lower()
        if answer == "q":
            return None
        if answer == "hint":
            _hint(session, step, out)
            continue
        if answer == "solution" and not step.challenge:
            out.line("Only a challenge hides its solution: this step's commands are shown above.")
            continue
        if answer == "solution":
            out.line("One way to do it (the report records that you asked):")
            for command in session.reveal(step.number):
                out.command(session.command_text(command), indent="    ")
            continue
        report = session.check_step(step.number)
        out.report(report)
        if report.passed:
            for pick in session.picks(step.number):
                if pick is not None:
                    out.line(f"  {pick.compared()}")
            if step.after:
                out.command(session.text(step.after), indent="")
            return True
        if session.stuck(step.number) and not offered:
            offered = True
            out.line(
                "Stuck? Type `solution` to see one way to do it"
                + (", or `hint` for a hint" if step.hints else "")
                + "."
            )


def _choices(choices: tuple[str, ...], out: Printer) -> None:
    for n, choice in enumerate(choices, start=1):
        out.line(f"  {n}. {choice}")


def _predict(session: Session, step: Step, index: int, out: Printer) -> bool:
    """Asked before the command is shown; Enter skips (recorded as skipped); q stops (False)."""
    if session.picks(step.number)[index] is not None:
        return True
    question = step.predictions[index]
    out.line(f"Predict before you run it: {session.text(question.question)}")
    _choices(question.choices, out)
    while True:
        answer = _ask(f"Your prediction (1-{len(question.choices)}, Enter to skip, q to stop): ")
        if answer.lower() == "q":
            return False
        if answer == "" or (answer.isdigit() and 1 <= int(answer) <= len(question.choices)):
            break
        out.line(f"Type a number from 1 to {len(question.choices)}, or press Enter to skip.")
    pick = session.predict(step.number, index, int(answer) if answer.isdigit() else None)
    out.line(
        "Skipped: you will see what the engine does."
        if pick.skipped
        else f"You predicted: {pick.choice}. Run it and see."
    )
    return True


def _hint(session: Session, step: Step, out: Printer) -> None:
    shown = len(session.hints(step.number))
    text = session.hint(step.number)
    if not step.hints:
        out.line(
            "This step has no written hints"
            + (": type `solution` to see one way to do it." if step.challenge else ": its commands are shown above.")
        )
    elif text is None:
        out.line(
            f"No more hints: all {len(step.hints)} are shown above."
            + (" Type `solution` to see one way to do it." if step.challenge else "")
        )
    else:
        out.line(f"Hint {shown + 1} of {len(step.hints)}: {text}")


def _quiz(session: Session, step: Step, out: Printer) -> bool | None:
    """Each question answered by number, checked at once and explained (q stops: None)."""
    for index, pick in enumerate(session.picks(step.number, QUIZ)):
        question = step.quiz[index]
        out.line(f"Question {index + 1} of {len(step.quiz)}: {question.question}")
        if pick is None:
            _choices(question.choices, out)
            while not (
                (answer := _ask(f"Your answer (1-{len(question.choices)}, q to stop): ")).isdigit()
                and 1 <= int(answer) <= len(question.choices)
            ):
                if answer.lower() == "q":
                    return None
                out.line(f"Type a number from 1 to {len(question.choices)}, or q to stop.")
            pick = session.answer(step.number, index, int(answer))
        out.line(f"  {pick.verdict()}")
    report = session.check_step(step.number)
    right = sum(bool(p and p.correct) for p in session.picks(step.number, QUIZ))
    out.line(f"  {'✓ DONE' if report.passed else '✗ NOT DONE'}  quiz: {right} of {len(step.quiz)} right")
    return report.passed


def _other_names(session: Session, conflict: Conflict, out: Printer) -> Session | None:
    """The choice a taken name leaves: another name for each of the learner's names the
    lesson spells out, or stop. Returns the begun session, or None to stop."""
    if not conflict.renamable or len(conflict.renamable) != len(conflict.names):
        return None  # some name cannot be replaced (or belongs to another lesson)
    names: dict[str, str] = {}
    original = {new: old for old, new in session.lesson.renames.items()}
    for name in conflict.renamable:
        try:
            answer = input(f"Another name to use instead of {name} (Enter to stop): ").strip()
        except EOFError:
            answer = ""
        if not answer or answer.lower() == "q":
            return None
        if not usable_name(answer) or answer in session.lesson.renamable():
            out.line(f"{answer!r} cannot be used: letters, digits, _ . - only, and not another of the lesson's names.")
            return None
        names[original.get(name, name)] = answer
    lesson = _original(session.lesson).renamed({**session.lesson.renames, **names})
    chosen = Session(lesson, session.engine, session.image_map, session.progress)
    try:
        chosen.begin()
    except Conflict as err:
        out.line(str(err))
        return None
    out.line("Using " + ", ".join(f"{new} for {old}" for old, new in names.items()) + ".")
    return chosen


def _original(lesson):
    """The lesson as written (before any renames), read again from its file."""
    return lessonfile.load(lesson.path)
