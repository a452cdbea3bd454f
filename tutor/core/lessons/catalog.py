"""The lessons docklab offers: found in the content folder (paths.content_dir, which
DOCKLAB_CONTENT overrides), loaded with their problems, and looked up by id or by file.
The CLI, the TUI and the tests all find lessons here."""

from __future__ import annotations

from pathlib import Path

from tutor.core.errors import ContentError, UsageError
from tutor.core.lessons import lessonfile
from tutor.core.model import Lesson, Problem
from tutor.core.paths import content_dir


def files(folder: Path | None = None, required: bool = True) -> list[Path]:
    """The lesson files (NN-slug.md) in `folder` (default: the content folder), in order.
    With `required`, none at all is a ContentError that says where docklab looked."""
    folder = Path(folder) if folder is not None else content_dir()
    found = sorted(p for p in folder.glob("*.md") if lessonfile.FILENAME.match(p.name))
    if required and not found:
        raise ContentError(
            f"no lessons in {folder}: it holds no lesson files (like 01-data-loss.md). "
            "Point DOCKLAB_CONTENT at a folder of lessons, or reinstall docklab."
        )
    return found


def lesson_id(path: Path) -> str:
    """The id a lesson file gives its lesson: `03-managing-volumes.md` -> `managing-volumes`."""
    return Path(path).stem.split("-", 1)[1]


def ids(folder: Path | None = None) -> list[str]:
    """Every lesson's id, in order."""
    return [lesson_id(p) for p in files(folder)]


def load_all(folder: Path | None = None) -> list[Lesson]:
    """Every lesson; a file with problems raises lessonfile.LessonFileError."""
    return [lessonfile.load(p) for p in files(folder)]


def load_usable(folder: Path | None = None) -> tuple[list[Lesson], list[Problem]]:
    """The lessons that parse, and the problems of those that do not (the TUI hides them);
    no lesson files at all is no error here."""
    lessons, problems = [], []
    for path in files(folder, required=False):
        lesson, found = lessonfile.parse(path)
        if found:
            problems.extend(found)
        else:
            lessons.append(lesson)
    return lessons, problems


def find(ref: str, folder: Path | None = None) -> Lesson:
    """The lesson with this id, or in this .md file; an unknown one is a UsageError naming the ids."""
    path = Path(ref)
    if path.suffix == ".md" and path.exists():
        return lessonfile.load(path)
    for candidate in files(folder):
        if lesson_id(candidate) == ref:
            return lessonfile.load(candidate)
    raise UsageError(f"no lesson {ref!r}. Lessons: {', '.join(ids(folder))}")
