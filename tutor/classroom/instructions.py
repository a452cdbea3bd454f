"""What the instructor asks of a learner from the live view: to catch them up to a step of a
lesson ("bring ada to step 5 of data-loss"). The view queues it, one per learner (the latest
stands), in the classroom's folder, and logs who asked; the learner's reporter fetches it
with their server's own hub token and leaves it in their docklab folder (paths.INSTRUCTION),
where their TUI takes it, says who asked for what, and does it (tutor/ui/app.py). No jupyterhub here."""

from __future__ import annotations

import json
import time
from pathlib import Path


def _path(folder: Path, learner: str) -> Path:
    from tutor.classroom.reports import safe_name  # the view's: the learner's reporter only needs FILE

    return Path(folder) / "instructions" / f"{safe_name(learner)}.json"


def bring(folder: Path, learner: str, lesson_id: str, step: str | int, by: str) -> dict:
    """Queue "catch `learner` up to `step` of `lesson_id`", asked by `by`; ValueError (its
    message for the instructor) when no such lesson or step is in docklab's catalog."""
    from tutor.core.lessons import catalog

    lesson = next((x for x in catalog.load_all() if x.id == lesson_id), None)
    if lesson is None:
        raise ValueError(f"no lesson {lesson_id!r}")
    try:
        number = int(step)
    except (TypeError, ValueError):
        raise ValueError(f"{step!r} is not a step number") from None
    if not 1 <= number <= len(lesson.steps):
        raise ValueError(f"{lesson_id} has steps 1 to {len(lesson.steps)}")
    from tutor.classroom.reports import write_atomically

    asked = {"catch_up": {"lesson": lesson_id, "step": number, "by": by, "at": time.time()}}
    write_atomically(_path(folder, learner), json.dumps(asked).encode())
    return asked


def take(folder: Path, learner: str) -> dict:
    """The learner's instruction, removed as it is handed over ({} when there is none)."""
    path = _path(folder, learner)
    try:
        asked = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    path.unlink(missing_ok=True)
    return asked
