"""Benchmark catching up: `docklab run LESSON --from LAST --auto` (reset, docklab does steps 1
to LAST-1, recorded as caught up, then the last step by --auto) against `docklab run LESSON
--auto` (the same steps), each a fresh process, interleaved (auto, catch-up, auto, ...) per
lesson, on a private sandbox engine (bench/sandbox_engine.py: root, Linux). Prints the
median of each per lesson. Target: catching up ≤ 1.2× --auto for the same steps.
Run: `python bench/catch_up.py [--runs N] [--lessons ID ...]`."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sandbox_engine import ROOT, lesson_images, private_engine  # noqa: E402


def timed(lesson_id: str, *args: str) -> float:
    """One run of `docklab run LESSON ARGS`, then a reset (not timed)."""
    start = time.perf_counter()
    ran = subprocess.run(
        [sys.executable, "-m", "tutor", "run", lesson_id, *args], cwd=ROOT, capture_output=True, text=True
    )
    took = time.perf_counter() - start
    subprocess.run([sys.executable, "-m", "tutor", "reset", lesson_id], cwd=ROOT, capture_output=True)
    if ran.returncode != 0:
        raise SystemExit(f"{lesson_id} {' '.join(args)}: failed\n{ran.stdout[-800:]}{ran.stderr[-400:]}")
    return took


def main() -> None:
    from tutor.core.lessons import catalog

    every = [i for i in catalog.ids() if not all(s.is_quiz for s in catalog.find(i).steps)]
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3, help="runs of each, per lesson (default 3)")
    ap.add_argument("--lessons", nargs="+", default=every, metavar="ID", help="default: every lesson with steps")
    args = ap.parse_args()
    times = {lesson: ([], []) for lesson in args.lessons}
    with private_engine(lesson_images()):
        for r in range(args.runs):
            for lesson in args.lessons:
                last = str(len(catalog.find(lesson).steps))
                auto, caught = times[lesson]
                auto.append(timed(lesson, "--auto"))
                caught.append(timed(lesson, "--from", last, "--auto"))
                print(
                    f"[run {r + 1}] {lesson}: --auto {auto[-1]:.2f} s, --from {last} {caught[-1]:.2f} s",
                    file=sys.stderr,
                )
    med = statistics.median
    print(f"`run --from LAST --auto` (catching up) vs. `run --auto`, medians of {args.runs} interleaved runs each:")
    print("| lesson | --auto | catching up | ratio |\n|---|---|---|---|")
    for lesson, (auto, caught) in times.items():
        flag = "" if med(caught) / med(auto) <= 1.2 else " (over 1.2×)"
        print(f"| {lesson} | {med(auto):.2f} s | {med(caught):.2f} s | {med(caught) / med(auto):.2f}×{flag} |")


if __name__ == "__main__":
    main()
