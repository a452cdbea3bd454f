"""Checks on volumes themselves: there, gone, unused; live, and recalled from history."""

from __future__ import annotations

import fnmatch

from tutor.core.checks.base import Context, check, recall, recalled
from tutor.core.checks.containers import anonymity
from tutor.core.engine.describe import HEX64, is_anonymous, short
from tutor.core.outcome import Outcome


def _users(ctx: Context, volume: str) -> list[str]:
    """The containers, running or not, that mount this volume."""
    return [c.name for c in ctx.containers() if any(m.name == volume for m in c.mounts)]


@check("volume_exists", shorthand="name")
def volume_exists(
    ctx: Context,
    name: str,
    anonymous: bool | None = None,  # anonymous (true) or named (false)
    driver: str | None = None,  # such as local
    mountpoint: str | None = None,  # a glob such as `*/volumes/NAME/_data`
    label: str | None = None,  # `KEY` or `KEY=VALUE`
) -> Outcome:
    """A volume with this name exists, as each given field says."""
    claim = (
        f"volume {short(name)} exists"
        + (f" with driver {driver}" if driver else "")
        + (f" at {mountpoint}" if mountpoint else "")
        + (f" labelled {label}" if label else "")
    )
    vol = ctx.volume(name)
    if vol is None:
        return Outcome(
            False,
            claim,
            expected=f"a volume named {short(name)}",
            found="no such volume",
            hint=f"Create it, e.g. `docker volume create {name}`, or run the step's command.",
        )
    if anonymous is not None and is_anonymous(vol.attrs) != anonymous:
        want = "an anonymous volume" if anonymous else "a named volume"
        got = "an anonymous volume" if not anonymous else "a named volume"
        return Outcome(False, claim, expected=want, found=f"{short(name)} is {got}")
    if driver and vol.attrs.get("Driver") != driver:
        return Outcome(False, claim, expected=f"driver {driver}", found=f"driver {vol.attrs.get('Driver')}")
    if mountpoint and not fnmatch.fnmatchcase(vol.attrs.get("Mountpoint", ""), mountpoint):
        return Outcome(
            False,
            claim,
            expected=f"a mount point matching {mountpoint}",
            found=f"mount point {vol.attrs.get('Mountpoint')}",
            hint="A rootless engine keeps volumes under ~/.local/share/docker/volumes.",
        )
    labels = vol.attrs.get("Labels") or {}
    if label:
        key, eq, value = label.partition("=")
        if key not in labels or (eq and labels[key] != value):
            shown = ", ".join(f"{k}={v}" for k, v in labels.items()) or "no labels"
            return Outcome(False, claim, expected=f"the label {label}", found=shown)
    found = f"{vol.attrs.get('Driver')} volume at {vol.attrs.get('Mountpoint')}"
    if anonymous:
        found += "; " + anonymity(ctx, vol.attrs)
    return Outcome(True, claim, found=found)


@recall("volume_exists")
def _volume_existed(ctx: Context, name: str, **wanted):
    """`volume_exists`'s fields (its signature above), as far as the events show them."""
    anonymous, driver, mountpoint = wanted.get("anonymous"), wanted.get("driver"), wanted.get("mountpoint")
    if wanted.get("label"):
        return None  # the engine's events do not carry labels
    made = ctx.history.volumes_created().get(name)
    if made is None or (driver and made.attrs.get("driver") != driver):
        return None
    if mountpoint:  # the local driver keeps a volume at <data root>/volumes/<name>/_data
        if made.attrs.get("driver") != "local":
            return None
        root = ctx.port.info().get("DockerRootDir", "/var/lib/docker")
        if not fnmatch.fnmatchcase(f"{root}/volumes/{name}/_data", mountpoint):
            return None
    if anonymous is not None and bool(HEX64.match(name)) != anonymous:
        return None
    return recalled(f"volume {short(name)} exists", f"the engine created the volume {short(name)} at {made.clock}")


@check("volume_absent", shorthand="name")
def volume_absent(ctx: Context, name: str) -> Outcome:
    """No volume with this name exists."""
    claim = f"volume {short(name)} is gone"
    if ctx.volume(name) is not None:
        users = _users(ctx, name)
        hint = (
            f"It is still used by {', '.join(users)}: remove those first."
            if users
            else f"Remove it: `docker volume rm {name}`."
        )
        return Outcome(
            False, claim, expected=f"no volume named {short(name)}", found="the volume still exists", hint=hint
        )
    return Outcome(True, claim, found="no such volume")


@recall("volume_absent")
def _volume_was_removed(ctx: Context, name: str):
    gone = ctx.history.destroyed("volume", name)
    if gone is None:
        return None
    return recalled(f"volume {short(name)} is gone", f"the engine removed the volume {short(name)} at {gone.clock}")


@check("volume_unused", shorthand="name")
def volume_unused(ctx: Context, name: str) -> Outcome:
    """The volume exists and no container (running or stopped) uses it: it is dangling."""
    claim = f"volume {short(name)} exists and no container uses it"
    if ctx.volume(name) is None:
        return Outcome(
            False,
            claim,
            expected=f"a volume named {short(name)}",
            found="no such volume",
            hint="It was removed: `docker rm -v` or a prune deletes anonymous volumes.",
        )
    users = _users(ctx, name)
    if users:
        return Outcome(
            False,
            claim,
            expected="no container using it",
            found=f"used by {', '.join(users)}",
            hint=f"Remove {', '.join(users)} first (without -v, which would delete an anonymous volume).",
        )
    return Outcome(True, claim, found="dangling: no container uses it")


@recall("volume_unused")
def _volume_was_unused(ctx: Context, name: str):
    moment = ctx.history.unused_since(name)
    if moment is None:
        return None
    return recalled(
        f"volume {short(name)} exists and no container uses it",
        f"no container used {short(name)} once {moment.name or short(moment.actor)} was removed at {moment.clock}",
    )
