"""docklab's own errors: each carries the exit code the CLI ends with and a message in
plain words that says what to do next. The CLI prints the message and exits with the
code (tutor/cli/common.py); the TUI shows the message.

Exit codes, a stable contract: 0 success, 1 checks failed, 2 usage or content error,
3 no usable engine (down, too old, an image missing, or a name the lesson needs taken).
"""

from __future__ import annotations

OK, FAILED, USAGE, NO_ENGINE = 0, 1, 2, 3
INTERRUPTED = 130


class DocklabError(Exception):
    """A failure docklab explains; `exit_code` is what the CLI exits with."""

    exit_code = USAGE

    def __init__(self, message: str = "", exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(DocklabError):
    """What was asked cannot be done as asked (an unknown lesson, a bad flag or key)."""


class ContentError(DocklabError):
    """A lesson file, image map or report that cannot be used as written."""


class EngineError(DocklabError):
    """No usable engine for this: down, unreachable, too old, or an image missing."""

    exit_code = NO_ENGINE


class OwnershipError(DocklabError):
    """docklab will not use or remove what is not its own (a name the lesson needs is taken)."""

    exit_code = NO_ENGINE


def brief(err: BaseException) -> str:
    """An error's message without the SDK's details in parentheses (its URL, its HTTP
    status), or its type's name when that leaves nothing."""
    return str(err).split("(")[0].strip() or type(err).__name__
