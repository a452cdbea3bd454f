"""One learner working through one lesson on one engine: the single place where the
lesson model, the engine, the runner, ownership and progress meet. The CLI and the
TUI both drive a Session; neither talks to Docker itself."""

from __future__ import annotations

import contextlib
import itertools
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from tutor.core import checks, paths
from tutor.core.checks import causes, facts
from tutor.core.learner import guard
from tutor.core.engine import events as history, runner, volumefiles
from tutor.core.engine.describe import short
from tutor.core.engine.connection import Engine
from tutor.core.engine.images import ImageMap
from tutor.core.model import CheckSpec, Command, Lesson, Step
from tutor.core.outcome import Outcome, redact_command
from tutor.core.learner.ownership import Ownership
from tutor.core.learner.progress import Progress
from tutor.core.learner.thinking import LEARNER, PREDICTIONS, QUIZ, Pick, picks, quiz_outcomes
from tutor.core.checks.roles import Roles

WaitProgress = Callable[[str, float, float], None]  # claim, seconds waited, limit


MAX_TRIES = 32  # choices of things for a step's roles tried, at most, when the resolved ones fail it


def _instead(first, other) -> str:
    """What played a role in a passing try, and what the role had resolved to, in words."""
    if first.how == "ambiguous":
        return f"{other.describe()}, the one of {', '.join(map(short, first.candidates))} that meets this step"
    return f"{other.describe()}, which meets this step ({short(first.name)} does not)"


HOW = {
    "now": "holds now",
    "recorded": "proven at {at}",
    "history": "proven from the engine's history",
    "recorded-history": "proven from the engine's history at {at}",
    "implied": "implied by step {by}",
    "lost": "not provable any more",
}


@dataclass
class StepReport:
    """One step's verdict, and how it was reached: it holds now, it was proven when the
    learner did it (recorded), the engine's history proves it, or a later step implies it."""

    step: Step
    outcomes: list[Outcome] = field(default_factory=list)
    how: str = ""  # a key of HOW; "" when it never held, "lost" when history is gone
    recorded_at: float | None = None
    recallable: bool = False  # it failed, but only on checks the engine's history could prove
    roles: list[str] = field(default_factory=list)  # what the roles resolved to, in words

    @property
    def passed(self) -> bool:
        """Was the step proven, one way or another?"""
        return self.how in ("now", "recorded", "recorded-history", "history", "implied")

    @property
    def proof(self) -> str:
        """How it was proven, in words ("" when it was not)."""
        if not self.how:
            return ""
        at = time.strftime("%H:%M", time.localtime(self.recorded_at)) if self.recorded_at else ""
        return HOW[self.how].format(at=at, by=self.step.implied_by)

    def to_dict(self) -> dict:
        """The verdict as JSON data (`check --json`)."""
        return {
            "step": self.step.number,
            "title": self.step.title,
            "passed": self.passed,
            "how": self.how or None,
            "proof": self.proof,
            "recorded_at": self.recorded_at,
            "roles": self.roles,
            "checks": [o.to_dict() for o in self.outcomes],
        }


@dataclass
class Reset:
    """What a reset did: removed, kept (with the reason), and whether docklab owned anything
    of the lesson here (it owns nothing of a lesson it never started on this engine)."""

    removed: list[str]
    kept: list[str]
    owned: bool


class Session:
    """One learner, one lesson, one engine: the front ends begin, run, guard, check and
    reset through it, and read the steps' statuses from it."""

    def __init__(
        self, lesson: Lesson, engine: Engine, image_map: ImageMap | None = None, progress: Progress | None = None
    ):
        self.engine, self.image_map = engine, image_map or ImageMap("real")
        self.progress = progress or Progress()
        self.ownership = Ownership(engine.port, lesson)
        # with the names the learner chose (if begun with others), and the images of the map in its text
        self.lesson = self.ownership.lesson.shown_with(self.image_map.in_code)
        self.failed: set[int] = set()  # steps whose latest check failed
        self.misses: dict[int, int] = {}  # failed checks per step: a challenge offers its solution after 2
        self._began: float | None = None
        self._marked = False
        self.start_note = ""  # how a lesson with no recorded start was taken to begin, in words
        self._ahead: dict[str, str] = {}  # facts found ahead of their step, for a whole-lesson check

    # -- before starting --------------------------------------------------------------------

    def unmet(self) -> list[str]:
        """Why this engine cannot run the lesson: requirements, then missing images."""
        reasons = self.engine.unmet(self.lesson.requires)
        images = [self.image_map.resolve(i) for i in self.lesson.images]
        for image in (i for i in images if not self.engine.port.image_id(i)):
            if self.image_map.name == "offline":
                reasons.append(f"image {image} is missing: build the stand-ins with `docklab images build`")
            else:
                reasons.append(
                    f"image {image} is missing: `docker pull {image}` (online), "
                    "or use the offline stand-ins: `docklab images build` and `--images offline`"
                )
        return reasons

    def begin(self, fresh: bool = False) -> list[str]:
        """Start tracking (raises ownership.Conflict). `fresh` first removes what an earlier
        run of this lesson left and restarts its progress; returns what was removed."""
        removed = self.reset(progress=True).removed if fresh else []
        self.ownership.begin()
        return removed

    def start(self) -> list[str]:
        """Start tracking a lesson the learner does in their own shell, from now on. Names it
        suggests that exist already are no refusal there (the learner picks others), only
        returned, to be said; they stay the learner's."""
        return self.ownership.begin(taken_ok=True)

    def mark_auto_run(self) -> None:
        """Mark the engine's history after `run --auto`: what it did is docklab's doing, so a
        learner's own check of the lesson counts only what comes after."""
        history.mark(self.engine.port, "auto", self.lesson.id)

    # -- reset ------------------------------------------------------------------------------

    def reset_plan(self) -> list[str]:
        """What a reset would remove, in words ("container mydb"): only what the lesson created."""
        return self.ownership.plan().describe()

    def reset(self, progress: bool = False, again: bool = False) -> Reset:
        """Remove exactly what the lesson created and mark the engine's history, so nothing
        before now proves a step; `progress` also starts the learner's progress over, `again`
        goes on tracking the lesson from here. The one reset of the CLI and the TUI."""
        owned = self.ownership.started
        removed, kept = self.ownership.reset()
        if progress:
            self.progress.restart(self.lesson.id)
        self.failed.clear()
        self.misses.clear()
        self._began = None
        if again:
            self.ownership.begin()
        return Reset(removed, kept, owned)

    # -- commands ---------------------------------------------------------------------------

    @property
    def facts(self) -> dict[str, str]:
        """What earlier steps of this attempt remembered (an earlier attempt's facts are stale);
        while a whole lesson is judged, also what the engine tells already of later ones'."""
        return {**self._ahead, **self.progress.facts(self.lesson.id, since=self.began)}

    def command_text(self, command: Command) -> str:
        """The command as the learner sees it and as it runs: images mapped, facts filled
        in where known (an unknown `{fact}` stays visible as a placeholder)."""
        text = self.image_map.apply(command.text, self.lesson.images)
        known = self.facts
        for name, value in known.items():
            text = text.replace("{" + name + "}", value)
        return text

    def text(self, markdown: str) -> str:
        """A step's prose with remembered facts filled in, as its commands are."""
        for name, value in self.facts.items():
            markdown = markdown.replace("{" + name + "}", value)
        return markdown

    @property
    def workdir(self) -> str | None:
        """Where the lesson's commands run (a folder of labs/ holding e.g. a compose file)."""
        return paths.workdir(self.lesson.workdir)

    def guard(self, command: Command) -> guard.PruneVerdict | None:
        """What this command would remove that the lesson does not own (None: it removes
        nothing by itself, or only the lesson's). Ask before running every command."""
        return self.guard_text(self.command_text(command))

    def guard_text(self, text: str) -> guard.PruneVerdict | None:
        """The same for command text as it will be typed (the TUI types it into its shell)."""
        return guard.assess(text, self.engine, self.ownership)

    def ran(self, line: str, start: float, end: float) -> None:
        """A command line the learner ran, and when: kept (passwords hidden, the last 50) so
        that a failed check can name the command that caused it."""
        self.progress.ran(self.lesson.id, redact_command(line, self.lesson.secrets), start, end)

    def run(self, command: Command, emit: runner.Output = lambda s: None) -> runner.Result:
        """Run a command as the learner would. Ownership looks after each step's checks (and
        the engine's history remembers what a later command of the step removed)."""
        start = time.time()
        result = runner.run(
            self.command_text(command),
            emit,
            command.answers,
            command.timeout,
            self.lesson.secrets,
            env=self.engine.env,
            cwd=self.workdir,
        )
        self.ran(self.command_text(command), start, time.time())
        if result.interrupted or result.timed_out:
            self.ownership.observe()  # no check follows
        return result

    # -- what the learner thinks: predictions, hints, the hidden solution, the quiz ------------

    def thinking(self, number: int) -> dict:
        """What progress holds of this step's predictions, hints, solution and quiz."""
        return self.progress.thinking(self.lesson.id).get(number, {})

    def predict(self, number: int, index: int, picked: int | str | None, by: str = LEARNER) -> Pick:
        """Record a prediction (by choice number or text; None skips it). The first one stands."""
        return self._pick(number, PREDICTIONS, index, picked, by)

    def answer(self, number: int, index: int, picked: int | str | None, by: str = LEARNER) -> Pick:
        """Record a quiz answer; `check_step` then counts the step done once all are answered."""
        return self._pick(number, QUIZ, index, picked, by)

    def _pick(self, number: int, kind: str, index: int, picked: int | str | None, by: str) -> Pick:
        step = self.lesson.step(number)
        earlier = picks(step, kind, self.thinking(number))[index]
        if earlier is not None:
            return earlier
        question = (step.predictions if kind == PREDICTIONS else step.quiz)[index]
        pick = Pick(question, question.choice(picked), by)
        self.progress.record_pick(self.lesson.id, number, kind, index, pick.to_record())
        return pick

    def picks(self, number: int, kind: str = PREDICTIONS) -> list[Pick | None]:
        """The learner's picks for this step's predictions (or quiz), None where not yet answered."""
        return picks(self.lesson.step(number), kind, self.thinking(number))

    def hints(self, number: int) -> list[str]:
        """The hints shown so far in this step, facts filled in."""
        step = self.lesson.step(number)
        return [self.text(h) for h in step.hints[: self.thinking(number).get("hints", 0)]]

    def hint(self, number: int) -> str | None:
        """Show (and record) the next hint; None when every hint is shown already."""
        step = self.lesson.step(number)
        if self.thinking(number).get("hints", 0) >= len(step.hints):
            return None
        return self.text(step.hints[self.progress.took_hint(self.lesson.id, number) - 1])

    def stuck(self, number: int) -> bool:
        """Two checks of this challenge failed: offer its solution."""
        return self.lesson.step(number).challenge and self.misses.get(number, 0) >= 2

    def reveal(self, number: int, by: str = LEARNER) -> list[Command]:
        """A challenge's hidden solution, recorded as revealed (by the learner or auto mode)."""
        step = self.lesson.step(number)
        if step.solution:
            self.progress.revealed(self.lesson.id, number, by)
        return list(step.solution)

    # -- checks -----------------------------------------------------------------------------

    @property
    def began(self) -> float:
        """When this attempt began: when docklab started it (`docklab start`, `run`, the TUI);
        else, for a lesson done in the learner's own shell, when the thing that begins it was
        made (see _inferred_start), after docklab's latest reset or auto run of it and at most
        history.DEFAULT_WINDOW ago, so that nothing older takes a role; `start_note` says so."""
        if self.ownership.started_at:
            return self.ownership.started_at
        if self._began is None:
            self._began, self._marked = history.began_marked(self.engine.port, self.lesson.id)
            first = self._inferred_start(self._began)
            command = f"`docklab start {self.lesson.id}` before step 1 records one"
            if first is not None:
                at, what = first
                self._began, self._marked = (at - 1000) / 1e9, False
                self.start_note = (
                    f"No start recorded ({command}): judged from {_clock(self._began)}, when {what}, "
                    "the first thing of this attempt that fits step 1."
                )
            else:
                self.start_note = (
                    f"No start recorded ({command}): nothing made since {_clock(self._began)} fits step 1 yet."
                )
        return self._began

    INFER_FROM = 16  # at most this many of the latest things that fit step 1 are weighed as the start

    def _inferred_start(self, window: float) -> tuple[int, str] | None:
        """(when, what) of the thing that begins a lesson done in the learner's own shell:
        of the things made in the window that fit a role of step 1, the one from which the
        lesson is best played (_played_from); of equals, the latest, so that the learner's
        older things stay out."""
        first = next((s for s in self.lesson.steps if s.checks), None)
        if first is None:
            return None
        seen: dict = {}
        whole = history.History.read(self.engine.port, window)
        roles = self._roles(checks.Context(self.engine, {}, self.lesson.secrets, window, seen=seen, past=whole), False)
        keys = roles.used_by([c.params for c in first.checks])
        made = roles.made(keys)[-self.INFER_FROM :] if keys else []
        return max(made, key=lambda m: (*self._played_from((m[0] - 1000) / 1e9, whole, seen, keys), m[0]), default=None)

    def _played_from(self, since: float, whole: history.History, seen: dict, first: list[str]) -> tuple[int, int]:
        """How well the lesson is played by what was made since `since`: the roles that find
        one thing each, and the facts its steps remember that the engine can tell (the
        volume of a database removed since: a start after that removal cannot tell it);
        then the later roles (not step 1's, `first`) that several things could play. Such
        a start still holds what plays them (a slip and its retry, both restored), where a
        later start that finds nothing for them has left them out; step 1's own roles
        ambiguous are an older attempt and its retry, and the latest start is the retry's."""
        ctx = checks.Context(self.engine, {}, self.lesson.secrets, since, seen=seen, past=whole.after(since))
        roles = self._found_along(ctx)
        return roles.score() + len(ctx.facts), roles.ambiguous(besides=first)

    def _found_along(self, ctx: checks.Context) -> Roles:
        """The roles on this context, with every fact the lesson's steps remember that the
        engine can tell already found (a role may need one: the rescue container mounts the
        volume that the removed database had), so no step waits for another to be judged."""
        roles = self._roles(ctx)
        found = False
        for step in self.lesson.steps:
            for fact in step.facts:
                if fact.name not in ctx.facts and (value := facts.find(fact.kind, fact.params, ctx)[0]) is not None:
                    ctx.facts[fact.name], found = value, True
        return self._roles(ctx) if found else roles

    def _roles(self, ctx: checks.Context, resolve: bool = True, baseline: dict | None = None) -> Roles:
        """The lesson's roles on this context (resolved unless told not to)."""
        images = {i: self.image_map.resolve(i) for i in self.lesson.images}
        roles = Roles(self.lesson.roles, ctx, images, baseline, resolve)
        ctx.roles = roles
        return roles

    @property
    def _anchor(self) -> str | None:
        """The lesson whose docklab mark must be in the history for it to be whole."""
        marked = self.ownership.state.get("marked") if self.ownership.started else (self.began and self._marked)
        return self.lesson.id if marked else None

    def _context(self, past: history.History | None = None, seen: dict | None = None) -> checks.Context:
        ctx = checks.Context(self.engine, self.facts, self.lesson.secrets, self.began, seen=seen, past=past)
        baseline = {k: set(v) for k, v in self.ownership.state["baseline"].items()} if self.ownership.started else None
        self._roles(ctx, baseline=baseline)
        return ctx

    def _poll(self, spec: CheckSpec, first: Outcome, ctx: checks.Context, on_wait: WaitProgress | None) -> Outcome:
        """Re-check while it is only not ready yet, up to `spec.wait` seconds (a database
        starting); anything else (a container that exited, access denied) ends the wait."""
        start, out = time.monotonic(), first
        while out.retry and (waited := time.monotonic() - start) < spec.wait:
            if on_wait:
                on_wait(out.claim, waited, spec.wait)
            volumefiles.release()  # no helper keeps a volume in use through the wait
            time.sleep(0.5)
            ctx.look_again()
            out = checks.evaluate(spec.kind, spec.params, ctx)
        if out.ok or not out.retry:
            return out
        return replace(out, hint=f"Still not so after {spec.wait:.0f} s. " + (out.hint or ""))

    def check_step(
        self,
        number: int,
        wait: bool = False,
        on_wait: WaitProgress | None = None,
        past: history.History | None = None,
        seen: dict | None = None,
        observe: bool = True,
        others: bool = True,
    ) -> StepReport:
        """Judge one step: on the live engine (with `wait`, a check that is only not ready
        yet is polled); failing that, from the engine's history since the lesson began;
        failing that (`others`), with another thing of this attempt in one of its roles.
        Record it done (with its evidence and facts) when it passes any way."""
        step = self.lesson.step(number)
        if step.is_quiz:  # judged by the learner's answers, not the engine
            return self._quiz_report(step)
        with volumefiles.shared():  # a step's looks into one volume share one helper
            ctx, report = self._judged(step, wait, on_wait, past, seen, others)
        if report.passed:
            self.failed.discard(number)
        else:
            self.failed.add(number)
            self.misses[number] = self.misses.get(number, 0) + 1
            if observe and self.progress.writable:  # a learner's own check, not a whole-lesson look
                self.progress.failed_check(self.lesson.id, number)
        if observe:
            self.ownership.observe(ctx)
        return report

    def _judged(
        self,
        step: Step,
        wait: bool,
        on_wait: WaitProgress | None,
        past: history.History | None,
        seen: dict | None,
        others: bool,
    ) -> tuple[checks.Context, StepReport]:
        """check_step's verdict, and the context it was reached in."""
        # one look at each thing for the step (a whole-lesson check's for all); a poll looks again
        ctx = self._context(past, {} if wait or seen is None else seen)
        outcomes: list[Outcome] = []
        for spec in step.checks:
            out = checks.evaluate(spec.kind, spec.params, ctx)
            if not out.ok and wait and spec.wait > 0 and out.retry and all(o.ok for o in outcomes):
                out = self._poll(spec, out, ctx, on_wait)
            outcomes.append(out)
        volumefiles.release()  # what follows (another thing in a role, causes) makes its own
        report = StepReport(step, outcomes, roles=ctx.roles.shown([c.params for c in step.checks]))
        if all(o.ok for o in outcomes) and outcomes:
            report.how = "now"
        else:
            recalled = [
                o if o.ok else checks.evaluate_past(spec.kind, spec.params, ctx)
                for spec, o in zip(step.checks, outcomes)
            ]
            if all(recalled):
                report.outcomes, report.how = list(recalled), "history"  # type: ignore[arg-type]
        if report.passed:
            self._record(step, ctx, report)
        elif others and (another := self._with_another(step, ctx)):
            report = another
        if not report.passed:
            report.outcomes = self._with_causes(step, ctx, report.outcomes)
        if (
            not report.passed
            and any(not o.ok and spec.kind in checks.RECALL for spec, o in zip(step.checks, outcomes))
            and all(o.ok or spec.kind in checks.RECALL for spec, o in zip(step.checks, outcomes))
        ):
            report.recallable = True
        report.outcomes = [o.redacted(ctx.secrets) for o in report.outcomes]
        return ctx, report

    def _with_another(self, step: Step, ctx: checks.Context) -> StepReport | None:
        """The step judged with other things of this attempt in its roles, the first choice
        that meets it (recorded so), when the ones resolved do not: a wrong try kept and a
        right one made beside it pass. The roles a step uses are tried together (at most
        MAX_TRIES choices), since one ambiguous role fails the step whatever another holds.
        None when no choice meets it."""
        keys = list(ctx.roles.used_by([c.params for c in step.checks]))
        firsts = {key: ctx.roles.resolved[key] for key in keys}
        choices = []
        for key in keys:
            keep = [] if firsts[key].how == "ambiguous" else [None]  # None: the role as resolved
            choices.append(keep + ctx.roles.alternatives(key))
        for tried, choice in enumerate(itertools.product(*choices)):
            if tried >= MAX_TRIES:
                break
            pins = [(key, other) for key, other in zip(keys, choice) if other is not None]
            if not pins:
                continue
            with contextlib.ExitStack() as stack:
                for key, other in pins:
                    stack.enter_context(ctx.roles.pinned(key, other))
                outcomes = []
                for spec in step.checks:  # the first that fails ends the try: the cheap checks come first
                    outcomes.append(checks.evaluate(spec.kind, spec.params, ctx))
                    if not outcomes[-1].ok:
                        break
                if not all(o.ok for o in outcomes):
                    continue
                report = StepReport(step, outcomes, "now", roles=[_instead(firsts[k], o) for k, o in pins])
                self._record(step, ctx, report)
                if report.passed:
                    return report
        return None

    def _with_causes(self, step: Step, ctx: checks.Context, outcomes: list[Outcome]) -> list[Outcome]:
        """Each failed check with what was done to the engine, and when, that made it fail:
        the command the learner ran, where docklab saw it, else the engine's event."""
        commands = [
            causes.Command(c["line"], c["start"], c["end"])
            for c in self.progress.commands(self.lesson.id)
            if c["end"] >= self.began
        ]
        out = []
        for spec, o in zip(step.checks, outcomes):
            if not o.ok:
                try:
                    said = causes.explain(spec.kind, checks.fill(spec.params, ctx.values), o, ctx, commands)
                except checks.base.MissingFact:
                    said = ""
                o = replace(o, cause=said) if said else o
            out.append(o)
        return out + outcomes[len(step.checks) :]

    def _quiz_report(self, step: Step) -> StepReport:
        report = StepReport(step, quiz_outcomes(step, self.thinking(step.number)))
        if all(o.ok for o in report.outcomes):
            report.how = "now"
            if step.number not in self.progress.done(self.lesson.id):
                self.progress.mark_done(self.lesson.id, step.number, report.outcomes, {})
        return report

    def _record(self, step: Step, ctx: checks.Context, report: StepReport) -> None:
        """A passed step: remember its facts, record it with its evidence and the things its
        roles were, and let ownership follow those things. A fact not found fails the step."""
        found: dict[str, str] = {}
        for fact in step.facts:
            value, how = facts.find(fact.kind, fact.params, ctx)
            try:
                about = facts.says(fact.kind, checks.fill(fact.params, {**ctx.values, **found}))
            except checks.base.MissingFact:
                about = facts.says(fact.kind, fact.params)
            report.outcomes.append(
                Outcome(
                    value is not None,
                    f"noted for the next steps: {about}",
                    expected=about,
                    found=(f"{short(value)}: {how}" if value else how),
                )
            )
            if value is not None:
                found[fact.name] = value
        if not all(o.ok for o in report.outcomes):
            report.how = ""
            return
        things = {k: {"name": r.name, "id": r.thing_id} for k, r in ctx.roles.resolved.items() if r.found}
        self.progress.mark_done(
            self.lesson.id,
            step.number,
            [o.redacted(ctx.secrets) for o in report.outcomes],
            found,
            how=report.how,
            things=things,
        )
        if self.progress.writable:  # a grader's read-only look adopts nothing
            self.ownership.adopt(*ctx.roles.owned())

    def _judge(self, number: int, past: history.History, seen: dict, others: bool = False) -> StepReport:
        """Now; else as recorded when it held (this attempt); else from history (or, with
        `others`, with another thing in a role). A proof recorded from history stands too:
        the engine forgets, the record does not."""
        done = self.progress.done(self.lesson.id).get(number)
        earlier = done if done and done["done_at"] >= self.began else None
        report = self.check_step(number, past=past, seen=seen, observe=False, others=others)
        as_it_happened = earlier is not None and earlier.get("how", "now") == "now"
        if earlier and (not report.passed or (report.how == "history" and as_it_happened)):
            report.how = "recorded" if as_it_happened else "recorded-history"
            report.recorded_at = earlier["done_at"]
        return report

    def check_all(self) -> list[StepReport]:
        """Every step: holds now, or proven earlier in this attempt, or proven from the
        engine's history, or implied by a later step that passed; else what was found."""
        past = history.History.read(self.engine.port, self.began, anchor=self._anchor)
        seen: dict = {}  # the engine holds still while a whole lesson is judged: look each thing up once
        self._ahead = self._found_along(self._context(past, seen)).ctx.facts  # a later step's facts, for all
        known = self.facts
        reports = [self._judge(step.number, past, seen) for step in self.lesson.steps]
        if any(not r.passed for r in reports) and self.facts != known:  # a later step's fact can resolve a role
            reports = [r if r.passed else self._judge(r.step.number, past, seen) for r in reports]
        _implied(reports)
        # only what neither held nor was implied tries another thing in its roles (a step's execs again)
        reports = [r if r.passed else self._judge(r.step.number, past, seen, others=True) for r in reports]
        _implied(reports)
        for report in reports:
            if not report.passed and report.recallable and not past.complete:
                report.how = "lost"  # history could have proven it, had the engine kept it
        self.failed = {r.step.number for r in reports if not r.passed}
        self._ahead = {}
        self.ownership.observe()
        return reports

    def statuses(self, current: int) -> dict[int, str]:
        """Each step's status for a list of steps (see step_statuses)."""
        return step_statuses(self.progress, self.lesson.id, current, self.failed)


def _implied(reports: list[StepReport]) -> None:
    """A step that did not pass, proven by the later step it names (`implied_by`) passing."""
    for report in reports:
        later = report.step.implied_by
        if not report.passed and later and reports[later - 1].passed:
            report.how = "implied"
            report.outcomes.append(Outcome(True, f"implied by step {later}", found=report.step.implied_because))


def _clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at))


def step_statuses(progress: Progress, lesson_id: str, current: int, failed: set[int] = frozenset()) -> dict[int, str]:
    """Step number -> "done" (recorded), "failed" (its latest check), or "current" for the
    step shown; steps with none of these are absent. Also before a session exists."""
    done = progress.done(lesson_id)
    out = {n: "done" for n in done}
    for n in failed - set(done):
        out[n] = "failed"
    out.setdefault(current, "current")
    return out
