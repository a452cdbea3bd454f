"""The engine's own event history since a lesson began: evidence for outcomes that a
later step (or the end state) no longer shows — a container removed, a volume that was
unused for a while, a prune that ran.

Only this attempt counts. History is read from the moment the lesson began; docklab
writes a mark into the engine's history when it begins a lesson, resets it or ends an
`--auto` run of it (a volume `docklab-mark-...` created and removed at once), so a lesson
never started in docklab begins after the latest reset or auto mark, and never more than
DEFAULT_WINDOW ago; a begin mark missing from what the engine returns means it has lost
the lesson's start. Events of docklab's own probe containers and of its exec checks
never count.

The engine keeps only its last EVENTS_KEPT events in memory and none across a
restart; docklab keeps what it reads of them longer (see journal). When what is held no
longer reaches back to the lesson's start, evidence may be gone, and a step that history
cannot prove is then "not provable any more" rather than failed.
"""

from __future__ import annotations

import re
import secrets as _secrets
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from tutor.core.engine.journal import Journal, at_ns
from tutor.core.engine.journal import NAME as JOURNAL_NAME

DEFAULT_WINDOW = 6 * 3600  # a lesson not started through docklab: look this far back at most
MARK = re.compile(r"^docklab-mark-(reset|auto|begin)-([a-z0-9-]+)-[0-9a-f]{8}$")
PROBE_LABEL = "org.docklab.probe"
HELPER_NAME = "docklab-probe-"  # and a random tail: how a check's helper is named
LIFECYCLE = {"create", "start", "die", "destroy", "mount", "unmount", "prune", "kill", "stop", "rename"}


@dataclass(frozen=True)
class Event:
    type: str  # container, volume, ...
    action: str
    actor: str  # a container's id, a volume's name ("" for a prune)
    attrs: dict
    at: int  # nanoseconds since the epoch

    @property
    def clock(self) -> str:
        """When it happened, as local HH:MM:SS."""
        return time.strftime("%H:%M:%S", time.localtime(self.at / 1e9))

    @property
    def name(self) -> str:
        """A container's name, a volume's name."""
        return self.attrs.get("name", "") if self.type == "container" else self.actor


@dataclass
class History:
    """The lifecycle events since `since`, oldest first, read once per check run."""

    since: float
    events: list[Event] = field(default_factory=list)
    anchored: bool = True  # False: the mark docklab wrote as the lesson began is gone
    kept_from: int = 0  # since when the events read are whole (ns; see journal), 0: since the engine started
    _made: dict = field(default_factory=dict, repr=False, compare=False)  # containers(), volumes_created()

    @property
    def complete(self) -> bool:
        """Does the engine still hold every event since `since`?"""
        return self.anchored and self.kept_from < self.since * 1e9

    @classmethod
    def read(cls, port, since: float, anchor: str | None = None) -> History:
        """`anchor`: a lesson whose docklab mark should be at `since`; missing, the engine
        has lost what came before it (its buffer overflowed, or it restarted)."""
        raw, kept_from = held(port, since)
        events = []
        probes: set[str] = set()
        anchored = anchor is None
        copying = _copy_mounts(raw)
        for i, ev in enumerate(raw):
            actor = ev.get("Actor") or {}
            actor_id, attrs = actor.get("ID", ""), actor.get("Attributes") or {}
            kind, action = ev.get("Type", ""), ev.get("Action", "")
            at = at_ns(ev)
            mark_of = MARK.match(actor_id) if kind == "volume" else None
            if mark_of:  # docklab's own: it anchors the history and never counts as evidence
                # a second early: the mark written as the lesson began is at `since` itself
                anchored = anchored or (mark_of.group(2) == anchor and at >= (since - 1) * 1e9)
                continue
            if kind == "container" and PROBE_LABEL in attrs:
                probes.add(actor_id)
            if (
                i in copying
                or action not in LIFECYCLE
                or actor_id in probes
                or attrs.get("container") in probes
                or at < since * 1e9
            ):
                continue
            events.append(Event(kind, action, actor_id, attrs, at))
        return cls(since, events, anchored, kept_from)

    def after(self, since: float) -> History:
        """The same history, from `since` on."""
        return History(since, [e for e in self.events if e.at >= since * 1e9], self.anchored, self.kept_from)

    def of(self, type_: str, action: str | None = None) -> list[Event]:
        """The events of this type (and action), oldest first."""
        return [e for e in self.events if e.type == type_ and (action is None or e.action == action)]

    def containers(self) -> dict[str, dict]:
        """Every container created since `since`: id -> {name, image, labels, created, destroyed}."""
        if "containers" not in self._made:
            self._made["containers"] = self._containers()
        return self._made["containers"]

    def _containers(self) -> dict[str, dict]:
        seen: dict[str, dict] = {}
        for e in self.of("container"):
            if e.action == "create":
                seen[e.actor] = {
                    "id": e.actor,
                    "name": e.attrs.get("name", ""),
                    "image": e.attrs.get("image", ""),
                    "attrs": e.attrs,
                    "created": e,
                    "destroyed": None,
                }
            elif e.action == "destroy" and e.actor in seen:
                seen[e.actor]["destroyed"] = e
            elif e.action == "rename" and e.actor in seen:
                seen[e.actor]["name"] = e.attrs.get("name", seen[e.actor]["name"])
        return seen

    def mounts(self) -> list[Event]:
        """Volume mount events: actor = the volume, attrs: container, destination, read/write."""
        return self.of("volume", "mount")

    def volumes_created(self) -> dict[str, Event]:
        """Volume name -> the event that created it."""
        if "volumes" not in self._made:
            self._made["volumes"] = {e.actor: e for e in self.of("volume", "create")}
        return self._made["volumes"]

    def destroyed(self, type_: str, actor: str) -> Event | None:
        """The latest destroy event of this thing, or None."""
        return next((e for e in reversed(self.of(type_, "destroy")) if e.actor == actor), None)

    def unused_since(self, volume: str) -> Event | None:
        """The moment `volume` was left with no container at all (the last container that
        had mounted it was removed while it still existed), or None."""
        users: set[str] = set()
        alive = False
        for e in self.events:
            if e.type == "volume" and e.actor == volume:
                if e.action == "create":
                    alive = True
                elif e.action == "mount":
                    alive = True
                    users.add(e.attrs.get("container", ""))
                elif e.action == "destroy":
                    alive = False
            elif e.type == "container" and e.action == "destroy" and e.actor in users:
                users.discard(e.actor)
                if not users and alive:
                    return e
        return None


COPIES = ("archive-path", "extract-to-dir")  # a container's events for a copy out of it, and into it


def _copy_mounts(raw: list[dict]) -> set[int]:
    """Which events (their places in `raw`) are the volume mounts of a copy: reading a
    container's files (`docker cp`, or docklab reading a volume through a container that
    mounts it) or asking what is at a path mounts its volumes for a moment and unmounts them
    again, with the copy's own event between when it copied something and no event of the
    container otherwise. That is no use of the volumes by the container. A start mounts them
    before its start event, a stop unmounts them after its die event: those stay."""
    of: dict[str, list[int]] = {}  # container id -> its events and its volumes' (un)mounts, in order
    for i, ev in enumerate(raw):
        actor = ev.get("Actor") or {}
        if ev.get("Type") == "container":
            of.setdefault(actor.get("ID", ""), []).append(i)
        elif ev.get("Type") == "volume" and ev.get("Action") in ("mount", "unmount"):
            of.setdefault((actor.get("Attributes") or {}).get("container", ""), []).append(i)

    def action(i: int) -> str:
        ev = raw[i]
        return ev.get("Action", "") if ev.get("Type") == "volume" else f"container {ev.get('Action', '')}"

    copying: set[int] = set()
    for seq in of.values():
        k = 0
        while k < len(seq):
            j = k
            while j < len(seq) and action(seq[j]) == "mount":
                j += 1
            if j == k:  # not a run of mounts
                k += 1
                continue
            end = j + 1 if j < len(seq) and raw[seq[j]].get("Action") in COPIES else j
            after = end
            while after < len(seq) and action(seq[after]) == "unmount":
                after += 1
            if after > end:  # mounts, the copy's event or none, unmounts: a copy
                copying.update(seq[m] for m in range(k, after) if raw[seq[m]].get("Type") == "volume")
            k = max(after, k + 1)
    return copying


def mark(port, what: str, lesson_id: str) -> None:
    """Write docklab's own mark into the engine's history (see the module's docstring)."""
    name = f"docklab-mark-{what}-{lesson_id}-{_secrets.token_hex(4)}"
    try:
        port.create_volume(name, {"org.docklab.mark": what})
        port.remove("volume", name)
    except Exception:  # a mark is a courtesy to later checks; its absence only widens the window
        pass


_HELD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # port -> its engine's Journal
_READING = threading.Lock()
SKEW_NS = 10**9  # how far before the last `until` each read reaches back (see held)
MARGIN_NS = 60 * 10**9  # how far before `since` held() answers: a mark a second early, a probe made before


def keep_journal(port, folder: Path) -> None:
    """Keep what is read of this port's engine in `folder` (the engine's records folder),
    and begin from what earlier docklab processes kept there."""
    path = folder / JOURNAL_NAME
    known = _journal(port)
    if known is None or known.path != path:
        try:
            _HELD[port] = Journal(path)
        except TypeError:  # a port that cannot be weakly referenced: nothing kept
            pass


def _journal(port) -> Journal | None:
    try:
        return _HELD.get(port)
    except TypeError:
        return None


def held(port, since: float = 0) -> tuple[list[dict], int]:
    """The engine's events from a minute before `since` on, as far as docklab has read them
    (see journal), and the moment since which they are whole (ns; 0: since the engine
    started). Each call reads the engine: only its events from the last one held on (a
    short answer instead of all 256, read several times a step). That answer must begin
    with the events held from that moment, as they were; when it does not (the engine
    restarted, or dropped them, or logged out of order), its whole buffer is read and
    merged (Journal.merge). Nothing is taken from the journal that the engine has not just
    confirmed or could no longer show. The engine leaves out what is stamped after the
    `until` it was asked with, and an event can be stamped a moment before it takes its
    place in the buffer: each read therefore reaches back a second before the last
    `until`, so that such an event, once it shows, breaks the match and brings a whole
    read. A clock set back since (`until` before `since`, which the engine refuses) reads
    whole too."""
    journal = _journal(port)
    if journal is None or journal.stale():  # none yet, or another docklab process has added to it
        journal = Journal(journal.path if journal is not None else None)
        try:
            _HELD[port] = journal
        except TypeError:
            pass
    with _READING:  # the TUI's workers read from threads; one journal, read and extended one at a time
        now_ns = time.time_ns()
        now = _stamp(now_ns)
        extended = False
        last = journal.ns[-1] if journal.ns else 0
        # loaded from the file, no `until` of this process: read from its last event (one logged
        # late and stamped before it ends the engine's scan back there, and brings a whole read)
        until_ns = journal.until_ns if journal.until_ns is not None else last + SKEW_NS
        if journal.items and until_ns <= now_ns:
            from_ns = min(last, until_ns - SKEW_NS)
            mine = journal.events(journal.tail_from(from_ns))
            answer = port.events(_stamp(from_ns), now)
            if answer[: len(mine)] == mine:
                journal.extend(answer[len(mine) :])
                extended = True
        if not extended:
            journal.merge(port.events("1", now))
        journal.until_ns = now_ns
        start = journal.tail_from(int(since * 1e9) - MARGIN_NS) if since else 0
        return journal.events(start), journal.cover_from


def _stamp(ns: int) -> str:
    """A time in nanoseconds as the events endpoint's `since` and `until` take it, exactly."""
    return f"{ns // 10**9}.{ns % 10**9:09d}"


def began_marked(port, lesson_id: str) -> tuple[float, bool]:
    """When a lesson never started in docklab began: after docklab's latest reset or
    auto run of it that the engine (or docklab's journal of it) still holds (True), else
    DEFAULT_WINDOW ago (False)."""
    start, marked = time.time() - DEFAULT_WINDOW, False
    raw, _ = held(port, start)
    for ev in raw:
        if at_ns(ev) < start * 1e9:  # held() answers from a minute before
            continue
        m = MARK.match((ev.get("Actor") or {}).get("ID", ""))
        if (
            m
            and ev.get("Type") == "volume"
            and ev.get("Action") == "destroy"
            and m.group(2) == lesson_id
            and m.group(1) != "begin"
        ):
            start, marked = max(start, int(ev.get("timeNano") or 0) / 1e9), True
    return start, marked


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


def mount_history(
    port, since: float | None, past: History | None = None
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """From the engine's events: container id -> name, and (container id, volume, destination)
    for every volume mount, oldest first. `past`: a history just read that reaches back as
    far, used instead of asking the engine again."""
    since = since or time.time() - DEFAULT_WINDOW
    past = past.after(since) if past is not None and past.since <= since else History.read(port, since)
    names = {cid: c["name"] for cid, c in past.containers().items()}
    for e in past.of("container"):  # a container made before `since` but started after
        names.setdefault(e.actor, e.attrs.get("name", ""))
    mounts = [(m.attrs.get("container", ""), m.actor, m.attrs.get("destination", "")) for m in past.mounts()]
    return names, mounts
