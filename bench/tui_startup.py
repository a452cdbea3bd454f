"""Benchmark the TUI as a learner meets it, in a real pty read through pyte:
time from launch to the first painted lesson picker (and the same for a bare Textual
hello-world, launched the same way in the same run), RSS after opening a lesson, and
idle CPU with the engine panel open. Run: `python bench/tui_startup.py`.

Needs the engine and the offline stand-ins (scripts/test starts both). Uses a temporary
DOCKLAB_HOME; opening a lesson creates nothing on the engine.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect
import pyte

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUNS = 5


def launch(argv: list[str], needle: str, env: dict, timeout: float = 30) -> tuple[float, pexpect.spawn]:
    screen = pyte.Screen(140, 45)
    stream = pyte.ByteStream(screen)
    start = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=str(ROOT), dimensions=(45, 140))
    while needle not in "\n".join(screen.display):
        if time.perf_counter() - start > timeout:
            raise RuntimeError(f"{needle!r} never painted")
        try:
            stream.feed(child.read_nonblocking(65536, timeout=0.02))
        except pexpect.TIMEOUT:
            pass
    return time.perf_counter() - start, child


def stop(child: pexpect.spawn) -> None:
    child.sendcontrol("q")
    try:
        child.expect(pexpect.EOF, timeout=10)
    except pexpect.TIMEOUT:
        child.terminate(force=True)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    home = tempfile.mkdtemp(prefix="docklab-bench-")
    env = {**os.environ, "DOCKLAB_HOME": home, "DOCKLAB_IMAGES": "offline", "TERM": "xterm-256color"}
    docklab, hello = [], []
    for _ in range(RUNS):  # interleaved, so both see the same machine
        t, child = launch([sys.executable, "-m", "tutor"], "Type to filter lessons", env)
        docklab.append(t)
        stop(child)
        t, child = launch([sys.executable, str(HERE / "hello_textual.py")], "hello from textual", env)
        hello.append(t)
        stop(child)
    d, h = statistics.median(docklab), statistics.median(hello)
    print(f"first paint of the lesson picker: median {d:.2f} s (min {min(docklab):.2f}, n={RUNS})")
    print(f"first paint of a bare Textual hello-world: median {h:.2f} s (min {min(hello):.2f}, n={RUNS})")
    print(f"ratio docklab / hello-world: {d / h:.2f}x")

    _, child = launch([sys.executable, "-m", "tutor", "run", "named-volumes"], "Step 1 of 6", env)
    try:
        time.sleep(2)  # let the engine panel and the shell settle
        print(f"RSS after opening a lesson: {rss_mb(child.pid):.0f} MB (the docklab process; its shell excluded)")
        before, t0 = cpu_seconds(child.pid), time.perf_counter()
        time.sleep(10)
        used = cpu_seconds(child.pid) - before
        print(f"idle CPU with the engine panel open: {100 * used / (time.perf_counter() - t0):.1f} % of one core "
              f"over 10 s")
    finally:
        stop(child)


if __name__ == "__main__":
    main()
