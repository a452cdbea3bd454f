"""A TUI started ahead of its learner (tutor/classroom/warm_tui.py) says when the learner's
screen is up: drawn after the hand-over, then quiet. The learner's server weighs its CPU as
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


async def handed_over(drawn_ahead: bytes = b"") -> tuple[WarmTUI, Socket]:
    """A TUI (never started: only its drawing is fed in) handed over to a browser's socket."""
    warm, socket = WarmTUI("true", download_manager=None), Socket()
    if drawn_ahead:
        await warm._write(drawn_ahead)  # kept for the replay
    await warm.attach(socket)
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
        assert loop.time() - start >= 0.4

    asyncio.run(main())


def test_settled_at_most_some_time_after_the_drawing_began():
    async def main() -> None:
        loop = asyncio.get_running_loop()
        warm, _ = await handed_over()
        settling = asyncio.ensure_future(warm.settled(quiet=0.5, most=0.6, limit=30))
        await warm._write(b"frame")
        began = loop.time()
        while not settling.done():  # a learner pressing keys: it never stops drawing
            await warm._write(b"another")
            await asyncio.sleep(0.1)
        assert loop.time() - began >= 0.6

    asyncio.run(asyncio.wait_for(main(), 10))


def test_settled_at_once_when_the_tui_ended():
    async def main() -> None:
        warm, _ = await handed_over()
        warm._gone()  # it ended (crashed, say) before drawing for the learner
        await warm.settled(quiet=5, most=5, limit=30)

    asyncio.run(asyncio.wait_for(main(), 3))
