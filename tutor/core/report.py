"""The completion report a learner hands in: every lesson and step with its status, when
it was done and the evidence recorded then, plus a re-check on the live engine now.
Schema: docs/report-schema.md (bump SCHEMA on any incompatible change).

Everything that goes in passes through `scrub`, which hides every secret any lesson
declares, so no password reaches a report whatever path it took (progress, a check's
"found", a learner name).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tutor.core.engine import Engine
from tutor.core.images import ImageMap
from tutor.core.livestate import LessonState, ReadOnlyProgress, check_lesson, started
from tutor.core.model import Lesson
from tutor.core.outcome import redact
from tutor.core.progress import Progress

SCHEMA = 1
DONE, NOT_DONE = "done", "not_done"
LESSON_DONE, PARTIAL, NOT_STARTED = "done", "partial", "not_started"


class Unreadable(Exception):
    """The file is not a report this docklab can read; the message says why."""


def iso(t: float | None) -> str | None:
    """Times as UTC ISO 8601 strings: readable, and no floats in the signed form."""
    return None if t is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def scrub(value: Any, secrets: tuple[str, ...]) -> Any:
    """A copy with every secret redacted from every string, keys included."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {scrub(k, secrets): scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, secrets) for v in value]
    return value


def lesson_status(steps: list[dict]) -> str:
    done = sum(s["status"] == DONE for s in steps)
    return LESSON_DONE if steps and done == len(steps) else PARTIAL if done else NOT_STARTED


def _lesson(lesson: Lesson, recorded: dict[int, dict], state: LessonState | None, note: str, now: float) -> dict:
    live = {r.step.number: r for r in state.steps} if state else {}
    steps = []
    for step in lesson.steps:
        rec, report = recorded.get(step.number), live.get(step.number)
        holds = report is not None and bool(report.outcomes) and all(o.ok for o in report.outcomes)
        if rec is not None:
            proof, done_at, evidence = "recorded", rec.get("done_at"), rec.get("evidence", [])
        elif holds:  # done in the learner's own shell and never checked: proven now
            proof, done_at, evidence = "recheck", now, [o.to_dict() for o in report.outcomes]
        else:
            proof, done_at, evidence = None, None, []
        steps.append({
            "number": step.number, "title": step.title, "status": DONE if proof else NOT_DONE,
            "proof": proof, "done_at": iso(done_at), "evidence": evidence,
            "now": None if report is None else {"holds": holds, "checks": [o.to_dict() for o in report.outcomes]},
        })
    status = lesson_status(steps)
    return {"id": lesson.id, "title": lesson.title, "status": status,
            "completed_at": max(s["done_at"] for s in steps) if status == LESSON_DONE else None,
            "recheck": {"checked": state is not None and not state.unmet,
                        "note": "; ".join(state.unmet) if state and state.unmet else note},
            "steps": steps}


def build(learner: str, lessons: list[Lesson], progress: Progress, states: dict[str, LessonState],
          engine: dict | None, docklab: str, notes: dict[str, str] | None = None, now: float | None = None) -> dict:
    """The unsigned report. `states`: the live re-check of each lesson that was re-checked;
    `notes`: why a lesson was not (not started, no engine)."""
    now = time.time() if now is None else now
    body = {
        "schema": SCHEMA,
        "learner": learner,
        "created_at": iso(now),
        "docklab": docklab,
        "engine": engine,
        "lessons": [_lesson(lesson, {int(k): v for k, v in
                                      (progress.data["lessons"].get(lesson.id) or {}).get("steps", {}).items()},
                            states.get(lesson.id), (notes or {}).get(lesson.id, ""), now)
                    for lesson in lessons],
    }
    secrets = tuple(s for lesson in lessons for s in lesson.secrets)
    return scrub(body, secrets)


def make(learner: str, lessons: list[Lesson], engine: Engine | None, image_map: ImageMap, docklab: str,
         progress: Progress | None = None) -> dict:
    """The report for this learner: recorded progress, and a live re-check of every lesson
    they started here (a lesson never started has nothing on the engine to look at)."""
    progress = progress or ReadOnlyProgress()
    states, notes = {}, {}
    for lesson in lessons:
        if engine is None:
            notes[lesson.id] = "no engine reachable at report time"
        elif not started(lesson, progress, engine):
            notes[lesson.id] = "not started on this engine: nothing to re-check"
        else:
            states[lesson.id] = check_lesson(lesson, engine, image_map, progress.path)
    versions = None if engine is None else {"version": engine.version, "api": engine.api_version}
    return build(learner, lessons, progress, states, versions, docklab, notes)


# ---- reading a report back -------------------------------------------------------------


def parse(text: str | bytes) -> dict:
    """A report from its file's content; raise Unreadable with the reason."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise Unreadable("not UTF-8 text") from None
    if not text.strip():
        raise Unreadable("empty file")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        if _ends_early(text):
            raise Unreadable(f"truncated: the JSON ends early (line {err.lineno})") from None
        raise Unreadable(f"not JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    if not isinstance(data, dict) or "schema" not in data:
        raise Unreadable("not a docklab report (no schema field)")
    if type(data["schema"]) is not int or data["schema"] != SCHEMA:
        raise Unreadable(f"unknown schema version {data['schema']!r} (this docklab reads {SCHEMA})")
    return data


def _ends_early(text: str) -> bool:
    """Does the text stop inside a string or an open object or array (a cut-off file)?"""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return in_string or depth > 0


def _no_constant(name: str) -> None:
    raise Unreadable(f"not JSON: {name} is not a JSON number")


def check_shape(data: dict) -> None:
    """Raise Unreadable unless the fields grading relies on are there with the right types."""
    def need(obj: Any, key: str, kind: type, where: str) -> Any:
        value = obj.get(key) if isinstance(obj, dict) else None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise Unreadable(f"{where}.{key} is missing or not {kind.__name__}")
        return value

    need(data, "learner", str, "report")
    for i, lesson in enumerate(need(data, "lessons", list, "report")):
        need(lesson, "id", str, f"lessons[{i}]")
        for j, step in enumerate(need(lesson, "steps", list, f"lessons[{i}]")):
            need(step, "number", int, f"lessons[{i}].steps[{j}]")
            if need(step, "status", str, f"lessons[{i}].steps[{j}]") not in (DONE, NOT_DONE):
                raise Unreadable(f"lessons[{i}].steps[{j}].status is {step['status']!r}, not done or not_done")


def read(path: Path) -> dict:
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise Unreadable(f"cannot read: {err.strerror}") from None
    return parse(raw)
