"""Why a check failed, when something done to the engine explains it: the engine's event
behind a volume that is gone (removed, pruned, taken by `rm -v` or `compose down -v`), a
container's volume kept or removed with it, a container that is gone, one made without
the mount or with another, a database that exited. With the learner's command lines and
when each ran (the TUI's terminal marks them), the cause names the command; without them
(`docklab check` from the learner's own shell), the event alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.core.checks.base import Context
from tutor.core.checks.history import REMOVED_WITH_NS, removed_volumes
from tutor.core.engine import events
from tutor.core.engine.describe import HEX64, short
from tutor.core.outcome import Outcome

SLOP_NS = 1_000_000_000  # an event a moment after its command's prompt came back is still its
DOWN_NS = 30_000_000_000  # `compose down -v` removes the project's volumes after its containers and network


@dataclass(frozen=True)
class Command:
    """A command line the learner ran, and when (seconds since the epoch)."""

    line: str
    start: float
    end: float


def explain(kind: str, params: dict, out: Outcome, ctx: Context, commands: list[Command]) -> str:
    """The sentence that says which command (or event) made this check fail, or ""."""
    if out.ok:
        return ""
    for find in (_removed_container_volume, _volume_gone, _container_gone, _made_so, _exited):
        found = find(kind, params, ctx)
        if found is not None:
            line = _command_at(commands, found.made_by.at)
            said = (
                f"`{line}` at {found.made_by.clock} {found.command_did}"
                if line
                else f"at {found.event.clock} {found.what}"
            )
            return said + (f"; {found.instead}" if found.instead else "")
    return ""


def _command_at(commands: list[Command], at_ns: int) -> str:
    """The command running when the event happened; else the last one that had ended a
    moment before (an event lands after the prompt is back)."""
    at, slop = at_ns / 1e9, SLOP_NS / 1e9
    running = [c for c in commands if c.start - 0.1 <= at <= c.end]
    after = [c for c in commands if c.end < at <= c.end + slop]
    hits = running or after
    return hits[-1].line if hits else ""


@dataclass(frozen=True)
class Found:
    event: events.Event  # what happened
    what: str  # ... in words, for `check` from the learner's own shell
    command_did: str  # ... as what the command that made it happen did
    instead: str = ""  # what the other way would have done
    by: events.Event | None = None  # the event the command made, when not `event` (a start, before an exit)

    @property
    def made_by(self) -> events.Event:
        """The event to find the learner's command by."""
        return self.by or self.event


def _removed_container_volume(kind: str, params: dict, ctx: Context) -> Found | None:
    """A container's volume kept by `rm` where it should have gone, or gone with `rm -v`."""
    if kind != "volume_of_removed_container":
        return None
    tries = removed_volumes(ctx, params.get("role"), params.get("container"), params["destination"])
    if not tries:
        return None
    volume, c = tries[-1]
    gone, removed = ctx.history.destroyed("volume", volume), c["destroyed"]
    name, vol = c["name"], short(volume)
    if params.get("exists") is False and ctx.volume(volume) is not None:
        return Found(
            removed,
            f"{name} was removed; its volume {vol} was not (no `-v`)",
            f"removed {name} and kept its anonymous volume {vol}",
            "`docker rm -v` (or `--rm` at start) would have removed it",
        )
    if params.get("exists") and gone is not None and gone.at - removed.at < REMOVED_WITH_NS:
        return Found(
            removed,
            f"{name} was removed with its volume {vol} (`-v`, or `--rm` at start)",
            f"removed {name} and its volume {vol}",
            "`docker rm` without `-v` would have kept it",
        )
    return None


_VOLUME_FIELDS = ("volume", "name", "other", "holds")


def _volume_gone(kind: str, params: dict, ctx: Context) -> Found | None:
    """A volume the check reads is gone, and the engine's events say how it went."""
    if not kind.startswith("volume") or kind in ("volume_absent", "volume_removed", "volume_prune"):
        return None
    for field in _VOLUME_FIELDS:
        name = params.get(field)
        if not isinstance(name, str) or ctx.volume(name) is not None:
            continue
        gone = ctx.history.destroyed("volume", name)
        if gone is not None:
            return _how_it_went(name, gone, ctx)
    return None


def _how_it_went(name: str, gone: events.Event, ctx: Context) -> Found:
    vol = short(name)
    volume_events = ctx.history.of("volume")
    prune = next(
        (e for e in volume_events if e.action == "prune" and name in events.removed_by(volume_events, e)), None
    )
    if prune is not None:
        return Found(
            gone,
            f"a volume prune removed {vol}",
            f"removed {vol} (the prune's rule took it)",
            "a `--filter` limits a prune to what you mean to remove",
        )
    users = {m.attrs.get("container") for m in ctx.history.mounts() if m.actor == name}
    last = next(
        (
            e
            for e in reversed(ctx.history.of("container", "destroy"))
            if e.actor in users and 0 <= gone.at - e.at < DOWN_NS
        ),
        None,
    )
    project = last.attrs.get("com.docker.compose.project") if last is not None else None
    if project:
        return Found(
            gone,
            f"Compose project {project} was taken down with its volumes, {vol} among them",
            f"took the project down and removed its volume {vol}",
            "`docker compose down` without `-v` keeps the project's volumes",
        )
    if last is not None and gone.at - last.at < REMOVED_WITH_NS and HEX64.match(name):  # `rm -v` takes no named one
        cname = last.attrs.get("name", short(last.actor))
        return Found(
            gone,
            f"{cname} was removed with `-v`, and its volume {vol} went with it",
            f"removed {cname} and its volume {vol}",
            "`docker rm` without `-v` keeps a container's volumes",
        )
    return Found(gone, f"volume {vol} was removed", f"removed volume {vol}")


def _container_gone(kind: str, params: dict, ctx: Context) -> Found | None:
    """A container the check looks at is gone, removed since the lesson began."""
    name = params.get("container") or (params.get("name") if kind.startswith("container") else None)
    if not isinstance(name, str) or kind == "container_absent" or ctx.container(name) is not None:
        return None
    gone = [c for c in ctx.history.containers().values() if c["name"] == name and c["destroyed"] is not None]
    if not gone:
        return None
    return Found(gone[-1]["destroyed"], f"{name} was removed", f"removed {name}")


def _made_so(kind: str, params: dict, ctx: Context) -> Found | None:
    """A container made without the mount the step asks for, or with another: mounts are
    fixed when a container is made, so the command that made it is the cause."""
    if kind != "mount":
        return None
    c = ctx.container(params["container"])
    made = ctx.history.containers().get(c.id) if c is not None else None
    if made is None:
        return None
    where = params["destination"]
    there = next((m for m in c.attrs.get("Mounts") or [] if m.get("Destination") == where), None)
    said = (
        f"no volume at {where}"
        if there is None
        else f"{short(there.get('Name') or there.get('Source', ''))} at {where}"
    )
    return Found(
        made["created"],
        f"{c.name} was made with {said}",
        f"made {c.name} with {said}",
        "mounts are fixed when a container is made: remove it and run it again with the mount",
    )


_EXIT = re.compile(r"^\d+$")


def _exited(kind: str, params: dict, ctx: Context) -> Found | None:
    """A container the check needs running has stopped: when, and with what exit code."""
    name = params.get("container") or params.get("name")
    if kind not in ("container_running", "mysql", "exec", "volume_seen") or not isinstance(name, str):
        return None
    c = ctx.container(name)
    if c is None or c.status == "running":
        return None
    died = [e for e in ctx.history.of("container", "die") if e.actor == c.id]
    if not died:
        return None
    code = died[-1].attrs.get("exitCode", "")
    with_code = f" with code {code}" if _EXIT.match(str(code)) else ""
    made = ctx.history.containers().get(c.id)
    return Found(
        died[-1],
        f"{name} exited{with_code}",
        f"started {name}, which exited{with_code} at {died[-1].clock}",
        by=made["created"] if made else None,
    )
