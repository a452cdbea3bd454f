"""The instructor's roll-up: many report files in, one table learner × lesson out, with
totals per lesson. A report is counted only when its signature holds (or no key was
given); the others are listed as flagged or unreadable, each with the reason.
Beside each step done it keeps what the live re-check at report time found, and marks
a lesson the re-check contradicts.
Formatting lives in tutor/core/grading/formats.py; this module only decides.
"""

from __future__ import annotations

import calendar
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from tutor.core.grading import report as rpt
from tutor.core.grading.signing import verify

HELD, NOT_HELD, UNCHECKED = "held", "did not hold", "not re-checked"
CONTRADICTED = "contradicted"
_RANK = {UNCHECKED: 0, NOT_HELD: 1, HELD: 2}  # a learner's reports merged: the most the engine showed


def step_recheck(step: dict) -> str:
    """What the live re-check at report time found for this step."""
    now = step["now"]
    return UNCHECKED if now is None else HELD if now["holds"] else NOT_HELD


def contradicts(lesson: dict) -> bool | None:
    """Does the re-check contradict the steps recorded done? It does when it ran and
    nothing from the furthest step done onwards holds: the engine shows no sign that the
    learner got that far. An earlier step that no longer holds is normal (a later step
    removed its container), so it alone is not a contradiction.
    None when there is nothing to judge: no step done, or the lesson not re-checked."""
    done = [s["number"] for s in lesson["steps"] if s["status"] == rpt.DONE]
    if not done:
        return None
    furthest = max(done)
    onwards = [s["now"]["holds"] for s in lesson["steps"] if s["number"] >= furthest and s["now"] is not None]
    return not any(onwards) if onwards else None


@dataclass(frozen=True)
class Thought:
    """What one step's record says the learner thought and did there (schema 2 and 3; empty
    for schema 1): predictions, hints, the solution, the quiz; whether docklab caught them up
    past it, when they reached it and proved it, and how many of its checks failed (3)."""

    predictions: tuple[bool | None, ...] = ()  # each prediction: right, wrong, None skipped
    hints: int = 0
    revealed: str | None = None  # who revealed the solution: learner, auto, catch-up
    quiz: tuple[bool, ...] | None = None  # a quiz step: each answer given, right or wrong
    quiz_total: int = 0
    quiz_auto: bool = False  # auto mode answered (from the key)
    caught_up: bool = False  # docklab did it for the learner
    reached: float | None = None  # when the learner reached the step (seconds since the epoch)
    done_at: float | None = None  # when it was proven
    failed: int = 0  # failed checks on the way

    @classmethod
    def of(cls, step: dict) -> Thought:
        """What one report step says the learner thought: predictions, hints, solution, quiz."""
        quiz = step.get("quiz")
        return cls(
            tuple(p["correct"] for p in step.get("predictions", ())),
            step.get("hints_taken", 0),
            step.get("revealed_by"),
            None if quiz is None else tuple(a["correct"] for a in quiz["answers"]),
            0 if quiz is None else quiz["total"],
            quiz is not None and any(a["by"] == "auto" for a in quiz["answers"]),
            bool(step.get("caught_up")),
            _seconds(step.get("started_at")),
            _seconds(step.get("done_at")) if step.get("status") == rpt.DONE else None,
            step.get("failed_checks", 0),
        )

    def merged(self, other: Thought) -> Thought:
        """Two reports of one learner: the one that recorded more (progress only grows)."""
        most = max(self, other, key=lambda t: len(t.quiz or ()))
        picked = max(self.predictions, other.predictions, key=lambda ps: (sum(p is not None for p in ps), len(ps)))
        done = [t for t in (self, other) if t.done_at is not None]
        return Thought(
            picked,
            max(self.hints, other.hints),
            self.revealed or other.revealed,
            most.quiz,
            max(self.quiz_total, other.quiz_total),
            most.quiz_auto,
            bool(done) and all(t.caught_up for t in done),  # the learner's own proof counts
            min((t.reached for t in (self, other) if t.reached is not None), default=None),
            min((t.done_at for t in done), default=None),
            max(self.failed, other.failed),
        )

    @property
    def took(self) -> float | None:
        """Seconds from reaching the step to proving it (None when either is unknown)."""
        if self.reached is None or self.done_at is None or self.caught_up:
            return None
        return max(0.0, self.done_at - self.reached)


def _seconds(stamp: str | None) -> float | None:
    """A report's UTC time as seconds since the epoch."""
    return None if not stamp else float(calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")))


@dataclass(frozen=True)
class Cell:
    done: tuple[int, ...]  # step numbers proven done
    total: int
    recheck: tuple[str, ...] = ()  # for each step done, in order: held, did not hold, not re-checked
    contradicted: bool = False
    thoughts: dict[int, Thought] = field(default_factory=dict)  # step -> what the learner thought

    @property
    def quiz(self) -> tuple[int, int] | None:
        """(right, questions) over the lesson's quiz steps; None when it has none."""
        quizzes = [t for t in self.thoughts.values() if t.quiz is not None]
        if not quizzes:
            return None
        return sum(sum(t.quiz) for t in quizzes), sum(t.quiz_total for t in quizzes)

    @property
    def predictions(self) -> tuple[int, int, int]:
        """(right, picked, skipped)."""
        every = [p for t in self.thoughts.values() for p in t.predictions]
        return sum(p is True for p in every), sum(p is not None for p in every), sum(p is None for p in every)

    @property
    def hints(self) -> int:
        """Hints taken over every step."""
        return sum(t.hints for t in self.thoughts.values())

    @property
    def revealed(self) -> dict[int, str]:
        """Step -> who revealed its solution."""
        return {n: t.revealed for n, t in sorted(self.thoughts.items()) if t.revealed}

    @property
    def caught_up(self) -> tuple[int, ...]:
        """The steps done that docklab did for the learner (catching up), not the learner."""
        return tuple(n for n in self.done if self.thoughts.get(n, Thought()).caught_up)

    @property
    def at(self) -> int | None:
        """The step the learner is at: the first not done, in a lesson begun and not done."""
        if self.status != rpt.PARTIAL:
            return None
        return next((n for n in range(1, self.total + 1) if n not in self.done), None)

    @property
    def quiz_text(self) -> str:
        """The quiz score as `quiz right/total`, `(auto)` when auto mode answered; "" with no quiz."""
        if self.quiz is None:
            return ""
        auto = any(t.quiz_auto for t in self.thoughts.values())
        return f"quiz {self.quiz[0]}/{self.quiz[1]}" + (" (auto)" if auto else "")

    @property
    def thought_text(self) -> str:
        """Predictions, hints and revealed solutions, in words ("" when none)."""
        right, picked, skipped = self.predictions
        parts = []
        if picked or skipped:
            parts.append(f"predictions {right}/{picked} right" + (f", {skipped} skipped" if skipped else ""))
        if self.hints:
            parts.append(f"{self.hints} hint{'s' if self.hints != 1 else ''} taken")
        if self.revealed:
            parts.append("solution revealed: " + ", ".join(f"step {n} ({by})" for n, by in self.revealed.items()))
        return "; ".join(parts)

    @property
    def status(self) -> str:
        """Done, partial or not started, from the steps done."""
        if self.total and len(self.done) >= self.total:
            return rpt.LESSON_DONE
        return rpt.PARTIAL if self.done else rpt.NOT_STARTED

    @property
    def text(self) -> str:
        """The status in words, with the steps done when partial and those caught up."""
        caught = f" (caught up: {','.join(map(str, self.caught_up))})" if self.caught_up else ""
        if self.status == rpt.PARTIAL:
            return f"partial: steps {','.join(map(str, self.done))} of {self.total}{caught}"
        return ("done" if self.status == rpt.LESSON_DONE else "not started") + caught

    @property
    def recheck_text(self) -> str:
        """Each step done with what the re-check found: "1 held, 2 did not hold"."""
        return ", ".join(f"{n} {found}" for n, found in zip(self.done, self.recheck))


@dataclass
class Learner:
    name: str
    files: list[str] = field(default_factory=list)
    steps: dict[str, dict[int, str]] = field(default_factory=dict)  # lesson id -> step done -> re-check
    thoughts: dict[str, dict[int, Thought]] = field(default_factory=dict)  # lesson id -> step -> Thought
    contradicted: set[str] = field(default_factory=set)  # lessons some report's re-check contradicts
    upheld: set[str] = field(default_factory=set)  # lessons some report's re-check upholds

    def cell(self, lesson: str, total: int) -> Cell:
        """This learner's cell for a lesson of `total` steps."""
        steps = self.steps.get(lesson, {})
        done = tuple(sorted(steps))
        return Cell(
            done,
            total,
            tuple(steps[n] for n in done),
            lesson in self.contradicted and lesson not in self.upheld,
            self.thoughts.get(lesson, {}),
        )


@dataclass(frozen=True)
class StepFigures:
    """Where a class is on one step of a lesson, across its learners."""

    number: int
    at: int  # learners at this step now (their first step not done)
    median: float | None  # seconds from reaching the step to proving it, of those who did
    p90: float | None
    timed: int  # how many learners' times those are
    failed: int  # failed checks
    hints: int  # hints taken
    revealed: int  # solutions revealed
    wrong: int  # wrong predictions
    caught_up: int  # learners docklab caught up past it


DONE, CAUGHT_UP, AT, TODO = "done", "caught up", "at", "not reached"  # a learner's place on a step


@dataclass(frozen=True)
class ReportProblem:
    file: str
    reason: str
    learner: str | None = None  # as the file claims it, for flagged reports


@dataclass
class Rollup:
    verified: bool  # a key was given
    lessons: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (title, steps), first seen first
    learners: dict[str, Learner] = field(default_factory=dict)
    flagged: list[ReportProblem] = field(default_factory=list)
    unreadable: list[ReportProblem] = field(default_factory=list)

    def rows(self) -> list[Learner]:
        """The learners, by name."""
        return [self.learners[k] for k in sorted(self.learners, key=str.casefold)]

    def totals(self, lesson: str) -> dict[str, int]:
        """How many learners have the lesson done, partial, not started, and contradicted."""
        counts = {rpt.LESSON_DONE: 0, rpt.PARTIAL: 0, rpt.NOT_STARTED: 0, CONTRADICTED: 0}
        total = self.lessons[lesson][1]
        for learner in self.learners.values():
            cell = learner.cell(lesson, total)
            counts[cell.status] += 1
            counts[CONTRADICTED] += cell.contradicted
        return counts

    def figures(self, lesson: str) -> list[StepFigures]:
        """Each step of the lesson across the learners: who is at it, how long it took, and
        what they needed on the way (failed checks, hints, solutions, wrong predictions)."""
        total = self.lessons[lesson][1]
        cells = [x.cell(lesson, total) for x in self.learners.values()]
        out = []
        for n in range(1, total + 1):
            thoughts = [c.thoughts.get(n, Thought()) for c in cells]
            took = sorted(t.took for t in thoughts if t.took is not None)
            out.append(
                StepFigures(
                    n,
                    sum(c.at == n for c in cells),
                    statistics.median(took) if took else None,
                    took[min(len(took) - 1, int(0.9 * len(took)))] if took else None,
                    len(took),
                    sum(t.failed for t in thoughts),
                    sum(t.hints for t in thoughts),
                    sum(bool(t.revealed) and t.revealed != "auto" for t in thoughts),
                    sum(p is False for t in thoughts for p in t.predictions),
                    sum(n in c.caught_up for c in cells),
                )
            )
        return out

    def places(self, lesson: str) -> list[tuple[str, list[str]]]:
        """(learner, their place on each step: done, caught up, at, not reached), by name."""
        total = self.lessons[lesson][1]
        out = []
        for x in self.rows():
            c = x.cell(lesson, total)
            out.append(
                (
                    x.name,
                    [
                        CAUGHT_UP if n in c.caught_up else DONE if n in c.done else AT if n == c.at else TODO
                        for n in range(1, total + 1)
                    ],
                )
            )
        return out

    @property
    def clean(self) -> bool:
        """Was every report counted (none flagged or unreadable)?"""
        return not self.flagged and not self.unreadable

    def add(self, name: str, data: dict, key: bytes | None) -> None:
        """One report, as report.read returns it: flagged unless its signature holds, then
        unreadable unless it has its schema's shape (an edited report is "tampered"
        whatever the edit did to the shape), then merged."""
        try:
            verdict = verify(data, key)
        except RecursionError:  # read, but too deep to write out again and sign
            raise rpt.Unreadable(rpt.TOO_DEEP) from None
        if not verdict.counted:
            learner = data.get("learner")
            self.flagged.append(ReportProblem(name, verdict.value, learner if isinstance(learner, str) else None))
            return
        rpt.validate(data)
        lessons = [
            (
                lesson["id"],
                lesson["title"],
                len(lesson["steps"]),
                contradicts(lesson),
                {s["number"]: step_recheck(s) for s in lesson["steps"] if s["status"] == rpt.DONE},
                {s["number"]: Thought.of(s) for s in lesson["steps"]},
            )
            for lesson in data["lessons"]
        ]
        # merged only once all is read, so that a report that fails halfway adds nothing
        learner = self.learners.setdefault(data["learner"], Learner(data["learner"]))
        learner.files.append(name)
        for lesson_id, title, count, contradicted, done, thoughts in lessons:
            mine = learner.thoughts.setdefault(lesson_id, {})
            for number, thought in thoughts.items():
                mine[number] = mine[number].merged(thought) if number in mine else thought
            first_title, steps = self.lessons.get(lesson_id, (title, 0))
            self.lessons[lesson_id] = (first_title, max(steps, count))
            merged = learner.steps.setdefault(lesson_id, {})
            for number, found in done.items():
                merged[number] = max(merged.get(number, found), found, key=_RANK.__getitem__)
            if contradicted is not None:
                (learner.contradicted if contradicted else learner.upheld).add(lesson_id)


def report_files(args: list[str]) -> list[Path]:
    """The files named, with a folder standing for every *.json in it."""
    out: list[Path] = []
    for arg in args:
        path = Path(arg)
        out.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return out


def shown(path: Path) -> str:
    """A file name fit to print: bytes that are not UTF-8 shown as U+FFFD, not as a crash."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def grade(paths: list[Path], key: bytes | None) -> Rollup:
    """Every file judged on its own: whatever one holds, the others are still rolled up."""
    rollup = Rollup(verified=key is not None)
    for path in paths:
        try:
            rollup.add(shown(path), rpt.read(path), key)
        except rpt.Unreadable as err:
            rollup.unreadable.append(ReportProblem(shown(path), str(err)))
        except Exception as err:  # a bug here must cost one file, never the whole roll-up
            rollup.unreadable.append(
                ReportProblem(
                    shown(path),
                    f"docklab failed to read it ({type(err).__name__}: "
                    f"{err}); this is a bug in docklab, please report it",
                )
            )
    return rollup
