"""In a learner's server: send the learner's report to the instructor view whenever their
progress changes. The report is the one `docklab report` makes, without its live re-check:
the view looks at this learner's engine itself (tutor/classroom/verdict.py), so a re-check
here would cost the learner's CPU for a word the view does not take. The request carries
the server's own hub token ($JUPYTERHUB_API_TOKEN), so the view learns from the hub who sent
it: no shared key in the learner's hands, no file to collect."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from pathlib import Path

from tutor.core.paths import INSTRUCTION

ENDPOINT = "DOCKLAB_CLASSROOM_REPORT"  # the view's report address, set by the spawner
EVERY = 1.0  # seconds between looks at progress.json
# Seconds at least between two reports but for a step done. Each one has the view re-check the
# learner's lessons live, on their engine: at one a change (a prediction, a hint, a step opened),
# a class doing steps at once spent more CPU checking than learning.
GAP = 10.0
MIN_GAP = 2.0  # seconds at least between any two reports (the view refuses a second within one)
ASK_EVERY = 3.0  # seconds between asks for what the instructor asked of the learner (a catch-up)


def report_now() -> dict:
    from tutor import __version__
    from tutor.core.engine.images import load_map
    from tutor.core.grading import report
    from tutor.core.lessons.catalog import load_all

    return report.make(os.environ.get("JUPYTERHUB_USER", "learner"), load_all(), None, load_map(), __version__)


def send(url: str, token: str, body: dict) -> int:
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status


def steps_done(progress: Path) -> dict[str, list[str]]:
    """The steps the learner's progress records done, per lesson ({} when unreadable)."""
    try:
        lessons = json.loads(progress.read_text()).get("lessons") or {}
        return {k: sorted(v.get("steps") or {}) for k, v in lessons.items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError):
        return {}


def watch() -> None:
    """Report whenever progress changes: at once for a step done (the instructor sees it in
    seconds), at most every GAP seconds for the rest (a prediction, a hint, the step the
    learner is on), at most every MIN_GAP seconds at all (the view takes one a second)."""
    from tutor.core.paths import data_dir

    url, token = os.environ.get(ENDPOINT), os.environ.get("JUPYTERHUB_API_TOKEN")
    if not url or not token:
        print("reporter: no instructor view to report to", file=sys.stderr)
        return
    progress = data_dir() / "progress.json"
    sent, sent_steps = 0, {}  # nothing to report before a first step: a spawning server spends no CPU on it
    last, asked = -GAP, 0.0
    while True:
        try:
            seen = progress.stat().st_mtime_ns
        except FileNotFoundError:
            seen = 0
        since = time.monotonic() - last
        if seen != sent and since >= MIN_GAP:
            steps = steps_done(progress)
            if steps != sent_steps or since >= GAP:
                try:
                    last = time.monotonic()
                    send(url, token, report_now())
                    sent, sent_steps = seen, steps
                except Exception as err:  # the view restarting, a network blip: try again soon
                    print(f"reporter: could not report ({err}); trying again", file=sys.stderr)
                    time.sleep(5)
        if time.monotonic() - asked >= ASK_EVERY:
            asked = time.monotonic()
            fetch_instruction(url.replace("/api/report", "/api/instructions"), token, data_dir() / INSTRUCTION)
        time.sleep(EVERY)


def fetch_instruction(url: str, token: str, into: Path) -> None:
    """What the instructor asked of this learner (catch them up), left for their TUI."""
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            asked = json.loads(resp.read() or b"{}")
    except Exception:  # no view, a blip: the next look asks again
        return
    if asked:
        into.parent.mkdir(parents=True, exist_ok=True)
        tmp = into.with_suffix(".tmp")
        tmp.write_text(json.dumps(asked))
        tmp.replace(into)


if __name__ == "__main__":
    watch()
