"""What the TUI's pilot tests share: waiting for a condition while the app runs, and for
a lesson screen with its session and its shell's prompt."""

from __future__ import annotations

import time


async def until(pilot, condition, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.1)


def lesson_ready(app) -> bool:
    from tutor.ui.lesson import LessonScreen
    from tutor.ui.terminal import Terminal

    return isinstance(app.screen, LessonScreen) and bool(app.screen.query(Terminal)) and app.screen.session is not None


async def lesson_shell(pilot, app, what: str = "lesson"):
    """Wait for the lesson screen, its session and its shell's prompt: (screen, terminal)."""
    from tutor.ui.terminal import Terminal

    await until(pilot, lambda: lesson_ready(app), what=what)
    screen = app.screen
    term = screen.query_one(Terminal)
    await until(pilot, lambda: "docklab" in term.text(), what="shell prompt")
    return screen, term
