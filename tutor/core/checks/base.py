"""The check registry and what a check sees.

Each check judges an outcome on the engine, never the keystrokes that produced it.
A check kind is a function `(ctx, **params) -> Outcome`, registered with `@check`;
a kind may also register a `@recall` function that proves the same claim from the
engine's event history, for a step whose state a later step changed.
Checks ask the engine through its port (tutor/core/engine/port.py), never the SDK.
"""

from __future__ import annotations

import inspect
import re
import time
import types
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

from tutor.core.engine.events import DEFAULT_WINDOW, PROBE_LABEL, History
from tutor.core.engine.empty import Empty
from tutor.core.engine.port import Container, Listed, Port, Volume
from tutor.core.outcome import Outcome

if TYPE_CHECKING:  # pragma: no cover
    from tutor.core.engine.connection import Engine


class RoleNames(Protocol):
    """What a check needs of the lesson's roles (checks.roles.Roles, which is built on a Context)."""

    def names(self) -> dict[str, str]:
        """Each role's key -> the name `{key}` stands for."""
        ...

    def explain(self, out: Outcome, params: dict) -> Outcome:
        """The outcome, failed when a role it names is ambiguous or not this attempt's."""
        ...


@dataclass(frozen=True)
class Field:
    type: type | tuple[type, ...]
    required: bool = False


@dataclass(frozen=True)
class Kind:
    """A check kind: its parameters and the function that judges it."""

    name: str
    fields: dict[str, Field]
    shorthand: str | None  # `volume_exists: mysql_data` fills this field
    judge: Callable[..., Outcome]  # (ctx, **params) -> Outcome
    doc: str


KINDS: dict[str, Kind] = {}
RECALL: dict[str, Callable[..., Outcome | None]] = {}


def check(kind: str, /, shorthand: str | None = None):
    """Register a check kind's function under `kind`. Its parameters after `ctx` are the
    kind's fields, as its signature gives them: the type (None aside), and required when
    there is no default. One place says them, for the lesson parser and the check alike."""

    def register(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
        KINDS[kind] = Kind(kind, fields_of(fn), shorthand, fn, (fn.__doc__ or "").strip())
        return fn

    return register


def fields_of(fn: Callable[..., Outcome]) -> dict[str, Field]:
    """A check function's fields, from its signature and type hints."""
    hints = typing.get_type_hints(fn)
    out = {}
    for name, param in list(inspect.signature(fn).parameters.items())[1:]:  # after ctx
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or name not in hints:
            raise TypeError(f"check {fn.__name__}: every field is a named parameter with a type ({name} is not)")
        hint = hints[name]
        union = isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union
        kinds = tuple(typing.get_origin(t) or t for t in (typing.get_args(hint) if union else (hint,)))
        kinds = tuple(t for t in kinds if t is not type(None))
        out[name] = Field(kinds[0] if len(kinds) == 1 else kinds, param.default is inspect.Parameter.empty)
    return out


def recall(kind: str):
    """Register how `kind`'s claim is proven from history: returns a passing Outcome
    with `how="history"`, or None when the history does not show it."""

    def register(fn: Callable[..., Outcome | None]) -> Callable[..., Outcome | None]:
        RECALL[kind] = fn
        return fn

    return register


def recalled(claim: str, found: str) -> Outcome:
    """A claim proven from the engine's history: `found` says which event proves it."""
    return Outcome(True, claim, how="history", found=found)


class Context:
    """What a check can see: the engine, facts remembered by earlier steps, the roles
    resolved to what the learner made, the history since the lesson began, secrets."""

    def __init__(
        self,
        engine: Engine,
        facts: dict[str, str] | None = None,
        secrets=(),
        since: float | None = None,
        roles: RoleNames | None = None,
        seen: dict | None = None,
        past: History | None = None,
    ):
        self.engine = engine
        self.seen = seen  # look-ups kept for a step's checks (a whole lesson's): the engine holds still
        self.facts = facts or {}
        self.secrets = list(secrets)
        self.since = since  # when the lesson began: history looks no further back
        self.roles = roles
        self._history = past  # shared by a whole-lesson check; read when first needed otherwise

    @property
    def port(self) -> Port:
        """What the checks ask the engine through."""
        return self.engine.port

    @property
    def history(self) -> History:
        """The engine's lifecycle events since the lesson began, read once."""
        if self._history is None:
            self._history = History.read(self.port, self.since or time.time() - DEFAULT_WINDOW)
        return self._history

    def hide(self, value: str) -> None:
        """A value read from the engine (a password) that no output may show."""
        if value and value not in self.secrets:
            self.secrets.append(value)

    @property
    def values(self) -> dict[str, str]:
        """What `{name}` stands for: remembered facts, then resolved roles."""
        return {**self.facts, **(self.roles.names() if self.roles else {})}

    def _get(self, key: tuple, ask: Callable[[], Any]) -> Any:
        if self.seen is not None and key in self.seen:
            return self.seen[key]
        found = ask()
        if self.seen is not None:
            self.seen[key] = found
        return found

    def kept(self, key: tuple, ask: Callable[[], Any]) -> Any:
        """What `ask` answers, asked once for the step's checks (a whole lesson's), as each
        look-up here is: a check's own question of the engine (a volume's archives, say)."""
        return self._get(key, ask)

    def container(self, name: str) -> Container | None:
        """The container of this name or id, or None."""
        return self._get(("containers", name), lambda: self.port.container(name))

    def look_again(self) -> None:
        """Forget what was looked up and the history read (a poll's next look)."""
        if self.seen is not None:
            self.seen.clear()
        self._history = None

    def touched(self, name: str) -> None:
        """A check ran a process in this container (it may have stopped it, say): the next
        look at it, or at the list, asks the engine again."""
        if self.seen is not None:
            self.seen.pop(("containers", name), None)
            self.seen.pop(("list", "containers"), None)

    def fresh(self, name: str) -> Container | None:
        """The container looked up again, because it changed under a check (it stopped, say):
        the checks after this one see it so too."""
        found = self.port.container(name)
        if self.seen is not None:
            self.seen[("containers", name)] = found
        return found

    def volume(self, name: str) -> Volume | None:
        """The volume of this name, or None."""
        return self._get(("volumes", name), lambda: self.port.volume(name))

    def containers(self) -> list[Listed]:
        """Every container the engine lists, running or not, but a check's helper (one is
        held for a step's reads of a volume, volumefiles.shared; another docklab process
        may be reading through one right now)."""
        return self._get(
            ("list", "containers"), lambda: [c for c in self.port.containers() if PROBE_LABEL not in c.labels]
        )

    def volumes(self) -> list[Volume]:
        """Every volume the engine lists."""
        return self._get(("list", "volumes"), self.port.volumes)


class MissingFact(Exception):
    """A check names a fact (`{old_volume}`) that no earlier step has recorded yet."""


_FACT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def fill(value: Any, facts: dict[str, str]) -> Any:
    """Replace `{fact}` placeholders with remembered values."""
    if isinstance(value, str):

        def sub(m: re.Match) -> str:
            if m.group(1) not in facts:
                raise MissingFact(m.group(1))
            return facts[m.group(1)]

        return _FACT.sub(sub, value)
    if isinstance(value, list):
        return [fill(v, facts) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, facts) for k, v in value.items()}
    return value


def _filled(params: dict[str, Any], ctx: Context) -> dict | Outcome:
    try:
        return fill(params, ctx.values)
    except MissingFact as missing:
        return Outcome(
            False,
            f"this check needs {{{missing}}}, which an earlier step remembers",
            expected=f"the fact {{{missing}}} from an earlier step",
            found="no earlier step has recorded it",
            hint="Do the earlier steps first (or check them with `docklab check LESSON --step N`).",
        )


def evaluate(spec_kind: str, params: dict[str, Any], ctx: Context) -> Outcome:
    """Run one check on the live engine; never raises for engine trouble the learner can act on."""
    args = _filled(params, ctx)
    if isinstance(args, Outcome):
        return args
    out = KINDS[spec_kind].judge(ctx, **args)
    if ctx.roles:
        out = ctx.roles.explain(out, params)
    return out.redacted(ctx.secrets)


def evaluate_past(spec_kind: str, params: dict[str, Any], ctx: Context) -> Outcome | None:
    """The same claim proven from the engine's history since the lesson began, or None."""
    fn = RECALL.get(spec_kind)
    if fn is None:
        return None
    args = _filled(params, ctx)
    if isinstance(args, Outcome):
        return None
    out = fn(ctx, **args)
    return out.redacted(ctx.secrets) if out is not None else None


class _Unfilled(dict):
    """Names for `fill`: a key it lacks stays a visible placeholder."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def sentence(kind: str, params: dict[str, Any], names: dict[str, str]) -> str:
    """What a check claims, in the very words its result will use, before anything has run:
    the check judged on an engine that holds nothing (`{role}`s as these names)."""
    from tutor.core.engine.connection import Engine

    ctx = Context(Engine(None, "0", "0", port=Empty()), since=0.0)
    return KINDS[kind].judge(ctx, **fill(params, _Unfilled(names))).claim


def missing_container(name: str, claim: str) -> Outcome:
    """A failed outcome for a container that does not exist, with the step's command as the hint."""
    return Outcome(
        False,
        claim,
        expected=f"a container named {name}",
        found=f"no container named {name}",
        hint=f"Run the step's `docker run ... --name {name}` command.",
    )
