"""Run a lesson's real commands in a pty (pexpect), streaming their output as it comes.

A pty makes `docker exec -it` and password prompts behave exactly as in the learner's
own terminal; in auto mode a command's answers are typed when their prompt appears.
"""

from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass
from typing import Callable

import pexpect

from tutor.core.model import Answer
from tutor.core.outcome import redact

Output = Callable[[str], None]


@dataclass(frozen=True)
class Result:
    exit_code: int | None  # None: killed by a signal or timed out
    output: str
    timed_out: bool = False
    interrupted: bool = False
    waiting_for: str = ""  # the prompt not seen when an answer timed out


class _Stream:
    """pexpect's logfile_read target: forwards output (secrets hidden) and keeps a copy."""

    def __init__(self, emit: Output, secrets: tuple[str, ...]):
        self.emit, self.secrets, self.parts = emit, secrets, []

    def write(self, data: str) -> None:
        text = redact(data.replace("\r\n", "\n").replace("\r", "\n"), self.secrets)
        self.parts.append(text)
        self.emit(text)

    def flush(self) -> None:
        pass


def run(
    command: str,
    emit: Output = lambda s: None,
    answers: tuple[Answer, ...] = (),
    timeout: float = 120.0,
    secrets: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> Result:
    """Run one shell command line in a fresh pty and wait for it to end (or `timeout`).

    Ctrl-C (KeyboardInterrupt) interrupts the command, not us: it is passed to the child
    as SIGINT and the result says `interrupted`, so the caller can save progress first.
    """
    stream = _Stream(emit, secrets)
    child = pexpect.spawn(
        "/bin/bash",
        ["-c", command],
        encoding="utf-8",
        codec_errors="replace",
        dimensions=(40, 120),
        env={**os.environ, "TERM": "xterm", **(env or {})},
        cwd=cwd,
        echo=False,
    )
    child.logfile_read = stream
    deadline = time.monotonic() + timeout
    try:
        for answer in answers:
            left = max(deadline - time.monotonic(), 0.1)
            seen = child.expect([re.compile(answer.expect), pexpect.EOF, pexpect.TIMEOUT], timeout=left)
            if seen:  # ended, or timed out, before its prompt appeared
                return _finish(child, stream, timed_out=seen == 2, waiting_for=answer.expect)
            child.sendline(answer.send)
        left = max(deadline - time.monotonic(), 0.1)
        if child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=left) == 1:
            return _finish(child, stream, timed_out=True)
        return _finish(child, stream)
    except KeyboardInterrupt:
        if child.isalive():
            child.kill(signal.SIGINT)
            try:
                child.expect(pexpect.EOF, timeout=5)
            except (pexpect.TIMEOUT, pexpect.EOF):
                pass
        return _finish(child, stream, interrupted=True)


def _finish(
    child: pexpect.spawn, stream: _Stream, timed_out: bool = False, interrupted: bool = False, waiting_for: str = ""
) -> Result:
    if not (timed_out or interrupted):
        # It ended (EOF): reap it at once rather than sleep through close()'s grace
        # delay, which cost 0.1 s a command.
        deadline = time.monotonic() + 5
        while child.isalive() and time.monotonic() < deadline:
            time.sleep(0.005)
        child.ptyproc.delayafterclose = 0
    child.close(force=True)  # exitstatus stays None when a signal ended it
    return Result(child.exitstatus, "".join(stream.parts), timed_out, interrupted, waiting_for)
