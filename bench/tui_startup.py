"""Benchmark the TUI as a learner meets it, in a real pty read through pyte: time from
launch to the first painted lesson picker, to the lessons listed in it, and the same
for a bare Textual hello-world launched the same way (interleaved: docklab, hello,
docklab, ...); then RSS after opening a lesson, and idle CPU (utime+stime from
/proc/PID/stat over 20 s) with the lesson screen and its engine panel open, and of the
hello-world for comparison, and the same with the engine busy (another client creates
or removes a volume every 0.5 s: each event redraws the panel). Target: first paint
≤ 1.3× the hello-world.

Runs on a private sandbox engine (bench/sandbox_engine.py: root, Linux), so "quiet"
means quiet. Run: `python bench/tui_startup.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import pexpect
import pyte

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
IDLE_SECONDS = 20

from sandbox_engine import private_engine  # noqa: E402


class Pty:
    """A program in a pty, its screen kept by pyte."""

    def __init__(self, argv: list[str], env: dict) -> None:
        self.screen = pyte.Screen(140, 45)
        self.stream = pyte.ByteStream(self.screen)
        self.start = time.perf_counter()
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=str(ROOT), dimensions=(45, 140))

    def until(self, needle: str, timeout: float = 30) -> float:
        """Seconds from launch until `needle` is on screen."""
        while needle not in "\n".join(self.screen.display):
            if time.perf_counter() - self.start > timeout:
                raise RuntimeError(f"{needle!r} never painted")
            self.pump(0.005)
        return time.perf_counter() - self.start

    def pump(self, timeout: float) -> None:
        try:
            self.stream.feed(self.child.read_nonblocking(65536, timeout=timeout))
        except pexpect.TIMEOUT:
            pass

    def drain_for(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.pump(0.1)

    def stop(self) -> None:
        self.child.sendcontrol("q")
        try:
            self.child.expect(pexpect.EOF, timeout=10)
        except pexpect.TIMEOUT:
            self.child.terminate(force=True)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu(p: Pty) -> float:
    """% of one core over IDLE_SECONDS, the pty drained meanwhile (as a terminal would)."""
    before, t0 = cpu_seconds(p.child.pid), time.perf_counter()
    p.drain_for(IDLE_SECONDS)
    return 100 * (cpu_seconds(p.child.pid) - before) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    runs = ap.parse_args().runs
    from tutor.core.lessons import catalog, lessonfile

    first_title = lessonfile.load(catalog.files()[0]).title
    with private_engine(["docklab/busybox:stand-in"]) as (_, client):
        env = {**os.environ, "TERM": "xterm-256color"}
        docklab = [sys.executable, "-m", "tutor"]
        hello = [sys.executable, str(HERE / "hello_textual.py")]
        paint, listed, checked, bare = [], [], [], []
        for _ in range(runs):  # interleaved, so both see the same machine
            p = Pty(docklab, env)
            paint.append(p.until("Type to filter lessons"))
            listed.append(p.until(first_title))
            checked.append(p.until("✓ ready"))
            p.stop()
            p = Pty(hello, env)
            bare.append(p.until("hello from textual"))
            p.stop()

        p = Pty(docklab + ["run", "managing-volumes"], env)
        try:
            p.until("Step 1 of")
            p.until("docklab:")  # the shell's prompt
            p.drain_for(3)  # the engine panel's first picture, the session's start
            rss = rss_mb(p.child.pid)
            cpu = idle_cpu(p)
            stop = threading.Event()

            def churn() -> None:
                i = 0
                while not stop.wait(0.5):
                    if i % 2 == 0:
                        client.volumes.create("bench-churn")
                    else:
                        client.volumes.get("bench-churn").remove()
                    i += 1

            churner = threading.Thread(target=churn)
            churner.start()
            try:
                cpu_busy = idle_cpu(p)
            finally:
                stop.set()
                churner.join()
        finally:
            p.stop()
        p = Pty(hello, env)
        try:
            p.until("hello from textual")
            p.drain_for(1)
            cpu_bare = idle_cpu(p)
        finally:
            p.stop()

    med = statistics.median
    print(f"TUI start-up, {runs} interleaved runs each, medians (min):")
    print("| what | median | min |\n|---|---|---|")
    print(f"| docklab: launch → lesson picker painted | {med(paint):.2f} s | {min(paint):.2f} s |")
    print(f"| docklab: launch → lessons listed | {med(listed):.2f} s | {min(listed):.2f} s |")
    print(f"| docklab: launch → engine checked (✓ ready shown) | {med(checked):.2f} s | {min(checked):.2f} s |")
    print(f"| bare Textual hello-world: launch → painted | {med(bare):.2f} s | {min(bare):.2f} s |")
    print(
        f"| ratio picker painted / hello-world (target ≤ 1.3×) | {med(paint) / med(bare):.2f}× "
        f"| {min(paint) / min(bare):.2f}× |"
    )
    print()
    print(f"RSS of the docklab process with a lesson open: {rss:.0f} MB (its shell excluded)")
    print(
        f"idle CPU over {IDLE_SECONDS} s, quiet sandbox engine: docklab with the lesson screen and engine panel "
        f"open {cpu:.2f} % of one core; bare hello-world {cpu_bare:.2f} %"
    )
    print(f"the same lesson screen while a volume is created or removed every 0.5 s: {cpu_busy:.1f} % of one core")


if __name__ == "__main__":
    main()
