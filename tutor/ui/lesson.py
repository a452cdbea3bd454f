"""The lesson screen: steps, the current step's text with Run actions and check results,
a real terminal, and the live engine panel. Docker work runs in thread workers; the
screen only moves attributes down and reacts to messages coming up."""

from __future__ import annotations

import asyncio
import queue
import time
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from tutor.core.learner.ownership import Conflict
from tutor.core.learner.session import Session, StepReport, step_statuses
from tutor.core.model import Lesson
from tutor.core.paths import workdir
from tutor.ui import keys
from tutor.ui.catchup import CatchUpMixin
from tutor.ui.modals import Confirm
from tutor.ui.thinking import ThinkingMixin
from tutor.ui.terminal import Terminal, pty_available
from tutor.ui.widgets.engine_panel import EnginePanel
from tutor.ui.widgets.steps import StepList
from tutor.ui.widgets.stepview import CheckResults, CommandBlock, StepView

if TYPE_CHECKING:
    from tutor.core.learner.guard import PruneVerdict


class Cancelled(Exception):
    """A newer check replaced this one while it was waiting."""


class LessonScreen(CatchUpMixin, ThinkingMixin, Screen):
    BINDINGS = keys.bindings(keys.LESSON)

    def __init__(self, lesson: Lesson) -> None:
        super().__init__()
        self.lesson = lesson
        self.session: Session | None = None
        self.current = 1
        self.next_command = 0  # index into the current step's commands for F3
        self.run_when_ready = False  # F3 pressed before the session was ready
        self.to_type: queue.Queue[str] = queue.Queue()  # commands on their way to the shell, in order
        self.typing = False  # a worker is taking them
        self.asking = False  # a prediction dialog is up
        self.running = ("", 0.0)  # the command line the shell runs now, and since when
        # A step is drawn in several awaits; a check's report waits for the drawing to end,
        # or the redraw (as the session arrives, say) would wipe it back to "not checked".
        self.drawing = asyncio.Lock()

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="banner", classes="banner hidden")
        with Horizontal(id="top"):
            yield StepList(self.lesson.steps, id="steps")
            yield StepView(id="step")
        with Horizontal(id="bottom"):
            with Vertical(id="terminal-box"):
                yield Static("Terminal (F6 to leave)", classes="section")
                engine_env = self.app.engine.env if self.app.engine is not None else {}
                yield Terminal(
                    id="terminal",
                    env={"DOCKLAB_LESSON": self.lesson.id, **engine_env},
                    cwd=workdir(self.lesson.workdir),
                    spawn=self.app.shell,
                )
            with Vertical(id="engine-box"):
                yield Static("Engine", classes="section")
                yield EnginePanel(self.app.new_port, id="engine")
        yield Footer()

    @property
    def terminal(self) -> Terminal:
        return self.query_one(Terminal)

    async def on_mount(self) -> None:
        self.title = f"docklab — {self.lesson.title}"
        progress = self.app.progress
        done = progress.done(self.lesson.id)
        first_todo = next((s.number for s in self.lesson.steps if s.number not in done), len(self.lesson.steps))
        await self.go_to(progress.current(self.lesson.id) or first_todo)
        if pty_available():
            self.terminal.focus()
        self.start_session()

    @work(thread=True, exclusive=True, group="session")
    def start_session(self) -> None:
        """Requirements, images and the ownership baseline all ask the engine: not on the UI thread."""
        app = self.app
        if app.engine is None:
            self.app.call_from_thread(self.banner, app.engine_error or "No engine yet.")
            return
        session = Session(self.lesson, app.engine, app.image_map, app.progress)
        note = ""
        reasons = session.unmet()
        if reasons:
            note = f"{self.lesson.id} cannot run on this engine: " + "; ".join(reasons)
        else:
            try:
                session.begin()
            except Conflict as err:
                note = str(err)
        self.app.call_from_thread(self._session_ready, session, note)

    async def _session_ready(self, session: Session, note: str) -> None:
        self.session = session
        self.lesson = session.lesson  # with the names it was begun with, if the learner chose others
        if note:
            self.banner(note)
        await self.go_to(self.current)  # commands now shown as they run: images mapped, facts filled
        if self.run_when_ready:
            self.run_when_ready = False
            if not self.asking:  # a prediction comes first: the learner runs it having answered
                self.action_run_next()

    def on_engine_panel_connection_changed(self, message: EnginePanel.ConnectionChanged) -> None:
        if message.ok:
            if self.query_one("#banner", Static).has_class("-engine-lost"):
                self.banner("")
                self.notify("The engine is back.", title="Engine")
        else:
            self.banner(
                f"Lost the connection to the Docker Engine ({message.reason}). Your progress is kept; "
                "docklab reconnects by itself when the engine is back."
            )
        self.query_one("#banner", Static).set_class(not message.ok, "-engine-lost")

    def banner(self, text: str) -> None:
        b = self.query_one("#banner", Static)
        b.update(text)
        b.set_class(not text, "hidden")

    def statuses(self) -> dict[int, str]:
        if self.session is not None:
            return self.session.statuses(self.current)
        return step_statuses(self.app.progress, self.lesson.id, self.current)

    async def go_to(self, number: int) -> None:
        async with self.drawing:
            await self._draw(number)

    async def _draw(self, number: int) -> None:
        number = max(1, min(number, len(self.lesson.steps)))
        self.current, self.next_command = number, 0
        step = self.lesson.step(number)
        shown = [(self.command_text(c), c) for c in step.commands]
        text = self.session.text(step.body) if self.session is not None else None  # facts filled in the prose
        after = self.session.text(step.after) if self.session is not None else None
        await self.query_one(StepView).show_step(step, len(self.lesson.steps), shown, text, after)
        await self.show_thinking(step)
        steps = self.query_one(StepList)
        steps.show(self.statuses())
        steps.index = number - 1
        self.app.progress.set_current(self.lesson.id, number)
        self.ask_prediction(step)

    def command_text(self, command) -> str:
        if self.session is not None:
            return self.session.command_text(command)
        return command.text

    # -- running and checking -------------------------------------------------------------------

    def on_command_block_run(self, message: CommandBlock.Run) -> None:
        self.type_into_terminal(message.command)

    def type_into_terminal(self, command: str) -> None:
        if self.session is None:
            self.notify("Still reaching the engine: try again in a moment.", severity="warning")
            return
        if not self.terminal.alive:
            self.notify(
                "The terminal is not running: press F5 to restart it, or F4 for your own shell.", severity="warning"
            )
            return
        self.to_type.put(command)
        if not self.typing:
            self.typing = True
            self.guard_then_type()

    @work(thread=True, group="guard")
    def guard_then_type(self) -> None:
        """A prune removes by rule, the learner's things too: ask the engine first. One
        worker takes the commands in the order they came (a second F3 while the first is
        asked about waits its turn, never drops it), and ends once none is left."""
        while True:
            try:
                command = self.to_type.get_nowait()
            except queue.Empty:
                self.app.call_from_thread(self._typed_all)
                return
            verdict = None
            if self.session is not None:
                try:
                    verdict = self.session.guard_text(command)
                except Exception:  # the engine went away: the banner says so; the shell will too
                    verdict = None
            self.app.call_from_thread(self._after_guard, command, verdict)

    def _typed_all(self) -> None:
        if self.to_type.empty():
            self.typing = False
        else:  # one came as the worker was ending
            self.guard_then_type()

    def _after_guard(self, command: str, verdict: PruneVerdict | None) -> None:
        if verdict is None or verdict.safe:
            if verdict is not None:
                self.notify(verdict.message(), title="Prune checked")
            self._type(command)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._type(command)

        self.app.push_screen(
            Confirm(
                "This command reaches beyond the lesson",
                verdict.message(refusing=False).splitlines(),
                yes="Type it anyway (y)",
                no="Don't (n)",
            ),
            answered,
        )

    def _type(self, command: str) -> None:
        self.terminal.type_command(command)
        self.terminal.focus()

    def action_run_next(self) -> None:
        """The step's next command; on a step done whose commands were all typed, the next step.
        Pressed while the lesson still reaches the engine, it runs once the engine answers."""
        if self.session is None:
            if self.app.engine is None:
                self.notify("No Docker Engine to run it on: the banner says why.", severity="warning")
            elif not self.run_when_ready:
                self.run_when_ready = True
                self.notify("Reaching the engine: the command runs as soon as it answers.")
            return
        step = self.lesson.step(self.current)
        commands = step.commands
        if step.challenge and self.session is not None and self.session.thinking(step.number).get("revealed"):
            commands = step.solution
        if self.is_done(step.number) and self.next_command >= len(commands):
            if step.number < len(self.lesson.steps):
                self.call_after_refresh(self.go_to, step.number + 1)
            return
        if step.challenge and commands is not step.solution:
            self.notify(
                "A challenge gives no command: type yours in the terminal (F10 a hint, F12 a solution).",
                title="Challenge",
            )
            return
        if not commands:
            return
        command = commands[min(self.next_command, len(commands) - 1)]
        self.next_command += 1
        self.type_into_terminal(self.command_text(command))

    def on_terminal_command_started(self, message: Terminal.CommandStarted) -> None:
        self.query_one(EnginePanel).command_started(message.at)
        self.running = (message.line, message.at)

    def on_terminal_command_finished(self, message: Terminal.CommandFinished) -> None:
        line, started = self.running
        if line and self.session is not None:  # kept (passwords hidden) so a failed check can name it
            self.session.ran(line, started, time.time())
        self.running = ("", 0.0)
        self.run_check(wait=True)

    def action_check(self) -> None:
        self.run_check(wait=False)

    @work(thread=True, exclusive=True, group="check")
    def run_check(self, wait: bool) -> None:
        if self.session is None:
            self.app.call_from_thread(self.notify, "No engine (yet): checks cannot run.", severity="error")
            return
        worker = get_current_worker()
        number = self.current
        try:
            results = self.query_one(CheckResults)
        except NoMatches:  # the screen is closing (the learner left, the app quits): nothing to show it on
            return

        def on_wait(claim: str, waited: float, limit: float) -> None:
            if worker.is_cancelled:
                raise Cancelled
            self.app.call_from_thread(
                results.show, None, f"waiting until {claim}: {waited:.0f} s of at most {limit:.0f} s"
            )

        try:
            report = self.session.check_step(number, wait=wait, on_wait=on_wait)
        except Cancelled:
            return
        except Exception as err:  # the engine went away mid-check
            self.app.call_from_thread(self.banner, f"The check could not reach the engine: {err}")
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_report, number, report)

    async def show_report(self, number: int, report: StepReport) -> None:
        async with self.drawing:
            self._show_report(number, report)

    def _show_report(self, number: int, report: StepReport) -> None:
        if number != self.current:
            return
        try:
            results = self.query_one(CheckResults)
        except NoMatches:  # the screen closed while the check ran: nothing to show it on
            return
        results.show(report)
        step = self.lesson.step(number)
        if report.passed:
            self.notify(f"Step {number} done ✓", title="Check passed")
            self.show_passed(step)  # stays in view: the learner reads the finding, then moves on
            if len(self.app.progress.done(self.lesson.id)) == len(self.lesson.steps):
                self.notify(f"Every step of {self.lesson.id} is done. F9 resets it.", title="Lesson complete")
        else:
            self.show_hints(step)
        self.query_one(StepList).show(self.statuses())

    # -- navigation -----------------------------------------------------------------------------

    async def action_step(self, delta: int) -> None:
        await self.go_to(self.current + delta)

    async def on_step_list_step_chosen(self, message: StepList.StepChosen) -> None:
        await self.go_to(message.number)

    def action_switch_focus(self) -> None:
        if self.terminal.has_focus:
            blocks = self.query(CommandBlock)
            (blocks.first() if blocks else self.query_one(StepList)).focus()
        else:
            self.terminal.focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_restart_shell(self) -> None:
        self.terminal.restart()
        self.terminal.focus()

    def action_own_shell(self) -> None:
        self.app.own_shell()

    # -- reset ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="reset")
    def action_reset(self) -> None:
        if self.session is None:
            return
        self.app.call_from_thread(self._confirm_reset, self.session.reset_plan())

    def _confirm_reset(self, plan: list[str]) -> None:
        lines = [f"  − {item}" for item in plan] or ["  nothing: the lesson has created nothing that still exists"]
        lines += ["", "Nothing else is touched. Your progress is kept."]

        def answered(yes: bool | None) -> None:
            if yes:
                self.do_reset()

        self.app.push_screen(Confirm(f"Reset {self.lesson.id}? This removes:", lines), answered)

    @work(thread=True, exclusive=True, group="reset")
    def do_reset(self) -> None:
        done = self.session.reset(again=True)  # go on tracking from here; progress is kept
        text = "Removed " + (", ".join(done.removed) if done.removed else "nothing")
        if done.kept:
            text += ". Kept: " + "; ".join(done.kept)
        self.app.call_from_thread(self.notify, text, title="Reset")
