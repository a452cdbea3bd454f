"""A learner at a real terminal: `docklab` started in a pty, read through a terminal
emulator (pyte), driven by keys. Opens named-volumes, runs every step from the
embedded terminal, and reads on the screen that every step is done."""

from __future__ import annotations

import os
import sys
import time

import re

import pexpect
import pyte
import pytest

from tests.conftest import ROOT, engine_state, run_docklab
from tutor.core.lessons import catalog

pytestmark = pytest.mark.engine
F3, F9, F12 = "\x1bOR", "\x1b[20~", "\x1b[24~"
DOWN, ENTER, ESCAPE = "\x1b[B", "\r", "\x1b"
COLS, ROWS = 160, 50


class Learner:
    def __init__(self, home):
        env = {**os.environ, "DOCKLAB_HOME": str(home), "DOCKLAB_IMAGES": "offline", "TERM": "xterm-256color"}
        self.child = pexpect.spawn(sys.executable, ["-m", "tutor"], env=env, cwd=str(ROOT), dimensions=(ROWS, COLS))
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)

    def pump(self, seconds: float = 0.1) -> None:
        end = time.monotonic() + seconds
        while True:
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.05))
            except pexpect.TIMEOUT:
                pass
            if time.monotonic() >= end:
                return

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {needle!r} on the screen:\n{self.text()}")
            self.pump(0.2)

    def keys(self, *keys: str, pause: float = 0.3) -> None:
        for k in keys:
            self.child.send(k)
            self.pump(pause)

    def arrived(self) -> None:
        """Skip each prediction (Escape: this test is about running the lesson); on a
        challenge, reveal its solution (F12) so that F3 types it."""
        self.pump(1.0)
        while "Predict before you run it" in self.text():
            self.keys(ESCAPE, pause=0.8)
        if "No command is given" in self.text():
            self.keys(F12)

    def run(self, command) -> None:
        """F3 types the command; an interactive one gets its lesson's answers, each once
        its prompt is on the screen (the same prompt again: after a pause)."""
        self.keys(F3)
        last = None
        for answer in command.answers:
            if answer.expect != last:
                self.wait_for_pattern(answer.expect)
            last = answer.expect
            self.type_line(answer.send)

    def wait_for_pattern(self, pattern: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw /{pattern}/ on the screen:\n{self.text()}")
            self.pump(0.2)

    def type_line(self, text: str) -> None:
        self.child.send(text + "\r")
        self.pump(0.4)


def test_a_learner_does_named_volumes_in_the_tui(client, home):
    """Every step as the lesson file has it (its commands, a challenge's solution, the
    answers of an interactive command), each kept in view once passed until F3 moves on."""
    lesson = catalog.find("named-volumes")
    total = len(lesson.steps)
    before = engine_state(client)
    me = Learner(home)
    try:
        me.wait_for("Keep data with a named volume")
        me.wait_for("✓ ready")
        me.keys(DOWN, ENTER)
        me.wait_for(f"Step 1 of {total}: {lesson.steps[0].title}")
        me.wait_for("docklab:")  # the embedded shell's prompt
        for step in lesson.steps:
            me.arrived()
            for command in step.solution if step.challenge else step.commands:
                me.run(command)
            me.wait_for(
                "That was the last step" if step.number == total else "goes to the next step", timeout=180
            )  # MySQL starting, with progress
            if step.number < total:
                me.keys(F3)  # a step done: F3 moves on
                me.wait_for(f"Step {step.number + 1} of {total}")
        me.wait_for("Every step of named-volumes is done")
        for step in lesson.steps:
            first_words = " ".join(step.title.split()[:2])  # long titles wrap in the step list
            assert f"✓ done  {step.number}. {first_words}" in me.text(), me.text()
        # The step text shows the password to type; docklab's check results and its files never do.
        cells = [cell for line in me.text().splitlines() for cell in re.split("[│▌]", line)]  # panes side by side
        verdicts = [cell for cell in cells if "✓ PASS" in cell or "✗ FAIL" in cell or "found:" in cell]
        assert verdicts and not any("my-secret-pw" in line for line in verdicts), verdicts
        for saved in home.rglob("*"):
            if saved.is_file():
                assert "my-secret-pw" not in saved.read_text(errors="replace"), saved
    finally:
        me.child.sendcontrol("q")
        me.child.expect(pexpect.EOF, timeout=10)
        reset = run_docklab("reset", "named-volumes", home=home)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert engine_state(client) == before
