"""Reports built without an engine, from progress written directly: for the grading unit
tests and the benchmark."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tutor.core.lessons import catalog
from tutor.core.grading import report
from tutor.core.learner.progress import Progress

SECRET = "my-secret-pw"
LESSONS = catalog.load_all()
IDS = [lesson.id for lesson in LESSONS]


def progress_file(path: Path, done: dict[str, list[int]]) -> Progress:
    """A progress file where the given steps were proven, with evidence that mentions the
    data-loss password (as an unredacted older file might)."""
    lessons = {}
    for lesson_id, steps in done.items():
        lessons[lesson_id] = {
            "facts": {},
            "steps": {
                str(n): {
                    "done_at": 1_764_000_000.0 + n,
                    "evidence": [
                        {
                            "ok": True,
                            "claim": f"step {n} holds",
                            "expected": "",
                            "hint": "",
                            "found": f"exit code 0, output: -p{SECRET} mysqld is alive",
                        }
                    ],
                }
                for n in steps
            },
        }
    path.write_text(json.dumps({"version": 1, "lessons": lessons}))
    return Progress(path)


def make_report(tmp: Path, learner: str, done: dict[str, list[int]]) -> dict:
    progress = progress_file(tmp / f"progress-{learner}.json", done)
    return report.build(learner, LESSONS, progress, {}, {"version": "26.1.5", "api": "1.45"}, "0.1.0", now=time.time())


def rechecked(data: dict, lesson_id: str, holds: dict[int, bool]) -> dict:
    """The report as if the live re-check at report time ran on this lesson and found
    each step in `holds` holding or not (the others not re-checked)."""
    for lesson in data["lessons"]:
        if lesson["id"] == lesson_id:
            lesson["recheck"] = {"checked": True, "note": ""}
            for step in lesson["steps"]:
                if step["number"] in holds:
                    ok = holds[step["number"]]
                    step["now"] = {
                        "holds": ok,
                        "checks": [
                            {"ok": ok, "claim": f"step {step['number']} holds", "expected": "", "found": "", "hint": ""}
                        ],
                    }
    return data


def steps(lesson_id: str) -> int:
    """How many steps the shipped lesson has: the roll-up counts against it."""
    from tutor.core.lessons import catalog

    return len(catalog.find(lesson_id).steps)
