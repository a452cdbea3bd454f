"""Checks on containers and their mounts, live, and recalled from the engine's history."""

from __future__ import annotations

from tutor.core.checks.base import Context, check, missing_container, recall, recalled
from tutor.core.engine.connection import parse_version
from tutor.core.engine.describe import ANON_LABEL, HEX64, describe_mount, is_anonymous, short, syntax_of
from tutor.core.engine.port import Container, Port
from tutor.core.outcome import Outcome


def _past(ctx: Context, name: str) -> list[tuple[str, dict]]:
    """Containers of this name made since the lesson began, from the history, oldest first."""
    return [(cid, c) for cid, c in ctx.history.containers().items() if c["name"] == name]


def _started(ctx: Context, cid: str):
    return next((e for e in ctx.history.of("container", "start") if e.actor == cid), None)


@check("container_exists", shorthand="name")
def container_exists(ctx: Context, name: str, status: str | None = None, error: str | None = None) -> Outcome:
    """A container with this name exists, running or not (optionally: in this status,
    such as `created` for one whose start failed, with text in the engine's start error)."""
    claim = (
        f"container {name} exists"
        + (f" and is {status}" if status else "")
        + (f" with the error {error!r}" if error else "")
    )
    c = ctx.container(name)
    if c is None:
        return missing_container(name, claim)
    state = c.attrs.get("State") or {}
    seen = f"{name} is {c.status}" + (f" (error: {state['Error']})" if state.get("Error") else "")
    if status and c.status != status or error and error not in (state.get("Error") or ""):
        return Outcome(
            False, claim, expected=" ".join(w for w in (status, error and f"error {error!r}") if w), found=seen
        )
    return Outcome(True, claim, found=seen)


@recall("container_exists")
def _container_existed(ctx: Context, name: str, status: str | None = None, error: str | None = None):
    if status or error:
        return None
    past = _past(ctx, name)
    if not past:
        return None
    cid, c = past[-1]
    return recalled(f"container {name} exists", f"the engine created {name} ({short(cid)}) at {c['created'].clock}")


@check("container_running", shorthand="name")
def container_running(ctx: Context, name: str) -> Outcome:
    """A container with this name exists and is running."""
    claim = f"container {name} is running"
    c = ctx.container(name)
    if c is None:
        return missing_container(name, claim)
    if c.status != "running":
        state = c.attrs.get("State", {})
        return Outcome(
            False,
            claim,
            expected="running",
            found=f"{name} is {c.status} (exit code {state.get('ExitCode')})" + logs_tail(ctx.port, c),
            hint=f"See why it stopped: `docker logs {name}`; start it again with `docker start {name}`.",
        )
    return Outcome(True, claim, found=f"{name} is running")


@recall("container_running")
def _container_ran(ctx: Context, name: str):
    for cid, _ in reversed(_past(ctx, name)):
        start = _started(ctx, cid)
        if start is not None:
            return recalled(
                f"container {name} is running", f"the engine started {name} ({short(cid)}) at {start.clock}"
            )
    return None


@check("container_absent", shorthand="name")
def container_absent(ctx: Context, name: str) -> Outcome:
    """No container with this name exists."""
    claim = f"container {name} is removed"
    c = ctx.container(name)
    if c is None:
        return Outcome(True, claim, found=f"no container named {name}")
    hint = (
        f"Stop and remove it in one go: `docker rm -f {name}`."
        if c.status == "running"
        else f"Remove it: `docker rm {name}`."
    )
    return Outcome(False, claim, expected=f"no container named {name}", found=f"{name} is {c.status}", hint=hint)


@recall("container_absent")
def _container_was_removed(ctx: Context, name: str):
    for cid, c in reversed(_past(ctx, name)):
        if c["destroyed"] is not None:
            return recalled(
                f"container {name} is removed", f"the engine removed {name} ({short(cid)}) at {c['destroyed'].clock}"
            )
    return None


def logs_tail(port: Port, c: Container, lines: int = 6) -> str:
    """The container's last log lines, when it stopped or restarts: they usually say why."""
    try:
        text = port.logs(c.id, tail=lines).decode("utf-8", "replace").strip()
    except Exception:
        return ""
    return f"; its last log lines: {' | '.join(text.splitlines()[-lines:])}" if text else ""


# ---- mounts ----------------------------------------------------------------------------


SYNTAX = {"mount": "`--mount`", "v": "`-v`"}


@check("mount")
def mount(
    ctx: Context,
    container: str,
    destination: str,  # where in the container
    type: str | None = None,  # volume, bind, tmpfs
    volume: str | None = None,  # the volume's name
    anonymous: bool | None = None,  # an anonymous volume (true) or a named one (false)
    read_only: bool | None = None,  # judged by `RW`, never by `Mode` (`--mount ...,readonly` gives Mode "z")
    subpath: str | None = None,  # only this folder of the volume
    syntax: str | None = None,  # made with `--mount` (mount) or `-v` (v): the engine records them differently
) -> Outcome:
    """The container has a mount at `destination`, as each given field says."""
    want = [
        "" if anonymous or volume else type or "",
        f"volume {short(volume)}" if volume else "",
        "an anonymous volume" if anonymous else "",
        "read-only" if read_only else ("writable" if read_only is False else ""),
        f"subpath {subpath}" if subpath else "",
        f"made with {SYNTAX.get(syntax, syntax)}" if syntax else "",
    ]
    claim = f"{container} mounts {' '.join(w for w in want if w) or 'something'} at {destination}"
    c = ctx.container(container)
    if c is None:
        return missing_container(container, claim)
    mounts = c.attrs.get("Mounts") or []
    found = next((m for m in mounts if m.get("Destination") == destination), None)
    expected = " ".join(w for w in want if w) + f" at {destination}"
    if found is None:
        others = "; ".join(describe_mount(m) for m in mounts) or "no mounts at all"
        return Outcome(
            False,
            claim,
            expected=expected,
            found=f"{container} has no mount at {destination} ({others})",
            hint="Mounts are fixed when a container is created: remove it and run it again with the mount.",
        )
    seen = f"{container} mounts {describe_mount(found)}"
    recreate = "A container's mounts cannot change: remove it and create it again with the right mount."
    if type and found.get("Type") != type:
        return Outcome(False, claim, expected=expected, found=seen, hint=recreate)
    if volume and found.get("Name") != volume:
        return Outcome(False, claim, expected=expected, found=f"{seen}, not {volume}", hint=recreate)
    if anonymous is not None:
        vol = ctx.volume(found.get("Name", "")) if found.get("Type") == "volume" else None
        anon = vol is not None and is_anonymous(vol.attrs)
        if anon != anonymous:
            return Outcome(False, claim, expected=expected, found=seen, hint=recreate)
        if anon:
            seen += "; " + anonymity(ctx, vol.attrs)
    if read_only is not None and found.get("RW", True) == read_only:
        return Outcome(
            False,
            claim,
            expected=expected,
            found=seen,
            hint="Add `:ro` to -v, or `,readonly` to --mount, and create the container again.",
        )
    if subpath is not None:
        specs = c.attrs.get("HostConfig", {}).get("Mounts") or []
        spec = next((s for s in specs if s.get("Target") == destination), {})
        got = (spec.get("VolumeOptions") or {}).get("Subpath")
        if got != subpath:
            return Outcome(
                False,
                claim,
                expected=expected,
                found=f"{seen} with {'subpath ' + got if got else 'no subpath (the whole volume)'}",
                hint="Use --mount ...,volume-subpath=DIR (Engine and CLI 26 or newer).",
            )
    if syntax is not None:
        made = syntax_of(c, destination)
        if made != syntax:
            how = {"mount": "HostConfig.Mounts (`--mount`)", "v": "HostConfig.Binds (`-v`)"}.get(
                made, "neither -v nor --mount (--volumes-from or the image's VOLUME)"
            )
            return Outcome(
                False,
                claim,
                expected=expected,
                found=f"{seen}; the engine recorded it in {how}",
                hint=f"This step is about the {SYNTAX.get(syntax, syntax)} syntax: create the container again with it.",
            )
    return Outcome(True, claim, found=seen)


@recall("mount")
def _mounted(ctx: Context, container: str, destination: str, **wanted):
    """`mount`'s fields (its signature above); the events show only a volume's name,
    anonymity and read-only-ness."""
    volume, anonymous, read_only = wanted.get("volume"), wanted.get("anonymous"), wanted.get("read_only")
    if (
        wanted.get("subpath") is not None
        or wanted.get("syntax") is not None
        or wanted.get("type") not in (None, "volume")
    ):
        return None  # the engine's events do not record these
    for cid, _ in reversed(_past(ctx, container)):
        for m in ctx.history.mounts():
            if m.attrs.get("container") != cid or m.attrs.get("destination") != destination:
                continue
            if volume and m.actor != volume or anonymous is not None and bool(HEX64.match(m.actor)) != anonymous:
                continue
            if read_only is not None and (m.attrs.get("read/write") == "false") != read_only:
                continue
            ro = " read-only" if m.attrs.get("read/write") == "false" else ""
            return recalled(
                f"{container} mounts {short(m.actor)} at {destination}",
                f"the engine mounted the volume {short(m.actor)}{ro} at {destination} in "
                f"{container} ({short(cid)}) at {m.clock}",
            )
    return None


def anonymity(ctx: Context, volume_attrs: dict) -> str:
    """How an anonymous volume was recognised, and which engine behaviour applies."""
    if ANON_LABEL in (volume_attrs.get("Labels") or {}):
        return f"anonymous: it carries the label {ANON_LABEL}"
    older = parse_version(ctx.engine.version) < (27, 4)
    return (
        "anonymous by its 64-hex name; it has no "
        + ANON_LABEL
        + " label: "
        + (
            f"this engine ({ctx.engine.version}) is older than 27.4, which labels anonymous volumes made with "
            "`--mount type=volume,dst=...`, so a plain `docker volume prune` will not remove it"
            if older
            else "it was not made as an anonymous volume by this engine"
        )
    )


@check("container_env")
def container_env(ctx: Context, container: str, variable: str, present: bool = True) -> Outcome:
    """The container's configuration (`docker inspect`, Config.Env) has (or lacks) this
    variable. The value is never shown: it may be a password."""
    claim = f"{variable} is {'' if present else 'not '}in {container}'s configuration (docker inspect)"
    c = ctx.container(container)
    if c is None:
        return missing_container(container, claim)
    env = dict(e.partition("=")[::2] for e in (c.attrs.get("Config") or {}).get("Env") or [])
    if variable in env:
        if not variable.endswith("_FILE"):  # a path is no secret; the value itself may be
            ctx.hide(env[variable])
        found = (
            f"Config.Env sets {variable} (a {len(env[variable])}-character value that anyone who can run "
            "`docker inspect` reads)"
        )
    else:
        found = f"Config.Env has no {variable}"
    return Outcome((variable in env) == present, claim, expected="set" if present else "not set", found=found)
