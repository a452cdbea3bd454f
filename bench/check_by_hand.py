"""How long `docklab check LESSON` takes at the end of a lesson done by hand, history
included, on an engine that also holds 200 other volumes and 100 other containers;
beside it, the same lesson checked step by step (`check --step N` for each step), as a
learner checking as they go would run it. Both are whole `docklab` processes; median and
p95 per lesson.

Each round does the lesson afresh (a new docklab home, the engine cleared of the last
round's things) with the learner's own way of tests/engine/test_learner_path.py (other
syntax, names of their own, never begun in docklab: the check also finds where the
attempt began), then times the whole check, the first docklab process after the
lesson, as a learner meets it, then the steps. A round reuses nothing of the last: a
check repeated on one attempt is judged partly on what progress recorded, a cheaper path
no learner's first check takes, and reads docklab's journal of the engine's events (kept
in the docklab home) where a first check reads the engine's buffer whole. MySQL's readiness is the
solution's business, not the check's: the script waits for it before checking.
Target: the whole-lesson check under 1 s p50 for every lesson.

Run: `python bench/check_by_hand.py [--runs 3] [--lessons a,b]` (root, Linux; starts
and stops its own sandbox engine, so nothing of yours is touched)."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(args: list[str], env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tutor", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode and "--step" not in args:
        print(done.stdout[-1500:])  # a check that should have passed did not: say why
    return took, done.returncode


def clear(client) -> None:
    """Remove what a round made: everything but the bench's other volumes and containers."""
    for c in client.containers.list(all=True):
        if not c.name.startswith("bench-other-"):
            c.remove(force=True, v=True)
    for v in client.volumes.list():
        if not v.name.startswith("bench-other-"):
            try:
                v.remove(force=True)
            except docker.errors.APIError:
                pass
    for n in client.networks.list():
        if n.name not in ("bridge", "host", "none"):
            n.remove()
    for image in ("mysite:v2",):  # what a lesson has its learner make (compose-volumes)
        try:
            client.images.remove(image)
        except docker.errors.APIError:
            pass


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds per lesson, each done afresh (default 3)")
    parser.add_argument("--lessons", default="")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="docklab-bench-home-")
    os.environ["DOCKLAB_HOME"] = home
    from tests.engine.test_learner_path import PATHS
    from tests.handkit import by_hand
    from tutor.core.engine import bundle, sandbox
    from tutor.core.lessons import catalog, lessonfile
    from tutor.core.engine.images import load_map

    lessons = {catalog.lesson_id(p): lessonfile.load(p) for p in catalog.files()}

    def numbers(lesson_id: str) -> range:
        return range(1, len(lessons[lesson_id].steps) + 1)

    chosen = [x for x in args.lessons.split(",") if x] or [x for x in lessons if x in PATHS]  # the quiz has no steps
    images = bundle.needed(list(lessons.values()), load_map("offline")) + ["docklab/busybox:stand-in"]
    state = sandbox.start(
        images,
        docker.from_env(),
        progress=print,
        data_root=Path("/var/lib/docklab-sandbox-bycheck"),
        run_dir=Path("/run/docklab-sandbox-bycheck"),
    )
    env = {**os.environ, "DOCKER_HOST": state["host"], "DOCKLAB_IMAGES": "offline"}
    os.environ["DOCKER_HOST"] = state["host"]
    rows = []
    try:
        client = docker.DockerClient(base_url=state["host"])
        for i in range(200):
            client.volumes.create(f"bench-other-vol-{i}")
        for i in range(100):
            client.containers.create(
                "docklab/busybox:stand-in", ["true"], name=f"bench-other-c-{i}", volumes=[f"bench-other-vol-{i}:/data"]
            )
        for lesson_id in chosen:
            script = PATHS[lesson_id]["own"]
            whole, steps, codes = [], [], set()
            for _ in range(args.runs):
                env["DOCKLAB_HOME"] = tempfile.mkdtemp(prefix="docklab-bench-home-")  # a learner's first attempt
                # the last round's things are gone, and its history counts for nothing after a reset
                subprocess.run([sys.executable, "-m", "tutor", "reset", lesson_id], env=env, capture_output=True)
                done = by_hand(script)
                if done.returncode:
                    print(f"{lesson_id}: the solution failed: {done.stderr[-300:]}")
                    clear(client)  # what it made before failing would be the next lesson's crowd
                    break
                t, code = timed(["check", lesson_id], env)
                whole.append(t)
                codes.add(code)
                steps.append(sum(timed(["check", lesson_id, "--step", str(n)], env)[0] for n in numbers(lesson_id)))
                clear(client)
            if whole:
                rows.append((lesson_id, statistics.median(whole), p(whole, 0.95), statistics.median(steps), codes))
                print(f"{lesson_id}: whole {rows[-1][1] * 1000:.0f} ms p50", flush=True)  # kept if a later lesson fails
    finally:
        sandbox.stop(purge=True)
    print(
        f"\n`docklab check LESSON` at the end of a lesson done by hand; engine with 200 other volumes, "
        f"100 other containers; {args.runs} rounds, each the lesson done afresh and then checked"
    )
    print("| lesson | whole check p50 | p95 | step by step (sum) p50 | whole / steps | all passed |")
    print("|---|---|---|---|---|---|")
    for lesson_id, p50, p95, s50, codes in rows:
        print(
            f"| {lesson_id} | {p50 * 1000:.0f} ms | {p95 * 1000:.0f} ms | {s50 * 1000:.0f} ms | "
            f"{p50 / s50:.2f} | {'yes' if codes == {0} else 'NO'} |"
        )
    print("target: whole check < 1 s p50 for every lesson")


if __name__ == "__main__":
    main()
