"""Benchmark docklab's overhead on `run --auto`: each lesson run by docklab vs. a bare
runner that only types the same commands into a pty (same prompts answered) and waits
for the same slow starts (a database), with no checks, ownership or progress. Both are
timed as a fresh process (`--bare LESSON` runs the bare runner alone).
Database start-up is in both. Target: docklab ≤ 1.2× the bare runner.
Run: `python bench/auto_overhead.py [LESSON...]` (offline images, a running engine).
Each lesson is reset afterwards; the bare run is tracked by docklab so reset removes it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def docklab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tutor", *args], cwd=ROOT, capture_output=True, text=True,
                          input=stdin)


def bare(lesson_id: str) -> float:
    """The same commands, typed into a pty, waiting only where the lesson waits."""
    from tutor.core import checks, facts, lessonfile, runner
    from tutor.core.engine import connect
    from tutor.core.images import load_map
    from tutor.core.paths import content_dir, workdir

    lesson = next(lessonfile.load(p) for p in lessonfile.discover(content_dir()) if p.stem.endswith(lesson_id))
    engine, image_map = connect(), load_map("offline")
    known: dict[str, str] = {}
    start = time.perf_counter()
    for step in lesson.steps:
        for command in step.commands:
            text = image_map.apply(command.text, lesson.images)
            for name, value in known.items():
                text = text.replace("{" + name + "}", value)
            runner.run(text, answers=command.answers, timeout=command.timeout, cwd=workdir(lesson.workdir))
        ctx = checks.Context(engine, known)
        for spec in step.checks:
            if spec.wait:  # a slow start: a script would poll the same way
                deadline = time.monotonic() + spec.wait
                while not checks.evaluate(spec.kind, spec.params, ctx).ok and time.monotonic() < deadline:
                    time.sleep(0.5)
        for fact in step.facts:  # what a script would look up with `docker inspect`
            value, _ = facts.evaluate(fact.kind, fact.params, ctx, None)
            if value:
                known[fact.name] = value
    return time.perf_counter() - start


def main() -> None:
    os.environ.setdefault("DOCKLAB_HOME", tempfile.mkdtemp(prefix="docklab-bench-"))
    os.environ["DOCKLAB_IMAGES"] = "offline"
    from tutor.core import lessonfile
    from tutor.core.paths import content_dir

    ids = sys.argv[1:] or [p.stem.split("-", 1)[1] for p in lessonfile.discover(content_dir())]
    total_d = total_b = 0.0
    print(f"{'lesson':<20} {'docklab':>9} {'bare':>9} {'ratio':>6}")
    for lesson_id in ids:
        t = time.perf_counter()
        ran = docklab("run", lesson_id, "--auto")
        d = time.perf_counter() - t
        docklab("reset", lesson_id)
        if ran.returncode != 0:
            print(f"{lesson_id:<20} docklab failed:\n{ran.stdout[-800:]}{ran.stderr[-400:]}")
            continue
        docklab("run", lesson_id, "--plain", stdin="q\n")  # begin tracking, so reset cleans the bare run
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--bare", lesson_id], cwd=ROOT, check=True)
        b = time.perf_counter() - t
        docklab("reset", lesson_id)
        total_d, total_b = total_d + d, total_b + b
        print(f"{lesson_id:<20} {d:>8.2f}s {b:>8.2f}s {d / b:>5.2f}x")
    print(f"{'all':<20} {total_d:>8.2f}s {total_b:>8.2f}s {total_d / total_b:>5.2f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bare"]:
        bare(sys.argv[2])
    else:
        main()
