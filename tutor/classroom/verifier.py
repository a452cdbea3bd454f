"""The view's looks at its learners' engines (tutor/classroom/verdict.py), asked for by each
report a learner's server posts: in worker processes (each its own DOCKLAB_HOME; a slow or
hostile engine holds a worker, never the view's page), one look at a time per learner, and a
post during a look asks for one more after it. What a look finds is kept as the learner's
report (reports.keep); a learner the view cannot reach keeps their last verified report, or,
with none (a pod on another machine), their own report shaped by the catalog, unverified."""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tutor.classroom.reports import conform, keep, kept, safe_name
from tutor.classroom.verdict import NoRoute, ready, verify

WORKERS = 2


class Verifier:
    def __init__(self, folder: Path, classroom: str | None, workers: int = WORKERS) -> None:
        self.folder, self.classroom, self.workers = Path(folder), classroom, workers
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        self._looking: set[str] = set()
        self._again: dict[str, dict] = {}  # learner -> their latest report, posted during a look
        self.looked = asyncio.Event()  # set after each look (tests wait on it)

    def warm(self) -> None:
        """Start the workers now, so the first learner's step is not held by their start."""
        for _ in range(self.workers):
            self.pool.submit(ready)

    def request(self, learner: str, received: dict) -> None:
        """A look at `learner`'s engine, now or after the one under way."""
        if learner in self._looking:
            self._again[learner] = received
            return
        self._looking.add(learner)
        asyncio.ensure_future(self._looks(learner, received))

    async def _looks(self, learner: str, received: dict) -> None:
        try:
            while True:
                await self._look(learner, received)
                if learner not in self._again:
                    return
                received = self._again.pop(learner)
        finally:
            self._looking.discard(learner)

    async def _look(self, learner: str, received: dict) -> None:
        from tutor.core.lessons.catalog import load_all

        previous = kept(self.folder, learner)
        earlier = previous if previous and previous.get("verified_by") else None
        home = str(self.folder / "verifying" / safe_name(learner))
        try:
            if not self.classroom:
                raise NoRoute("no classroom on this machine's engine to find the learner's server in")
            report = await asyncio.get_running_loop().run_in_executor(
                self.pool, verify, self.classroom, learner, earlier, home
            )
        except NoRoute as err:
            print(f"docklab view: {learner}'s engine not verified: {err}", file=sys.stderr)
            if earlier is not None:
                return  # the server stopped (culled, say): its last verdict stands
            report = conform(received, load_all())
        except Exception as err:  # a check that failed on a strange engine: the last verdict stands
            print(f"docklab view: looking at {learner}'s engine failed: {type(err).__name__}: {err}", file=sys.stderr)
            return
        finally:
            self.looked.set()
        keep(self.folder, learner, report)
