"""Benchmark: a state check in-process (docklab's `volume_exists`, through the SDK on the
connection docklab keeps) vs. the floor, a raw HTTP GET of the same volume on one
kept-alive connection to the same engine address that `connect()` chose, vs. the same
fact read by spawning `docker volume inspect`; and the wall time of `docklab --help`.

Interleaved (in-process, floor, in-process, floor, ...; a spawn every fourth round) on
a private sandbox engine (bench/sandbox_engine.py: root, Linux), with one volume.
Prints p50/p90/p95 of each and the ratios. Run: `python bench/check_latency.py`.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sandbox_engine import ROOT, private_engine  # noqa: E402

N = 400
HELP_RUNS = 20


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over the engine's unix socket: no SDK, no requests."""

    def __init__(self, path: str) -> None:
        super().__init__("localhost")
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.socket_path)


def raw_connection(host: str) -> http.client.HTTPConnection:
    if host.startswith("unix://"):
        return UnixHTTPConnection(host.removeprefix("unix://"))
    addr, _, port = host.removeprefix("tcp://").rpartition(":")
    return http.client.HTTPConnection(addr, int(port))


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    from tutor.core.checks import Context, evaluate
    from tutor.core.engine.connection import connect

    with private_engine(["docklab/busybox:stand-in"]) as (_, client):
        engine = connect()
        name = "bench-volume"
        client.volumes.create(name)
        ctx = Context(engine)
        conn = raw_connection(engine.host)
        path = f"/v{engine.api_version}/volumes/{name}"

        def in_process() -> None:
            assert evaluate("volume_exists", {"name": name}, ctx).ok

        def floor() -> None:
            conn.request("GET", path)  # http.client keeps the connection open between requests
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200

        def spawned() -> None:
            subprocess.run(["docker", "volume", "inspect", name], check=True, capture_output=True)

        for _ in range(10):  # both connections open and warm
            in_process()
            floor()
        inproc, raw, cli = [], [], []
        for i in range(N):
            inproc.append(ms(in_process))
            raw.append(ms(floor))
            if i % 4 == 0:
                cli.append(ms(spawned))
        conn.close()
        where = f"{engine.host} ({engine.how})"

    argv = [sys.executable, "-m", "tutor", "--help"]
    helps = [ms(lambda: subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)) for _ in range(HELP_RUNS)]
    print(f"Engine address: {where}; {N} interleaved rounds (spawned: {len(cli)})")
    print("| what | p50 | p90 | p95 |\n|---|---|---|---|")
    for label, v in (
        ("state check in-process (`volume_exists`, SDK, kept-alive connection)", inproc),
        ("floor: raw HTTP GET, one kept-alive connection, same address", raw),
        ("same fact by spawning `docker volume inspect`", cli),
    ):
        print(f"| {label} | {pct(v, 50):.2f} ms | {pct(v, 90):.2f} ms | {pct(v, 95):.2f} ms |")
    print(f"| ratio in-process / floor, p50 | {pct(inproc, 50) / pct(raw, 50):.1f}× | | |")
    print(f"| ratio spawned / in-process, p50 | {pct(cli, 50) / pct(inproc, 50):.1f}× | | |")
    print(
        f"| `python -m tutor --help` wall time (n={HELP_RUNS}) | {pct(helps, 50):.0f} ms | {pct(helps, 90):.0f} ms "
        f"| max {max(helps):.0f} ms |"
    )


if __name__ == "__main__":
    main()
