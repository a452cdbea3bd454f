"""Reports built without an engine, from progress written directly: for the grading unit
tests and the benchmark."""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

from tutor.core.lessons import catalog
from tutor.core.grading import report
from tutor.core.learner.progress import Progress

SECRET = "my-secret-pw"
LESSONS = catalog.load_all()
IDS = [lesson.id for lesson in LESSONS]


def progress_file(path: Path, done: dict[str, list[int]]) -> Progress:
    """A progress file where the given steps were proven, with evidence that mentions the
    data-loss password (as an unredacted older file might)."""
    lessons = {}
    for lesson_id, steps in done.items():
        lessons[lesson_id] = {
            "facts": {},
            "steps": {
                str(n): {
                    "done_at": 1_764_000_000.0 + n,
                    "evidence": [
                        {
                            "ok": True,
                            "claim": f"step {n} holds",
                            "expected": "",
                            "hint": "",
                            "found": f"exit code 0, output: -p{SECRET} mysqld is alive",
                        }
                    ],
                }
                for n in steps
            },
        }
    path.write_text(json.dumps({"version": 1, "lessons": lessons}))
    return Progress(path)


def make_report(tmp: Path, learner: str, done: dict[str, list[int]]) -> dict:
    progress = progress_file(tmp / f"progress-{learner}.json", done)
    return report.build(learner, LESSONS, progress, {}, {"version": "26.1.5", "api": "1.45"}, "0.1.0", now=time.time())


def rechecked(data: dict, lesson_id: str, holds: dict[int, bool]) -> dict:
    """The report as if the live re-check at report time ran on this lesson and found
    each step in `holds` holding or not (the others not re-checked)."""
    for lesson in data["lessons"]:
        if lesson["id"] == lesson_id:
            lesson["recheck"] = {"checked": True, "note": ""}
            for step in lesson["steps"]:
                if step["number"] in holds:
                    ok = holds[step["number"]]
                    step["now"] = {
                        "holds": ok,
                        "checks": [
                            {"ok": ok, "claim": f"step {step['number']} holds", "expected": "", "found": "", "hint": ""}
                        ],
                    }
    return data


def steps(lesson_id: str) -> int:
    """How many steps the shipped lesson has: the roll-up counts against it."""
    from tutor.core.lessons import catalog

    return len(catalog.find(lesson_id).steps)


def table_rows(stdout: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The table read back: learner rows above the line, totals below; columns are at
    least two spaces apart, and a cell holds at most one space in a row."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("learner"))
    above, below, part = {}, {}, None
    for line in lines[start:]:
        if not line.strip():
            break
        if line.startswith("---"):
            part = below
            continue
        cells = re.split(r" {2,}", line.strip())
        (part if part is not None else above)[cells[0]] = cells[1:]
    return above, below


class TableReader(HTMLParser):
    """The roll-up table and the lists of bad reports, read back from the HTML."""

    def __init__(self):
        super().__init__()
        self.rows, self.items, self.links, self._row, self._text, self._in = [], [], [], None, "", None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("link", "script", "img") or attrs.get("src") or attrs.get("href"):
            self.links.append((tag, attrs))
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th", "li"):
            self._in, self._text = tag, ""

    def handle_data(self, data):
        if self._in:
            self._text += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None:
            self._row.append(self._text.strip())
        elif tag == "li":
            self.items.append(self._text.strip())
        elif tag == "tr":
            self.rows.append(self._row)
            self._row = None
        if tag in ("td", "th", "li"):
            self._in = None


def rollup_only(page: str) -> str:
    """The HTML roll-up without its where-the-class-is sections (their tables are no learners)."""
    return re.sub(r'<section class="stuck".*?</section>', "", page, flags=re.S)
