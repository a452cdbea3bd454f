"""Reading what is inside a volume, through the engine alone.

A volume's files live on the engine's host (or inside Docker Desktop's VM), so docklab
reads them the way `docker cp` does: a helper container is created (never started)
from an image already present, with the volume mounted read-only, `nocopy`, at a path
no image has, and the engine hands over a tar archive. The helper is removed at once,
whatever happens; it carries the label `org.docklab.probe` and a name no lesson
declares, so ownership never counts it as a lesson's.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import uuid
from dataclasses import dataclass

PROBE_LABEL = "org.docklab.probe"
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


def _probe_image(client) -> str:
    from docker.errors import ImageNotFound

    try:
        client.api.inspect_image(PREFERRED_IMAGE)
        return PREFERRED_IMAGE
    except ImageNotFound:
        pass
    images = [i for i in client.api.images() if i.get("RepoTags") and i["RepoTags"][0] != "<none>:<none>"]
    if not images:
        raise NoImage("the engine has no image to read a volume with (`docklab images build`)")
    return min(images, key=lambda i: i.get("Size", 0))["RepoTags"][0]


def archive(client, volume: str, path: str = "") -> bytes:
    """The tar archive of `path` inside `volume` (the whole volume for "")."""
    from docker.errors import NotFound
    from docker.types import Mount

    try:
        client.api.inspect_volume(volume)
    except NotFound:
        raise NoVolume(volume) from None
    mount = Mount(MOUNT_AT, volume, type="volume", read_only=True, no_copy=True)
    helper = client.api.create_container(
        _probe_image(client),
        command=["true"],
        name=f"docklab-probe-{uuid.uuid4().hex[:12]}",
        labels={PROBE_LABEL: "1"},
        network_disabled=True,
        host_config=client.api.create_host_config(mounts=[mount]),
    )
    try:
        target = f"{MOUNT_AT}/{path.strip('/')}" if path.strip("/") else MOUNT_AT + "/."
        try:
            stream, _ = client.api.get_archive(helper["Id"], target)
        except NotFound:
            raise NoPath(path) from None
        return b"".join(stream)
    finally:
        client.api.remove_container(helper["Id"], force=True)


def entries(client, volume: str, path: str = "") -> dict[str, Entry]:
    """Every entry under `path` in the volume, keyed by its path relative to `path`."""
    out: dict[str, Entry] = {}
    with tarfile.open(fileobj=io.BytesIO(archive(client, volume, path))) as tar:
        for member in tar:
            parts = member.name.split("/", 1)
            rel = parts[1].strip("/") if len(parts) > 1 and parts[1].strip("/") else "."
            if member.isfile():
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                kind, digest = "file", hashlib.sha256(data).hexdigest()
            elif member.isdir():
                kind, digest = "dir", ""
            elif member.issym() or member.islnk():
                kind, digest = "link", member.linkname
            else:
                kind, digest = "other", ""
            out[rel] = Entry(rel, kind, member.mode, member.uid, member.gid, member.size, digest)
    return out


def read_text(client, volume: str, path: str, limit: int = 1 << 20) -> str:
    """A file's text (decoded leniently; at most `limit` bytes)."""
    with tarfile.open(fileobj=io.BytesIO(archive(client, volume, path))) as tar:
        for member in tar:
            if member.isfile():
                return tar.extractfile(member).read(limit).decode("utf-8", "replace")  # type: ignore[union-attr]
    raise NoPath(f"{path} is not a file")


def listing(client, volume: str, path: str = "") -> list[str]:
    """The names directly inside a directory of the volume."""
    found = entries(client, volume, path)
    if "." in found and found["."].kind != "dir":
        raise NoPath(f"{path} is not a directory")
    return sorted(p for p in found if p != "." and "/" not in p)


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
