"""The reports the instructor view keeps, one per learner, in the classroom's folder:
what its page, its exports and `docklab classroom status` read. No jupyterhub here."""

from __future__ import annotations

import re
from pathlib import Path

from tutor.core.grading import report as rpt
from tutor.core.grading.rollup import Rollup, grade, report_files

SAFE = re.compile(r"[^A-Za-z0-9._@-]")


def reports_dir(folder: Path) -> Path:
    return Path(folder) / "reports"


def key_file(folder: Path) -> Path:
    return Path(folder) / "workshop.key"


def report_path(folder: Path, learner: str) -> Path:
    """One file per learner; a hub name with other characters is kept readable and distinct."""
    safe = SAFE.sub(lambda m: "".join(f"%{b:02x}" for b in m.group().encode()), learner)
    return reports_dir(folder) / f"{safe}.json"


def rollup(folder: Path) -> Rollup:
    """The same roll-up as `docklab grade --key-file KEY REPORTS`."""
    return grade(report_files([str(reports_dir(folder))]), key_file(folder).read_bytes().strip())


def summary(folder: Path) -> dict[str, dict]:
    """Per learner and lesson: steps done, of how many, and when the last one was done."""
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
            }
        out[data["learner"]] = {"lessons": lessons, "received_at": path.stat().st_mtime}
    return out
