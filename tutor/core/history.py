"""The engine's own event history since a lesson began, for outcomes that leave no
trace in the end state: a volume created and then removed, a prune that ran.

The engine keeps only its most recent events in memory and none across a restart, so
a history check can fail for want of evidence; it then says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

DEFAULT_WINDOW = 6 * 3600  # a lesson not started through docklab: look this far back


@dataclass(frozen=True)
class Event:
    action: str
    actor: str  # the volume's name ("" for a prune)
    attrs: dict
    at: int  # nanoseconds since the epoch

    @property
    def clock(self) -> str:
        return time.strftime("%H:%M:%S", time.localtime(self.at / 1e9))


def volume_events(client, since: float | None) -> list[Event]:
    """Volume events (create, mount, unmount, destroy, prune) since `since`, oldest first."""
    start = since if since else time.time() - DEFAULT_WINDOW
    # A fractional "until" of now: the engine answers from its buffer and closes at once.
    raw = client.api.events(since=f"{start:.9f}", until=f"{time.time():.9f}", decode=True,
                            filters={"type": ["volume"]})
    out = []
    for ev in raw:
        actor = ev.get("Actor") or {}
        out.append(Event(ev.get("Action", ""), actor.get("ID", ""), actor.get("Attributes") or {},
                         int(ev.get("timeNano") or ev.get("time", 0) * 1_000_000_000)))
    return out


PRUNE_BURST_NS = 5_000_000_000  # a prune's destroy events come just before its own event


def removed_by(events: list[Event], prune: Event) -> set[str]:
    """The volumes a prune removed: the destroy events in the burst right before it."""
    names: set[str] = set()
    for ev in reversed([e for e in events if e.at <= prune.at and e is not prune]):
        if prune.at - ev.at > PRUNE_BURST_NS or ev.action != "destroy":
            break
        names.add(ev.actor)
    return names


def existed_at(events: list[Event], name: str, moment: Event) -> bool:
    """The events show `name` created before `moment` and not destroyed in between."""
    alive = False
    for ev in events:
        if ev.at >= moment.at or ev is moment:
            break
        if ev.actor == name and ev.action == "create":
            alive = True
        elif ev.actor == name and ev.action == "destroy":
            alive = False
    return alive


def human_bytes(n: int) -> str:
    """The way the docker CLI prints sizes (decimal units): 5.243MB."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.4g}{unit}" if unit != "B" else f"{n}B"
        n /= 1000  # type: ignore[assignment]
    return f"{n}B"
