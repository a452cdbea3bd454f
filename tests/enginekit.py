"""The recorded engine: the engine port (tutor/core/engine/port.py) answering from engine
answers recorded on a real engine (tests/recorded/engine.json, by tests/recorded/record.py),
or given by a test in the engine's own JSON shapes. It turns them into docklab's types
with the same `from_api` functions as the SDK's port, so what a unit test sees is what
the engine says. Every unit test that needs an engine uses this one."""

from __future__ import annotations

import io
import itertools
import json
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

from tutor.core.engine.events import PROBE_LABEL
from tutor.core.engine.port import Container, Image, Listed, Network, NotFound, Volume, stamp

RECORDED = json.loads((Path(__file__).parent / "recorded" / "engine.json").read_text())


def listed(record: dict) -> dict:
    """A container's inspect answer in the shape the engine's list gives it."""
    config, state = record.get("Config") or {}, record.get("State") or {}
    return {
        "Id": record["Id"],
        "Names": ["/" + record.get("Name", "/" + record["Id"][:12]).lstrip("/")],
        "Image": config.get("Image", ""),
        "ImageID": record.get("Image", ""),
        "State": state.get("Status", ""),
        "Created": stamp(record.get("Created")),
        "Labels": config.get("Labels") or {},
        "Mounts": record.get("Mounts") or [],
        "NetworkSettings": {"Networks": (record.get("NetworkSettings") or {}).get("Networks") or {}},
    }


def tar_of(root: str, files: dict[str, bytes]) -> bytes:
    """A tar as the engine's archive endpoint gives a folder: `root/` and its files under it."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        top = tarfile.TarInfo(root)
        top.type = tarfile.DIRTYPE
        tar.addfile(top)
        for name, body in files.items():
            info = tarfile.TarInfo(f"{root}/{name}")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return out.getvalue()


class RecordedEngine:
    """The port over recorded answers: `containers` (name -> inspect answer), `volumes`
    (name -> inspect answer), `events` (the events endpoint's answer, or a function giving
    it at each read), `images` (reference -> id), `files` (what an archive of any folder
    holds). It remembers what a test may ask about: the probes it made and removed, and
    every archive read ("container:path")."""

    def __init__(
        self,
        containers: dict[str, dict] | None = None,
        volumes: dict[str, dict] | None = None,
        events: list[dict] | Callable[[], list[dict]] = (),
        images: dict[str, str] | None = None,
        files: dict[str, bytes] | None = None,
        info: dict | None = None,
    ):
        self.records = dict(containers or {})
        self.volume_records = dict(volumes or {})
        self._events = events
        self.image_ids = dict(images or {})
        self.files = files if files is not None else {}
        self._info = info or {"ID": "recorded", "DockerRootDir": "/var/lib/docker"}
        self.made: list[str] = []
        self.removed: list[str] = []
        self.read_through: list[str] = []
        self._ids = itertools.count()

    @classmethod
    def recorded(cls) -> RecordedEngine:
        """The answers of tests/recorded/engine.json."""
        return cls(RECORDED["containers"], RECORDED["volumes"], lambda: RECORDED.get("events", []))

    def make(self, *names: str) -> None:
        """Things of tests/recorded/engine.json appear, by name, as the learner's commands make them."""
        for name in names:
            if name in RECORDED["containers"]:
                self.records[name] = RECORDED["containers"][name]
            else:
                self.volume_records[name] = RECORDED["volumes"][name]

    def _record(self, ref: str) -> dict | None:
        return self.records.get(ref) or next((r for r in self.records.values() if r["Id"] == ref), None)

    def info(self) -> dict:
        return self._info

    def containers(self, status=(), volume=None) -> list[Listed]:
        out = [Listed.from_api(listed(r)) for r in self.records.values()]
        return [
            c
            for c in out
            if (not status or c.state in status) and (volume is None or any(m.name == volume for m in c.mounts))
        ]

    def container(self, ref: str) -> Container | None:
        record = self._record(ref)
        return Container.from_api(record) if record else None

    def volumes(self, dangling: bool = False) -> list[Volume]:
        used = {m.name for c in self.containers() for m in c.mounts}
        return [Volume.from_api(v) for n, v in self.volume_records.items() if not (dangling and n in used)]

    def volume(self, name: str) -> Volume | None:
        record = self.volume_records.get(name)
        return Volume.from_api(record) if record else None

    def networks(self) -> list[Network]:
        return []

    def network_used(self, ref: str) -> bool:
        return False

    def images(self, dangling: bool = False) -> list[Image]:
        return [] if dangling else [Image(i, (ref,)) for ref, i in self.image_ids.items()]

    def image_id(self, ref: str) -> str | None:
        return self.image_ids.get(ref)

    def unused_build_cache(self) -> int:
        return 0

    def exec(self, container, argv, user="", environment=None) -> tuple[int, bytes]:
        raise NotFound(f"no recorded answer for exec in {container}")

    def logs(self, container, tail=None) -> bytes:
        return b""

    def archive(self, container: str, path: str) -> Iterator[bytes]:
        if self._record(container) is None:
            raise NotFound(f"No such container: {container}")
        self.read_through.append(f"{container}:{path}")
        if not path.endswith("/."):
            raise NotFound(f"Could not find the file {path} in container {container}")
        return (chunk for chunk in [tar_of("data", self.files)])  # a generator, as the port streams it

    def create_probe(self, image: str, volume: str | None = None, at: str = "") -> str:
        if image not in self.image_ids:
            raise NotFound(f"No such image: {image}")
        cid = f"helper{next(self._ids)}"
        self.made.append(cid)
        self.records[cid] = {
            "Id": cid,
            "Name": "/" + cid,
            "State": {"Status": "created", "StartedAt": "0001-01-01T00:00:00Z"},
            "Config": {"Labels": {PROBE_LABEL: "1"}},
            "Mounts": [{"Type": "volume", "Name": volume, "Destination": at, "RW": False}] if volume else [],
        }
        return cid

    def create_volume(self, name: str, labels: dict) -> None:
        self.volume_records[name] = {"Name": name, "Driver": "local", "Labels": labels}

    def remove(self, kind: str, ref: str) -> None:
        held = self.records if kind == "container" else self.volume_records if kind == "volume" else {}
        key = next((k for k, r in held.items() if k == ref or r.get("Id") == ref), None)
        if key is None:
            raise NotFound(f"No such {kind}: {ref}")
        del held[key]
        self.removed.append(ref)

    def events(self, since: str, until: str, filters: dict | None = None) -> list[dict]:
        held = self._events() if callable(self._events) else self._events
        return list(held)

    def watch(self, filters: dict) -> Iterator[dict]:
        return iter(())
