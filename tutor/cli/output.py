"""Plain-text output for the headless commands: words and symbols, never colour alone,
secrets hidden, and one progress line that updates in place on a terminal."""

from __future__ import annotations

import re
import sys
import time

from tutor.core.model import Lesson, Step
from tutor.core.outcome import redact
from tutor.core.engine.runner import Result
from tutor.core.learner.report_lines import report_lines
from tutor.core.learner.session import StepReport

ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\([A-Z0-9]|[=>])")


class Printer:
    def __init__(self, secrets: tuple[str, ...], stream=None):
        self.secrets = secrets
        self.out = stream or sys.stdout
        self.tty = self.out.isatty()
        self._last_progress = 0.0
        self._open_progress = False

    def line(self, text: str = "") -> None:
        self._end_progress()
        self.out.write(redact(text, self.secrets) + "\n")
        self.out.flush()

    def stream(self, text: str) -> None:
        """Command output as it comes (already redacted by the runner); terminal
        escape sequences are dropped when the output is not a terminal (CI logs)."""
        self._end_progress()
        self.out.write(text if self.tty else ANSI.sub("", text))
        self.out.flush()

    def title(self, lesson: Lesson, image_map: str) -> None:
        self.line(f"{lesson.id}: {lesson.title}" + (f"  (images: {image_map} map)" if image_map != "real" else ""))

    def step(self, step: Step, total: int) -> None:
        self.line()
        self.line(f"== Step {step.number}/{total}: {step.title}")

    def command(self, text: str, indent: str = "$ ") -> None:
        """A command the learner reads or types: shown in full, the lesson's password
        included (a value of the lesson, not a secret of theirs); results stay masked."""
        self._end_progress()
        self.out.write(f"{indent}{text}\n")
        self.out.flush()

    def result(self, result: Result) -> None:
        if result.timed_out:
            what = f"waiting for the prompt {result.waiting_for!r}" if result.waiting_for else "the command"
            self.line(f"  [timed out: {what} took too long; it was stopped]")
        elif result.interrupted:
            self.line("  [interrupted]")
        elif result.exit_code not in (0, None):
            self.line(f"  [exit code {result.exit_code}]")

    def report(self, report: StepReport) -> None:
        """A step's verdict, line by line as the TUI shows it too (learner.report_lines)."""
        for line in report_lines(report):
            self.line(f"  {line.text}")

    def waiting(self, claim: str, waited: float, limit: float) -> None:
        """A progress line for a bounded wait (e.g. a database starting)."""
        self._status(f"  … waiting until {claim}: {waited:.0f} s of at most {limit:.0f} s", every=5)

    def progress(self, text: str) -> None:
        """Build progress; a build step's line is always kept in a log."""
        self._status(text, every=2, keep="Step " in text)

    def _status(self, text: str, every: float, keep: bool = False) -> None:
        """One updating line on a terminal; elsewhere (CI logs) a line every `every` s at most."""
        if self.tty:
            self.out.write("\r" + text[:150].ljust(100))
            self.out.flush()
            self._open_progress = True
        elif keep or time.monotonic() - self._last_progress >= every:
            self.line(text)
            self._last_progress = time.monotonic()

    def _end_progress(self) -> None:
        if self._open_progress:
            self.out.write("\n")
            self._open_progress = False
