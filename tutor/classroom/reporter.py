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

ENDPOINT = "DOCKLAB_CLASSROOM_REPORT"  # the view's report address, set by the spawner
EVERY = 1.0  # seconds between looks at progress.json
# Seconds at least between two reports. Each one has the view re-check the learner's lessons
# live, on their engine: at one a change (a step, a prediction, a hint), a class doing steps at
# once spent more CPU checking than learning. The view lags by at most this much.
GAP = 10.0


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


def watch() -> None:
    from tutor.core.paths import data_dir

    url, token = os.environ.get(ENDPOINT), os.environ.get("JUPYTERHUB_API_TOKEN")
    if not url or not token:
        print("reporter: no instructor view to report to", file=sys.stderr)
        return
    progress = data_dir() / "progress.json"
    sent = 0  # nothing to report before a first step: a spawning server spends no CPU on it
    last = -GAP
    while True:
        try:
            seen = progress.stat().st_mtime_ns
        except FileNotFoundError:
            seen = 0
        if seen != sent and time.monotonic() - last >= GAP:
            try:
                last = time.monotonic()
                send(url, token, report_now())
                sent = seen
            except Exception as err:  # the view restarting, a network blip: try again soon
                print(f"reporter: could not report ({err}); trying again", file=sys.stderr)
                time.sleep(5)
        time.sleep(EVERY)


if __name__ == "__main__":
    watch()
