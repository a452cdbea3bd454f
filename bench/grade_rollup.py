"""Benchmark: `docklab grade` over 1,000 signed reports (target: at most 2 s).
Run: `python bench/grade_rollup.py [N]`.

Generates N reports of every lesson in content/, each learner at a random point of the
course with recorded evidence for every step done (as `docklab report` writes them,
without an engine), then times the real CLI, one process per run as an instructor runs
it, in each format. Needs no engine; writes only to a temp dir.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUNS = 5
KEY = "bench-" + "k" * 58


def generate(folder: Path, n: int) -> int:
    from tutor.core.lessons import catalog
    from tutor.core.grading import report, signing
    from tutor.core.learner.progress import Progress
    from tutor.core.store import write_json

    lessons = catalog.load_all()
    rng = random.Random(5)
    progress_path = folder / "progress.tmp"
    for i in range(n):
        done = {}
        for lesson in lessons[: rng.randint(0, len(lessons))]:
            steps = range(1, len(lesson.steps) + 1 if rng.random() < 0.7 else rng.randint(1, len(lesson.steps)))
            done[lesson.id] = {
                "facts": {},
                "steps": {
                    str(s): {
                        "done_at": 1_764_000_000.0 + s,
                        "evidence": [
                            {
                                "ok": True,
                                "claim": f"{check.kind} {check.params}",
                                "expected": "",
                                "hint": "",
                                "found": "mydb-rescue mounts an anonymous volume 4de01809131c… at /var/lib/mysql",
                            }
                            for check in lesson.step(s).checks
                        ],
                    }
                    for s in steps
                },
            }
        progress_path.write_text(json.dumps({"version": 1, "lessons": done}))
        body = report.build(
            f"learner-{i:04d}", lessons, Progress(progress_path), {}, {"version": "26.1.5", "api": "1.45"}, "0.1.0"
        )
        write_json(folder / "reports" / f"learner-{i:04d}.json", signing.sign(body, KEY.encode()))
    progress_path.unlink()
    return sum(p.stat().st_size for p in (folder / "reports").glob("*.json"))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        size = generate(folder, n)
        (folder / "workshop.key").write_text(KEY)
        print(
            f"{n} signed reports, {size / 1e6:.1f} MB in all ({size / n / 1e3:.0f} kB each); {RUNS} runs per format, "
            "interleaved"
        )
        results: dict[str, list[float]] = {fmt: [] for fmt in ("table", "csv", "html", "junit")}
        for _ in range(RUNS):
            for fmt, times in results.items():
                start = time.perf_counter()
                out = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "tutor",
                        "grade",
                        str(folder / "reports"),
                        "--key-file",
                        str(folder / "workshop.key"),
                        "--format",
                        fmt,
                    ],
                    capture_output=True,
                    cwd=ROOT,
                )
                times.append(time.perf_counter() - start)
                assert out.returncode == 0, out.stderr.decode()
        print("| `docklab grade` over the reports | median | max | target |\n|---|---|---|---|")
        for fmt, times in results.items():
            print(f"| `--format {fmt}` | {statistics.median(times):.2f} s | {max(times):.2f} s | ≤ 2 s |")


if __name__ == "__main__":
    main()
