"""One learner working through one lesson on one engine: the single place where the
lesson model, the engine, the runner, ownership and progress meet. The CLI and the
TUI both drive a Session; neither talks to Docker itself."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from tutor.core import checks, facts, guard, paths, runner
from tutor.core.engine import Engine
from tutor.core.images import ImageMap, missing_images
from tutor.core.model import CheckSpec, Command, Lesson, Step
from tutor.core.outcome import Outcome
from tutor.core.ownership import Ownership
from tutor.core.progress import Progress

WaitProgress = Callable[[str, float, float], None]  # claim, seconds waited, limit


@dataclass
class StepReport:
    step: Step
    outcomes: list[Outcome] = field(default_factory=list)
    recorded_at: float | None = None  # passed earlier, proven then, no longer visible now

    @property
    def passed(self) -> bool:
        return self.recorded_at is not None or (bool(self.outcomes) and all(o.ok for o in self.outcomes))

    def to_dict(self) -> dict:
        return {"step": self.step.number, "title": self.step.title, "passed": self.passed,
                "recorded_at": self.recorded_at, "checks": [o.to_dict() for o in self.outcomes]}


class Session:
    def __init__(self, lesson: Lesson, engine: Engine, image_map: ImageMap, progress: Progress | None = None):
        self.engine, self.image_map = engine, image_map
        self.progress = progress or Progress()
        self.ownership = Ownership(engine.client, lesson)
        self.lesson = self.ownership.lesson  # with the names the learner chose, if begun with others

    # -- before starting --------------------------------------------------------------------

    def unmet(self) -> list[str]:
        """Why this engine cannot run the lesson: requirements, then missing images."""
        reasons = self.engine.unmet(self.lesson.requires)
        images = [self.image_map.resolve(i) for i in self.lesson.images]
        for image in missing_images(self.engine.client, images):
            if self.image_map.name == "offline":
                reasons.append(f"image {image} is missing: build the stand-ins with `docklab images build`")
            else:
                reasons.append(f"image {image} is missing: `docker pull {image}` (online), "
                               "or use the offline stand-ins: `docklab images build` and `--images offline`")
        return reasons

    def begin(self, fresh: bool = False) -> list[str]:
        """Start tracking (raises ownership.Conflict). `fresh` first removes what an earlier
        run of this lesson left and restarts its progress; returns what was removed."""
        removed: list[str] = []
        if fresh:
            removed, _ = self.ownership.reset()
            self.progress.restart(self.lesson.id)
        self.ownership.begin()
        return removed

    # -- commands ---------------------------------------------------------------------------

    @property
    def facts(self) -> dict[str, str]:
        return self.progress.facts(self.lesson.id)

    def command_text(self, command: Command) -> str:
        """The command as the learner sees it and as it runs: images mapped, facts filled
        in where known (an unknown `{fact}` stays visible as a placeholder)."""
        text = self.image_map.apply(command.text, self.lesson.images)
        known = self.facts
        for name, value in known.items():
            text = text.replace("{" + name + "}", value)
        return text

    @property
    def workdir(self) -> str | None:
        """Where the lesson's commands run (a folder of labs/ holding e.g. a compose file)."""
        return paths.workdir(self.lesson.workdir)

    def guard(self, command: Command) -> guard.Verdict | None:
        """What this command would remove that the lesson does not own (None: it removes
        nothing by itself, or only the lesson's). Ask before running every command."""
        return guard.assess(self.command_text(command), self.engine, self.ownership)

    def run(self, command: Command, emit: runner.Output = lambda s: None) -> runner.Result:
        try:
            return runner.run(self.command_text(command), emit, command.answers, command.timeout,
                              self.lesson.secrets, cwd=self.workdir)
        finally:
            self.ownership.observe()

    # -- checks -----------------------------------------------------------------------------

    def _context(self) -> checks.Context:
        return checks.Context(self.engine, self.facts, self.lesson.secrets, self.ownership.started_at)

    def _poll(self, spec: CheckSpec, first: Outcome, ctx: checks.Context, on_wait: WaitProgress | None) -> Outcome:
        """Re-check until it passes or `spec.wait` seconds are up (a database starting)."""
        start, out = time.monotonic(), first
        while (waited := time.monotonic() - start) < spec.wait:
            if on_wait:
                on_wait(out.claim, waited, spec.wait)
            time.sleep(0.5)
            out = checks.evaluate(spec.kind, spec.params, ctx)
            if out.ok:
                return out
        return Outcome(False, out.claim, out.expected, out.found,
                       f"Still not so after {spec.wait:.0f} s. " + (out.hint or "`docker logs` tells why."))

    def check_step(self, number: int, wait: bool = False, on_wait: WaitProgress | None = None) -> StepReport:
        """Judge one step on the live engine; record it done (and its facts) when it passes.
        With `wait` (auto mode, the TUI after a command), a check that allows a wait is
        polled, but only when every check before it passed: waiting cannot help a
        container that was never started, and later checks need what it waits for."""
        step = self.lesson.step(number)
        ctx = self._context()
        outcomes: list[Outcome] = []
        for spec in step.checks:
            out = checks.evaluate(spec.kind, spec.params, ctx)
            if not out.ok and wait and spec.wait > 0 and all(o.ok for o in outcomes):
                out = self._poll(spec, out, ctx, on_wait)
            outcomes.append(out)
        report = StepReport(step, outcomes)
        if report.passed:
            found: dict[str, str] = {}
            for fact in step.facts:
                value, how = facts.evaluate(fact.kind, fact.params, ctx, self.ownership.started_at)
                report.outcomes.append(Outcome(value is not None, f"remember {fact.name}",
                                               expected=f"{fact.kind} {fact.params}",
                                               found=(f"{checks.short(value)}: {how}" if value else how)))
                if value is not None:
                    found[fact.name] = value
            if report.passed:
                self.progress.mark_done(self.lesson.id, number, report.outcomes, found)
        self.ownership.observe()
        return report

    def check_all(self) -> list[StepReport]:
        """Every step, live; a step that fails now but was proven earlier counts, and says so."""
        reports = []
        done = self.progress.done(self.lesson.id)
        for step in self.lesson.steps:
            report = self.check_step(step.number)
            if not report.passed and step.number in done:
                report.recorded_at = done[step.number]["done_at"]
            reports.append(report)
        return reports
