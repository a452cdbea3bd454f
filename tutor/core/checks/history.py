"""Checks that only the engine's history can answer: what was removed since the lesson
began, and what a prune did. They still hold at the end of a lesson."""

from __future__ import annotations

from tutor.core.engine import events
from tutor.core.engine.connection import parse_version
from tutor.core.checks.base import Context, check, recall, recalled
from tutor.core.engine.describe import short
from tutor.core.outcome import Outcome


_NO_HISTORY = "since the lesson began (the engine keeps only its recent events, none across a restart)"


def removed_containers(ctx: Context, role: str | None, name: str | None) -> list[tuple[str, dict]]:
    """Containers made since the lesson began and removed since, that played `role` (or
    bore `name`), oldest first."""
    out = []
    for cid, c in ctx.history.containers().items():
        if c["destroyed"] is None:
            continue
        if role and ctx.roles and role in ctx.roles.specs:
            if ctx.roles.fits_past_container(role, cid, c):
                out.append((cid, c))
        elif c["name"] == name:
            out.append((cid, c))
    return out


def _about(ctx: Context, role: str | None, name: str | None) -> str:
    if role and ctx.roles and role in ctx.roles.specs:
        return ctx.roles.specs[role].about
    return f"container {name}"


@check("container_removed", shorthand="role")
def container_removed(ctx: Context, role: str | None = None, name: str | None = None) -> Outcome:
    """A container that played this role (or bore this name) was removed since the lesson
    began, whatever came after it: the engine's history says so."""
    about = _about(ctx, role, name)
    claim = f"{about} was removed"
    gone = removed_containers(ctx, role, name)
    if gone:
        cid, c = gone[-1]
        return Outcome(True, claim, found=f"the engine removed {c['name']} ({short(cid)}) at {c['destroyed'].clock}")
    resolved = ctx.roles.resolved.get(role) if ctx.roles and role else None
    here = resolved.name if resolved is not None and resolved.how in ("name", "match") else None
    if here is not None or (name and ctx.container(name) is not None):
        return Outcome(
            False,
            claim,
            expected=f"{about} removed",
            found=f"{here or name} is still there",
            hint=f"Remove it: `docker rm -f {here or name}`.",
        )
    return Outcome(
        False,
        claim,
        expected=f"the removal of {about}",
        found=f"no such removal {_NO_HISTORY}",
        hint="Do the step's commands: create it, then remove it.",
    )


@check("volume_removed", shorthand="name")
def volume_removed(ctx: Context, name: str) -> Outcome:
    """The engine's events show the volume removed since the lesson began: an outcome
    that leaves no trace in the end state (created, then removed)."""
    claim = f"volume {short(name)} was removed"
    gone = ctx.history.destroyed("volume", name)
    if gone:
        now = " and is still gone" if ctx.volume(name) is None else ", and a volume of that name exists again"
        return Outcome(True, claim, found=f"the engine removed it at {gone.clock}{now}")
    if ctx.volume(name) is not None:
        return Outcome(
            False,
            claim,
            expected=f"{short(name)} removed",
            found="it still exists",
            hint=f"Remove it: `docker volume rm {name}`.",
        )
    return Outcome(
        False,
        claim,
        expected=f"the removal of {short(name)}",
        found=f"no removal of {short(name)} {_NO_HISTORY}",
        hint="Create it and remove it again (the step's commands).",
    )


@check("volume_prune")
def volume_prune(
    ctx: Context, removed: list | None = None, kept: list | None = None, min_reclaimed: int | None = None
) -> Outcome:
    """A `docker volume prune` ran since the lesson began that removed these volumes,
    kept these (they existed when it ran and it did not remove them), and freed at least
    this many bytes. Judged from the engine's events, so it still holds later."""
    removed, kept = [str(n) for n in removed or []], [str(n) for n in kept or []]
    parts = (
        ([f"removed {', '.join(removed)}"] if removed else [])
        + ([f"kept {', '.join(kept)}"] if kept else [])
        + ([f"freed at least {events.human_bytes(min_reclaimed)}"] if min_reclaimed else [])
    )
    claim = "a volume prune " + (", ".join(parts) if parts else "ran")
    volume_events = ctx.history.of("volume")
    prunes = [e for e in volume_events if e.action == "prune"]
    if not prunes:
        return Outcome(
            False,
            claim,
            expected="a `docker volume prune`",
            found=f"no volume prune {_NO_HISTORY}",
            hint="Run the step's prune command and answer y at its prompt.",
        )
    seen = ""
    for prune in reversed(prunes):
        took = events.removed_by(volume_events, prune)
        freed = int(prune.attrs.get("reclaimed") or 0)
        seen = (
            f"the prune at {prune.clock} removed {', '.join(sorted(map(short, took))) or 'nothing'} "
            f"and freed {events.human_bytes(freed)}"
        )
        if (
            all(n in took for n in removed)
            and all(n not in took and events.existed_at(volume_events, n, prune) for n in kept)
            and freed >= (min_reclaimed or 0)
        ):
            return Outcome(True, claim, found=seen)
    rule = (
        "takes only unused anonymous volumes without --all"
        if parse_version(ctx.engine.api_version) >= (1, 42)
        else "takes every unused volume, named ones too"
    )
    return Outcome(
        False,
        claim,
        expected=", ".join(parts),
        found=seen,
        hint=f"This client speaks API {ctx.engine.api_version}: a prune {rule}; --all (-a) takes named ones too.",
    )


def removed_volumes(ctx: Context, role: str | None, name: str | None, destination: str) -> list[tuple[str, dict]]:
    """(the volume, the container) for each container of this role (or name) removed since
    the lesson began that had a volume at `destination`, oldest first: every attempt."""
    mounts, out = ctx.history.mounts(), []
    for cid, c in removed_containers(ctx, role, name):
        for m in reversed(mounts):
            if m.attrs.get("container") == cid and m.attrs.get("destination") == destination:
                out.append((m.actor, c))
                break
    return out


def removed_volume(ctx: Context, role: str | None, name: str | None, destination: str) -> tuple[str, dict] | None:
    """The first of removed_volumes: the one the lesson is about (a fact remembers it),
    whatever was made and removed after it."""
    return next(iter(removed_volumes(ctx, role, name, destination)), None)


def volume_of_removed(ctx: Context, role: str | None, name: str | None, destination: str) -> tuple[str | None, str]:
    """removed_volume's volume, and how it was found; (None, why not) when history does not show one."""
    found = removed_volume(ctx, role, name, destination)
    if found:
        return found[0], f"the engine's events show the removed {found[1]['name']} mounted it at {destination}"
    return None, (
        f"the engine's events show no removed {_about(ctx, role, name)} with a volume at {destination} " + _NO_HISTORY
    )


@check("volume_of_removed_container")
def volume_of_removed_container(
    ctx: Context, destination: str, exists: bool, role: str | None = None, container: str | None = None
) -> Outcome:
    """The volume that a since-removed container of this role (or name) had at
    `destination` still exists (`exists: true`) or is gone (`exists: false`): what
    `docker rm`, `docker rm -v` and `--rm` do to a container's volumes."""
    about = _about(ctx, role, container)
    claim = f"the volume that {about} had at {destination} before its removal " + (
        "still exists" if exists else "went with it"
    )
    tries = removed_volumes(ctx, role, container, destination)
    if not tries:
        return Outcome(
            False,
            claim,
            expected=f"a removed {about} with a volume at {destination}",
            found=volume_of_removed(ctx, role, container, destination)[1],
            hint="Run the step's commands: create it, then remove it.",
        )
    # every attempt counts: a slip (`rm` without -v) and its retry (`rm -v`) pass on the retry
    name, c = next(((v, c) for v, c in reversed(tries) if (ctx.volume(v) is not None) == exists), tries[-1])
    there = ctx.volume(name) is not None
    how = f"the engine's events show the removed {c['name']} mounted it at {destination}"
    found = f"its volume {short(name)} " + ("still exists" if there else f"is gone ({how})")
    hint = (
        ""
        if there == exists
        else "`docker rm` keeps a container's volumes; `docker rm -v` and `--rm` remove "
        "its anonymous ones (never named ones)."
    )
    return Outcome(there == exists, claim, expected="it exists" if exists else "it is gone", found=found, hint=hint)


REMOVED_WITH_NS = 1_000_000_000  # `rm -v` destroys the volume right after its container, in the same call


@recall("volume_of_removed_container")
def _volume_outlived(
    ctx: Context, destination: str, exists: bool, role: str | None = None, container: str | None = None
):
    """The volume is gone now, but the history shows it outlived the container's removal
    (it went later, by another command): what `docker rm` without -v does."""
    if not exists:
        return None
    for name, c in removed_volumes(ctx, role, container, destination):
        gone, c_gone = ctx.history.destroyed("volume", name), c["destroyed"]
        if gone is None:
            continue
        between = [e for e in ctx.history.events if c_gone.at < e.at < gone.at]
        if gone.at - c_gone.at < REMOVED_WITH_NS and not between:
            continue  # it went with the container
        about = _about(ctx, role, container)
        return recalled(
            f"the volume that {about} had at {destination} before its removal still exists",
            f"its volume {short(name)} outlived the removal at {c_gone.clock}; it was removed later, at {gone.clock}",
        )
    return None
