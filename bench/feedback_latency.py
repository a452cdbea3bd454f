"""Benchmark the feedback a learner feels most: in the TUI, the time from a command's
end to its step's verdict on screen, for a command with no readiness wait
(`docker volume create my-vol`, step 1 of managing-volumes).

"A command's end" is when docklab's pty reader receives the shell's prompt mark (the
app appends it to the file named by DOCKLAB_TRACE, which is off by default); "on
screen" is when the bytes that paint the verdict ("Step 1 done") arrive on docklab's
own pty (a reader thread timestamps each chunk; pyte's parsing is not counted). Each
sample is a fresh `docklab run managing-volumes` in a real pty; `my-vol` and the
progress are removed between samples.

On a private sandbox engine (bench/sandbox_engine.py: root, Linux), quiet, then with
200 extra volumes and 100 extra containers. Target: p50 ≤ 100 ms, p95 ≤ 250 ms.
Run: `python bench/feedback_latency.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import pexpect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sandbox_engine import ROOT, private_engine  # noqa: E402
from tui_startup import Pty  # noqa: E402

COMMAND = "docker volume create my-vol"
VERDICT = "Step 1 done"


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def one(client) -> float:
    """One sample: seconds from the prompt mark to the verdict painted."""
    home = tempfile.mkdtemp(prefix="docklab-bench-")
    trace = Path(home) / "trace"
    env = {**os.environ, "TERM": "xterm-256color", "DOCKLAB_HOME": home, "DOCKLAB_TRACE": str(trace)}
    p = Pty([sys.executable, "-m", "tutor", "run", "managing-volumes"], env)
    try:
        p.until("docklab:", timeout=60)  # the shell's prompt
        p.until("Volumes (", timeout=60)  # the engine panel's first picture
        p.drain_for(1.5)  # the session begins (requirements, ownership baseline) in a worker
        marks_before = trace.read_text().count("mark") if trace.exists() else 0
        chunks: queue.Queue = queue.Queue()
        done = threading.Event()

        def read() -> None:  # timestamps each chunk as it arrives, while pyte parses the last
            while not done.is_set():
                try:
                    data = p.child.read_nonblocking(65536, timeout=0.05)
                except pexpect.TIMEOUT:
                    continue
                chunks.put((time.time(), data))

        reader = threading.Thread(target=read)
        reader.start()
        p.child.send(COMMAND + "\r")
        try:
            while VERDICT not in "\n".join(p.screen.display):
                seen, data = chunks.get(timeout=90)
                p.stream.feed(data)
        finally:
            done.set()
            reader.join()
        marks = [float(line.split()[1]) for line in trace.read_text().splitlines() if line.startswith("mark")]
        assert len(marks) > marks_before, "no prompt mark after the command"
        return seen - marks[-1]
    finally:
        p.stop()
        try:
            client.volumes.get("my-vol").remove(force=True)
        except Exception:
            pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20, help="samples per engine state (default 20)")
    runs = ap.parse_args().runs
    rows = []
    with private_engine(["docklab/busybox:stand-in"]) as (_, client):
        for label in ("quiet", "200 volumes, 100 containers"):
            if label != "quiet":
                for i in range(200):
                    client.volumes.create(f"bench-vol-{i}")
                for i in range(100):
                    client.containers.create(
                        "docklab/busybox:stand-in",
                        ["true"],
                        name=f"bench-c-{i}",
                        volumes=[f"bench-vol-{i}:/data", f"bench-vol-{i + 100}:/more:ro"],
                    )
            one(client)  # a first launch warms the OS's caches; not counted
            samples = [one(client) * 1000 for _ in range(runs)]
            rows.append((label, samples))
            print(f"[{label}] " + " ".join(f"{s:.0f}" for s in samples), file=sys.stderr)
    print(f"Prompt mark → verdict on screen, `{COMMAND}`, {runs} samples each (ms):")
    print("| engine | p50 | p95 | max | target |\n|---|---|---|---|---|")
    for label, samples in rows:
        print(
            f"| {label} | {pct(samples, 50):.0f} | {pct(samples, 95):.0f} | {max(samples):.0f} | p50 ≤ 100, p95 ≤ 250 |"
        )


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
