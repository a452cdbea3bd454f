"""What the command modules share: the one wrapper that turns errors into exit codes
and messages (docklab's own errors carry theirs: tutor/core/errors.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Callable

from tutor.core.errors import INTERRUPTED, NO_ENGINE, OK, DocklabError, brief


def run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command's handler and return its exit code: a DocklabError prints its message
    and ends with its code; an engine lost mid-command ends with NO_ENGINE."""
    try:
        return handler(args)
    except DocklabError as err:
        print(err, file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(
            "\nInterrupted. Your progress is kept; `docklab reset LESSON` removes what the lesson created.",
            file=sys.stderr,
        )
        return INTERRUPTED
    except BrokenPipeError:  # our own stdout closed (`| head`), not the engine
        return OK
    except Exception as err:
        from tutor.core.engine.connection import engine_lost  # only once something went wrong

        if not engine_lost(err):
            raise
        print(
            f"Lost the Docker Engine: {brief(err)}. "
            "Your progress is kept: once the engine is back, `docklab check LESSON` or "
            "`docklab run LESSON` goes on, and `docklab reset LESSON` still removes exactly what the "
            "lesson created.",
            file=sys.stderr,
        )
        return NO_ENGINE
