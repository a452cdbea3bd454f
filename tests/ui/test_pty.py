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
from tests.reportkit import steps

pytestmark = pytest.mark.engine
F3, F9, F12 = "\x1bOR", "\x1b[20~", "\x1b[24~"
DOWN, ENTER, ESCAPE = "\x1b[B", "\r", "\x1b"
COLS, ROWS = 160, 50
STEPS = steps("named-volumes")


class Learner:
    def __init__(self, home):
        env = {**os.environ, "DOCKLAB_HOME": str(home), "DOCKLAB_IMAGES": "offline", "TERM": "xterm-256color"}
        self.child = pexpect.spawn(sys.executable, ["-m", "tutor"], env=env, cwd=str(ROOT),
                                   dimensions=(ROWS, COLS))
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

    def passed_then_next(self, number: int, timeout: float = 60) -> None:
        """A step passed stays in view; F3 moves on to step `number`. A prediction asked
        there is skipped (Escape): this test is about running the lesson."""
        self.wait_for("goes to the next step", timeout=timeout)
        self.keys(F3)
        self.wait_for(f"Step {number} of {STEPS}")
        self.arrived()

    def arrived(self) -> None:
        """Skip a prediction (Escape); on a challenge, reveal its solution (F12) so F3 types it."""
        self.pump(1.0)
        if "Predict before you run it" in self.text():
            self.keys(ESCAPE)
        if "No command is given" in self.text():
            self.keys(F12)

    def type_line(self, text: str) -> None:
        self.child.send(text + "\r")
        self.pump(0.4)


def test_a_learner_does_named_volumes_in_the_tui(client, home):
    before = engine_state(client)
    me = Learner(home)
    try:
        me.wait_for("Keep data with a named volume")
        me.wait_for("✓ ready")
        me.keys(DOWN, ENTER)
        me.wait_for(f"Step 1 of {STEPS}: Create a volume")
        me.wait_for("docklab:")  # the embedded shell's prompt
        me.arrived()
        me.keys(F3)
        me.passed_then_next(2)
        me.keys(F3)
        me.passed_then_next(3, timeout=120)  # waits for MySQL, with progress
        me.keys(F3)
        me.wait_for("Enter password:")
        me.type_line("my-secret-pw")
        me.wait_for("mysql> ")
        for sql in ["CREATE DATABASE customer_data;", "USE customer_data;",
                    "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(100));",
                    "INSERT INTO customers VALUES (1, 'John Doe');", "exit"]:
            me.type_line(sql)
        me.passed_then_next(4)
        me.keys(F3)
        me.passed_then_next(5)
        me.keys(F3)
        me.passed_then_next(6, timeout=120)
        me.keys(F3)  # the SELECT asks for the password
        me.pump(2.0)
        me.type_line("my-secret-pw")
        me.passed_then_next(7)
        me.keys(F3)  # docker volume inspect
        me.pump(2.0)
        me.keys(F3)  # docker inspect: the mounts
        me.pump(2.0)
        me.passed_then_next(8)  # the challenge: its solution revealed (F12), then typed by F3
        me.keys(F3)
        me.wait_for("Every step of named-volumes is done", timeout=120)
        for n, title in enumerate(["Create a volume", "Run MySQL on the", "Add a customer", "Remove the container",
                                   "Start a new container", "See John Doe", "Look inside the", "Challenge: a second"],
                                  start=1):
            assert f"✓ done  {n}. {title}" in me.text(), me.text()
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
