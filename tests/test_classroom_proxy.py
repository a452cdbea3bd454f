"""The classroom hub's proxy (tutor/classroom/proxy.py), the real process, as the hub runs it:
a websocket handshake offering permessage-deflate, as Chromium and Firefox send it, reaches
the server behind it; the hub's progress stream reaches the browser event by event; and with
more than ten requests held open (a class's browsers waiting on that stream), another one
still goes through at once. The Python configurable-http-proxy failed the first two."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time

import pytest
from aiohttp import ClientSession, ClientTimeout, WSMsgType, web

from tests.servekit import free_port
from tutor.classroom import proxy

HELD = 15  # more than tornado's client held in the Python proxy (10)
# The extension offers, word for word, of Chromium 120+ and Firefox 115+.
OFFERS = {"chromium": "permessage-deflate; client_max_window_bits", "firefox": "permessage-deflate"}


@pytest.fixture(scope="module")
def command() -> list[str]:
    try:
        return proxy.command()
    except proxy.ProxyMissing as err:  # scripts/test installs it: there, a missing proxy fails
        (pytest.fail if os.environ.get("DOCKLAB_BROWSER_REQUIRED") else pytest.skip)(str(err))


def upstream(release: asyncio.Event) -> web.Application:
    """A learner's server in small: a websocket that echoes, an event stream, a request held."""

    async def ws(request):
        sock = web.WebSocketResponse()
        await sock.prepare(request)
        async for msg in sock:
            await sock.send_str("echo " + msg.data)
        return sock

    async def events(request):
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(b'data: {"progress": 10}\n\n')
        await release.wait()  # the stream ends only when the test says so
        await resp.write(b'data: {"ready": true}\n\n')
        return resp

    async def held(request):
        await release.wait()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/ws", ws)
    app.router.add_get("/events", events)
    app.router.add_get("/held", held)
    app.router.add_get("/another", lambda request: web.Response(text="ok"))
    return app


@contextlib.asynccontextmanager
async def proxied(command: list[str], release: asyncio.Event):
    """The upstream on a free port with the proxy in front of it: the proxy's address."""
    runner = web.AppRunner(upstream(release))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    target = site._server.sockets[0].getsockname()[1]
    port, api = free_port(), free_port()
    proc = subprocess.Popen(
        [*command, "--ip", "127.0.0.1", "--port", str(port), "--api-ip", "127.0.0.1", "--api-port", str(api)]
        + ["--default-target", f"http://127.0.0.1:{target}"],
        env={**os.environ, "CONFIGPROXY_AUTH_TOKEN": "test"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with ClientSession(timeout=ClientTimeout(total=30)) as session:
            deadline = time.monotonic() + 30
            while True:
                try:
                    async with session.get(base + "/another") as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "the proxy did not start"
                await asyncio.sleep(0.2)
        yield base
    finally:
        release.set()
        proc.terminate()
        proc.wait(10)
        await runner.cleanup()


async def handshake(base: str, offer: str) -> tuple[str, dict[str, str]]:
    """A websocket handshake with a browser's exact extension offer: the status line and headers."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Extensions: {offer}\r\nOrigin: {base}\r\n\r\n".encode()
    )
    head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode().split("\r\n")
    writer.close()
    return head[0], {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}


@pytest.mark.parametrize("browser", sorted(OFFERS))
def test_a_browsers_websocket_handshake_goes_through(command, browser):
    async def main():
        async with proxied(command, asyncio.Event()) as base:
            return await handshake(base, OFFERS[browser])

    status, headers = asyncio.run(main())
    assert status.split()[1] == "101", status
    assert headers["sec-websocket-extensions"].startswith("permessage-deflate")


def test_compressed_messages_go_both_ways(command):
    async def main():
        async with proxied(command, asyncio.Event()) as base, ClientSession() as session:
            async with session.ws_connect(base.replace("http", "ws") + "/ws", compress=15) as ws:
                await ws.send_str("hello " * 100)
                msg = await ws.receive(timeout=10)
                return ws.compress, msg.type, msg.data

    assert asyncio.run(main()) == (15, WSMsgType.TEXT, "echo " + "hello " * 100)


def test_the_hubs_progress_stream_reaches_the_browser_before_it_ends(command):
    async def main():
        release = asyncio.Event()
        async with proxied(command, release) as base, ClientSession() as session:
            async with session.get(base + "/events") as resp:
                return await asyncio.wait_for(resp.content.readline(), 10)

    assert asyncio.run(main()) == b'data: {"progress": 10}\n'


def test_requests_held_open_by_a_class_leave_room_for_one_more(command):
    async def main():
        release = asyncio.Event()
        async with proxied(command, release) as base, ClientSession() as session:

            async def get(path):
                async with session.get(base + path) as resp:
                    return await resp.text()

            held = [asyncio.ensure_future(get("/held")) for _ in range(HELD)]
            await asyncio.sleep(1.5)  # all of them in the proxy, waiting on the upstream
            another = await asyncio.wait_for(get("/another"), 10)  # queued behind them, it would never come
            release.set()
            return another, await asyncio.gather(*held)

    another, held = asyncio.run(main())
    assert another == "ok" and held == ["ok"] * HELD
