"""The learner's progress: which steps were proven done, when, with what evidence,
and the facts steps remembered. Kept in the data dir across sessions."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tutor.core.outcome import Outcome
from tutor.core.paths import data_dir
from tutor.core.store import read_json, write_json

VERSION = 1
THINKING = "thinking"  # per lesson: what the learner thought in each step
OLD_THINKING = "learn"  # the same record as files written before it was renamed hold it


class Progress:
    def __init__(self, path: Path | None = None):
        self.path = path or data_dir() / "progress.json"
        self.data = read_json(self.path, {"version": VERSION, "lessons": {}})
        self.data.setdefault("lessons", {})
        self._held = threading.local()  # see held(): per thread (the TUI's worker holds, its UI may not)
        for entry in self.data["lessons"].values():
            if isinstance(entry, dict) and OLD_THINKING in entry:  # read the old key, write the new one
                entry[THINKING] = {**entry.pop(OLD_THINKING), **entry.get(THINKING, {})}

    def lesson(self, lesson_id: str) -> dict:
        """The lesson's record (made empty when there is none)."""
        return self.data["lessons"].setdefault(lesson_id, {"steps": {}, "facts": {}})

    writable = True

    def facts(self, lesson_id: str, since: float = 0.0) -> dict[str, str]:
        """The facts steps remembered, only those found at or after `since`."""
        entry = self.lesson(lesson_id)
        found_at = entry.get("facts_at", {})
        return {k: v for k, v in entry.get("facts", {}).items() if found_at.get(k, 0.0) >= since}

    def done(self, lesson_id: str) -> dict[int, dict]:
        """Step number -> its record, for each step recorded done."""
        return {int(k): v for k, v in self.lesson(lesson_id).get("steps", {}).items()}

    def mark_done(
        self,
        lesson_id: str,
        step: int,
        evidence: list[Outcome],
        facts: dict[str, str],
        how: str = "now",
        things: dict | None = None,
    ) -> None:
        """Record a step proven: when, how ("now" or "history"), what held, and which
        containers and volumes (name and id) its roles were."""
        entry = self.lesson(lesson_id)
        now = time.time()
        entry["facts"].update(facts)
        entry.setdefault("facts_at", {}).update({k: now for k in facts})
        earlier = entry["steps"].get(str(step))
        if not (earlier and earlier.get("how") == "now" and how != "now"):  # as it happened beats after the fact
            entry["steps"][str(step)] = {  # a step proven again is the learner's, even if caught up before
                "done_at": now,
                "how": how,
                "things": things or {},
                "evidence": [o.to_dict() for o in evidence],
            }
        self.save()

    def caught_up(self, lesson_id: str, step: int) -> None:
        """Mark a step docklab did for the learner (catching up): done, never proven by them."""
        record = self.lesson(lesson_id)["steps"].get(str(step))
        if record is not None:
            record["caught_up"] = True
            self.save()

    COMMANDS_KEPT = 50

    def commands(self, lesson_id: str) -> list[dict]:
        """The learner's last command lines in this lesson: {line, start, end}, oldest first."""
        return list((self.data["lessons"].get(lesson_id) or {}).get("commands", []))

    def ran(self, lesson_id: str, line: str, start: float, end: float) -> None:
        """Keep a command line the learner ran (already stripped of passwords), the last 50."""
        kept = self.lesson(lesson_id).setdefault("commands", [])
        kept.append({"line": line, "start": start, "end": end})
        del kept[: -self.COMMANDS_KEPT]
        self.save()

    def current(self, lesson_id: str) -> int | None:
        """The step the learner was on when they left (the TUI resumes there)."""
        return self.lesson(lesson_id).get("current")

    def set_current(self, lesson_id: str, step: int) -> None:
        """Remember the step the learner is on, and when they first reached it (the time a
        step took runs from there to its proof)."""
        entry = self.lesson(lesson_id)
        entry["current"] = step
        entry.setdefault("reached", {}).setdefault(str(step), time.time())
        self.save()

    def reached(self, lesson_id: str) -> dict[int, float]:
        """Step -> when the learner first reached it (the TUI's step, `run`'s step shown)."""
        entry = self.data["lessons"].get(lesson_id) or {}
        return {int(k): v for k, v in entry.get("reached", {}).items()}

    def failed_check(self, lesson_id: str, step: int) -> None:
        """Count one more failed check of this step (where the class gets stuck)."""
        entry = self._thinking(lesson_id, step)
        entry["failed"] = entry.get("failed", 0) + 1
        self.save()

    # -- what the learner thought: predictions, hints, solutions, quiz answers ----------------

    def thinking(self, lesson_id: str) -> dict[int, dict]:
        """Per step: `predictions` and `quiz` (index -> the pick), `hints` (how many shown),
        `revealed` (who showed the solution: "learner" or "auto")."""
        entry = self.data["lessons"].get(lesson_id) or {}  # reading never adds a lesson
        return {int(k): v for k, v in entry.get(THINKING, {}).items()}

    def _thinking(self, lesson_id: str, step: int) -> dict:
        return self.lesson(lesson_id).setdefault(THINKING, {}).setdefault(str(step), {})

    def record_pick(self, lesson_id: str, step: int, kind: str, index: int, pick: dict) -> None:
        """A prediction or quiz answer (`kind`: "predictions" or "quiz"); the first one stands."""
        picks = self._thinking(lesson_id, step).setdefault(kind, {})
        if str(index) not in picks:
            picks[str(index)] = {**pick, "at": time.time()}
            self.save()

    def took_hint(self, lesson_id: str, step: int) -> int:
        """Count one more hint shown for this step; return how many it has had."""
        entry = self._thinking(lesson_id, step)
        entry["hints"] = entry.get("hints", 0) + 1
        self.save()
        return entry["hints"]

    def revealed(self, lesson_id: str, step: int, by: str) -> None:
        """Record who revealed this step's solution (the first one counts)."""
        entry = self._thinking(lesson_id, step)
        if not entry.get("revealed"):
            entry["revealed"] = by
            self.save()

    def restart(self, lesson_id: str) -> None:
        """Start the lesson's record over: no steps done, no facts."""
        self.data["lessons"][lesson_id] = {"steps": {}, "facts": {}, "started_at": time.time()}
        self.save()

    def save(self) -> None:
        """Write the record to disk (inside `held()`, once as it ends)."""
        if getattr(self._held, "on", False):
            self._held.unsaved = True
            return
        write_json(self.path, self.data)

    @contextmanager
    def held(self) -> Iterator[None]:
        """The saves inside it made once, as it ends, however it ends (Ctrl-C, an error):
        docklab running a step's commands and answering its quiz itself saved after each."""
        held = self._held
        if getattr(held, "on", False):
            yield
            return
        held.on, held.unsaved = True, False
        try:
            yield
        finally:
            held.on = False
            if held.unsaved:
                self.save()
