"""What docklab has read of one engine's events, kept past the engine's own memory.

The engine keeps only its last EVENTS_KEPT events, and docklab's own checks make some (a
volume read through a helper five, an exec three). A learner who checks a few times, or
runs a hundred `docker exec`s between two checks, pushes out the commands that began the
attempt; a check judged on that shorter history then infers the wrong start and fails
correct work. So every read of the engine's events adds what is new to this journal, in
the engine's order, while the engine still holds what the journal read last: then nothing
came between. When it does not (its buffer overflowed between two reads, or it restarted),
what came between is lost: the journal begins again from the engine's buffer, and
`cover_from` says since when it is whole (a step that history cannot prove from before
that moment is "not provable any more", not failed).

Kept in a file per engine (a line an event: its time, a tab, its JSON), beside the
lessons' ownership records, so that one `docklab check` sees what an earlier one read. Its
name does not end in `.json`, so a classroom's view, which copies a learner's records,
never copies it: the view keeps its own from its own reads.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

EVENTS_KEPT = 256  # moby's in-memory event buffer (daemon/events: eventsLimit)
MAX_KEPT = 2048  # a journal longer than this drops its oldest quarter (a lesson by hand with its checks: 100-500)
NAME = "events.log"


def at_ns(ev: dict) -> int:
    """When an event happened, in nanoseconds since the epoch."""
    return int(ev.get("timeNano") or ev.get("time", 0) * 1_000_000_000)


def _line(ev: dict) -> str:
    return json.dumps(ev, separators=(",", ":"), sort_keys=True)


class Journal:
    """The events read from one engine, oldest first, in the order the engine logged them.
    Items loaded from the file stay text until asked for (a check reads only its lesson's)."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self.items: list[dict | str] = []
        self.ns: list[int] = []
        self.cover_from = 0  # every event since this moment (ns) is held; 0: since the engine started
        self.until_ns: int | None = None  # the `until` of this process's last read of the engine
        self._on_disk: tuple | None = None  # the file as this process last read or wrote it
        if path is not None:
            self._load()
            self._on_disk = self._signature()

    def _signature(self) -> tuple | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def stale(self) -> bool:
        """Has another docklab process written the file since this one last read or wrote it?
        (A TUI open for an hour and a `docklab check` in the learner's shell keep one journal.)"""
        return self.path is not None and self._signature() != self._on_disk

    def _load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        seen: set[str] = set()
        cover_from = None
        for line in text.splitlines():
            if line.startswith("#cover_from "):
                stamp = line.split()[-1]
                cover_from = int(stamp) if stamp.isdigit() else None
                continue
            stamp, tab, body = line.partition("\t")
            # a torn line (a crash, a full disk: the next append glued on, with its own tab); the same event twice
            if not tab or not stamp.isdigit() or not body.endswith("}") or "\t" in body or body in seen:
                continue
            seen.add(body)
            self.items.append(body)
            self.ns.append(int(stamp))
        # no header (written by appends alone): whole from its oldest event only
        self.cover_from = cover_from if cover_from is not None else (self.ns[0] if self.ns else 0)

    def event(self, i: int) -> dict:
        """The i-th event, parsed when first asked for."""
        item = self.items[i]
        if isinstance(item, str):
            try:
                item = json.loads(item)
            except ValueError:  # a line that is no event: an empty one in its place breaks any match
                item = {}
            self.items[i] = item
        return item

    def events(self, start: int = 0) -> list[dict]:
        """The events from the start-th on."""
        return [self.event(i) for i in range(start, len(self.items))]

    def tail_from(self, ns: int) -> int:
        """Where the run of events at or after `ns` at the end begins (scanned back from the
        newest, as the engine itself scans its buffer for a `since`)."""
        i = len(self.ns)
        while i and self.ns[i - 1] >= ns:
            i -= 1
        return i

    def extend(self, newer: list[dict]) -> None:
        """Events the engine logged after the last one held, nothing between."""
        if not newer:
            return
        stamps = [at_ns(ev) for ev in newer]
        self.items.extend(newer)
        self.ns.extend(stamps)
        if len(self.items) > MAX_KEPT:
            self._trim()
        elif self.path is not None:
            self._write("".join(f"{at}\t{_line(ev)}\n" for at, ev in zip(stamps, newer)), append=True)

    def merge(self, whole: list[dict]) -> None:
        """The engine's whole buffer. From the first of its events that the journal holds,
        the journal is replaced by it (the engine's order), and what came before is kept.
        When it holds none of them, events were lost between the journal's last and the
        buffer's first (the buffer overflowed between two reads, or the engine restarted):
        the journal begins again from the buffer, as a read of the engine alone would. What
        came before a gap is not kept: a check that reasons from what did not happen (a
        volume never removed, never mounted again) would take the gap for proof."""
        where: dict[int, list[int]] = {}
        for i, at in enumerate(self.ns):
            where.setdefault(at, []).append(i)
        k = next((i for ev in whole for i in where.get(at_ns(ev), ()) if self.event(i) == ev), None)
        if k is not None:
            self.items, self.ns = self.items[:k] + list(whole), self.ns[:k] + [at_ns(ev) for ev in whole]
        else:
            self.items, self.ns = list(whole), [at_ns(ev) for ev in whole]
            self.cover_from = at_ns(whole[0]) if len(whole) >= EVENTS_KEPT else 0
        if len(self.items) > MAX_KEPT:
            self._trim()
        else:
            self._rewrite()

    def _trim(self) -> None:
        keep = MAX_KEPT * 3 // 4
        self.items, self.ns = self.items[-keep:], self.ns[-keep:]
        self.cover_from = max(self.cover_from, self.ns[0])
        self._rewrite()

    def _rewrite(self) -> None:
        if self.path is None:
            return
        lines = [f"#cover_from {self.cover_from}\n"]
        lines += [f"{at}\t{item if isinstance(item, str) else _line(item)}\n" for at, item in zip(self.ns, self.items)]
        self._write("".join(lines), append=False)

    def _write(self, text: str, append: bool) -> None:
        """A failed write loses only what a later `docklab check` could have reused."""
        data = text.encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if append:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    written = os.write(fd, data)  # one write: two processes appending do not interleave
                    if written < len(data):  # a full disk: the line cut here is refused when read
                        os.write(fd, b"\n")
                finally:
                    os.close(fd)
            else:
                tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
                try:
                    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(data)
                    os.replace(tmp, self.path)
                except OSError:
                    tmp.unlink(missing_ok=True)
                    raise
        except OSError:
            pass
        self._on_disk = self._signature()
