"""The docklab Textual app: one factory (`create_app`) for the CLI, the tests and the
benchmarks. It owns what every screen shares: lessons, the engine, the image map,
the learner's progress."""

from __future__ import annotations

import os
import subprocess

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding

from tutor.core import lessonfile
from tutor.core.engine import Engine, EngineUnavailable, connect
from tutor.core.images import ImageMap, load_map
from tutor.core.model import Lesson, Problem
from tutor.core.paths import content_dir
from tutor.core.progress import Progress
from tutor.core.session import Session
from tutor.ui.lesson import LessonScreen
from tutor.ui.modals import Help
from tutor.ui.picker import PickerScreen


class DocklabApp(App):
    CSS_PATH = "docklab.tcss"
    TITLE = "docklab"
    SUB_TITLE = "Docker volumes, by doing"
    BINDINGS = [Binding("f1", "help", "Help", priority=True)]

    def __init__(self, image_map: ImageMap, lesson_id: str | None = None) -> None:
        super().__init__()
        self.image_map = image_map
        self.start_lesson = lesson_id
        self.progress = Progress()
        self.lessons: list[Lesson] = []
        self.problems: list[Problem] = []
        for path in lessonfile.discover(content_dir()):
            lesson, problems = lessonfile.parse(path)
            if problems:
                self.problems.extend(problems)
            else:
                self.lessons.append(lesson)
        self.engine: Engine | None = None
        self.engine_error = ""
        self.availability: dict[str, list[str]] = {}
        self.pending_lesson: Lesson | None = None  # asked for before the engine answered

    def notes(self) -> list[str]:
        out = []
        if self.engine_error:
            out.append(self.engine_error)
        if self.problems:
            out.append(f"{len(self.problems)} problem(s) in lesson files, those lessons are hidden "
                       f"(`docklab validate` lists them): {self.problems[0]}")
        return out

    def on_mount(self) -> None:
        self.push_screen(PickerScreen())
        self.call_after_refresh(self.connect_engine)  # paint the picker first, then reach the engine
        if self.start_lesson:
            self.open_lesson(self.start_lesson)

    @work(thread=True, exclusive=True, group="engine")
    def connect_engine(self) -> None:
        try:
            engine = connect(timeout=30)
        except EngineUnavailable as err:
            self.call_from_thread(self._engine_ready, None, str(err), {})
            return
        availability = {lesson.id: Session(lesson, engine, self.image_map, self.progress).unmet()
                        for lesson in self.lessons}
        self.call_from_thread(self._engine_ready, engine, "", availability)

    def _engine_ready(self, engine: Engine | None, error: str, availability: dict) -> None:
        self.engine, self.engine_error, self.availability = engine, error, availability
        if engine is not None:
            where = "SANDBOX engine" if engine.how == "the docklab sandbox" else "Engine"
            self.sub_title = f"{where} {engine.version} · API {engine.api_version} · images: {self.image_map.name}"
        for screen in self.screen_stack:
            if isinstance(screen, PickerScreen):
                screen.refresh_lessons()
        if self.pending_lesson is not None:
            self.push_screen(LessonScreen(self.pending_lesson))
            self.pending_lesson = None

    def open_lesson(self, lesson_id: str) -> None:
        lesson = next((x for x in self.lessons if x.id == lesson_id), None)
        if lesson is None:
            self.notify(f"No lesson {lesson_id!r}.", severity="error")
            return
        if self.engine is None and not self.engine_error:
            self.pending_lesson = lesson  # still connecting: _engine_ready opens it
            return
        self.push_screen(LessonScreen(lesson))

    def action_help(self) -> None:
        self.push_screen(Help())

    def own_shell(self) -> None:
        """The fallback where no pty can be embedded: suspend and run the learner's shell."""
        shell = os.environ.get("SHELL") or ("cmd.exe" if os.name == "nt" else "/bin/sh")
        with self.suspend():
            print("docklab is suspended: type your commands here, then `exit` to come back.")
            subprocess.call([shell])

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "All the keys", self.action_help)
        if isinstance(screen, LessonScreen):
            for key, action, title, text in [
                ("F2", screen.action_check, "Check step", "Check the current step now"),
                ("F3", screen.action_run_next, "Run next command", "Type the step's next command"),
                ("F9", screen.action_reset, "Reset lesson", "Remove what this lesson created"),
                ("F4", screen.action_own_shell, "Own shell", "Suspend docklab and open your shell"),
            ]:
                yield SystemCommand(f"{title} ({key})", text, action)


def create_app(images: str | None = None, lesson_id: str | None = None) -> DocklabApp:
    return DocklabApp(load_map(images), lesson_id)


__all__ = ["create_app", "DocklabApp"]
