"""The one door to the Docker Engine for checks, roles, ownership, the guard and the
engine's picture: what they ask of it, answered in docklab's own small types.

`sdk.SdkPort` answers over the Docker SDK; the unit tests' fake answers from engine
answers recorded on a real engine. Both turn the engine's JSON into these types with the
same `from_api` functions, so a fake cannot drift from what the engine says.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from tutor.core.engine.describe import is_anonymous, short


class Refused(Exception):
    """The engine answered with an error (a volume in use, a conflict): `explanation` says why."""

    def __init__(self, explanation: str):
        super().__init__(explanation)
        self.explanation = explanation


class NotFound(Refused):
    """No such container, volume, network or image (or nothing at that path)."""


class Lost(Exception):
    """The connection to the engine broke in the middle of an answer: the engine is gone
    (or going), which is no failure of the learner's."""


@dataclass(frozen=True)
class Mount:
    """One mount of a container, as the engine lists it."""

    type: str  # volume, bind, tmpfs
    name: str  # a volume's name, or a bind's host path
    destination: str
    rw: bool = True
    driver: str = ""  # a volume's driver

    def describe(self) -> str:
        """The mount in words: what, where, rw or ro."""
        what = short(self.name) if self.type == "volume" else f"{self.type} {self.name}"
        return f"{what} → {self.destination} ({'rw' if self.rw else 'ro'})"

    @classmethod
    def from_api(cls, m: dict) -> Mount:
        """From the engine's JSON for it."""
        return cls(
            m.get("Type", ""),
            m.get("Name") or m.get("Source", ""),
            m.get("Destination", ""),
            bool(m.get("RW", True)),
            m.get("Driver", ""),
        )


@dataclass(frozen=True)
class Listed:
    """A container as the engine's list gives it: enough to tell what it is and what it
    mounts without asking for the whole record."""

    id: str
    name: str
    image: str  # as typed (`nginx`), or an id
    image_id: str
    state: str  # created, running, exited, ...
    created: float  # seconds since the epoch, to the second
    labels: dict = field(default_factory=dict)
    mounts: tuple[Mount, ...] = ()
    networks: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, c: dict) -> Listed:
        """From the engine's JSON for it."""
        return cls(
            c["Id"],
            (c.get("Names") or ["/" + c["Id"][:12]])[0].lstrip("/"),
            c.get("Image", ""),
            c.get("ImageID", ""),
            c.get("State", ""),
            float(c.get("Created") or 0),
            c.get("Labels") or {},
            tuple(Mount.from_api(m) for m in c.get("Mounts") or []),
            tuple((c.get("NetworkSettings") or {}).get("Networks") or {}),
        )

    def mount_at(self, destination: str) -> Mount | None:
        """What it mounts at this path, if anything."""
        return next((m for m in self.mounts if m.destination == destination), None)


@dataclass(frozen=True)
class Container:
    """A container's whole record (`docker container inspect`): `attrs` is the engine's
    answer, read where a check needs what only the record holds (its mount specs, its env)."""

    id: str
    name: str
    status: str
    attrs: dict

    @classmethod
    def from_api(cls, c: dict) -> Container:
        """From the engine's JSON for it."""
        return cls(c["Id"], c.get("Name", "").lstrip("/"), (c.get("State") or {}).get("Status", ""), c)


@dataclass(frozen=True)
class Volume:
    """A volume, listed or inspected (the engine gives both the same fields)."""

    name: str
    driver: str
    mountpoint: str
    labels: dict
    created: float  # seconds since the epoch; 0 when the engine does not say
    attrs: dict

    @classmethod
    def from_api(cls, v: dict) -> Volume:
        """From the engine's JSON for it."""
        return cls(
            v["Name"], v.get("Driver", ""), v.get("Mountpoint", ""), v.get("Labels") or {}, stamp(v.get("CreatedAt")), v
        )

    @property
    def anonymous(self) -> bool:
        """Made by the engine for a mount without a source (see describe.is_anonymous)."""
        return is_anonymous(self.attrs)


@dataclass(frozen=True)
class Image:
    """An image, as the engine lists it."""

    id: str
    tags: tuple[str, ...]  # without `<none>:<none>`
    size: int = 0

    @classmethod
    def from_api(cls, i: dict) -> Image:
        """From the engine's JSON for it."""
        return cls(i["Id"], tuple(t for t in i.get("RepoTags") or [] if t != "<none>:<none>"), int(i.get("Size") or 0))


@dataclass(frozen=True)
class Network:
    id: str
    name: str
    labels: dict

    @classmethod
    def from_api(cls, n: dict) -> Network:
        """From the engine's JSON for it."""
        return cls(n["Id"], n["Name"], n.get("Labels") or {})


@cache  # every listing of a crowded engine gives the same stamps again
def stamp(text: str | None) -> float:
    """An RFC 3339 time (a volume's CreatedAt) as seconds since the epoch; 0 when absent."""
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)?", text or "")
    if not m:
        return 0.0
    secs = calendar.timegm(tuple(int(x) for x in m.groups()[:6]) + (0, 0, 0))
    tz = m.group(7)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        secs -= sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    return float(secs)


class Port(Protocol):
    """What docklab asks the engine. Lookups answer None for what is not there; reads and
    removals raise NotFound for it, and Refused when the engine says no."""

    def info(self) -> dict:
        """The engine's `docker info` answer (its ID, DockerRootDir, ...)."""
        ...

    def containers(self, status: Sequence[str] = (), volume: str | None = None) -> list[Listed]:
        """Every container, running or not; only those in these states, or mounting this volume."""
        ...

    def container(self, ref: str) -> Container | None:
        """The container of this name or id, inspected."""
        ...

    def volumes(self, dangling: bool = False) -> list[Volume]:
        """Every volume; only those no container uses, if `dangling`."""
        ...

    def volume(self, name: str) -> Volume | None:
        """The volume of this name, inspected."""
        ...

    def networks(self) -> list[Network]:
        """Every network."""
        ...

    def network_used(self, ref: str) -> bool:
        """Does a container use this network?"""
        ...

    def images(self, dangling: bool = False) -> list[Image]:
        """Every image; only the untagged ones, if `dangling`."""
        ...

    def image_id(self, ref: str) -> str | None:
        """The id of the image this reference names."""
        ...

    def unused_build_cache(self) -> int:
        """How many build-cache records a prune would remove."""
        ...

    def exec(
        self, container: str, argv: list[str], user: str = "", environment: dict | None = None
    ) -> tuple[int, bytes]:
        """Run a process in a running container; its exit code and output (stdout and stderr)."""
        ...

    def logs(self, container: str, tail: int | None = None) -> bytes:
        """The container's log, or its last `tail` lines."""
        ...

    def archive(self, container: str, path: str) -> Iterator[bytes]:
        """`path` in the container (its mounts included) as a tar stream, as `docker cp`
        reads it, for a stopped container too; close() stops it early."""
        ...

    def create_probe(self, image: str, volume: str | None = None, at: str = "") -> str:
        """A container created from `image`, never started, with no network, labelled as
        docklab's probe, with `volume` mounted read-only at `at`, if given: its id."""
        ...

    def create_volume(self, name: str, labels: dict) -> None:
        """A new volume with these labels."""
        ...

    def remove(self, kind: str, ref: str) -> None:
        """Remove a container (forced), volume, network or image (its tag)."""
        ...

    def events(self, since: str, until: str, filters: dict | None = None) -> list[dict]:
        """The engine's events between these times (at most until now), as it gives them."""
        ...

    def watch(self, filters: dict) -> Iterator[dict]:
        """The engine's events as they come, without end; close() ends it."""
        ...
