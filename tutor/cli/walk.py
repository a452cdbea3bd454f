"""`docklab run LESSON` without --auto: the lesson as linear text for a learner typing the
commands in their own shell (screen readers, dumb terminals). Enter checks the step."""

from __future__ import annotations

import shlex

from tutor.cli import FAILED, NO_ENGINE, OK
from tutor.cli.output import Printer
from tutor.core.ownership import Conflict
from tutor.core.session import Session


def walk(session: Session, out: Printer) -> int:
    lesson = session.lesson
    try:
        session.begin()
    except Conflict as err:
        out.line(str(err))
        return NO_ENGINE
    out.title(lesson, session.image_map.name)
    if lesson.intro:
        out.line(lesson.intro)
    done = session.progress.done(lesson.id)
    for step in lesson.steps:
        if step.number in done:
            out.line(f"(step {step.number} done earlier: {step.title})")
            continue
        out.step(step, len(lesson.steps))
        out.line(step.body)
        out.line()
        out.line("Run these in your own shell" + (f", in {session.workdir}:" if session.workdir else ":"))
        if session.workdir:
            out.line(f"    cd {shlex.quote(session.workdir)}")
        for command in step.commands:
            out.line(f"    {session.command_text(command)}")
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
