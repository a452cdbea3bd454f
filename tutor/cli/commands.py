"""The headless commands: the same core as the TUI, plain text out, stable exit codes."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tutor.cli import FAILED, INTERRUPTED, OK, USAGE
from tutor.cli.output import Printer
from tutor.cli.tui import open_tui
from tutor.cli import plain
from tutor.core import settings
from tutor.core.lessons import catalog, lessonfile
from tutor.core.engine.connection import Engine, EngineUnavailable, connect
from tutor.core.engine.images import load_map
from tutor.core.errors import EngineError, UsageError
from tutor.core.model import Lesson, usable_name
from tutor.core.learner.ownership import started_lessons
from tutor.core.learner.progress import Progress
from tutor.core.learner import autorun
from tutor.core.learner.session import Session
from tutor.core.learner.thinking import AUTO
from tutor.core.paths import content_dir
from tutor.core.lessons.thinking import RECAP


def renamed(lesson: Lesson, pairs: list[str]) -> Lesson:
    """The lesson with the names the learner chose (`--rename my-vol=my-vol-2`)."""
    names: dict[str, str] = {}
    for pair in pairs:
        old, _, new = pair.partition("=")
        if old not in lesson.renamable():
            raise UsageError(
                f"--rename {pair}: {old!r} is not a name {lesson.id} spells out in its commands "
                f"(those are: {', '.join(lesson.renamable()) or 'none'})"
            )
        if not usable_name(new) or new in lesson.renamable():
            raise UsageError(
                f"--rename {pair}: {new!r} is not a usable new name (letters, digits, _ . -; "
                "not another of the lesson's names)"
            )
        names[old] = new
    return lesson.renamed(names)


def session_for(lesson: Lesson, args, require: bool = True) -> Session:
    image_map = load_map(getattr(args, "images", None))
    session = Session(lesson, connect(), image_map)
    if require:
        reasons = session.unmet()
        if reasons:
            raise EngineError(f"{lesson.id} cannot run on this engine:\n" + "\n".join(f"  - {r}" for r in reasons))
    return session


# ---- commands -----------------------------------------------------------------------------


def cmd_list(args) -> int:
    lessons = catalog.load_all()
    progress = Progress()
    try:
        engine: Engine | None = connect(timeout=10)
        image_map = load_map(args.images)
    except EngineUnavailable:
        engine, image_map = None, None
    rows = []
    for lesson in lessons:
        if engine is not None:
            reasons = Session(lesson, engine, image_map, progress).unmet()
        else:
            reasons = ["no engine reachable (`docklab doctor`)"]
        rows.append(
            {
                "id": lesson.id,
                "title": lesson.title,
                "summary": lesson.summary,
                "steps": len(lesson.steps),
                "done": len(progress.done(lesson.id)),
                "available": not reasons,
                "reasons": reasons,
                "recap": lesson.recap,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return OK
    for row in rows:
        state = "ready" if row["available"] else "unavailable: " + "; ".join(row["reasons"])
        print(f"{row['id']:<18} {row['done']}/{row['steps']} steps  {row['title']}")
        print(f"{'':<18} {row['summary']}")
        print(f"{'':<18} [{state}]")
    return OK


def cmd_run(args) -> int:
    lesson = renamed(catalog.find(args.lesson), args.rename)
    if args.from_step is not None and not 1 <= args.from_step <= len(lesson.steps):
        raise UsageError(f"--from {args.from_step}: {lesson.id} has steps 1 to {len(lesson.steps)}")
    tui = not args.auto and not args.plain and sys.stdin.isatty() and sys.stdout.isatty()
    if tui and Path(args.lesson).suffix == ".md":
        raise UsageError("the TUI opens lessons from content/ only; use --plain or --auto for a file")
    if args.from_step is not None and (code := _catch_up(lesson, args)) != OK:
        return code
    if tui:
        return open_tui(args.images, lesson.id)
    session = session_for(lesson, args)
    lesson = session.lesson  # with the names it was begun with, when the learner chose others
    out = Printer(lesson.secrets)
    if not args.auto:
        return plain.run(session, out)
    if args.from_step is None:
        removed = session.begin(fresh=True)  # a name the lesson needs taken: ownership.Conflict, exit 3
        out.title(lesson, session.image_map.name)
        if removed:
            out.line("Removed what an earlier run of this lesson left: " + ", ".join(removed))
    try:
        return _auto(session, lesson, out, first=args.from_step or 1)
    finally:
        session.mark_auto_run()


def _catch_up(lesson: Lesson, args) -> int:
    """`run --from N`: reset the lesson and let docklab do steps 1 to N-1, each shown as it
    runs and recorded as caught up; then the learner (or --auto) goes on from step N."""
    session = session_for(lesson, args)
    out = Printer(session.lesson.secrets)
    out.title(session.lesson, session.image_map.name)
    for line in autorun.catch_up_plan(session, args.from_step):
        out.line(line)
    done = autorun.catch_up(session, args.from_step, out)
    if done == autorun.INTERRUPTED:
        out.line(f"Interrupted while catching up. `docklab run {lesson.id} --from {args.from_step}` starts it again.")
        return INTERRUPTED
    if done != autorun.CAUGHT_UP:
        out.report(done)
        out.line(f"Step {done.step.number} did not pass while catching up: the lesson stops there.")
        return FAILED
    out.line(
        f"Caught up: steps 1 to {args.from_step - 1} done by docklab (recorded as caught up). Now step {args.from_step}."
    )
    return OK


def cmd_start(args) -> int:
    session = session_for(renamed(catalog.find(args.lesson), args.rename), args)
    started = session.ownership.started_at
    taken = session.start()
    lesson = session.lesson
    out = Printer(lesson.secrets)
    out.title(lesson, session.image_map.name)
    if started:
        out.line(
            f"Started at {time.strftime('%H:%M', time.localtime(started))}: going on from there "
            f"(`docklab reset {lesson.id}` removes what it made and starts it over)."
        )
    else:
        out.line("Started: from now on, what you make in your own shell counts for this lesson; nothing older does.")
        if lesson.intro:
            out.line(lesson.intro)
    for name in taken:
        out.line(
            f"Note: {name} exists already and is yours, not this lesson's: give the lesson's one another "
            "name in your commands (any name will do), or remove yours if you no longer need it."
        )
    done = {n for n, d in session.progress.done(lesson.id).items() if d["done_at"] >= session.began}
    step = next((s for s in lesson.steps if s.number not in done), None)
    if step is None:
        out.line(f"Every step of {lesson.id} is done. `docklab reset {lesson.id}` starts it over.")
        return OK
    out.step(step, len(lesson.steps))
    if step.body:
        out.command(session.text(step.body), indent="")
        out.line()
    if not step.is_quiz:
        plain.show(session, step, out, ask=False)
    out.line()
    out.line(
        f"Then `docklab check {lesson.id} --step {step.number}` checks it, `docklab check {lesson.id}` every "
        f"step at once. `docklab run {lesson.id}` shows the steps one by one."
    )
    return OK


def _auto(session: Session, lesson: Lesson, out: Printer, first: int = 1) -> int:
    for step in lesson.steps[first - 1 :]:
        out.step(step, len(lesson.steps))
        report = autorun.do_step(session, step.number, AUTO, out)
        if report is None:
            out.line(
                f"Interrupted in step {step.number}. Progress is kept; "
                f"`docklab reset {lesson.id}` removes what the lesson created."
            )
            return INTERRUPTED
        out.report(report)
        if not report.passed:
            out.line(f"Step {step.number} did not pass. `docklab reset {lesson.id}` removes what the lesson created.")
            return FAILED
    out.line(
        f"All {len(lesson.steps)} steps of {lesson.id} passed. `docklab reset {lesson.id}` removes what it created."
    )
    if lesson.recap:
        out.line(f"\n== {RECAP}\n{lesson.recap}")
    return OK


def cmd_check(args) -> int:
    if args.all:
        from tutor.cli.grading import check_every_lesson  # the report and grade formats: not for one lesson's check

        return check_every_lesson(args)
    lesson = catalog.find(args.lesson)
    session = session_for(lesson, args, require=False)
    unmet = session.engine.unmet(lesson.requires)
    if unmet:
        raise EngineError(f"{lesson.id} cannot be checked on this engine: " + "; ".join(unmet))
    if args.step is not None:
        if not 1 <= args.step <= len(lesson.steps):
            raise UsageError(f"{lesson.id} has steps 1 to {len(lesson.steps)}, not {args.step}")
        reports = [session.check_step(args.step)]
    else:
        reports = session.check_all()
    passed = all(r.passed for r in reports)
    start = {"at": session.began, "recorded": session.ownership.started, "note": session.start_note}
    if args.json:
        print(
            json.dumps(
                {
                    "lesson": lesson.id,
                    "passed": passed,
                    "checked_at": time.time(),
                    "engine": {"version": session.engine.version, "api": session.engine.api_version},
                    "start": start,
                    "steps": [r.to_dict() for r in reports],
                },
                indent=2,
            )
        )
    else:
        out = Printer(lesson.secrets)
        if session.start_note:
            out.line(session.start_note)
        for report in reports:
            out.step(report.step, len(lesson.steps))
            out.report(report)
        done = sum(r.passed for r in reports)
        out.line(f"{done}/{len(reports)} step{'s' if len(reports) != 1 else ''} passed.")
    return OK if passed else FAILED


def cmd_reset(args) -> int:
    engine = connect()
    if args.all:
        lessons = [catalog.find(i) for i in started_lessons(engine.port)]
        if not lessons:
            print("docklab has not started any lesson on this engine: nothing to remove.")
            return OK
    else:
        lessons = [catalog.find(args.lesson)]
    code = OK
    for lesson in lessons:
        done = Session(lesson, engine).reset()
        if not done.owned:
            names = ", ".join(lesson.resources.containers + lesson.resources.volumes) or "nothing"
            print(
                f"{lesson.id}: docklab did not start this lesson here, so it owns nothing and removes nothing "
                f"(the lesson would create: {names}). From now on, checking {lesson.id} counts only what you "
                "do after this reset."
            )
            continue
        print(f"{lesson.id}: removed " + (", ".join(done.removed) if done.removed else "nothing (already gone)"))
        for item in done.kept:
            print(f"{lesson.id}: kept {item}", file=sys.stderr)
            code = FAILED
    return code


def cmd_validate(args) -> int:
    paths = [Path(f) for f in args.files] or catalog.files()
    problems = lessonfile.validate(paths, course=content_dir())  # the course's rules, as its tests hold them
    for problem in problems:
        print(problem)
    if problems:
        return USAGE
    print(f"{len(paths)} lesson file{'s' if len(paths) != 1 else ''} OK")
    return OK


def cmd_config(args) -> int:
    if args.key is None:
        for key, doc in settings.KEYS.items():
            print(f"{key} = {settings.get(key) or '(unset)'}    # {doc}")
        return OK
    if args.value is None:
        print(settings.get(args.key) or "(unset)")
        return OK
    value = None if args.value == "-" else args.value
    if value is not None:
        load_map(value)  # refuse a map that cannot be read
    settings.put(args.key, value)
    print(f"{args.key} = {value or '(unset)'}")
    return OK
