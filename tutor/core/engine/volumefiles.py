"""Reading what is inside a volume, through the engine alone.

A volume's files live on the engine's host (or inside Docker Desktop's VM), so docklab
reads them the way `docker cp` does, from a container that mounts the volume: the engine
hands over a tar archive, for a stopped container too. Where a container already mounts
the whole volume and a read through it changes nothing (`_mounting` says when), that one is
read: nothing is made, no copy-up, no state. Otherwise a helper
container is created (never started) from an image already present, with the volume
mounted read-only, `nocopy`, at a path no image has, and removed at once, whatever
happens; it carries the label `org.docklab.probe` and a name no lesson declares, so
ownership never counts it as a lesson's. Within `shared()` (the checks of one step), the
reads of one volume share one helper, removed when the block ends or `release()` is
called (before a wait); outside it, each read makes its own. Either way nothing docklab
holds outlives a step's checks, so a learner's `docker volume rm` never finds the volume
in use by docklab once they are done. Fewer helpers are fewer of the engine's events
(five a helper), of which it keeps only the last 256: the learner's history.

The archive is read as a stream, and only as far as the question needs: a search stops at
its needle, and whether names are there is asked name by name (the engine's stat of each,
no contents), so a volume holding a 100 MB backup archive is not sent whole to answer it.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass

from tutor.core.engine.events import HELPER_NAME, PROBE_LABEL
from tutor.core.engine.port import NotFound, Refused

MOUNT_AT = "/.docklab-probe"
PREFERRED_IMAGE = "docklab/busybox:stand-in"


class NoVolume(Exception):
    """The volume does not exist (mounting it would create it, so we never try)."""


class NoPath(Exception):
    """Nothing at that path inside the volume."""


class NoImage(Exception):
    """The engine has no image at all to create the helper from."""


@dataclass(frozen=True)
class Entry:
    """One file, directory or link in a volume, as a tar archive describes it."""

    path: str  # relative to the volume root ("." for the root itself)
    kind: str  # file, dir, link, other
    mode: int
    uid: int
    gid: int
    size: int
    digest: str  # sha256 of a file's bytes, a link's target, else ""


def _probe_image(port) -> str:
    if port.image_id(PREFERRED_IMAGE):
        return PREFERRED_IMAGE
    images = [i for i in port.images() if i.tags]
    if not images:
        raise NoImage("the engine has no image to read a volume with (`docklab images build`)")
    return min(images, key=lambda i: i.size).tags[0]


class _Chunks(io.RawIOBase):
    """The engine's archive as a readable byte stream, so tarfile reads it as it arrives
    and a reader that has what it wants can stop without the rest crossing the socket."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks, self._rest = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._rest:
            self._rest = next(self._chunks, b"")
            if not self._rest:
                return 0
        n = min(len(buffer), len(self._rest))
        buffer[:n], self._rest = self._rest[:n], self._rest[n:]
        return n


READABLE = ("exited", "running", "paused")  # states whose archive the engine reads, stopped ones first
NEVER_STARTED = "0001-01-01T00:00:00Z"


def _mounting(port, volume: str) -> tuple[str, str] | None:
    """A container whose archive shows the whole volume and changes nothing, and where it
    mounts it. A read sets up all of a container's mounts for a moment, so only one whose
    mounts are all local volumes (a bind's missing host folder would be made again), that
    has run before (a never-started one would get its mount points made in its own layer),
    with this volume whole (not a subpath, nor taken with --volumes-from, which can carry
    one) and nothing mounted inside it. Stopped ones first: the read holds the container's
    lock, which a running one's own `docker stop` or healthcheck would wait for."""
    listed = port.containers(volume=volume)
    for c in sorted(listed, key=lambda c: READABLE.index(c.state) if c.state in READABLE else 9):
        if c.state not in READABLE or PROBE_LABEL in c.labels:
            continue
        if any(m.type != "volume" or m.driver != "local" for m in c.mounts):
            continue
        at = next((posixpath.normpath(m.destination) for m in c.mounts if m.name == volume), None)
        if not at or any(posixpath.normpath(m.destination).startswith(at + "/") for m in c.mounts):
            continue
        # a subpath, --volumes-from and a first start show only in the container's own record
        try:
            found = port.container(c.id)
        except Refused:
            continue
        if found is None:
            continue
        record = found.attrs
        host = record.get("HostConfig") or {}
        subpath = any((m.get("VolumeOptions") or {}).get("Subpath") for m in host.get("Mounts") or [])
        if (
            subpath
            or host.get("VolumesFrom")
            or (record.get("State") or {}).get("StartedAt", NEVER_STARTED) == NEVER_STARTED
        ):
            continue
        return c.id, at
    return None


class _Reader:
    """Where a volume's files are read from: a container that already mounts it, else a
    helper made at the first read. A borrowed container removed meanwhile is replaced by a
    helper; `close` removes the helper, if one was made."""

    def __init__(self, port, volume: str):
        self.port, self.volume = port, volume
        self.box, self.root = _mounting(port, volume) or (None, MOUNT_AT)
        self.helper: str | None = None

    def get(self, path: str) -> Iterator[bytes]:
        """The archive stream of `path` in the volume."""
        if self.box is None:
            self._make_helper()
        target = f"{self.root.rstrip('/')}/{path.strip('/')}" if path.strip("/") else self.root.rstrip("/") + "/."
        try:
            return self.port.archive(self.box, target)
        except NotFound:
            if self.helper is None and not self._still_there():
                self.box, self.root = None, MOUNT_AT
                return self.get(path)
            raise NoPath(path) from None
        except Refused:
            if self.helper is not None:
                raise
            self.box, self.root = None, MOUNT_AT  # the borrowed one is being removed, say
            return self.get(path)

    def _still_there(self) -> bool:
        found = self.port.container(self.box)
        return found is not None and found.status not in ("removing", "dead")

    def _make_helper(self) -> None:
        """A created, never started, container with the volume mounted read-only."""
        if self.port.volume(self.volume) is None:
            raise NoVolume(self.volume)
        self.box = self.helper = self.port.create_probe(_probe_image(self.port), self.volume, MOUNT_AT)

    def close(self) -> None:
        if self.helper is not None:
            with suppress(NotFound):  # removed meanwhile (a learner's `docker container prune`): as wanted
                self.port.remove("container", self.helper)
            self.helper = None


LEFT_AFTER = 60.0  # seconds: a helper lives for a step's checks; one older was left behind


def sweep(port) -> list[str]:
    """Remove helpers a killed docklab left behind (a helper keeps its volume in use, and a
    learner's `docker volume rm` would fail for it): never started, labelled and named as
    docklab makes them, older than a step's checks take. Returns their names."""
    gone = []
    for c in port.containers(status=("created",)):
        if PROBE_LABEL in c.labels and c.name.startswith(HELPER_NAME) and c.created < time.time() - LEFT_AFTER:
            with suppress(NotFound):
                port.remove("container", c.id)
                gone.append(c.name)
    return gone


_SHARED: ContextVar[dict | None] = ContextVar("docklab_volume_readers", default=None)


@contextmanager
def shared() -> Iterator[None]:
    """Within it, the reads of one volume share one reader (a step's three looks into a
    volume make one helper, not three); every helper made is removed as it ends. Hold it
    for a step's checks, no longer: the helper keeps the volume in use meanwhile."""
    token = _SHARED.set({})
    try:
        yield
    except BaseException:
        with suppress(Exception):  # the error under way is the one to tell, not a removal's
            release()
        raise
    else:
        release()
    finally:
        _SHARED.reset(token)


def release() -> None:
    """Remove the helpers `shared()` holds now (before a wait, or once the checks proper are
    done); later reads make new ones. Each is removed even when removing another fails or
    is interrupted (that is raised after)."""
    readers, failed = _SHARED.get() or {}, []
    while readers:
        try:
            readers.popitem()[1].close()
        except BaseException as err:  # raised below, once the others are removed
            failed.append(err)
    if failed:
        raise failed[0]


@contextmanager
def _reader(port, volume: str) -> Iterator[_Reader]:
    readers = _SHARED.get()
    if readers is not None:  # kept for the block (the reader holds the port: its id stays unique)
        key = (id(port), volume)
        if key not in readers:
            readers[key] = _Reader(port, volume)
        yield readers[key]
        return
    reader = _Reader(port, volume)
    try:
        yield reader
    finally:
        reader.close()


@contextmanager
def _streamed(chunks) -> Iterator[tarfile.TarFile]:
    """The engine's archive stream as a tar read in stream mode, closed after."""
    try:
        with tarfile.open(fileobj=io.BufferedReader(_Chunks(chunks), 1 << 16), mode="r|") as tar:
            yield tar
    finally:
        chunks.close()  # a reader that stopped early drops the rest of the archive


@contextmanager
def _tar(port, volume: str, path: str = "") -> Iterator[tarfile.TarFile]:
    """`path` inside `volume` (the whole volume for "") as a tar read in stream mode."""
    with _reader(port, volume) as reader:
        chunks = reader.get(path)
        with _streamed(chunks) as tar:
            yield tar


def _relative(member: tarfile.TarInfo) -> str:
    """A member's path below the archived path ("." for that path itself): the engine names
    every member after the archived folder or file."""
    parts = member.name.split("/", 1)
    return parts[1].strip("/") if len(parts) > 1 and parts[1].strip("/") else "."


def entries(port, volume: str, path: str = "") -> dict[str, Entry]:
    """Every entry under `path` in the volume, keyed by its path relative to `path`."""
    with _tar(port, volume, path) as tar:
        return _entries(tar)


def container_entries(port, container: str, path: str) -> dict[str, Entry]:
    """Every entry under `path` as the container sees it, mounts included (as `docker cp`
    reads it), keyed by its path relative to `path`."""
    try:
        chunks = port.archive(container, path.rstrip("/") + "/.")
    except NotFound:
        raise NoPath(path) from None
    with _streamed(chunks) as tar:
        return _entries(tar)


def image_entries(port, image: str, path: str) -> dict[str, Entry]:
    """Every entry at `path` in the image ("." for `path` itself), as a new container from it sees it: read
    from a helper container created (never started) from the image, removed at once."""
    try:
        helper = port.create_probe(image)
    except NotFound:
        raise NoPath(f"no image {image}") from None
    try:
        with _streamed(port.archive(helper, path)) as tar:
            return _entries(tar)
    except NotFound:
        raise NoPath(f"nothing at {path} in image {image}") from None
    finally:
        port.remove("container", helper)


def _entries(tar: tarfile.TarFile) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for member in tar:
        rel = _relative(member)
        if member.isfile():
            digest = hashlib.file_digest(tar.extractfile(member), "sha256").hexdigest()  # type: ignore[arg-type]
            kind = "file"
        elif member.isdir():
            kind, digest = "dir", ""
        elif member.issym() or member.islnk():
            kind, digest = "link", member.linkname
        else:
            kind, digest = "other", ""
        out[rel] = Entry(rel, kind, member.mode, member.uid, member.gid, member.size, digest)
    return out


def search(port, volume: str, path: str, needles: list[str], shown: int = 200) -> tuple[str, set[str]]:
    """A file's first `shown` characters, and which of the needles occur in its bytes.
    Read as a stream that stops once every needle is found: a 100 MB backup archive that
    names `customer_data` early need not cross the socket whole."""
    wanted = {n: n.encode() for n in needles}
    found: set[str] = set()
    with _tar(port, volume, path) as tar:
        member = next(iter(tar), None)
        if member is None or not member.isfile():
            raise NoPath(f"{path} is not a file")
        stream = tar.extractfile(member)
        head, tail = b"", b""
        overlap = max((len(b) for b in wanted.values()), default=1) - 1
        while chunk := stream.read(1 << 16):  # type: ignore[union-attr]
            head = head or chunk[: shown * 4]
            window = tail + chunk
            found |= {n for n, b in wanted.items() if n not in found and b in window}
            if len(found) == len(wanted):
                break
            tail = window[-overlap:] if overlap else b""
    return head.decode("utf-8", "replace")[:shown], found


def text(port, volume: str, path: str, limit: int = 8 << 20) -> str | None:
    """The file's text, or None when it is not text (a NUL byte, or not UTF-8): read as a
    stream that stops at the first sign of binary, so a 100 MB archive saved under a
    `.sql` name is not sent whole; at most `limit` bytes are read."""
    with _tar(port, volume, path) as tar:
        member = next(iter(tar), None)
        if member is None or not member.isfile():
            raise NoPath(f"{path} is not a file")
        stream, data = tar.extractfile(member), bytearray()
        while len(data) < limit and (chunk := stream.read(1 << 16)):  # type: ignore[union-attr]
            if b"\0" in chunk:
                return None
            data += chunk
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def archived(port, volume: str, names: list[str], wanted: set[str]) -> dict[str, set[str] | None]:
    """For each file of the volume in `names`: which of the `wanted` paths it holds as a tar
    archive (a wanted folder is held when anything under it is), or None when it is not a
    tar. Each archive is read only until every wanted path has turned up."""
    out: dict[str, set[str] | None] = {}
    with _reader(port, volume) as reader:
        for name in names:
            chunks = reader.get(name)
            with _streamed(chunks) as outer:
                member = next(iter(outer), None)
                out[name] = _held(outer.extractfile(member), wanted) if member and member.isfile() else None
    return out


PATHS_KEPT = 50_000  # an archive holding more paths is read again for what a check wants (archived)


def root_archives(port, volume: str) -> tuple[dict[str, frozenset[str] | None], list[str]]:
    """Every name at the volume's root, with every path it holds as a tar archive (None: a
    folder, or a file that is no tar), in one read of the volume, where a listing and then
    a read of each archive took one each (the engine sends the whole volume for a listing);
    and the archives of more than PATHS_KEPT paths, not kept (ask `archived` of them)."""
    out: dict[str, frozenset[str] | None] = {}
    large: list[str] = []
    with _tar(port, volume) as tar:
        for member in tar:
            name = _relative(member)
            if name == "." or "/" in name:
                continue
            paths = _paths(tar.extractfile(member)) if member.isfile() else None  # a folder: no archive
            if paths is not None and len(paths) > PATHS_KEPT:
                large.append(name)
            else:
                out[name] = paths
    return out, large


def _paths(stream) -> frozenset[str] | None:
    """Every path a tar holds, and every folder above one (a folder is held when anything
    under it is), read to its end or to where it stops being a tar; None: not a tar."""
    found: set[str] = set()
    try:
        with tarfile.open(fileobj=stream, mode="r|*") as tar:
            for member in tar:
                if len(found) > PATHS_KEPT:
                    break
                parts = member.name.removeprefix("./").strip("/").split("/")
                found.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    except tarfile.TarError:
        if not found:
            return None
    return frozenset(found)


def found_in(paths: frozenset[str], wanted: set[str]) -> set[str]:
    """Which wanted paths an archive holds, from its `_paths`."""
    return wanted & paths


def _held(stream, wanted: set[str]) -> set[str] | None:
    found: set[str] = set()
    try:
        with tarfile.open(fileobj=stream, mode="r|*") as tar:
            for member in tar:
                path = member.name.removeprefix("./").strip("/")
                found |= {w for w in wanted if path == w or path.startswith(w + "/")}
                if found == wanted:
                    break
    except tarfile.TarError:
        return None if not found else found
    return found


def listing(port, volume: str, path: str = "") -> list[str]:
    """The names directly inside a directory of the volume."""
    names = []
    with _tar(port, volume, path) as tar:
        for member in tar:
            rel = _relative(member)
            if rel == "." and not member.isdir():
                raise NoPath(f"{path} is not a directory")
            if rel != "." and "/" not in rel:
                names.append(rel)
    return sorted(names)


def present(port, volume: str, path: str, names: list[str]) -> dict[str, bool]:
    """Whether each name is directly inside the volume's directory `path`, asked of the
    engine one name at a time (a stat, no contents): a backup volume's 100 MB archive is
    never read to learn that it is there."""
    out = {}
    with _reader(port, volume) as reader:
        for name in names:
            try:
                chunks = reader.get(f"{path.strip('/')}/{name}")
                chunks.close()
                del chunks  # the engine's answer freed now, not at the next name's
                out[name] = True
            except NoPath:
                out[name] = False
    return out


def differences(a: dict[str, Entry], b: dict[str, Entry], limit: int = 5) -> list[str]:
    """How two volumes' trees differ (path, kind, mode, owner, content), in words."""
    out = [f"{p} only in the first" for p in sorted(set(a) - set(b))]
    out += [f"{p} only in the second" for p in sorted(set(b) - set(a))]
    for p in sorted(set(a) & set(b)):
        x, y = a[p], b[p]
        what = [
            w
            for w, same in (
                ("kind", x.kind == y.kind),
                ("content", x.digest == y.digest and x.size == y.size),
                ("mode", x.mode == y.mode),
                ("owner", (x.uid, x.gid) == (y.uid, y.gid)),
            )
            if not same
        ]
        if what:
            out.append(f"{p}: {', '.join(what)} differ{'s' if len(what) == 1 else ''}")
    return out[:limit] + ([f"and {len(out) - limit} more"] if len(out) > limit else [])
