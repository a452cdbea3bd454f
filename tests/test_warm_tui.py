"""A TUI started ahead of its learner (tutor/classroom/warm_tui.py) says when the learner's
screen is up: drawn after the hand-over, then quiet; one whose browser left draws a whole
screen for the next. The learner's server weighs its CPU as
a booting one's until then (learner_spawner.py); the whole path is
tests/engine/test_classroom.py's."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("textual_serve")

from tutor.classroom.warm_tui import WarmTUI  # noqa: E402


class Socket:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)


class Service:
    """The TUI's process as textual-serve's AppService: here, only the sizes it was given."""

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []

    async def set_terminal_size(self, width: int, height: int) -> None:
        self.sizes.append((width, height))


async def handed_over(drawn_ahead: bytes = b"", size=(80, 24)) -> tuple[WarmTUI, Socket]:
    """A TUI (never started: only its drawing is fed in) handed over to a browser's socket."""
    warm, socket = WarmTUI("true", download_manager=None), Socket()
    warm.service = Service()
    if drawn_ahead:
        await warm._write(drawn_ahead)  # kept for the replay
    await warm.attach(socket, *size)
    return warm, socket


def test_settled_waits_for_a_redraw_then_quiet():
    async def main() -> None:
        loop = asyncio.get_running_loop()
        warm, socket = await handed_over(b"drawn ahead")
        assert socket.sent == [b"drawn ahead"]
        settling = asyncio.ensure_future(warm.settled(quiet=0.5, most=30, limit=30))
        await asyncio.sleep(0.3)
        assert not settling.done()  # nothing drawn at the browser's size yet
        for part in (b"frame", b"more of it"):
            await warm._write(part)
            await asyncio.sleep(0)
            assert not settling.done()  # drawing: not quiet yet
        drawn = loop.time()
        await settling
        assert loop.time() - drawn >= 0.5  # quiet for `quiet` seconds after the last drawing
        assert socket.sent == [b"drawn ahead", b"frame", b"more of it"]

    asyncio.run(main())


def test_settled_gives_up_at_its_limit():
    async def main() -> None:
        loop = asyncio.get_running_loop()
        warm, _ = await handed_over()
        start = loop.time()
        await warm.settled(quiet=0.2, most=30, limit=0.4)  # a browser of the TUI's own size: no redraw
        assert 0.4 <= loop.time() - start < 0.4 + 0.3  # then at once, with no quiet to wait for

    asyncio.run(asyncio.wait_for(main(), 10))


def test_settled_at_most_some_time_after_the_drawing_began():
    async def main() -> None:
        loop = asyncio.get_running_loop()
        warm, _ = await handed_over()

        async def settled_at() -> float:
            await warm.settled(quiet=0.5, most=0.6, limit=30)
            return loop.time()

        settling = asyncio.ensure_future(settled_at())
        await warm._write(b"frame")
        began = loop.time()
        while not settling.done():  # a learner pressing keys: it never stops drawing
            await warm._write(b"another")
            await asyncio.sleep(0.1)
        assert 0.6 <= await settling - began < 0.6 + 0.3  # `most` after the drawing began, not later

    asyncio.run(asyncio.wait_for(main(), 10))


def test_settled_at_once_when_the_tui_ended():
    async def main() -> None:
        loop = asyncio.get_running_loop()
        warm, _ = await handed_over()
        warm._gone()  # it ended (crashed, say) before drawing for the learner
        start = loop.time()
        await warm.settled(quiet=5, most=5, limit=30)
        assert loop.time() - start < 0.5  # neither the limit nor the quiet waited for

    asyncio.run(asyncio.wait_for(main(), 3))


def test_a_tui_whose_browser_left_draws_a_whole_screen_for_the_next():
    async def main() -> None:
        warm, first = await handed_over(size=(140, 45))
        assert warm.service.sizes == [(140, 45)]
        warm.detach()  # a reload: the page's websocket closed
        await warm._write(b"a clock ticking meanwhile")
        second = Socket()
        await warm.attach(second, 140, 45)  # the reloaded page, blank, at the same size
        # nothing half drawn replayed; a change of size makes Textual repaint everything
        assert second.sent == [] and warm.service.sizes[1:] == [(140, 44), (140, 45)]
        await warm._write(b"the whole screen")
        assert second.sent == [b"the whole screen"] and first.sent == []
        warm.detach()
        await warm.attach(Socket(), 100, 30)  # another size: that change alone repaints
        assert warm.service.sizes[3:] == [(100, 30)]

    asyncio.run(main())
