"""The reports the instructor view keeps, one per learner, in the classroom's folder: what its
page, its exports and `docklab classroom status` read, so the three agree. Each is the
view's own (tutor/classroom/verdict.py), shaped by docklab's catalog: its lessons and their
steps, whatever a learner's report said. What a learner's server last posted is kept as
received, apart (received/), for the instructor to look at. No jupyterhub here."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tutor.core.grading import report as rpt
from tutor.core.grading.rollup import Rollup, grade, report_files
from tutor.core.grading.signing import sign

SAFE = re.compile(r"[^A-Za-z0-9._@-]")


def reports_dir(folder: Path) -> Path:
    return Path(folder) / "reports"


def received_dir(folder: Path) -> Path:
    return Path(folder) / "received"


def key_file(folder: Path) -> Path:
    return Path(folder) / "workshop.key"


def safe_name(learner: str) -> str:
    """A hub name kept readable and distinct as a file name."""
    return SAFE.sub(lambda m: "".join(f"%{b:02x}" for b in m.group().encode()), learner)


def report_path(folder: Path, learner: str) -> Path:
    return reports_dir(folder) / f"{safe_name(learner)}.json"


def received_path(folder: Path, learner: str) -> Path:
    return received_dir(folder) / f"{safe_name(learner)}.json"


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def keep(folder: Path, learner: str, report: dict) -> None:
    """The view's report for a learner, signed with the classroom's key, written compact: what
    `docklab grade --key-file KEY REPORTS` reads back, never larger than its JSON."""
    signed = sign(report, key_file(folder).read_bytes().strip())
    write_atomically(report_path(folder, learner), json.dumps(signed, separators=(",", ":"), sort_keys=True).encode())


def kept(folder: Path, learner: str) -> dict | None:
    """The view's last report for a learner, if it has one."""
    try:
        return rpt.read(report_path(folder, learner))
    except rpt.Unreadable:
        return None


# What a step of schema 2 says when the learner's report had no such step.
_UNTOLD = {"predictions": [], "hints_taken": 0, "solution_revealed": False, "revealed_by": None, "quiz": None}


def conform(data: dict, lessons) -> dict:
    """A learner's report shaped by the catalog (`lessons`): only the lessons it knows, each
    with exactly its steps (a step the report lacks is not done, one it adds is dropped),
    titles and statuses from there; nothing re-checked (a learner's own re-check proves
    nothing). What the report said done stays as each step's `claimed`."""
    given = {x.get("id"): x for x in data["lessons"]}
    out = []
    for lesson in lessons:
        if lesson.id not in given:
            continue
        reported = {s["number"]: s for s in given[lesson.id]["steps"]}
        steps = []
        for step in lesson.steps:
            mine = reported.get(step.number)
            done = mine is not None and mine["status"] == rpt.DONE
            steps.append(
                {
                    **_UNTOLD,
                    "kind": "quiz" if step.is_quiz else "challenge" if step.challenge else "step",
                    **(mine or {}),
                    "number": step.number,
                    "title": step.title,
                    "status": rpt.DONE if done else rpt.NOT_DONE,
                    "proof": mine["proof"] if done else None,
                    "done_at": mine["done_at"] if done else None,
                    "evidence": mine["evidence"] if done else [],
                    "now": None,
                    "claimed": done,
                }
            )
        status = rpt.lesson_status(steps)
        out.append(
            {
                **given[lesson.id],
                "id": lesson.id,
                "title": lesson.title,
                "status": status,
                "completed_at": max(s["done_at"] for s in steps) if status == rpt.LESSON_DONE else None,
                "recheck": {"checked": False, "note": "not verified: the view could not reach this learner's engine"},
                "steps": steps,
            }
        )
    return {**data, "lessons": out, "verified_by": None}


def rollup(folder: Path) -> Rollup:
    """The same roll-up as `docklab grade --key-file KEY REPORTS`."""
    return grade(report_files([str(reports_dir(folder))]), key_file(folder).read_bytes().strip())


def summary(folder: Path) -> dict[str, dict]:
    """Per learner and lesson: steps done (the view's verdict), of how many, when the last one
    was, and how many the learner's own record claims; whether the view verified them."""
    out: dict[str, dict] = {}
    for path in report_files([str(reports_dir(folder))]):
        try:
            data = rpt.read(path)
        except rpt.Unreadable:
            continue
        lessons = {}
        for lesson in data["lessons"]:
            done = [s for s in lesson["steps"] if s["status"] == rpt.DONE]
            lessons[lesson["id"]] = {
                "done": len(done),
                "steps": len(lesson["steps"]),
                "last": max((s["done_at"] for s in done if s["done_at"]), default=None),
                "claimed": sum(bool(s.get("claimed", s["status"] == rpt.DONE)) for s in lesson["steps"]),
            }
        out[data["learner"]] = {
            "lessons": lessons,
            "verified": bool(data.get("verified_by")),
            "received_at": path.stat().st_mtime,
        }
    return out
