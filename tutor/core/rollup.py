"""The instructor's roll-up: many report files in, one table learner × lesson out, with
totals per lesson. A report is counted only when its signature holds (or no key was
given); the others are listed as flagged or unreadable, each with the reason.
Formatting lives in tutor/cli/rollup_formats.py; this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tutor.core import report as rpt
from tutor.core.signing import verify


@dataclass(frozen=True)
class Cell:
    done: tuple[int, ...]  # step numbers proven done
    total: int

    @property
    def status(self) -> str:
        if self.total and len(self.done) >= self.total:
            return rpt.LESSON_DONE
        return rpt.PARTIAL if self.done else rpt.NOT_STARTED

    @property
    def text(self) -> str:
        if self.status == rpt.PARTIAL:
            return f"partial: steps {','.join(map(str, self.done))} of {self.total}"
        return "done" if self.status == rpt.LESSON_DONE else "not started"


@dataclass
class Learner:
    name: str
    files: list[str] = field(default_factory=list)
    steps: dict[str, set[int]] = field(default_factory=dict)  # lesson id -> done steps

    def cell(self, lesson: str, total: int) -> Cell:
        return Cell(tuple(sorted(self.steps.get(lesson, ()))), total)


@dataclass(frozen=True)
class Problem:
    file: str
    reason: str
    learner: str | None = None  # as the file claims it, for flagged reports


@dataclass
class Rollup:
    verified: bool  # a key was given
    lessons: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (title, steps), first seen first
    learners: dict[str, Learner] = field(default_factory=dict)
    flagged: list[Problem] = field(default_factory=list)
    unreadable: list[Problem] = field(default_factory=list)

    def rows(self) -> list[Learner]:
        return [self.learners[k] for k in sorted(self.learners, key=str.casefold)]

    def totals(self, lesson: str) -> dict[str, int]:
        counts = {rpt.LESSON_DONE: 0, rpt.PARTIAL: 0, rpt.NOT_STARTED: 0}
        total = self.lessons[lesson][1]
        for learner in self.learners.values():
            counts[learner.cell(lesson, total).status] += 1
        return counts

    @property
    def clean(self) -> bool:
        return not self.flagged and not self.unreadable

    def add(self, name: str, data: dict, key: bytes | None) -> None:
        """One report file's parsed content: checked, then merged or flagged."""
        verdict = verify(data, key)
        if not verdict.counted:
            learner = data.get("learner")
            self.flagged.append(Problem(name, verdict.value, learner if isinstance(learner, str) else None))
            return
        rpt.check_shape(data)
        learner = self.learners.setdefault(data["learner"], Learner(data["learner"]))
        learner.files.append(name)
        for lesson in data["lessons"]:
            title = lesson.get("title") if isinstance(lesson.get("title"), str) else lesson["id"]
            _, steps = self.lessons.get(lesson["id"], (title, 0))
            self.lessons[lesson["id"]] = (title, max(steps, len(lesson["steps"])))
            done = learner.steps.setdefault(lesson["id"], set())
            done.update(s["number"] for s in lesson["steps"] if s["status"] == rpt.DONE)


def report_files(args: list[str]) -> list[Path]:
    """The files named, with a folder standing for every *.json in it."""
    out: list[Path] = []
    for arg in args:
        path = Path(arg)
        out.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return out


def grade(paths: list[Path], key: bytes | None) -> Rollup:
    rollup = Rollup(verified=key is not None)
    for path in paths:
        try:
            rollup.add(str(path), rpt.read(path), key)
        except rpt.Unreadable as err:
            rollup.unreadable.append(Problem(str(path), str(err)))
    return rollup

