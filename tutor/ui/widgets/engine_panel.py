"""The live engine panel: volumes, containers, who mounts what where, and what the last
command changed. Redrawn from the engine's event stream in thread workers; they block
on the socket while nothing happens, so an idle panel costs no CPU."""

from __future__ import annotations

import threading
import time
from collections import deque

from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tutor.core.engine.describe import short
from tutor.core.errors import brief
from tutor.core.engine.state import Snapshot, changes, snapshot

RETRY_SECONDS = 2.0
# A burst of events is redrawn once, this long after its first event: the check of the
# command that caused it runs at that moment, and its verdict must not wait for the panel.
SETTLE_SECONDS = 0.2


class EnginePanel(ScrollView):
    """Drawn line by line (Textual's line API): the watcher thread prepares the lines as
    text, and only the visible ones are rendered to strips, when drawn, so a redraw costs
    the same with 3 volumes or 300 and an engine event keeps the GIL briefly."""

    class ConnectionChanged(Message):
        """The engine went away (`ok` False, with the reason) or came back."""

        def __init__(self, ok: bool, reason: str = "") -> None:
            super().__init__()
            self.ok, self.reason = ok, reason

    def __init__(self, port_factory, **kw) -> None:
        super().__init__(**kw)
        self.port_factory = port_factory  # () -> the engine's port (raises when no engine)
        self.current: Snapshot | None = None
        self.last_changes: list[str] = []  # what the latest command changed, so far
        self._new_batch = True
        self._stop = threading.Event()
        self._events = None
        self._port = None  # the watcher's port, for the redraw thread
        self._dirty = threading.Event()  # an event came: redraw after SETTLE_SECONDS
        self._picturing = threading.Lock()  # both threads publish; one diff at a time
        self._lines: list[Text] = [Text("Reading the engine…")]
        self._strips: dict[int, Strip] = {}  # rendered lines, by index, for the current lines
        self._pictures: deque[tuple[float, Snapshot]] = deque(maxlen=32)  # (taken at, snapshot), latest last

    def on_mount(self) -> None:
        self.run_worker(self._watch, thread=True, name="engine-events")
        self.run_worker(self._redraw, thread=True, name="engine-redraw")

    def text(self) -> str:
        """All lines as plain text (tests read it)."""
        return "\n".join(line.plain for line in self._lines)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            strip = self._strips[index] = Strip(list(self._lines[index].render(self.app.console)))
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def on_unmount(self) -> None:
        self._stop.set()
        self._dirty.set()  # wakes the redraw thread, which then sees _stop
        if self._events is not None:
            try:
                self._events.close()
            except Exception:
                pass

    def _watch(self) -> None:
        """Thread: snapshot, then mark the picture stale on each container/volume event;
        reconnect on loss."""
        connected = None
        while not self._stop.is_set():
            try:
                port = self._port = self.port_factory()
                self._publish(*_taken(port))
                if connected is not True:
                    connected = True
                    self.app.call_from_thread(self.post_message, self.ConnectionChanged(True))
                self._events = port.watch({"type": ["container", "volume"]})
                for _ in self._events:
                    if self._stop.is_set():
                        return
                    self._dirty.set()
            except Exception as err:  # the engine stopped, the socket closed
                if self._stop.is_set():
                    return
                if connected is not False:
                    connected = False
                    reason = brief(err)
                    self.app.call_from_thread(self.post_message, self.ConnectionChanged(False, reason))
            self._stop.wait(RETRY_SECONDS)

    def _redraw(self) -> None:
        """Thread: one snapshot per burst of events (a compose up costs one redraw)."""
        while True:
            self._dirty.wait()
            if self._stop.wait(SETTLE_SECONDS):
                return
            self._dirty.clear()
            try:
                self._publish(*_taken(self._port))
            except Exception:  # the engine went away: the watcher says so and reconnects
                pass

    def _publish(self, snap: Snapshot, taken: float) -> None:
        """Thread: work out the picture here, so the UI thread only swaps lines in."""
        with self._picturing:
            if not self._stop.is_set():
                lines = self._picture(snap)
                self._pictures.append((taken, snap))
                self.app.call_from_thread(self._swap_in, lines)

    def command_started(self, at: float | None = None) -> None:
        """A new 'last change' list starts (one command's worth): what changed since the
        last picture taken before `at`, when the shell started the command. Not when the
        command finishes: a `docker run -d` returns before the panel has redrawn all it
        caused, and the late part (the start) must not push out the anonymous volume
        created with the container; nor when this call arrives, which may be after the
        panel drew the command's first changes. In a thread: the pictures' lock is held
        by threads that wait for the UI thread."""
        at = time.time() if at is None else at
        self.run_worker(lambda: self._new_list(at), thread=True, name="engine-new-list")

    def _new_list(self, at: float) -> None:
        with self._picturing:
            before = next((snap for taken, snap in reversed(self._pictures) if taken <= at), None)
            if before is None or self.current is None or self._stop.is_set():
                self._new_batch = True
                return
            self.last_changes = changes(before, self.current)
            self._new_batch = not self.last_changes
            lines = self.render_snapshot(self.current, self.last_changes).split("\n", allow_blank=True)
            self.app.call_from_thread(self._swap_in, lines)

    def show(self, snap: Snapshot) -> None:
        """Show a snapshot now (on the calling thread)."""
        self._swap_in(self._picture(snap))

    def _picture(self, snap: Snapshot) -> list[Text]:
        """The panel's lines as text, with what changed (safe off the UI thread)."""
        if self.current is not None:
            diff = changes(self.current, snap)
            if diff:
                self.last_changes = diff if self._new_batch else self.last_changes + diff
                self._new_batch = False
        self.current = snap
        return self.render_snapshot(snap, self.last_changes).split("\n", allow_blank=True)

    def _swap_in(self, lines: list[Text]) -> None:
        self._lines, self._strips = lines, {}
        self.virtual_size = Size(max((line.cell_len for line in lines), default=0), len(lines))
        self.refresh()

    @staticmethod
    def render_snapshot(snap: Snapshot, recent: list[str]) -> Text:
        text = Text()
        text.append(f"Volumes ({len(snap.volumes)})\n", "bold underline")
        for v in sorted(snap.volumes.values(), key=lambda v: (v.anonymous, v.name)):
            kind = "anonymous" if v.anonymous else "named"
            users = f"used by {', '.join(v.users)}" if v.users else "dangling: no container uses it"
            text.append(f"  {short(v.name):<16} {kind:<9} {users}\n")
        text.append(f"Containers ({len(snap.containers)})\n", "bold underline")
        for c in sorted(snap.containers.values(), key=lambda c: c.name):
            text.append(f"  {c.name:<16} {c.state}\n")
            for m in c.mounts:
                text.append(f"      {m.describe()}\n", "dim" if m.rw else "")
        if recent:
            text.append("What the last command changed\n", "bold underline")
            for line in recent:
                text.append(f"  {line}\n", "reverse" if line[0] in "+−~" else "bold")
        return text


def _taken(port) -> tuple[Snapshot, float]:
    """A snapshot and when it began: it shows nothing that happened after that moment."""
    at = time.time()
    return snapshot(port), at
