"""Every lesson judged on the live engine without writing the learner's progress: what
graders see with `check --all`, and the re-check inside a completion report.

A grader's look must not change what it looks at: a re-check that recorded steps
could mark a step of a never-started lesson done just because, say, "no container
named mydb" happens to hold on a clean engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tutor.core.engine.connection import Engine
from tutor.core.engine.images import ImageMap
from tutor.core.model import Lesson
from tutor.core.learner.ownership import Ownership
from tutor.core.learner.progress import Progress
from tutor.core.learner.session import Session, StepReport


class ReadOnlyProgress(Progress):
    """The learner's progress as recorded; a re-check may add to it in memory, never on disk."""

    writable = False

    def save(self) -> None:
        """Nothing: a read-only look writes no progress."""
        pass


@dataclass
class LessonState:
    lesson: Lesson
    unmet: list[str] = field(default_factory=list)  # why this engine cannot check it
    steps: list[StepReport] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Can the lesson run here, and does every step pass?"""
        return not self.unmet and bool(self.steps) and all(s.passed for s in self.steps)

    def to_dict(self) -> dict:
        """The lesson's live state as JSON data."""
        return {
            "lesson": self.lesson.id,
            "title": self.lesson.title,
            "passed": self.passed,
            "unmet": self.unmet,
            "steps": [s.to_dict() for s in self.steps],
        }


def started(lesson: Lesson, progress: Progress, engine: Engine) -> bool:
    """Has the learner begun this lesson here (tracked on the engine, or any step recorded)?"""
    entry = progress.data["lessons"].get(lesson.id) or {}
    return bool(entry.get("steps")) or Ownership(engine.port, lesson).started


def check_lesson(lesson: Lesson, engine: Engine, image_map: ImageMap, progress_path: Path | None = None) -> LessonState:
    """One lesson, every step, live (Session.check_all), recording nothing."""
    unmet = engine.unmet(lesson.requires)
    if unmet:
        return LessonState(lesson, unmet)
    session = Session(lesson, engine, image_map, ReadOnlyProgress(progress_path))
    return LessonState(lesson, [], session.check_all())
