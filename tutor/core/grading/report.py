"""The completion report a learner hands in: every lesson and step with its status, when
it was done and the evidence recorded then, plus a re-check on the live engine now.
Schema: docs/report-schema.md (bump SCHEMA on any incompatible change).

Everything that goes in passes through `scrub`, which hides every secret any lesson
declares, so no password reaches a report whatever path it took (progress, a check's
"found", a learner name).
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.core.engine.connection import Engine
from tutor.core.errors import ContentError
from tutor.core.engine.images import ImageMap
from tutor.core.learner.livestate import LessonState, ReadOnlyProgress, check_lesson, started
from tutor.core.model import Lesson, Step
from tutor.core.learner.thinking import AUTO, CATCH_UP, LEARNER, PREDICTIONS, QUIZ, picks, score
from tutor.core.outcome import redact
from tutor.core.learner.progress import Progress

SCHEMA = 3  # 2: predictions, hints taken, solutions revealed, quiz scores; 3: caught up, reached, failed checks
DONE, NOT_DONE = "done", "not_done"
LESSON_DONE, PARTIAL, NOT_STARTED = "done", "partial", "not_started"


class Unreadable(ContentError):
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
    """A lesson's status from its steps': done, partial or not started."""
    done = sum(s["status"] == DONE for s in steps)
    return LESSON_DONE if steps and done == len(steps) else PARTIAL if done else NOT_STARTED


def _thinking(step: Step, thought: dict) -> dict:
    """What the learner thought in this step: predictions, hints, the solution, the quiz,
    and the checks that failed on the way."""
    predictions = [
        {k: v for k, v in p.to_record().items() if k != "by"}
        for p in picks(step, PREDICTIONS, thought)
        if p is not None
    ]
    answers = [p.to_record() for p in picks(step, QUIZ, thought) if p is not None]
    right, total = score(step, thought)
    return {
        "kind": "quiz" if step.is_quiz else "challenge" if step.challenge else "step",
        "predictions": predictions,
        "hints_taken": thought.get("hints", 0),
        "solution_revealed": bool(thought.get("revealed")),
        "revealed_by": thought.get("revealed"),
        "quiz": {"right": right, "total": total, "answers": answers} if step.is_quiz else None,
        "failed_checks": thought.get("failed", 0),
    }


def _lesson(
    lesson: Lesson,
    recorded: dict[int, dict],
    state: LessonState | None,
    note: str,
    now: float,
    thinking: dict[int, dict],
    reached: dict[int, float],
) -> dict:
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
        steps.append(
            {
                "number": step.number,
                "title": step.title,
                "status": DONE if proof else NOT_DONE,
                "proof": proof,
                "done_at": iso(done_at),
                "evidence": evidence,
                "now": None if report is None else {"holds": holds, "checks": [o.to_dict() for o in report.outcomes]},
                "caught_up": bool(rec and rec.get("caught_up")),
                "started_at": iso(reached.get(step.number)),
                **_thinking(step, thinking.get(step.number, {})),
            }
        )
    status = lesson_status(steps)
    return {
        "id": lesson.id,
        "title": lesson.title,
        "status": status,
        "completed_at": max(s["done_at"] for s in steps) if status == LESSON_DONE else None,
        "recheck": {
            "checked": state is not None and not state.unmet,
            "note": "; ".join(state.unmet) if state and state.unmet else note,
        },
        "steps": steps,
    }


def build(
    learner: str,
    lessons: list[Lesson],
    progress: Progress,
    states: dict[str, LessonState],
    engine: dict | None,
    docklab: str,
    notes: dict[str, str] | None = None,
    now: float | None = None,
) -> dict:
    """The unsigned report. `states`: the live re-check of each lesson that was re-checked;
    `notes`: why a lesson was not (not started, no engine)."""
    now = time.time() if now is None else now
    body = {
        "schema": SCHEMA,
        "learner": learner,
        "created_at": iso(now),
        "docklab": docklab,
        "engine": engine,
        "lessons": [
            _lesson(
                lesson,
                {int(k): v for k, v in (progress.data["lessons"].get(lesson.id) or {}).get("steps", {}).items()},
                states.get(lesson.id),
                (notes or {}).get(lesson.id, ""),
                now,
                progress.thinking(lesson.id),
                progress.reached(lesson.id),
            )
            for lesson in lessons
        ],
    }
    secrets = tuple(s for lesson in lessons for s in lesson.secrets)
    return scrub(body, secrets)


def make(
    learner: str,
    lessons: list[Lesson],
    engine: Engine | None,
    image_map: ImageMap,
    docklab: str,
    progress: Progress | None = None,
) -> dict:
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
# Every file is an instructor's input from someone else: whatever it holds, reading it
# ends in Unreadable with the reason, or in plain JSON (finite numbers, Unicode text, no
# key twice) of a known schema version, which signing.verify can judge; then validate()
# checks that it has the shape of that version. Nesting is bounded by Python's JSON
# reader (a RecursionError, read as "nested too deeply"), and validate() follows the
# schema's own few levels only, so nothing recurses into a JSON bomb.

MAX_BYTES = 5_000_000  # a report of every lesson with its evidence is well under 1 MB
TOO_DEEP = "nested too deeply to read (a report nests 8 levels deep)"
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def read(path: Path) -> dict:
    """The report in a file, refused unread when it is not a regular file or too large."""
    try:
        # O_NONBLOCK: a FIFO named *.json must not hang the roll-up (no effect on a file)
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise Unreadable("not a regular file")
            if info.st_size > MAX_BYTES:
                raise Unreadable(
                    f"too large: {_mb(info.st_size)}, and a report is at most {_mb(MAX_BYTES)}; "
                    "refused without reading it"
                )
            raw = f.read(MAX_BYTES + 1)  # the file may grow while we read
    except OSError as err:
        raise Unreadable(f"cannot read: {err.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise Unreadable(f"too large: over {_mb(MAX_BYTES)}, the most a report can be")
    return parse(raw)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def parse(text: str | bytes) -> dict:
    """A report from its file's content, its shape not yet checked (validate does);
    raise Unreadable with the reason."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise Unreadable("not UTF-8 text") from None
    if not text.strip():
        raise Unreadable("empty file")
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite, object_pairs_hook=_unique)
    except json.JSONDecodeError as err:
        if _ends_early(text):
            raise Unreadable(f"truncated: the JSON ends early (line {err.lineno})") from None
        raise Unreadable(f"not JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    except RecursionError:
        raise Unreadable(TOO_DEEP) from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise Unreadable(f"not a report: {err}") from None
    _unicode(data, text)
    if not isinstance(data, dict) or "schema" not in data:
        raise Unreadable("not a docklab report (no schema field)")
    if type(data["schema"]) is not int or data["schema"] not in SCHEMAS:
        raise Unreadable(
            f"unknown schema version {_show(data['schema'])} (this docklab reads {', '.join(map(str, SCHEMAS))})"
        )
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


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as infinity, which no JSON can hold
        raise Unreadable(f"not JSON: {_show(text)} is too large for a number")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict:
    """An object whose keys are all different: with a key twice, which value was signed?"""
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise Unreadable(f"the key {_show(key)} appears twice in one object, so what it says is ambiguous")
        obj[key] = value
    return obj


def _unicode(data: Any, text: str) -> None:
    """Text the parser lets through but nothing downstream can print: a lone surrogate,
    written as \\ud800."""
    if _SURROGATE.search(text):  # only an escape can make one; most reports have none
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as err:
            raise Unreadable(
                f"the text {_show(err.object[err.start : err.end])} is not valid Unicode (a lone surrogate)"
            ) from None


def _show(value: Any) -> str:
    """A value quoted for a message: escaped, and short whatever its size."""
    text = ascii(value)
    return text if len(text) <= 60 else text[:57] + "..."


# The schema, checked field by field (docs/report-schema.md). A dict is an object with
# at least these keys (more are allowed and ignored, though signed); [x] an array of x;
# str, int, bool that JSON type exactly; TIME a UTC time; a frozenset one of its strings;
# Nullable(x) x or null. `signature` is not here: signing.verify judges it.


@dataclass(frozen=True)
class Nullable:
    spec: Any


TIME = "a UTC time like 2026-11-27T23:10:04Z"
_CHECK = {"ok": bool, "claim": str, "expected": str, "found": str, "hint": str}
_STEP = {
    "number": int,
    "title": str,
    "status": frozenset({DONE, NOT_DONE}),
    "proof": Nullable(str),
    "done_at": Nullable(TIME),
    "evidence": [_CHECK],
    "now": Nullable({"holds": bool, "checks": [_CHECK]}),
}
_LESSON = {
    "id": str,
    "title": str,
    "status": frozenset({LESSON_DONE, PARTIAL, NOT_STARTED}),
    "completed_at": Nullable(TIME),
    "recheck": {"checked": bool, "note": str},
    "steps": [_STEP],
}
_PICK = {"question": str, "choice": Nullable(str), "answer": str, "correct": Nullable(bool), "skipped": bool}
_STEP2 = {
    **_STEP,
    "kind": frozenset({"step", "challenge", "quiz"}),
    "predictions": [_PICK],
    "hints_taken": int,
    "solution_revealed": bool,
    "revealed_by": Nullable(frozenset({LEARNER, AUTO})),
    "quiz": Nullable({"right": int, "total": int, "answers": [{**_PICK, "by": frozenset({LEARNER, AUTO})}]}),
}
_TOP = {
    "schema": int,
    "learner": str,
    "created_at": TIME,
    "docklab": str,
    "engine": Nullable({"version": str, "api": str}),
}
_WHO = frozenset({LEARNER, AUTO, CATCH_UP})
_STEP3 = {
    **_STEP2,
    "revealed_by": Nullable(_WHO),
    "quiz": Nullable({"right": int, "total": int, "answers": [{**_PICK, "by": _WHO}]}),
    "caught_up": bool,
    "started_at": Nullable(TIME),
    "failed_checks": int,
}
SCHEMAS = {
    1: {**_TOP, "lessons": [_LESSON]},
    2: {**_TOP, "lessons": [{**_LESSON, "steps": [_STEP2]}]},
    3: {**_TOP, "lessons": [{**_LESSON, "steps": [_STEP3]}]},
}
_KINDS = {str: "a string", int: "a whole number", bool: "true or false", dict: "an object", list: "an array"}


def validate(data: dict) -> None:
    """Raise Unreadable, naming the field, unless the report has its schema's shape and
    what grading relies on holds: lesson ids unique, steps numbered 1, 2, ... in order,
    and a step done exactly when it says how it was proven."""
    _conform(data, SCHEMAS[data["schema"]], "")
    seen: set[str] = set()
    for i, lesson in enumerate(data["lessons"]):
        if lesson["id"] in seen:
            raise Unreadable(f"lessons[{i}].id {_show(lesson['id'])} appears twice")
        seen.add(lesson["id"])
        for j, step in enumerate(lesson["steps"]):
            where = f"lessons[{i}].steps[{j}]"
            if step["number"] != j + 1:
                raise Unreadable(
                    f"{where}.number is {_show(step['number'])}, not {j + 1}: steps are numbered 1, 2, ... in order"
                )
            if (step["status"] == DONE) != (step["proof"] is not None):
                raise Unreadable(f"{where}.status is {step['status']} but its proof is {_show(step['proof'])}")


def _conform(value: Any, spec: Any, where: str) -> None:
    if type(spec) is type:
        _kind(value, spec, where)
    elif type(spec) is dict:
        if type(value) is not dict:
            _kind(value, dict, where)
        for key, inner in spec.items():
            if key not in value:
                raise Unreadable(f"{where}.{key} is missing" if where else f"{key} is missing")
            item, kind = value[key], type(inner)
            if (
                kind is type
                and type(item) is inner
                or kind is Nullable
                and (item is None or type(item) is inner.spec)
                or kind is frozenset
                and type(item) is str
                and item in inner
            ):
                continue  # the common cases, inline: a report has thousands of fields
            _conform(item, inner, f"{where}.{key}" if where else key)
    elif type(spec) is list:
        if type(value) is not list:
            _kind(value, list, where)
        for i, item in enumerate(value):
            _conform(item, spec[0], f"{where}[{i}]")
    elif type(spec) is Nullable:
        if value is not None:
            _conform(value, spec.spec, where)
    elif type(spec) is frozenset:
        if type(value) is not str or value not in spec:
            raise Unreadable(f"{where} is {_show(value)}, not one of {', '.join(sorted(spec))}")
    elif spec is TIME:
        if type(value) is not str or not _TIME.fullmatch(value):
            raise Unreadable(f"{where} is {_show(value)}, not {TIME}")


def _kind(value: Any, kind: type, where: str) -> None:
    if type(value) is not kind:  # exactly: true is not a number here
        raise Unreadable(f"{where or 'the report'} is {_show(value)}, not {_KINDS[kind]}")
