"""Typed, declarative checks, evaluated through the Engine API in-process.

Each check judges an outcome on the engine, never the keystrokes that produced it:
`-v` or `--mount`, `docker rm -f` or `docker container rm --force` all pass alike.
A failed check says what was expected, what was found, and a hint built from what
was found. The docker SDK is imported lazily so that parsing and `validate` stay light.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from tutor.core.outcome import Outcome, redact

if TYPE_CHECKING:  # pragma: no cover
    from tutor.core.engine import Engine

ANON_LABEL = "com.docker.volume.anonymous"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Field:
    type: type | tuple[type, ...]
    required: bool = False


@dataclass(frozen=True)
class Kind:
    """A check kind: its parameters and the function that evaluates it."""

    name: str
    fields: dict[str, Field]
    shorthand: str | None  # `volume_exists: mysql_data` fills this field
    evaluate: Callable[..., Outcome]
    doc: str


KINDS: dict[str, Kind] = {}


def check(kind: str, /, shorthand: str | None = None, **fields: Field):
    def register(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
        KINDS[kind] = Kind(kind, fields, shorthand, fn, (fn.__doc__ or "").strip())
        return fn

    return register


class Context:
    """What a check can see: the engine, facts remembered by earlier steps, secrets."""

    def __init__(self, engine: Engine, facts: dict[str, str] | None = None, secrets=(), since: float | None = None):
        self.engine = engine
        self.facts = facts or {}
        self.secrets = tuple(secrets)
        self.since = since  # when the lesson began: history checks look no further back

    @property
    def client(self):
        return self.engine.client

    def container(self, name: str):
        from docker.errors import NotFound

        try:
            return self.client.containers.get(name)
        except NotFound:
            return None

    def volume(self, name: str):
        from docker.errors import NotFound

        try:
            return self.client.volumes.get(name)
        except NotFound:
            return None


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


def evaluate(spec_kind: str, params: dict[str, Any], ctx: Context) -> Outcome:
    """Run one check; never raises for engine trouble the learner can act on."""
    kind = KINDS[spec_kind]
    try:
        args = fill(params, ctx.facts)
    except MissingFact as missing:
        return Outcome(False, f"{spec_kind}", expected=f"the fact {{{missing}}} from an earlier step",
                       found="no earlier step has recorded it",
                       hint="Do the earlier steps first (or check them with `docklab check LESSON --step N`).")
    out = kind.evaluate(ctx, **args)
    if ctx.secrets:
        out = Outcome(out.ok, *(redact(s, ctx.secrets) for s in (out.claim, out.expected, out.found, out.hint)))
    return out


# ---- descriptions of what was found -------------------------------------------------


def is_anonymous(volume_attrs: dict) -> bool:
    """The label marks anonymous volumes; engines before 27.4 omit it for
    `--mount type=volume,dst=...` without a source, so a 64-hex name counts too."""
    labels = volume_attrs.get("Labels") or {}
    return ANON_LABEL in labels or bool(_HEX64.match(volume_attrs.get("Name", "")))


def anonymity(ctx: Context, volume_attrs: dict) -> str:
    """How an anonymous volume was recognised, and which engine behaviour applies."""
    if ANON_LABEL in (volume_attrs.get("Labels") or {}):
        return f"anonymous: it carries the label {ANON_LABEL}"
    from tutor.core.engine import parse_version

    older = parse_version(ctx.engine.version) < (27, 4)
    return ("anonymous by its 64-hex name; it has no " + ANON_LABEL + " label: "
            + (f"this engine ({ctx.engine.version}) is older than 27.4, which labels anonymous volumes made with "
               "`--mount type=volume,dst=...`, so a plain `docker volume prune` will not remove it" if older
               else "it was not made as an anonymous volume by this engine"))


def short(name: str) -> str:
    return name[:12] + "…" if _HEX64.match(name or "") else name


def describe_mount(m: dict) -> str:
    kind = m.get("Type")
    ro = "" if m.get("RW", True) else " (read-only)"
    if kind == "volume":
        name = m.get("Name", "")
        what = f"an anonymous volume {short(name)}" if _HEX64.match(name) else f"the volume {name}"
    elif kind == "bind":
        what = f"a bind mount of {m.get('Source')}"
    else:
        what = f"a {kind} mount"
    return f"{what} at {m.get('Destination')}{ro}"


def _missing_container(name: str, claim: str) -> Outcome:
    return Outcome(False, claim, expected=f"a container named {name}", found=f"no container named {name}",
                   hint=f"Run the step's `docker run ... --name {name}` command.")


# ---- volumes ---------------------------------------------------------------------------


@check("volume_exists", shorthand="name", name=Field(str, True), anonymous=Field(bool), driver=Field(str),
       mountpoint=Field(str), label=Field(str))
def volume_exists(ctx: Context, name: str, anonymous: bool | None = None, driver: str | None = None,
                  mountpoint: str | None = None, label: str | None = None) -> Outcome:
    """A volume with this name exists (optionally: is or is not anonymous, has this
    driver, has a mount point matching a glob such as `*/volumes/NAME/_data`, carries
    the label `KEY` or `KEY=VALUE`)."""
    claim = f"volume {short(name)} exists" + (f" with driver {driver}" if driver else "") + (
        f" at {mountpoint}" if mountpoint else "") + (f" labelled {label}" if label else "")
    vol = ctx.volume(name)
    if vol is None:
        return Outcome(False, claim, expected=f"a volume named {short(name)}", found="no such volume",
                       hint=f"Create it, e.g. `docker volume create {name}`, or run the step's command.")
    if anonymous is not None and is_anonymous(vol.attrs) != anonymous:
        want = "an anonymous volume" if anonymous else "a named volume"
        got = "an anonymous volume" if not anonymous else "a named volume"
        return Outcome(False, claim, expected=want, found=f"{short(name)} is {got}")
    if driver and vol.attrs.get("Driver") != driver:
        return Outcome(False, claim, expected=f"driver {driver}", found=f"driver {vol.attrs.get('Driver')}")
    if mountpoint and not fnmatch.fnmatchcase(vol.attrs.get("Mountpoint", ""), mountpoint):
        return Outcome(False, claim, expected=f"a mount point matching {mountpoint}",
                       found=f"mount point {vol.attrs.get('Mountpoint')}",
                       hint="A rootless engine keeps volumes under ~/.local/share/docker/volumes.")
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


@check("volume_absent", shorthand="name", name=Field(str, True))
def volume_absent(ctx: Context, name: str) -> Outcome:
    """No volume with this name exists."""
    claim = f"volume {short(name)} is gone"
    vol = ctx.volume(name)
    if vol is None:
        return Outcome(True, claim, found="no such volume")
    users = [c.name for c in ctx.client.containers.list(all=True, filters={"volume": name})]
    hint = (f"It is still used by {', '.join(users)}: remove those first." if users
            else f"Remove it: `docker volume rm {name}`.")
    return Outcome(False, claim, expected=f"no volume named {short(name)}", found="the volume still exists", hint=hint)


@check("volume_unused", shorthand="name", name=Field(str, True))
def volume_unused(ctx: Context, name: str) -> Outcome:
    """The volume exists and no container (running or stopped) uses it: it is dangling."""
    claim = f"volume {short(name)} exists and no container uses it"
    if ctx.volume(name) is None:
        return Outcome(False, claim, expected=f"a volume named {short(name)}", found="no such volume",
                       hint="It was removed: `docker rm -v` or a prune deletes anonymous volumes.")
    users = [c.name for c in ctx.client.containers.list(all=True, filters={"volume": name})]
    if users:
        return Outcome(False, claim, expected="no container using it", found=f"used by {', '.join(users)}",
                       hint=f"Remove {', '.join(users)} first (without -v, which would delete an anonymous volume).")
    return Outcome(True, claim, found="dangling: no container uses it")


# ---- containers ------------------------------------------------------------------------


@check("container_exists", shorthand="name", name=Field(str, True), status=Field(str), error=Field(str))
def container_exists(ctx: Context, name: str, status: str | None = None, error: str | None = None) -> Outcome:
    """A container with this name exists, running or not (optionally: in this status,
    such as `created` for one whose start failed, with text in the engine's start error)."""
    claim = f"container {name} exists" + (f" and is {status}" if status else "") + (
        f" with the error {error!r}" if error else "")
    c = ctx.container(name)
    if c is None:
        return _missing_container(name, claim)
    state = c.attrs.get("State") or {}
    seen = f"{name} is {c.status}" + (f" (error: {state['Error']})" if state.get("Error") else "")
    if status and c.status != status or error and error not in (state.get("Error") or ""):
        return Outcome(False, claim, expected=" ".join(w for w in (status, error and f"error {error!r}") if w),
                       found=seen)
    return Outcome(True, claim, found=seen)


@check("container_running", shorthand="name", name=Field(str, True))
def container_running(ctx: Context, name: str) -> Outcome:
    """A container with this name exists and is running."""
    claim = f"container {name} is running"
    c = ctx.container(name)
    if c is None:
        return _missing_container(name, claim)
    if c.status != "running":
        code = c.attrs.get("State", {}).get("ExitCode")
        return Outcome(False, claim, expected="running", found=f"{name} is {c.status} (exit code {code})",
                       hint=f"See why: `docker logs {name}`.")
    return Outcome(True, claim, found=f"{name} is running")


@check("container_absent", shorthand="name", name=Field(str, True))
def container_absent(ctx: Context, name: str) -> Outcome:
    """No container with this name exists."""
    claim = f"container {name} is removed"
    c = ctx.container(name)
    if c is None:
        return Outcome(True, claim, found=f"no container named {name}")
    hint = (f"Stop and remove it in one go: `docker rm -f {name}`." if c.status == "running"
            else f"Remove it: `docker rm {name}`.")
    return Outcome(False, claim, expected=f"no container named {name}", found=f"{name} is {c.status}", hint=hint)


# ---- mounts ----------------------------------------------------------------------------


@check("mount", container=Field(str, True), destination=Field(str, True), type=Field(str),
       volume=Field(str), anonymous=Field(bool), read_only=Field(bool), subpath=Field(str))
def mount(ctx: Context, container: str, destination: str, type: str | None = None, volume: str | None = None,
          anonymous: bool | None = None, read_only: bool | None = None, subpath: str | None = None) -> Outcome:
    """The container has a mount at `destination` of this type / volume / read-only-ness.
    Read-only is judged by `RW`, never by `Mode` (`--mount ...,readonly` gives Mode "z")."""
    want = ["" if anonymous or volume else type or "", f"volume {short(volume)}" if volume else "",
            "an anonymous volume" if anonymous else "",
            "read-only" if read_only else ("writable" if read_only is False else ""),
            f"subpath {subpath}" if subpath else ""]
    claim = f"{container} mounts {' '.join(w for w in want if w) or 'something'} at {destination}"
    c = ctx.container(container)
    if c is None:
        return _missing_container(container, claim)
    mounts = c.attrs.get("Mounts") or []
    found = next((m for m in mounts if m.get("Destination") == destination), None)
    expected = " ".join(w for w in want if w) + f" at {destination}"
    if found is None:
        others = "; ".join(describe_mount(m) for m in mounts) or "no mounts at all"
        return Outcome(False, claim, expected=expected, found=f"{container} has no mount at {destination} ({others})",
                       hint="Mounts are fixed when a container is created: remove it and run it again with the mount.")
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
        return Outcome(False, claim, expected=expected, found=seen,
                       hint="Add `:ro` to -v, or `,readonly` to --mount, and create the container again.")
    if subpath is not None:
        specs = c.attrs.get("HostConfig", {}).get("Mounts") or []
        spec = next((s for s in specs if s.get("Target") == destination), {})
        got = (spec.get("VolumeOptions") or {}).get("Subpath")
        if got != subpath:
            return Outcome(False, claim, expected=expected,
                           found=f"{seen} with {'subpath ' + got if got else 'no subpath (the whole volume)'}",
                           hint="Use --mount ...,volume-subpath=DIR (Engine and CLI 26 or newer).")
    return Outcome(True, claim, found=seen)


# ---- inside a container ----------------------------------------------------------------


def _as_argv(command: str | list[str]) -> list[str]:
    return list(command) if isinstance(command, list) else ["sh", "-c", command]


@check("exec", container=Field(str, True), command=Field((str, list), True), contains=Field(str),
       not_contains=Field(str), exit_code=Field(int), user=Field(str))
def exec_(ctx: Context, container: str, command: str | list[str], contains: str | None = None,
          not_contains: str | None = None, exit_code: int | None = None, user: str | None = None) -> Outcome:
    """Run a command in a running container (through the API, no `docker` process) and
    judge its output and exit code."""
    shown = command if isinstance(command, str) else shlex.join(command)
    parts = [f"contains {contains!r}" if contains else "", f"lacks {not_contains!r}" if not_contains else "",
             f"exits {exit_code}" if exit_code is not None else ""]
    claim = f"`{shown}` in {container} " + (", ".join(p for p in parts if p) or "succeeds")
    c = ctx.container(container)
    if c is None:
        return _missing_container(container, claim)
    if c.status != "running":
        return Outcome(False, claim, expected=f"{container} running", found=f"{container} is {c.status}",
                       hint=f"Start it (`docker start {container}`) or see why it stopped: `docker logs {container}`.")
    from docker.errors import APIError

    try:
        code, out = c.exec_run(_as_argv(command), user=user or "")
    except APIError as err:
        return Outcome(False, claim, expected="the command to run", found=str(err.explanation or err))
    text = (out or b"").decode("utf-8", "replace").strip()
    tail = text if len(text) <= 300 else "…" + text[-300:]
    found = f"exit code {code}, output: {tail or '(none)'}"
    ok = ((contains is None or contains in text) and (not_contains is None or not_contains not in text)
          and (exit_code is None or code == exit_code)
          and (exit_code is not None or contains is not None or not_contains is not None or code == 0))
    return Outcome(ok, claim, expected=", ".join(p for p in parts if p) or "exit code 0", found=found)


@check("container_env", container=Field(str, True), variable=Field(str, True), present=Field(bool))
def container_env(ctx: Context, container: str, variable: str, present: bool = True) -> Outcome:
    """The container's configuration (`docker inspect`, Config.Env) has (or lacks) this
    variable. The value is never shown: it may be a password."""
    claim = f"{variable} is {'' if present else 'not '}in {container}'s configuration (docker inspect)"
    c = ctx.container(container)
    if c is None:
        return _missing_container(container, claim)
    env = dict(e.partition("=")[::2] for e in (c.attrs.get("Config") or {}).get("Env") or [])
    if variable in env:
        found = (f"Config.Env sets {variable} (a {len(env[variable])}-character value that anyone who can run "
                 "`docker inspect` reads)")
    else:
        found = f"Config.Env has no {variable}"
    return Outcome((variable in env) == present, claim, expected="set" if present else "not set", found=found)


# ---- inside a volume (read through a helper container that is never started) ------------


def _volume_trouble(err: Exception, volume: str, path: str, claim: str) -> Outcome:
    from tutor.core import volumefiles

    if isinstance(err, volumefiles.NoVolume):
        return Outcome(False, claim, expected=f"a volume named {short(volume)}", found="no such volume",
                       hint="Run the step's commands that create and fill it.")
    if isinstance(err, volumefiles.NoPath):
        return Outcome(False, claim, expected=f"{path or 'the root'} in volume {short(volume)}",
                       found=f"nothing at {path} in {short(volume)}" if path else str(err))
    return Outcome(False, claim, expected=f"to read volume {short(volume)}", found=str(err))


@check("volume_file", volume=Field(str, True), path=Field(str, True), contains=Field(str), not_contains=Field(str))
def volume_file(ctx: Context, volume: str, path: str, contains: str | None = None,
                not_contains: str | None = None) -> Outcome:
    """A file exists at `path` inside the volume (whatever container wrote it), and
    its text contains / lacks this. Read through the engine, no container of the lesson."""
    from docker.errors import APIError

    from tutor.core import volumefiles

    parts = [f"contains {contains!r}" if contains else "", f"lacks {not_contains!r}" if not_contains else ""]
    claim = f"volume {short(volume)} has {path}" + "".join(f", which {p}" for p in parts if p)
    try:
        text = volumefiles.read_text(ctx.client, volume, path)
    except (volumefiles.NoVolume, volumefiles.NoPath, volumefiles.NoImage, APIError) as err:
        return _volume_trouble(err, volume, path, claim)
    shown = text.strip()
    shown = (shown if len(shown) <= 200 else shown[:200] + "…") or "(empty)"
    ok = (contains is None or contains in text) and (not_contains is None or not_contains not in text)
    return Outcome(ok, claim, expected=", ".join(p for p in parts if p) or "the file", found=f"{path}: {shown}")


@check("volume_files", volume=Field(str, True), path=Field(str), include=Field(list), exclude=Field(list),
       empty=Field(bool))
def volume_files(ctx: Context, volume: str, path: str = "", include: list | None = None,
                 exclude: list | None = None, empty: bool | None = None) -> Outcome:
    """The names directly inside a directory of the volume (its root by default):
    these are there, those are not, or it is (not) empty."""
    from docker.errors import APIError

    from tutor.core import volumefiles

    where = f"{short(volume)}:{path or '/'}"
    parts = ([f"has {', '.join(map(str, include))}"] if include else []) + (
        [f"lacks {', '.join(map(str, exclude))}"] if exclude else []) + (
        ["is empty" if empty else "is not empty"] if empty is not None else [])
    claim = f"volume {where} " + ("; ".join(parts) or "exists")
    try:
        names = volumefiles.listing(ctx.client, volume, path)
    except (volumefiles.NoVolume, volumefiles.NoPath, volumefiles.NoImage, APIError) as err:
        return _volume_trouble(err, volume, path, claim)
    found = f"{where} holds " + (", ".join(names) if names else "nothing")
    ok = (all(str(n) in names for n in include or []) and not any(str(n) in names for n in exclude or [])
          and (empty is None or (not names) == empty))
    return Outcome(ok, claim, expected="; ".join(parts), found=found)


@check("volumes_equal", volume=Field(str, True), other=Field(str, True))
def volumes_equal(ctx: Context, volume: str, other: str) -> Outcome:
    """Two volumes hold the same tree: the same paths, kinds, modes, owners and bytes."""
    from docker.errors import APIError

    from tutor.core import volumefiles

    claim = f"volumes {short(volume)} and {short(other)} hold the same files"
    trees = []
    for name in (volume, other):
        try:
            trees.append(volumefiles.entries(ctx.client, name))
        except (volumefiles.NoVolume, volumefiles.NoPath, volumefiles.NoImage, APIError) as err:
            return _volume_trouble(err, name, "", claim)
    diff = volumefiles.differences(*trees)
    files = sum(e.kind == "file" for e in trees[0].values())
    if diff:
        return Outcome(False, claim, expected="identical trees", found="; ".join(diff),
                       hint="Restore into an empty volume, and archive the volume's root (`tar -C /source .`).")
    return Outcome(True, claim, found=f"{len(trees[0])} entries ({files} files) identical in both")


# ---- what happened (the engine's events since the lesson began) -----------------------


def _no_history(ctx: Context) -> str:
    return ("since the lesson began" if ctx.since else "in the engine's recent events") + (
        " (the engine keeps only recent events, none across a restart)")


@check("volume_removed", shorthand="name", name=Field(str, True))
def volume_removed(ctx: Context, name: str) -> Outcome:
    """The engine's events show the volume removed since the lesson began: an outcome
    that leaves no trace in the end state (created, then removed)."""
    from tutor.core import history

    claim = f"volume {short(name)} was removed"
    gone = [e for e in history.volume_events(ctx.client, ctx.since) if e.action == "destroy" and e.actor == name]
    if gone:
        now = " and is still gone" if ctx.volume(name) is None else ", and a volume of that name exists again"
        return Outcome(True, claim, found=f"the engine removed it at {gone[-1].clock}{now}")
    if ctx.volume(name) is not None:
        return Outcome(False, claim, expected=f"{short(name)} removed", found="it still exists",
                       hint=f"Remove it: `docker volume rm {name}`.")
    return Outcome(False, claim, expected=f"the removal of {short(name)}",
                   found=f"no removal of {short(name)} {_no_history(ctx)}",
                   hint="Create it and remove it again (the step's commands).")


@check("volume_prune", removed=Field(list), kept=Field(list), min_reclaimed=Field(int))
def volume_prune(ctx: Context, removed: list | None = None, kept: list | None = None,
                 min_reclaimed: int | None = None) -> Outcome:
    """A `docker volume prune` ran since the lesson began that removed these volumes,
    kept these (they existed when it ran and it did not remove them), and freed at least
    this many bytes. Judged from the engine's events, so it still holds later."""
    from tutor.core import history

    removed, kept = [str(n) for n in removed or []], [str(n) for n in kept or []]
    parts = ([f"removed {', '.join(removed)}"] if removed else []) + (
        [f"kept {', '.join(kept)}"] if kept else []) + (
        [f"freed at least {history.human_bytes(min_reclaimed)}"] if min_reclaimed else [])
    claim = "a volume prune " + (", ".join(parts) if parts else "ran")
    events = history.volume_events(ctx.client, ctx.since)
    prunes = [e for e in events if e.action == "prune"]
    if not prunes:
        return Outcome(False, claim, expected="a `docker volume prune`", found=f"no volume prune {_no_history(ctx)}",
                       hint="Run the step's prune command and answer y at its prompt.")
    seen = ""
    for prune in reversed(prunes):
        took = history.removed_by(events, prune)
        freed = int(prune.attrs.get("reclaimed") or 0)
        seen = (f"the prune at {prune.clock} removed {', '.join(sorted(map(short, took))) or 'nothing'} "
                f"and freed {history.human_bytes(freed)}")
        if (all(n in took for n in removed) and all(n not in took and history.existed_at(events, n, prune)
                                                    for n in kept) and freed >= (min_reclaimed or 0)):
            return Outcome(True, claim, found=seen)
    from tutor.core.engine import parse_version

    rule = ("takes only unused anonymous volumes without --all" if parse_version(ctx.engine.api_version) >= (1, 42)
            else "takes every unused volume, named ones too")
    return Outcome(False, claim, expected=", ".join(parts), found=seen,
                   hint=f"This client speaks API {ctx.engine.api_version}: a prune {rule}; --all (-a) takes "
                        "named ones too.")


@check("volume_of_removed_container", container=Field(str, True), destination=Field(str, True),
       exists=Field(bool, True))
def volume_of_removed_container(ctx: Context, container: str, destination: str, exists: bool) -> Outcome:
    """The volume that a since-removed container of this name had at `destination`
    still exists (`exists: true`) or is gone (`exists: false`): what `docker rm`,
    `docker rm -v` and `--rm` do to a container's volumes."""
    from tutor.core import facts

    claim = f"the volume that the removed {container} had at {destination} " + (
        "still exists" if exists else "was removed with it")
    name, how = facts.evaluate("removed_container_volume", {"container": container, "destination": destination},
                               ctx, ctx.since)
    if name is None:
        return Outcome(False, claim, expected=f"a removed container {container} with a volume at {destination}",
                       found=how, hint=f"Run the step's commands: create {container}, then remove it.")
    there = ctx.volume(name) is not None
    found = f"its volume {short(name)} " + ("still exists" if there else "is gone")
    hint = ("" if there == exists else "`docker rm` keeps a container's volumes; `docker rm -v` and `--rm` remove "
            "its anonymous ones (never named ones).")
    return Outcome(there == exists, claim, expected="it exists" if exists else "it is gone", found=found, hint=hint)
