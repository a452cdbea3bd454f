"""`docklab serve` as a real process on a free port, and the plain HTTP and WebSocket
clients the serve tests (tests/engine/test_serve.py, tests/ui/test_serve_browser.py) use."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

PICKER = "Type to filter lessons"
LISTED = "[data-loss]"  # the lessons load after the picker's first paint: Enter needs them listed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    proc: subprocess.Popen
    base: str  # http://127.0.0.1:PORT
    log: Path  # everything serve wrote, stdout and stderr

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def printed_token(self) -> str:
        found = re.findall(r"\?token=([A-Za-z0-9._~-]+)", self.output)
        assert len(found) == 1, f"expected the address with its token once, got:\n{self.output}"
        return found[0]


@contextlib.contextmanager
def serving(home: Path, *args: str, env: dict | None = None):
    """`python -m tutor serve` with the offline images; stopped (and its output kept) on exit."""
    port = free_port()
    log = home.parent / f"serve-{port}.log"
    full_env = {**os.environ, "DOCKLAB_HOME": str(home), "DOCKLAB_IMAGES": "offline"}
    full_env.pop("DOCKLAB_SERVE_TOKEN", None)
    full_env.update(env or {})
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tutor", "serve", "--port", str(port), *args],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=out,
        )
    served = Served(proc, f"http://127.0.0.1:{port}", log)
    try:
        for _ in range(150):
            if proc.poll() is not None:
                raise AssertionError(f"serve ended with {proc.returncode}:\n{served.output}")
            try:
                get(served.base + "/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"serve never answered:\n{served.output}")
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    """One GET, redirects not followed: status, headers, body."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def cookie_from(headers: dict) -> str:
    """The `docklab_token=...` part of a Set-Cookie header."""
    return headers["Set-Cookie"].split(";")[0]


def websocket(
    url: str,
    headers: dict | None = None,
    script: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (("", PICKER),),
    while_open: Callable[[], None] | None = None,
) -> tuple[int, str]:
    """A WebSocket handshake as textual-serve's page makes it, then `script`: keys to type and the
    text to wait for after them. (101, the screen's bytes as text; `while_open` runs at the end,
    with the TUI still up) when accepted, else (the refusal's status, '')."""
    import aiohttp

    async def talk() -> tuple[int, str]:
        got = b""
        async with aiohttp.ClientSession() as session:
            try:
                ws = await session.ws_connect(url, headers=headers or {})
            except aiohttp.WSServerHandshakeError as err:
                return err.status, ""
            async with ws:
                await ws.send_str(json.dumps(["resize", {"width": 120, "height": 40}]))
                for keys, until in script:
                    if keys:
                        await ws.send_str(json.dumps(["stdin", keys]))
                    start = len(got)
                    while until.encode() not in got[start:]:
                        msg = await asyncio.wait_for(ws.receive(), 60)
                        if msg.type not in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                            raise AssertionError(f"the websocket ended before {until!r} showed: {msg}")
                        got += msg.data if isinstance(msg.data, bytes) else msg.data.encode()
                if while_open:
                    while_open()
        return 101, got.decode("utf-8", "replace")

    return asyncio.run(talk())
