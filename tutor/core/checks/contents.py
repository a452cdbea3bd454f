"""Checks on what is inside: a command's output in a container, a MySQL query run with
the password the container was given, a container's configuration, a volume's files."""

from __future__ import annotations

import hashlib
import re
import shlex

from tutor.core.checks.base import Context, check, missing_container
from tutor.core.checks.containers import logs_tail
from tutor.core.engine import volumefiles
from tutor.core.engine.describe import short
from tutor.core.engine.port import Container, Port, Refused
from tutor.core.outcome import Outcome


def _as_argv(command: str | list[str]) -> list[str]:
    return list(command) if isinstance(command, list) else ["sh", "-c", command]


def _not_running(ctx: Context, c, name: str, claim: str) -> Outcome:
    """A container that is not running cannot answer, and waiting will not change that."""
    restarting = (c.attrs.get("State") or {}).get("Restarting")
    state = "restarting over and over" if restarting else c.status
    return Outcome(
        False,
        claim,
        expected=f"{name} running",
        found=f"{name} is {state}" + logs_tail(ctx.port, c),
        hint=f"Its log says why (`docker logs {name}`); fix that, then run it again.",
    )


def _stopped_under(ctx: Context, name: str, claim: str) -> Outcome:
    """A container that stopped (or went) under a check, looked up again: the checks after
    this one see it so too (Context.fresh)."""
    now = ctx.fresh(name)
    return _not_running(ctx, now, name, claim) if now else missing_container(name, claim)


def _running(ctx: Context, name: str, claim: str):
    """(the running container, None), or (None, the outcome that says why it cannot answer)."""
    c = ctx.container(name)
    if c is None:
        return None, missing_container(name, claim)
    if c.status != "running":
        return None, _not_running(ctx, c, name, claim)
    return c, None


def _wants(contains: str | None, not_contains: str | None) -> list[str]:
    """How a check says the text it wants (exec, mysql, volume_file): contains, lacks."""
    return [f"contains {contains!r}" if contains else "", f"lacks {not_contains!r}" if not_contains else ""]


def _holds(found, contains: str | None, not_contains: str | None) -> bool:
    """The text (or the set of those two found in it) contains and lacks what is asked."""
    return (contains is None or contains in found) and (not_contains is None or not_contains not in found)


@check("exec")
def exec_(
    ctx: Context,
    container: str,
    command: str | list[str],
    contains: str | None = None,
    not_contains: str | None = None,
    exit_code: int | None = None,
    user: str | None = None,
    same_as: dict | None = None,
) -> Outcome:
    """Run a command in a running container (through the API, no `docker` process) and
    judge its output and exit code; `same_as: {volume, path}`: its output is that file of
    the volume, byte for byte (whatever text the learner wrote in it); `same_as: {image,
    path}`: that file of the image."""
    shown = command if isinstance(command, str) else shlex.join(command)
    source = same_as or {}
    file = (
        f"{source.get('path', '')} of image {source['image']}"
        if "image" in source
        else f"{source.get('path', '')} of volume {short(str(source.get('volume', '')))}"
    )
    parts = [
        *_wants(contains, not_contains),
        f"exits {exit_code}" if exit_code is not None else "",
        f"prints {file}" if same_as else "",
    ]
    claim = f"`{shown}` in {container} " + (", ".join(p for p in parts if p) or "succeeds")
    c, trouble = _running(ctx, container, claim)
    if trouble:
        return trouble

    try:
        code, out = ctx.port.exec(c.id, _as_argv(command), user=user or "")
    except Refused as err:
        return Outcome(False, claim, expected="the command to run", found=str(err.explanation or err))
    finally:
        ctx.touched(container)
    text = (out or b"").decode("utf-8", "replace").strip()
    tail = text if len(text) <= 300 else "…" + text[-300:]
    found = f"exit code {code}, output: {tail or '(none)'}"
    same = True
    if same_as:
        path = str(source.get("path", ""))
        try:
            if "image" in source:
                want = volumefiles.image_entries(ctx.port, str(source["image"]), path)
            else:
                want = volumefiles.entries(ctx.port, str(source.get("volume", "")), path)
        except volumefiles.NoPath as err:
            return Outcome(False, claim, expected=f"{file} to exist", found=str(err))
        except (volumefiles.NoVolume, volumefiles.NoImage, Refused) as err:
            return _volume_trouble(err, str(source.get("volume", "")), path, claim)
        if want.get(".") is None or want["."].kind != "file":
            return Outcome(False, claim, expected=f"{file} to be a file", found=f"{file} is a folder")
        same = want["."].digest == hashlib.sha256(out or b"").hexdigest()
        found += "" if same else f" (not {file})"
    ok = (
        same
        and _holds(text, contains, not_contains)
        and (exit_code is None or code == exit_code)
        and (exit_code is not None or contains is not None or not_contains is not None or code == 0)
    )
    return Outcome(ok, claim, expected=", ".join(p for p in parts if p) or "exit code 0", found=found, retry=not ok)


# ---- MySQL, logged in with the password the container was given ---------------------------

NOT_READY = (
    "Can't connect",
    "(111)",
    "(115)",
    "ERROR 2002",
    "ERROR 2003",
    "Lost connection",
    "server has gone away",
    "No such file or directory",
)


def _env(c) -> dict[str, str]:
    return dict(e.partition("=")[::2] for e in (c.attrs.get("Config") or {}).get("Env") or [])


def given_password(port: Port, c: Container) -> str | None:
    """The root password this container was given: MYSQL_ROOT_PASSWORD, the file named
    by MYSQL_ROOT_PASSWORD_FILE (read inside it, as the image does), empty with
    MYSQL_ALLOW_EMPTY_PASSWORD, the one its log printed with MYSQL_RANDOM_ROOT_PASSWORD;
    None when it was given none."""
    env = _env(c)
    if "MYSQL_ROOT_PASSWORD" in env:
        return env["MYSQL_ROOT_PASSWORD"]
    if env.get("MYSQL_ROOT_PASSWORD_FILE") and c.status == "running":
        code, out = port.exec(c.id, ["cat", env["MYSQL_ROOT_PASSWORD_FILE"]])
        if code == 0:
            return out.decode("utf-8", "replace").rstrip("\n")
    if env.get("MYSQL_ALLOW_EMPTY_PASSWORD"):
        return ""
    if env.get("MYSQL_RANDOM_ROOT_PASSWORD"):  # the image prints it once, at initialisation
        logs = port.logs(c.id).decode("utf-8", "replace")
        found = re.findall(r"GENERATED ROOT PASSWORD: (\S+)", logs)
        if found:
            return found[-1]
    return None


def _passwords(ctx: Context, c) -> list[str]:
    """The container's own password; for one given none (a server started on a data
    directory made earlier), the passwords the lesson's other containers were given."""
    own = given_password(ctx.port, c)
    if own is not None:
        return [own]
    others: list[str] = []
    for res in ctx.roles.resolved.values() if ctx.roles else []:
        if res.role.kind != "container" or res.how not in ("name", "match") or res.thing_id == c.id:
            continue
        other = ctx.container(res.thing_id)
        pw = given_password(ctx.port, other) if other is not None else None
        if pw is not None and pw not in others:
            others.append(pw)
    return others


@check("mysql", shorthand="container")
def mysql(
    ctx: Context,
    container: str,
    query: str | None = None,  # none: `mysqladmin ping` over TCP
    contains: str | None = None,  # the query's output holds this
    not_contains: str | None = None,  # the query's output lacks this
    error: str | None = None,  # the query fails with this error (e.g. `1049`)
) -> Outcome:
    """MySQL in the container answers, as each given field says. It logs in as root with
    the password the container was given; no check names one."""
    parts = [
        *_wants(contains, not_contains),
        f"fails with ERROR {error}" if error else "",
    ]
    claim = (
        f"MySQL in {container} answers"
        if query is None
        else f"`{query}` in {container}'s MySQL " + (", ".join(p for p in parts if p) or "succeeds")
    )
    c, trouble = _running(ctx, container, claim)
    if trouble:
        return trouble

    try:
        candidates = _passwords(ctx, c)
    except Refused:
        return _stopped_under(ctx, container, claim)
    if not candidates:
        return Outcome(
            False,
            claim,
            expected="a root password to log in with",
            found=f"{container} was given none (no MYSQL_ROOT_PASSWORD, MYSQL_ROOT_PASSWORD_FILE or "
            "MYSQL_ALLOW_EMPTY_PASSWORD), and no other container of the lesson was",
            hint="Give it one with -e MYSQL_ROOT_PASSWORD=..., as the step does.",
        )
    argv = (
        ["mysqladmin", "ping", "-h127.0.0.1", "--protocol=tcp", "-uroot"]
        if query is None
        else ["mysql", "-h127.0.0.1", "--protocol=tcp", "-uroot", "-N", "-e", query]
    )
    for password in candidates:
        ctx.hide(password)

    def ask() -> tuple[int, str]:
        code, text = 1, ""
        for password in candidates:
            code, out = ctx.port.exec(c.id, argv, environment={"MYSQL_PWD": password})
            text = (out or b"").decode("utf-8", "replace").strip()
            if "Access denied" not in text:
                break
        return code, text

    try:  # asked once for a whole lesson's checks: data-loss asks the same of one server in three steps
        code, text = ctx.kept(("mysql", c.id, tuple(argv)), ask)
    except Refused:  # it stopped (or restarts) under the check
        return _stopped_under(ctx, container, claim)
    finally:
        if query:  # a query can stop it (SHUTDOWN): the next check looks again
            ctx.touched(container)
    errors = [line for line in text.splitlines() if line.startswith("ERROR")]
    text = " ".join(errors) if errors else " ".join(text.split())
    tail = text if len(text) <= 300 else "…" + text[-300:]
    if "Access denied" in text:
        own = given_password(ctx.port, c) is not None
        return Outcome(
            False,
            claim,
            expected="MySQL to accept the root password",
            found=f"MySQL in {container} refuses the password "
            + ("it was given" if own else "of the lesson's other containers")
            + f": {tail}",
            hint="The data directory was initialised earlier with another password, and the image "
            "ignores every MYSQL_* variable on an initialised data directory: use the first password.",
        )
    if any(sign in text for sign in NOT_READY):
        starting = "" if c.status == "running" else logs_tail(ctx.port, c)
        return Outcome(
            False,
            claim,
            expected="MySQL answering over TCP",
            found=f"MySQL in {container} does not answer yet{starting}",
            retry=True,
            hint="It initialises its data directory on the first start; that takes a while.",
        )
    if query is None:
        return Outcome(code == 0 and "alive" in text, claim, expected="mysqld is alive", found=tail or "(no output)")
    if error is not None:
        ok = f"ERROR {error}" in text
        return Outcome(ok, claim, expected=f"ERROR {error}", found=tail or "(no output)")
    if code != 0:
        return Outcome(
            False,
            claim,
            expected=", ".join(p for p in parts if p) or "the query to succeed",
            found=tail,
            hint="Check the step's SQL: the database and table names.",
        )
    ok = _holds(text, contains, not_contains)
    return Outcome(ok, claim, expected=", ".join(p for p in parts if p), found=tail or "(no rows)")


# ---- inside a volume (read through a helper container that is never started) ------------


def _volume_trouble(err: Exception, volume: str, path: str, claim: str) -> Outcome:
    if isinstance(err, volumefiles.NoVolume):
        return Outcome(
            False,
            claim,
            expected=f"a volume named {short(volume)}",
            found="no such volume",
            hint="Run the step's commands that create and fill it.",
        )
    if isinstance(err, volumefiles.NoPath):
        return Outcome(
            False,
            claim,
            expected=f"{path or 'the root'} in volume {short(volume)}",
            found=f"nothing at {path} in {short(volume)}" if path else str(err),
        )
    return Outcome(False, claim, expected=f"to read volume {short(volume)}", found=str(err))


@check("volume_file")
def volume_file(
    ctx: Context,
    volume: str,
    path: str,  # relative to the volume's root
    contains: str | None = None,  # its text holds this
    not_contains: str | None = None,  # its text lacks this
    text: bool | None = None,  # it is text, no binary (a dump, not an archive of files)
    matches: list | None = None,  # regular expressions its text matches, each somewhere
) -> Outcome:
    """A file exists at `path` inside the volume, whatever container wrote it, as each
    given field says. Read through the engine, no container of the lesson."""

    patterns = [str(m) for m in matches or []]
    parts = [
        "is text" if text else "",
        *_wants(contains, not_contains),
        *(f"matches /{m}/" for m in patterns),
    ]
    claim = f"volume {short(volume)} has {path}" + "".join(f", which {p}" for p in parts if p)
    expected = ", ".join(p for p in parts if p) or "the file"
    try:
        if text or patterns:
            body = volumefiles.text(ctx.port, volume, path)
            if body is None:
                return Outcome(False, claim, expected=expected, found=f"{path} is not text (binary, or an archive)")
            head = body[:201]
            found = {n for n in (contains, not_contains) if n is not None and n in body}
            missed = [m for m in patterns if not re.search(m, body, re.MULTILINE)]
        else:
            needles = [n for n in (contains, not_contains) if n is not None]
            head, found = volumefiles.search(ctx.port, volume, path, needles, shown=201)  # 201: to know "…"
            missed = []
    except (volumefiles.NoVolume, volumefiles.NoPath, volumefiles.NoImage, Refused) as err:
        return _volume_trouble(err, volume, path, claim)
    shown = head.strip()
    shown = (shown if len(shown) <= 200 else shown[:200] + "…") or "(empty)"
    ok = _holds(found, contains, not_contains) and not missed
    lacking = f" (nothing matches /{missed[0]}/)" if missed else ""
    return Outcome(ok, claim, expected=expected, found=f"{path}: {shown}{lacking}")


@check("volume_archive")
def volume_archive(
    ctx: Context, volume: str, path: str = "", holds: str | None = None, members: list | None = None
) -> Outcome:
    """A tar archive in the volume (the file at `path`, else any file at its root, whatever
    its name) holds every file of the volume `holds`, by its path from that volume's root,
    and these `members` (a folder: anything under it)."""

    what = [f"every file of {short(holds)}" if holds else "", ", ".join(map(str, members or []))]
    claim = f"volume {short(volume)} has a tar archive" + (
        " holding " + " and ".join(w for w in what if w) if any(what) else ""
    )
    try:
        wanted = {str(m).strip("/") for m in members or []}
        if holds:
            wanted |= {p for p, e in volumefiles.entries(ctx.port, holds).items() if e.kind == "file"}
        if path:
            held = volumefiles.archived(ctx.port, volume, [path], wanted)
        else:  # every file at its root, read once for all of a step's (a lesson's) checks
            root, large = ctx.kept(("root archives", volume), lambda: volumefiles.root_archives(ctx.port, volume))
            held = {n: None if p is None else volumefiles.found_in(p, wanted) for n, p in root.items()}
            held |= volumefiles.archived(ctx.port, volume, large, wanted) if large else {}
    except (volumefiles.NoVolume, volumefiles.NoPath, volumefiles.NoImage, Refused) as err:
        return _volume_trouble(err, volume, path, claim)
    tars = {n: h for n, h in held.items() if h is not None}
    full = next((n for n, h in tars.items() if h == wanted), None)
    if full is not None:
        return Outcome(True, claim, found=f"{full} is a tar archive holding {len(wanted)} such paths")
    if not tars:
        there = ", ".join(held) or "nothing"
        return Outcome(False, claim, expected="a tar archive", found=f"{short(volume)} holds {there}, no tar archive")
    best = max(tars, key=lambda n: len(tars[n] or ()))
    lacks = sorted(wanted - (tars[best] or set()))
    return Outcome(
        False,
        claim,
        expected=f"an archive holding {', '.join(sorted(wanted)[:4])}" + (" …" if len(wanted) > 4 else ""),
        found=f"{best} lacks {', '.join(lacks[:4])}" + (" …" if len(lacks) > 4 else ""),
        hint="Archive the volume's root with paths relative to it: `tar -cf /backup/NAME.tar -C /source .`.",
    )


@check("volume_files")
def volume_files(
    ctx: Context,
    volume: str,
    path: str = "",
    include: list | None = None,
    exclude: list | None = None,
    empty: bool | None = None,
    at_least: int | None = None,
) -> Outcome:
    """The names directly inside a directory of the volume (its root by default):
    these are there, those are not, it is (not) empty, or it holds at least so many."""

    where = f"{short(volume)}:{path or '/'}"
    parts = (
        ([f"has {', '.join(map(str, include))}"] if include else [])
        + ([f"lacks {', '.join(map(str, exclude))}"] if exclude else [])
        + (["is empty" if empty else "is not empty"] if empty is not None else [])
        + ([f"holds at least {at_least}"] if at_least is not None else [])
    )
    claim = f"volume {where} " + ("; ".join(parts) or "exists")
    try:
        if (include or exclude) and empty is None and at_least is None:  # asked name by name: no file is read
            here = volumefiles.present(ctx.port, volume, path, [str(n) for n in (include or []) + (exclude or [])])
            if all(here[str(n)] for n in include or []) and not any(here[str(n)] for n in exclude or []):
                return Outcome(True, claim, expected="; ".join(parts), found=f"{where} " + "; ".join(parts))
        names = volumefiles.listing(ctx.port, volume, path)  # to say what is there instead
    except (volumefiles.NoVolume, volumefiles.NoPath, volumefiles.NoImage, Refused) as err:
        return _volume_trouble(err, volume, path, claim)
    found = f"{where} holds " + (", ".join(names) if names else "nothing")
    ok = (
        all(str(n) in names for n in include or [])
        and not any(str(n) in names for n in exclude or [])
        and (empty is None or (not names) == empty)
        and (at_least is None or len(names) >= at_least)
    )
    return Outcome(ok, claim, expected="; ".join(parts), found=found)


@check("volume_seen")
def volume_seen(ctx: Context, container: str, at: str, volume: str, path: str = "") -> Outcome:
    """The container mounts the volume at `at` (or above it), the volume (its folder `path`,
    its root by default) holds at least one file, and the container reads every one of them
    below `at`, byte for byte: one file in two places, whatever text the learner wrote; a
    copy of the same bytes does not count."""
    import tarfile

    where = f"{short(volume)}:{path.strip('/')}" if path.strip("/") else short(volume)
    claim = f"{container} reads volume {where}'s files at {at}"
    try:
        files = {p: e for p, e in volumefiles.entries(ctx.port, volume, path).items() if e.kind == "file"}
    except (volumefiles.NoVolume, volumefiles.NoPath, volumefiles.NoImage, Refused) as err:
        return _volume_trouble(err, volume, path, claim)
    if not files:
        return Outcome(
            False,
            claim,
            expected=f"a file in volume {where}",
            found=f"{where} holds no file yet",
            hint="Write a file into it through a container, as the step does.",
        )
    c = ctx.container(container)
    if c is None:
        return missing_container(container, claim)
    at = at.rstrip("/") or "/"
    names = {volume, short(volume)}
    if not any(
        m.get("Type") == "volume"
        and m.get("Name") in names
        and (at == m.get("Destination") or at.startswith(str(m.get("Destination", "")).rstrip("/") + "/"))
        for m in c.attrs.get("Mounts") or []
    ):
        return Outcome(
            False,
            claim,
            expected=f"volume {short(volume)} mounted at {at} in {container}",
            found=f"{container} does not mount {short(volume)} there",
            hint=f"Mount {short(volume)} at {at} in {container}, as the step does.",
        )
    try:
        seen = volumefiles.container_entries(ctx.port, c.id, at)
    except volumefiles.NoPath:
        seen = {}
    except (Refused, tarfile.TarError) as err:
        return Outcome(False, claim, expected=f"to read {at} in {container}", found=f"not readable: {err}")
    at = at.rstrip("/")
    missing = [p for p in sorted(files) if p not in seen]
    other = [p for p in sorted(files) if p in seen and seen[p].digest != files[p].digest]
    named = ", ".join(f"{at}/{p}" for p in sorted(files)[:3]) + (" …" if len(files) > 3 else "")
    if missing or other:
        found = "; ".join([f"no {at}/{p}" for p in missing[:3]] + [f"{at}/{p} differs" for p in other[:3]])
        return Outcome(
            False,
            claim,
            expected=f"{named} as the volume holds them",
            found=f"in {container}: {found}",
            hint=f"Mount {short(volume)} at {at} in {container}.",
        )
    return Outcome(True, claim, expected=named, found=f"{container} reads {named}, the same bytes as the volume")


@check("volumes_equal")
def volumes_equal(ctx: Context, volume: str, other: str) -> Outcome:
    """Two volumes hold the same tree: the same paths, kinds, modes, owners and bytes."""

    claim = f"volumes {short(volume)} and {short(other)} hold the same files"
    trees = []
    for name in (volume, other):
        try:
            trees.append(volumefiles.entries(ctx.port, name))
        except (volumefiles.NoVolume, volumefiles.NoPath, volumefiles.NoImage, Refused) as err:
            return _volume_trouble(err, name, "", claim)
    diff = volumefiles.differences(*trees)
    files = sum(e.kind == "file" for e in trees[0].values())
    if diff:
        return Outcome(
            False,
            claim,
            expected="identical trees",
            found="; ".join(diff),
            hint="Restore into an empty volume, and archive the volume's root (`tar -C /source .`).",
        )
    return Outcome(True, claim, found=f"{len(trees[0])} entries ({files} files) identical in both")
