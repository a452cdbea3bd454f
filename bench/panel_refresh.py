"""Benchmark the TUI's engine panel under load: 200 volumes and 100 containers on a
private sandbox engine (bench/sandbox_engine.py: root, Linux). Measures what each
engine event costs: the two list calls of a snapshot and the diff into lines (both in
the watcher thread), and the UI frame that shows them, from swapping the lines in to
the frame drawn (Textual's `call_after_refresh`: this includes waiting for Textual's
next screen update), and the UI thread's own work in that frame (time inside the
screen's layout and compositor refresh). The baseline is a real empty frame: the same
app, where only a one-cell widget asks to be repainted. Frames and baselines are
interleaved. Target: a panel frame p95 ≤ 50 ms. Run: `python bench/panel_refresh.py`."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sandbox_engine import private_engine  # noqa: E402

ROUNDS = 60


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    from tutor.core.engine.sdk import SdkPort
    from tutor.core.engine.state import snapshot

    with private_engine(["docklab/busybox:stand-in"]) as (_, client):
        for i in range(200):
            client.volumes.create(f"bench-vol-{i}")
        for i in range(100):
            client.containers.create(
                "docklab/busybox:stand-in",
                ["true"],
                name=f"bench-c-{i}",
                volumes=[f"bench-vol-{i}:/data", f"bench-vol-{i + 100}:/more:ro"],
            )
        snaps = []
        for _ in range(ROUNDS):
            t = time.perf_counter()
            snap = snapshot(SdkPort(client))
            snaps.append((time.perf_counter() - t) * 1000)
    work, frames, empty, busy, busy_empty = asyncio.run(frame_times(snap))
    print(
        f"Engine panel with {len(snap.volumes)} volumes and {len(snap.containers)} containers, "
        f"{ROUNDS} engine events (a volume appears, then goes), frames and empty frames interleaved:"
    )
    print("| what | p50 | p95 | target |\n|---|---|---|---|")
    print(f"| snapshot: the two list calls (watcher thread) | {pct(snaps, 50):.1f} ms | {pct(snaps, 95):.1f} ms | — |")
    print(f"| diff and lines as text (watcher thread) | {pct(work, 50):.1f} ms | {pct(work, 95):.1f} ms | — |")
    print(
        f"| UI frame for one event: swap the lines in → frame drawn | {pct(frames, 50):.1f} ms "
        f"| {pct(frames, 95):.1f} ms | p95 ≤ 50 ms |"
    )
    print(
        f"| the UI thread's work in that frame (layout, compositor) | {pct(busy, 50):.1f} ms "
        f"| {pct(busy, 95):.1f} ms | — |"
    )
    print(
        f"| empty frame, same app (a one-cell widget repainted) | {pct(empty, 50):.1f} ms | {pct(empty, 95):.1f} ms | — |"
    )
    print(
        f"| the UI thread's work in the empty frame | {pct(busy_empty, 50):.1f} ms | {pct(busy_empty, 95):.1f} ms | — |"
    )


def time_ui_work() -> list[float]:
    """Wrap the screen's layout and compositor refresh; the list's one item adds up the
    seconds spent in them (the benchmark's own instrument, not the app's code)."""
    from textual.screen import Screen

    spent = [0.0]
    for name in ("_refresh_layout", "_compositor_refresh"):
        original = getattr(Screen, name)

        def timed(self, *a, _original=original, **kw):
            t = time.perf_counter()
            try:
                return _original(self, *a, **kw)
            finally:
                spent[0] += time.perf_counter() - t

        setattr(Screen, name, timed)
    return spent


async def frame_times(snap):
    from textual.app import App
    from textual.containers import Horizontal
    from textual.widgets import Static

    from tutor.core.engine.state import Snapshot, Volume
    from tutor.ui.widgets.engine_panel import EnginePanel

    class Panel(EnginePanel):
        def on_mount(self) -> None:  # no watcher thread: the benchmark feeds snapshots
            pass

    class Bench(App):
        def compose(self):
            with Horizontal():
                yield Static("x", id="dot")
                yield Panel(lambda: None)

    async def drawn(widget) -> float:
        done = asyncio.Event()
        widget.call_after_refresh(done.set)
        await done.wait()
        return time.perf_counter()

    spent = time_ui_work()
    work, frames, empty, busy, busy_empty = [], [], [], [], []
    async with Bench().run_test(size=(120, 50)) as pilot:
        panel, dot = pilot.app.query_one(Panel), pilot.app.query_one("#dot", Static)
        one_more = Snapshot({**snap.volumes, "bench-new": Volume("bench-new", "local", False)}, snap.containers)
        panel.show(snap)
        await pilot.pause()
        for i in range(ROUNDS):
            which = one_more if i % 2 == 0 else snap
            t = time.perf_counter()
            lines = panel._picture(which)  # the watcher thread's part
            work.append((time.perf_counter() - t) * 1000)
            t, spent[0] = time.perf_counter(), 0.0
            panel._swap_in(lines)  # the UI thread's part: one frame
            frames.append((await drawn(panel) - t) * 1000)
            busy.append(spent[0] * 1000)
            t, spent[0] = time.perf_counter(), 0.0
            dot.refresh()
            empty.append((await drawn(dot) - t) * 1000)
            busy_empty.append(spent[0] * 1000)
    return work, frames, empty, busy, busy_empty


if __name__ == "__main__":
    main()
