"""Benchmark docklab's overhead on `run --auto`: each lesson run by docklab vs. a bare
runner that only types the same commands into a pty (same prompts answered) and waits
for the same slow starts (a database), with no checks, ownership or progress. Both are
timed as a fresh process (`--bare LESSON` runs the bare runner alone). Database
start-up is in both. Target: docklab ≤ 1.2× the bare runner, for every lesson.

Interleaved per lesson, round after round, which side goes first alternating (docklab then
bare in odd rounds, bare then docklab in even ones), after one round that is not counted:
the first run of a lesson in a fresh sandbox pays for its images' first containers, and
whichever side ran first would pay it. On a private sandbox engine
(bench/sandbox_engine.py: root, Linux; lesson names such as mydb would collide on a
shared engine). Prints the median of each, per lesson.
Run: `python bench/auto_overhead.py [--runs N] [--warmup N] [--lessons ID ...]`."""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sandbox_engine import ROOT, lesson_images, private_engine  # noqa: E402


def docklab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tutor", *args], cwd=ROOT, capture_output=True, text=True, input=stdin)


def bare(lesson_id: str) -> float:
    """The same commands, typed into a pty, waiting only where the lesson waits."""
    from tutor.core import checks
    from tutor.core.checks import facts
    from tutor.core.lessons import catalog
    from tutor.core.engine import runner
    from tutor.core.engine.connection import connect
    from tutor.core.engine.images import load_map
    from tutor.core.paths import workdir
    from tutor.core.checks.roles import Roles

    lesson = catalog.find(lesson_id)
    engine, image_map = connect(), load_map("offline")
    images = {i: image_map.resolve(i) for i in lesson.images}
    known: dict[str, str] = {}
    began, start = time.time() - 1, time.perf_counter()  # roles look at what was made since
    for step in lesson.steps:
        for command in step.solution if step.challenge else step.commands:  # as --auto does
            text = image_map.apply(command.text, lesson.images)
            for name, value in known.items():
                text = text.replace("{" + name + "}", value)
            runner.run(text, answers=command.answers, timeout=command.timeout, cwd=workdir(lesson.workdir))
        ctx = checks.Context(engine, known, lesson.secrets, began)
        ctx.roles = Roles(lesson.roles, ctx, images, None)
        for spec in step.checks:
            if spec.wait:  # a slow start: a script would poll the same way
                deadline = time.monotonic() + spec.wait
                while not checks.evaluate(spec.kind, spec.params, ctx).ok and time.monotonic() < deadline:
                    time.sleep(0.5)
        for fact in step.facts:  # what a script would look up with `docker inspect`
            value, _ = facts.find(fact.kind, fact.params, ctx)
            if value:
                known[fact.name] = value
    return time.perf_counter() - start


def timed_docklab(lesson_id: str) -> float:
    t = time.perf_counter()
    ran = docklab("run", lesson_id, "--auto")
    took = time.perf_counter() - t
    docklab("reset", lesson_id)
    if ran.returncode != 0:
        raise SystemExit(f"{lesson_id}: docklab failed:\n{ran.stdout[-800:]}{ran.stderr[-400:]}")
    return took


def timed_bare(lesson_id: str) -> float:
    docklab("run", lesson_id, "--plain", stdin="q\n")  # begin tracking, so reset cleans the bare run
    t = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--bare", lesson_id], cwd=ROOT, check=True)
    took = time.perf_counter() - t
    docklab("reset", lesson_id)
    return took


def main() -> None:
    from tutor.core.lessons import catalog

    every = catalog.ids()
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="runs of each, per lesson (default 5)")
    ap.add_argument("--warmup", type=int, default=1, help="rounds not counted, first (default 1)")
    ap.add_argument("--lessons", nargs="+", default=every, metavar="ID", help="default: all twelve")
    args = ap.parse_args()
    if args.runs < 1 or args.warmup < 0:
        ap.error("--runs must be 1 or more, --warmup 0 or more")
    # as an installed docklab has them: with PYTHONDONTWRITEBYTECODE set and no __pycache__,
    # every process of either side would compile the modules it imports (0.1-0.2 s for docklab's)
    compileall.compile_dir(ROOT / "tutor", quiet=1)
    times = {lesson: ([], []) for lesson in args.lessons}
    with private_engine(lesson_images()):
        for r in range(-args.warmup, args.runs):
            for lesson in args.lessons:
                sides = (timed_docklab, timed_bare) if r % 2 == 0 else (timed_bare, timed_docklab)
                took = {side: side(lesson) for side in sides}
                d, b = took[timed_docklab], took[timed_bare]
                if r >= 0:
                    times[lesson][0].append(d)
                    times[lesson][1].append(b)
                label = f"run {r + 1}" if r >= 0 else "warm-up"
                print(f"[{label}] {lesson}: docklab {d:.2f} s, bare {b:.2f} s", file=sys.stderr)
    med = statistics.median
    print(f"`run --auto` vs. a bare runner, medians of {args.runs} interleaved runs each (order alternating):")
    print("| lesson | docklab | bare | ratio |\n|---|---|---|---|")
    for lesson, (d, b) in times.items():
        flag = "" if med(d) / med(b) <= 1.2 else " (over 1.2×)"
        print(f"| {lesson} | {med(d):.2f} s | {med(b):.2f} s | {med(d) / med(b):.2f}×{flag} |")
    total_d = sum(med(d) for d, _ in times.values())
    total_b = sum(med(b) for _, b in times.values())
    print(f"| **all {len(times)}** | **{total_d:.1f} s** | **{total_b:.1f} s** | **{total_d / total_b:.2f}×** |")
    print(
        f"per-lesson overhead (docklab − bare), median over lessons: "
        f"{med([med(d) - med(b) for d, b in times.values()]):.2f} s"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bare"]:
        bare(sys.argv[2])
    else:
        main()
