"""Typed, declarative checks, evaluated through the Engine API in-process.

`base` holds the registry and the context; the kinds live in `volumes`, `containers`,
`contents` (inside containers and volumes) and `history` (what only the engine's
events can tell). Importing this package registers them all.
"""

from tutor.core.checks import containers, contents, history, volumes  # noqa: F401  (they register)
from tutor.core.checks.base import KINDS, RECALL, Context, Field, evaluate, evaluate_past, fill, sentence

__all__ = ["KINDS", "RECALL", "Context", "Field", "evaluate", "evaluate_past", "fill", "sentence"]
