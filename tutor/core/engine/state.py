"""A picture of the engine's volumes and containers, and what changed between two.

Two list calls make the whole picture (container lists carry their mounts), so the
TUI's engine panel can redraw on every engine event without inspecting one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.core.engine.describe import short
from tutor.core.engine.events import MARK, PROBE_LABEL
from tutor.core.engine.port import Listed


@dataclass(frozen=True)
class Volume:
    name: str
    driver: str
    anonymous: bool
    users: tuple[str, ...] = ()

    @property
    def dangling(self) -> bool:
        """Does no container use the volume?"""
        return not self.users


@dataclass(frozen=True)
class Snapshot:
    volumes: dict[str, Volume] = field(default_factory=dict)
    containers: dict[str, Listed] = field(default_factory=dict)


def snapshot(port) -> Snapshot:
    """The engine's containers and volumes now, with who mounts what where."""
    containers: dict[str, Listed] = {}
    users: dict[str, list[str]] = {}
    for c in port.containers():
        if PROBE_LABEL in c.labels:  # a check's helper, gone a moment later
            continue
        containers[c.name] = c
        for m in c.mounts:
            if m.type == "volume":
                users.setdefault(m.name, []).append(c.name)
    volumes = {}
    for v in port.volumes():
        if MARK.match(v.name):  # docklab's own mark in the engine's history, gone a moment later
            continue
        volumes[v.name] = Volume(v.name, v.driver, v.anonymous, tuple(sorted(users.get(v.name, []))))
    return Snapshot(volumes, containers)


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What a command did, in the learner's words: '+ volume mysql_data',
    '− container mydb', 'anonymous volume 3f2a… left dangling'."""
    out = []
    for name in after.volumes.keys() - before.volumes.keys():
        kind = "anonymous volume" if after.volumes[name].anonymous else "volume"
        out.append(f"+ {kind} {short(name)}")
    for name in before.volumes.keys() - after.volumes.keys():
        kind = "anonymous volume" if before.volumes[name].anonymous else "volume"
        out.append(f"− {kind} {short(name)}")
    for name in after.containers.keys() - before.containers.keys():
        out.append(f"+ container {name} ({after.containers[name].state})")
    for name in before.containers.keys() - after.containers.keys():
        out.append(f"− container {name}")
    for name in after.containers.keys() & before.containers.keys():
        old, new = before.containers[name], after.containers[name]
        if old.state != new.state:
            out.append(f"~ container {name}: {old.state} → {new.state}")
    for name in after.volumes.keys() & before.volumes.keys():
        old, new = before.volumes[name], after.volumes[name]
        if new.dangling and not old.dangling:
            kind = "anonymous volume" if new.anonymous else "volume"
            out.append(f"{kind} {short(name)} left dangling (no container uses it)")
    return sorted(out, key=lambda s: (s[0] not in "+−~", s))
