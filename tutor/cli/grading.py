"""The grading commands: `docklab report` (the learner hands in a signed completion
report), `docklab grade` (the instructor's roll-up of many), and `docklab check --all`
(the live state of every lesson in one call). The decisions live in tutor.core
(report, signing, rollup, livestate); these handlers only read arguments and print."""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
import time
from pathlib import Path

from tutor import __version__
from tutor.cli import FAILED, OK
from tutor.core.grading.formats import FORMATS
from tutor.core.errors import UsageError
from tutor.core.grading import report, signing
from tutor.core.lessons import catalog
from tutor.core.engine.connection import EngineUnavailable, connect
from tutor.core.engine.images import load_map
from tutor.core.learner.livestate import check_lesson
from tutor.core.outcome import redact
from tutor.core.grading.rollup import grade, report_files
from tutor.core.store import write_json


def cmd_report(args) -> int:
    key = signing.load_key(args.key_file)  # signing.BadKey: a usage error
    lessons = catalog.load_all()
    image_map = load_map(args.images)
    try:
        engine = connect(timeout=20)
    except EngineUnavailable as err:
        engine = None
        print(f"warning: {err}\nThe report holds your recorded progress without a re-check.", file=sys.stderr)
    learner = args.learner or os.environ.get("DOCKLAB_LEARNER") or getpass.getuser()
    data = report.make(learner, lessons, engine, image_map, __version__)
    if key is not None:
        data = signing.sign(data, key)
    if args.json:
        print(json.dumps(data, indent=2, sort_keys=True))
    if args.out or not args.json:
        out = Path(args.out or f"docklab-report-{re.sub(r'[^A-Za-z0-9._-]+', '_', learner)}.json")
        write_json(out, data, indent=2)
        counts = {
            s: sum(lesson["status"] == s for lesson in data["lessons"])
            for s in (report.LESSON_DONE, report.PARTIAL, report.NOT_STARTED)
        }
        print(
            f"Wrote {out} for {data['learner']}: {counts['done']} lesson(s) done, {counts['partial']} partial, "
            f"{counts['not_started']} not started.",
            file=sys.stderr if args.json else sys.stdout,
        )
    if key is None:
        print(
            "Unsigned: no workshop key (--key-file or $DOCKLAB_WORKSHOP_KEY). "
            "An instructor grading with a key will not count it.",
            file=sys.stderr,
        )
    return OK


def cmd_grade(args) -> int:
    key = signing.load_key(args.key_file)  # signing.BadKey: a usage error
    paths = report_files(args.reports)
    if not paths:
        raise UsageError("no reports: name report files, or folders holding *.json")
    rollup = grade(paths, key)
    if hasattr(sys.stdout, "reconfigure"):  # a learner's name in a script the terminal lacks: "?", not a crash
        sys.stdout.reconfigure(errors="replace")
    sys.stdout.write(FORMATS[args.format](rollup))
    if key is None:
        print(
            "warning: no key given (--key-file or $DOCKLAB_WORKSHOP_KEY): signatures were not verified.",
            file=sys.stderr,
        )
    if not rollup.clean:
        print(
            f"{len(rollup.flagged)} report(s) flagged and {len(rollup.unreadable)} unreadable: not counted.",
            file=sys.stderr,
        )
    return OK if rollup.clean else FAILED


def check_every_lesson(args) -> int:
    """`check --all`: every lesson live, recording nothing; 0 only when all pass."""
    if args.step is not None:
        raise UsageError("--step needs a lesson: `docklab check LESSON --step N`")
    lessons = catalog.load_all()
    engine = connect()
    image_map = load_map(args.images)
    states = [check_lesson(lesson, engine, image_map) for lesson in lessons]
    secrets = tuple(s for lesson in lessons for s in lesson.secrets)
    passed = all(s.passed for s in states)
    if args.json:
        out = {
            "passed": passed,
            "checked_at": time.time(),
            "docklab": __version__,
            "engine": {"version": engine.version, "api": engine.api_version},
            "lessons": [s.to_dict() for s in states],
        }
        print(json.dumps(report.scrub(out, secrets), indent=2))
    else:
        width = max(len(lesson.id) for lesson in lessons)
        for s in states:
            done = sum(r.passed for r in s.steps)
            if s.unmet:
                line = f"✗ {s.lesson.id:<{width}}  cannot be checked here: " + "; ".join(s.unmet)
            else:
                failing = [str(r.step.number) for r in s.steps if not r.passed]
                line = f"{'✓' if s.passed else '✗'} {s.lesson.id:<{width}}  {done}/{len(s.steps)} steps" + (
                    f" (failing: step {', '.join(failing)}; `docklab check {s.lesson.id}` says why)" if failing else ""
                )
            print(redact(line, secrets))
        print(f"{sum(s.passed for s in states)}/{len(states)} lessons pass.")
    return OK if passed else FAILED
