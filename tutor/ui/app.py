"""The docklab Textual app: one factory (`create_app`) for the CLI, the tests and the
benchmarks. It owns what every screen shares: lessons, the engine, the image map,
the learner's progress.

The picker paints first: this module imports only Textual and the picker. The lesson
parser, the docker SDK, pyte and the lesson screen load afterwards in a thread worker,
which then reads the lessons and reaches the engine."""

from __future__ import annotations

import json
import os
import subprocess
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand

from tutor.ui import keys
from tutor.ui.picker import PickerScreen

if TYPE_CHECKING:
    from collections.abc import Callable

    from tutor.core.engine.connection import Engine
    from tutor.core.engine.images import ImageMap
    from tutor.core.model import Lesson, Problem
    from tutor.core.learner.progress import Progress


class DocklabApp(App):
    CSS_PATH = "docklab.tcss"
    TITLE = "docklab"
    SUB_TITLE = "Docker volumes, by doing"
    BINDINGS = keys.bindings(keys.APP)

    def __init__(
        self,
        image_map: ImageMap,
        lesson_id: str | None = None,
        connect: Callable[[], Engine] | None = None,
        shell: bool = True,
    ) -> None:
        super().__init__()
        self.image_map = image_map
        self.connect = connect  # None: connection.connect(), the real engine
        self.shell = shell  # False: the lesson screen's terminal starts no shell
        self.progress: Progress | None = None  # read by `prepare`, with the lessons, after the first paint
        self.lessons: list[Lesson] = []  # filled by `prepare` once the picker is on screen
        self.problems: list[Problem] = []
        self.lessons_loaded = False
        self.engine: Engine | None = None
        self.engine_error = ""
        self.availability: dict[str, list[str]] = {}
        self.pending_lesson = lesson_id  # asked for before the lessons and the engine were ready
        self.instruction: dict | None = None  # a catch-up the instructor asked for, until it is done

    def notes(self) -> list[str]:
        out = []
        if self.engine_error:
            out.append(self.engine_error)
        if self.problems:
            out.append(
                f"{len(self.problems)} problem(s) in lesson files, those lessons are hidden "
                f"(`docklab validate` lists them): {self.problems[0]}"
            )
        return out

    def get_default_screen(self) -> PickerScreen:
        return PickerScreen()  # the first screen itself: no blank screen to lay out first

    def on_ready(self) -> None:
        """The first layout is done: once its frame is drawn, load the lessons and reach the
        engine (a worker started earlier takes the GIL from the first paint)."""
        self.call_after_refresh(self.prepare)

    @work(thread=True, exclusive=True, group="engine")
    def prepare(self) -> None:
        """Thread: parse the lessons (shown at once), then reach the engine and ask it what
        each lesson needs; the lesson screen's modules load meanwhile, off the UI thread."""
        from tutor.core.learner.progress import Progress
        from tutor.core.lessons import catalog

        progress = Progress()
        lessons, problems = catalog.load_usable()
        self.call_from_thread(self._lessons_ready, progress, lessons, problems)

        import tutor.ui.lesson  # noqa: F401  (pyte, the session: ready before a lesson opens)
        from tutor.core.engine.connection import EngineUnavailable
        from tutor.core.learner.session import Session

        try:
            engine = self.reach_engine()
        except EngineUnavailable as err:
            self.call_from_thread(self._engine_ready, None, str(err), {})
            return
        availability = {lesson.id: Session(lesson, engine, self.image_map, progress).unmet() for lesson in lessons}
        self.call_from_thread(self._engine_ready, engine, "", availability)

    def _lessons_ready(self, progress: Progress, lessons: list[Lesson], problems: list[Problem]) -> None:
        self.progress, self.lessons, self.problems, self.lessons_loaded = progress, lessons, problems, True
        self._refresh_pickers()

    def _engine_ready(self, engine: Engine | None, error: str, availability: dict) -> None:
        self.engine, self.engine_error, self.availability = engine, error, availability
        if engine is not None:
            where = "SANDBOX engine" if engine.sandboxed else "Engine"
            self.sub_title = f"{where} {engine.version} · API {engine.api_version} · images: {self.image_map.name}"
        self._refresh_pickers()
        if self.pending_lesson is not None:
            lesson_id, self.pending_lesson = self.pending_lesson, None
            self.open_lesson(lesson_id)
        if engine is not None:
            self.set_interval(2.0, self._instructed)

    def _instructed(self) -> None:
        """What the instructor asked from the classroom's live view (classroom/instructions.py,
        left here by the learner's reporter): a catch-up, said first, then done in its lesson."""
        from tutor.core.paths import INSTRUCTION, data_dir
        from tutor.ui.lesson import LessonScreen

        path = data_dir() / INSTRUCTION
        if self.instruction is None and path.exists():
            try:
                self.instruction = json.loads(path.read_text()).get("catch_up")
            except (OSError, ValueError, AttributeError):
                self.instruction = None
            path.unlink(missing_ok=True)
        asked = self.instruction
        if not asked:
            return
        screen = self.screen
        if not isinstance(screen, LessonScreen) or screen.lesson.id != asked["lesson"]:
            if isinstance(screen, LessonScreen):
                self.pop_screen()
            self.open_lesson(asked["lesson"])
        elif screen.session is not None and screen.catch_up_now(
            int(asked["step"]),
            f"Your instructor ({asked.get('by', '?')}) brings you to step {asked['step']} of {asked['lesson']}.",
        ):
            self.instruction = None

    def _refresh_pickers(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, PickerScreen):
                screen.refresh_lessons()

    def open_lesson(self, lesson_id: str) -> None:
        if self.engine is None and not self.engine_error:
            self.pending_lesson = lesson_id  # still loading or connecting: _engine_ready opens it
            return
        lesson = next((x for x in self.lessons if x.id == lesson_id), None)
        if lesson is None:
            self.notify(f"No lesson {lesson_id!r}.", severity="error")
            return
        from tutor.ui.lesson import LessonScreen

        self.push_screen(LessonScreen(lesson))

    def action_help(self) -> None:
        from tutor.ui.modals import Help

        self.push_screen(Help())

    def reach_engine(self) -> Engine:
        """The engine, through the connect function create_app was given, else a new
        connection to the real one; raises EngineUnavailable while there is none."""
        if self.connect is not None:
            return self.connect()
        from tutor.core.engine.connection import connect

        return connect(timeout=30)

    def new_port(self):
        """A new connection to the engine docklab uses, as its port (the engine panel's
        watcher makes one whenever it has lost the engine); raises EngineUnavailable while
        there is none."""
        return self.reach_engine().port

    def own_shell(self) -> None:
        """The fallback where no pty can be embedded: suspend and run the learner's shell."""
        shell = os.environ.get("SHELL") or ("cmd.exe" if os.name == "nt" else "/bin/sh")
        with self.suspend():
            print("docklab is suspended: type your commands here, then `exit` to come back.")
            subprocess.call([shell], env={**os.environ, **(self.engine.env if self.engine is not None else {})})

    def get_system_commands(self, screen):
        from tutor.ui.lesson import LessonScreen

        yield from super().get_system_commands(screen)
        for title, text, action in keys.palette(keys.APP):
            yield SystemCommand(title, text, getattr(self, f"action_{action}"))
        if isinstance(screen, LessonScreen):
            for title, text, action in keys.palette(keys.LESSON):
                yield SystemCommand(title, text, getattr(screen, f"action_{action}"))


def create_app(
    images: str | None = None,
    lesson_id: str | None = None,
    connect: Callable[[], Engine] | None = None,
    shell: bool = True,
) -> DocklabApp:
    """The app for the CLI, the tests and the benchmarks alike. `connect` reaches the
    engine (default: the real one, as `docker` would); the snapshot tests give one that
    answers from a recorded engine, and `shell=False`, since a real shell's prompt comes
    when it will."""
    from tutor.core.engine.images import load_map

    return DocklabApp(load_map(images), lesson_id, connect, shell)


__all__ = ["create_app", "DocklabApp"]
