"""A real browser for the tests: Debian's headless Chromium (scripts/browser installs it), driven
by playwright with its executable path set (playwright's own download is never used). A
page draws docklab's terminal on a canvas, so what the learner sees is read from the bytes
its websocket received, through a terminal emulator (pyte), at the size the page asked for."""

from __future__ import annotations

import json
import os
import time
from urllib.parse import parse_qs, urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"


def chromium(*args: str):
    """Chromium for a module's tests (a fixture's body: `yield from chromium()`), with these
    command-line `args`; each test opens its own pages or contexts. scripts/test installs it and sets DOCKLAB_BROWSER_REQUIRED:
    there, a missing browser fails instead of skipping."""
    missing = pytest.fail if os.environ.get("DOCKLAB_BROWSER_REQUIRED") else pytest.skip
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"no {CHROMIUM}: scripts/browser installs Debian's chromium")
    try:
        from playwright import sync_api
    except ImportError:
        missing("no playwright: pip install -e '.[test]' brings it")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=list(args))
        yield b
        b.close()


class Screen:
    """The page's terminal as the learner sees it: every byte its websocket receives, fed to
    pyte at the size the page asked for."""

    def __init__(self, page) -> None:
        import pyte

        self.page = page
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.sockets = []
        page.on("websocket", self._opened)

    def _opened(self, ws) -> None:
        self.sockets.append(ws)
        self.screen.reset()  # a page's new terminal (a reload) starts blank
        size = parse_qs(urlsplit(ws.url).query)
        if "width" in size:
            self.screen.resize(int(size["height"][0]), int(size["width"][0]))
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self.screen.resize(size["height"], size["width"])

    def _received(self, payload) -> None:
        if isinstance(payload, bytes):
            self.stream.feed(payload)

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while text not in self.text:
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} never showed in the browser; the screen:\n{self.text}")
            self.page.wait_for_timeout(200)
