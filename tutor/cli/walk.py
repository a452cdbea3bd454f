"""`docklab run LESSON` without --auto: the lesson as linear text for a learner typing the
commands in their own shell (screen readers, dumb terminals). Enter checks the step."""

from __future__ import annotations

import shlex

from tutor.cli import FAILED, NO_ENGINE, OK
from tutor.cli.output import Printer
from tutor.core.learner.ownership import Conflict
from tutor.core.lessons import lessonfile
from tutor.core.learner.session import Session
from tutor.core.model import usable_name


def walk(session: Session, out: Printer) -> int:
    try:
        session.begin()
    except Conflict as err:
        out.line(str(err))
        session = _other_names(session, err, out)
        if session is None:
            return NO_ENGINE
    lesson = session.lesson
    out.title(lesson, session.image_map.name)
    if lesson.intro:
        out.line(lesson.intro)
    done = session.progress.done(lesson.id)
    for step in lesson.steps:
        if step.number in done:
            out.line(f"(step {step.number} done earlier: {step.title})")
            continue
        out.step(step, len(lesson.steps))
        out.command(session.text(step.body), indent="")
        out.line()
        out.line("Run these in your own shell" + (f", in {session.workdir}:" if session.workdir else ":"))
        if session.workdir:
            out.line(f"    cd {shlex.quote(session.workdir)}")
        for command in step.commands:
            out.command(session.command_text(command), indent="    ")
            verdict = session.guard(command)
            if verdict is not None and not verdict.safe:
                out.line("    " + verdict.message(refusing=False).replace("\n", "\n    "))
        while True:
            try:
                answer = input("Press Enter to check this step (q to stop): ").strip().lower()
            except EOFError:
                answer = "q"
            if answer == "q":
                out.line(f"Stopped at step {step.number}; your progress is kept. `docklab run {lesson.id}` resumes.")
                return FAILED
            report = session.check_step(step.number)
            out.report(report)
            if report.passed:
                break
    out.line(f"All {len(lesson.steps)} steps of {lesson.id} done.")
    return OK


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
