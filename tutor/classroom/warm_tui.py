"""A TUI started before anyone asks for it, so that a learner's login costs a redraw, not
a Python start (imports, lessons, the engine's first answers: most of a server's boot).

textual-serve starts a TUI process per websocket. A learner's server starts one as soon as
its engine is up; the first websocket takes it: what the TUI drew meanwhile is replayed
to the browser (its terminal then shows the same screen), and from then on the TUI talks
to that websocket. Later websockets (or the first, if this one ended) start their own,
at the browser's size, and are handed it the same way.

A TUI whose browser left (a reload, a dropped connection) is kept, detached, and handed to
the next websocket: the learner comes back to the same lesson, step and shell. It draws
its whole screen again for the new page's blank terminal."""

from __future__ import annotations

import asyncio

from aiohttp import web
from textual_serve.app_service import AppService

KEEP = 4 * 2**20  # bytes of drawing kept for the replay; a TUI that draws more is dropped
FIRST_DRAW = 60  # seconds at most to wait for the first screen


class WarmTUI:
    def __init__(self, command: str, download_manager, width: int = 80, height: int = 24) -> None:
        self.width, self.height = width, height
        self.service = AppService(
            command,
            write_bytes=self._write,
            write_str=self._write_str,
            close=self._ended,
            download_manager=download_manager,
        )
        self.alive = True
        self.detached = False  # drew for a browser that left: the next one needs a whole screen
        self._kept: list[bytes] = []
        self._size = 0
        self._socket: web.WebSocketResponse | None = None
        self._drawn = asyncio.Event()
        self._redrawn = asyncio.Event()  # drawn since handed over (at the browser's size)
        self._first_drawn = self._last_drawn = 0.0  # when, first and last (the loop's clock)

    async def start(self) -> None:
        """Start the TUI and return once it has drawn (or ended, or FIRST_DRAW passed)."""
        await self.service.start(self.width, self.height)
        self.service._task.add_done_callback(lambda _: self._gone())  # ended, crashed too
        try:
            await asyncio.wait_for(self._drawn.wait(), FIRST_DRAW)
        except asyncio.TimeoutError:
            pass

    async def attach(self, websocket: web.WebSocketResponse, width: int, height: int) -> AppService:
        """Replay what the TUI drew to the websocket, hand the TUI over to it, and size it to
        the browser's terminal. A detached TUI draws its whole screen instead: Textual
        repaints all on a change of size, so one of the same size gets a row less first."""
        while self._kept:  # drawing that arrives during a send is sent next, in order
            chunk = b"".join(self._kept)
            self._kept.clear()
            await websocket.send_bytes(chunk)
        self._socket = websocket
        if self.detached and (width, height) == (self.width, self.height):
            await self.service.set_terminal_size(width, max(1, height - 1))
        self.detached = False
        self.width, self.height = width, height
        await self.service.set_terminal_size(width, height)
        return self.service

    def detach(self) -> None:
        """The browser left: keep the TUI, drawing for nobody, for the next websocket."""
        self._socket = None
        self.detached = True
        self._kept.clear()

    async def settled(self, quiet: float, most: float, limit: float) -> None:
        """Once the TUI, handed over, has drawn the learner's first screen: drawn, then quiet
        for `quiet` seconds, or `most` seconds after it began (a learner already pressing keys
        keeps it drawing). A first drawing waited for `limit` seconds at most (a browser of
        the TUI's own size gets none)."""
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(self._redrawn.wait(), limit)
        except asyncio.TimeoutError:
            return
        end = self._first_drawn + most
        while (wait := min(self._last_drawn + quiet, end) - loop.time()) > 0:
            await asyncio.sleep(wait)

    async def _write(self, data: bytes) -> None:
        if self._socket is not None:
            await self._socket.send_bytes(data)
            self._last_drawn = asyncio.get_running_loop().time()
            if not self._redrawn.is_set():
                self._first_drawn = self._last_drawn
                self._redrawn.set()
            return
        self._drawn.set()
        if self.detached:  # its next browser gets a whole new screen, not this
            return
        self._size += len(data)
        if self._size > KEEP:  # not a picker at rest: start afresh for the learner instead
            self._kept.clear()
            if self.alive:
                self.alive = False
                asyncio.ensure_future(self.service.stop())
            return
        self._kept.append(data)

    async def _write_str(self, text: str) -> None:
        if self._socket is not None:
            await self._socket.send_str(text)

    async def _ended(self) -> None:
        self._gone()
        if self._socket is not None:
            await self._socket.close()

    def _gone(self) -> None:
        self.alive = False
        self._drawn.set()
        self._redrawn.set()
