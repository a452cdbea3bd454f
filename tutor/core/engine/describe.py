"""How docklab names what it finds on the engine, in words: shared by the checks, the
engine picture, ownership and the engine panel, none of which need the others."""

from __future__ import annotations

import re

ANON_LABEL = "com.docker.volume.anonymous"
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def is_anonymous(volume_attrs: dict) -> bool:
    """The label marks anonymous volumes; engines before 27.4 omit it for
    `--mount type=volume,dst=...` without a source, so a 64-hex name counts too."""
    labels = volume_attrs.get("Labels") or {}
    return ANON_LABEL in labels or bool(HEX64.match(volume_attrs.get("Name", "")))


def short(name: str) -> str:
    """A 64-hex name cut to 12 characters, as the docker CLI shows ids."""
    return name[:12] + "…" if HEX64.match(name or "") else name


def describe_mount(m: dict) -> str:
    """One entry of `docker inspect`'s Mounts, in words."""
    kind = m.get("Type")
    ro = "" if m.get("RW", True) else " (read-only)"
    if kind == "volume":
        name = m.get("Name", "")
        what = f"an anonymous volume {short(name)}" if HEX64.match(name) else f"the volume {name}"
    elif kind == "bind":
        what = f"a bind mount of {m.get('Source')}"
    else:
        what = f"a {kind} mount"
    return f"{what} at {m.get('Destination')}{ro}"


def syntax_of(c, destination: str) -> str:
    """How the mount was asked for, as the engine recorded it: `--mount` lands in
    HostConfig.Mounts, `-v` in HostConfig.Binds or Config.Volumes."""
    host = c.attrs.get("HostConfig") or {}
    if any(s.get("Target") == destination for s in host.get("Mounts") or []):
        return "mount"
    if any(b.split(":")[1:2] == [destination] for b in host.get("Binds") or []) or destination in (
        (c.attrs.get("Config") or {}).get("Volumes") or {}
    ):
        return "v"
    return "other"  # --volumes-from, or the image's VOLUME
