"""What the command modules share: the error that ends a command with an exit code,
the wrapper that turns errors into exit codes and messages, and finding lessons."""

from __future__ import annotations

import sys
from pathlib import Path

from tutor.cli import NO_ENGINE, USAGE
from tutor.core.engine.connection import EngineUnavailable
from tutor.core.engine.images import ImageError
from tutor.core.lessons import lessonfile
from tutor.core.lessons.lessonfile import LessonFileError
from tutor.core.model import Lesson
from tutor.core.paths import content_dir


class Stop(Exception):
    """End the command with this exit code after printing the message."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def guarded(fn):
    def wrapped(args) -> int:
        try:
            return fn(args)
        except Stop as stop:
            print(str(stop), file=sys.stderr)
            return stop.code
        except LessonFileError as err:
            for problem in err.problems:
                print(problem, file=sys.stderr)
            return USAGE
        except EngineUnavailable as err:
            print(err, file=sys.stderr)
            return NO_ENGINE
        except ImageError as err:
            print(err, file=sys.stderr)
            return USAGE
        except Exception as err:
            if not _engine_trouble(err):
                raise
            print(f"Lost the Docker Engine: {str(err).split('(')[0].strip() or type(err).__name__}. "
                  "Your progress is kept: once the engine is back, `docklab check LESSON` or "
                  "`docklab run LESSON` goes on, and `docklab reset LESSON` still removes exactly what the "
                  "lesson created.", file=sys.stderr)
            return NO_ENGINE
    return wrapped


def _engine_trouble(err: Exception) -> bool:
    """The engine went away (or broke) in the middle of a command."""
    import requests
    from docker.errors import DockerException

    if isinstance(err, BrokenPipeError):  # our own stdout closed (`| head`), not the engine
        return False
    return isinstance(err, (DockerException, requests.exceptions.RequestException, ConnectionError))


def lesson_files() -> list[Path]:
    """The lesson files; none at all is an error that says where docklab looked."""
    folder = content_dir()
    found = lessonfile.discover(folder)
    if not found:
        raise Stop(USAGE, f"no lessons in {folder}: it holds no lesson files (like 01-data-loss.md). "
                          "Point DOCKLAB_CONTENT at a folder of lessons, or reinstall docklab.")
    return found


def all_lessons() -> list[Lesson]:
    return [lessonfile.load(p) for p in lesson_files()]


def find_lesson(ref: str) -> Lesson:
    path = Path(ref)
    if path.suffix == ".md" and path.exists():
        return lessonfile.load(path)
    for candidate in lesson_files():
        if candidate.stem.split("-", 1)[1] == ref:
            return lessonfile.load(candidate)
    ids = ", ".join(p.stem.split("-", 1)[1] for p in lesson_files())
    raise Stop(USAGE, f"no lesson {ref!r}. Lessons: {ids}")
