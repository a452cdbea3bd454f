"""The classroom hub's proxy (tutor/classroom/proxy.py), the real process: with more than
ten requests held open through it (a class's browsers waiting on the hub's progress
streams), another request still goes through at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT
from tests.servekit import free_port

pytest.importorskip("configurable_http_proxy")

HELD = 15  # more than tornado's client holds by default (10)


def test_requests_held_open_by_a_class_leave_room_for_one_more():
    release = threading.Event()

    class Upstream(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/held":
                release.wait(30)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port, api = free_port(), free_port()
    proxy = subprocess.Popen(
        [sys.executable, "-m", "tutor.classroom.proxy", "--ip", "127.0.0.1", "--port", str(port)]
        + ["--api-ip", "127.0.0.1", "--api-port", str(api)]
        + ["--default-target", f"http://127.0.0.1:{upstream.server_address[1]}"],
        cwd=ROOT,
        env={**os.environ, "CONFIGPROXY_AUTH_TOKEN": "test"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    get = lambda path, limit: urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=limit).read()  # noqa: E731
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert get("/ready", 2) == b"ok"
                break
            except OSError:
                assert time.monotonic() < deadline, "the proxy did not start"
                time.sleep(0.2)
        with ThreadPoolExecutor(HELD) as pool:
            held = [pool.submit(get, "/held", 30) for _ in range(HELD)]
            time.sleep(1.5)  # all of them in the proxy, waiting on the upstream
            start = time.monotonic()
            assert get("/another", 10) == b"ok"
            assert time.monotonic() - start < 3, "queued behind the held requests"
            release.set()
            assert all(f.result() == b"ok" for f in held)
    finally:
        release.set()
        proxy.terminate()
        proxy.wait(10)
        upstream.shutdown()
