"""Benchmark: a state check in-process vs. the same fact read by spawning `docker` vs.
a raw HTTP request on the engine's socket (the floor), and the wall time of
`docklab --help`. Run: `python bench/check_latency.py`.

Needs a running engine (scripts/engine). Creates one volume with a unique name and
removes it. Prints p50/p90 for each and the ratio, measured side by side in one run.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid

N = 200
HELP_RUNS = 20
SOCKET = "/var/run/docker.sock"


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over the engine's unix socket: no SDK, no requests."""

    def __init__(self, path: str) -> None:
        super().__init__("localhost")
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    from tutor.core.checks import Context, evaluate
    from tutor.core.engine import connect

    engine = connect()
    name = f"bench-{uuid.uuid4().hex[:8]}"
    engine.client.volumes.create(name)
    try:
        ctx = Context(engine)
        for _ in range(10):  # warm the connection pool
            evaluate("volume_exists", {"name": name}, ctx)

        def in_process() -> None:
            assert evaluate("volume_exists", {"name": name}, ctx).ok

        def spawned() -> None:
            subprocess.run(["docker", "volume", "inspect", name], check=True, capture_output=True)

        def raw_http() -> None:
            conn = UnixHTTPConnection(SOCKET)
            conn.request("GET", f"/v{engine.api_version}/volumes/{name}")
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200
            conn.close()

        inproc = timed(in_process, N)
        cli = timed(spawned, N // 4)
        floor = timed(raw_http, N)
    finally:
        engine.client.api.remove_volume(name)

    exe = shutil.which("docklab")
    argv = [exe, "--help"] if exe else [sys.executable, "-m", "tutor", "--help"]

    def help_() -> None:
        subprocess.run(argv, check=True, capture_output=True)

    helps = timed(help_, HELP_RUNS)
    print(f"state check in-process (volume_exists via SDK): p50 {pct(inproc, 50):.2f} ms, p90 {pct(inproc, 90):.2f} ms"
          f"  (n={N})")
    print(f"same fact by spawning `docker volume inspect`:  p50 {pct(cli, 50):.2f} ms, p90 {pct(cli, 90):.2f} ms"
          f"  (n={N // 4})")
    print(f"raw HTTP GET on the socket, new connection each (the floor): p50 {pct(floor, 50):.2f} ms, "
          f"p90 {pct(floor, 90):.2f} ms  (n={N})")
    print(f"ratio (spawned / in-process, p50): {pct(cli, 50) / pct(inproc, 50):.1f}x; "
          f"in-process / floor: {pct(inproc, 50) / pct(floor, 50):.1f}x")
    print(f"`{' '.join(argv[-3:] if not exe else ['docklab', '--help'])}` wall time: p50 {pct(helps, 50):.0f} ms, max {max(helps):.0f} ms  (n={HELP_RUNS})")


if __name__ == "__main__":
    main()
