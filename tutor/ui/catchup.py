"""Catching up in the TUI: a learner who fell behind rejoins at the step shown. After a
confirmation that lists what will happen (what reset removes, then each command), the
lesson is reset and docklab does the steps before this one, each command shown as it runs
in a log of its own; they are recorded as caught up, never as the learner's. Mixed into
LessonScreen, whose `session`, `lesson`, `current` and `go_to` it uses."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, RichLog, Static

from tutor.core.learner import autorun
from tutor.core.outcome import redact
from tutor.ui.modals import Confirm


class CatchingUp(ModalScreen[None]):
    """The steps docklab does, as it does them; closes once it is done (Escape, or the button)."""

    BINDINGS = [("escape", "close", "Close")]

    def __init__(self, title: str, secrets: tuple[str, ...], first: str = "") -> None:
        super().__init__()
        self.title_text, self.secrets, self.first, self.finished = title, secrets, first, False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="dialog-title")
            yield RichLog(id="catch-up-log", wrap=True, markup=False, max_lines=2000)
            yield Button("Working… (Escape closes once done)", id="close", disabled=True)

    def on_mount(self) -> None:
        if self.first:
            self.say(self.first)

    def say(self, text: str) -> None:
        self.query_one(RichLog).write(redact(text.rstrip("\n"), self.secrets))

    def done(self, text: str) -> None:
        self.say(text)
        self.finished = True
        button = self.query_one(Button)
        button.label, button.disabled = "Go on (Escape)", False
        button.focus()

    def on_button_pressed(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        if self.finished:
            self.dismiss()


class _Shows:
    """autorun's view of the log: each line handed to the app's thread."""

    def __init__(self, app, log: CatchingUp):
        self.app, self.log = app, log

    def line(self, text: str = "") -> None:
        self.app.call_from_thread(self.log.say, text)

    def command(self, text: str, indent: str = "$ ") -> None:
        self.app.call_from_thread(self.log.say, f"{indent}{text}")

    def stream(self, text: str) -> None:
        self.app.call_from_thread(self.log.say, text)

    def result(self, result) -> None:
        if result.exit_code not in (0, None):
            self.line(f"  [exit code {result.exit_code}]")

    def waiting(self, claim: str, waited: float, limit: float) -> None:
        if int(waited) % 5 == 0:
            self.line(f"  … waiting until {claim}: {waited:.0f} s of at most {limit:.0f} s")


class CatchUpMixin:
    @work(thread=True, exclusive=True, group="reset")
    def action_catch_up(self) -> None:
        if self.session is None:
            return
        number = self.current
        plan = autorun.catch_up_plan(self.session, number)
        self.app.call_from_thread(self._confirm_catch_up, number, plan)

    def _confirm_catch_up(self, number: int, plan: list[str]) -> None:
        lines = plan + ["", f"Steps 1 to {number - 1} are then recorded as caught up: done by docklab, not by you."]

        def answered(yes: bool | None) -> None:
            if yes:
                log = CatchingUp(f"Catching up to step {number}", self.session.lesson.secrets)
                self.app.push_screen(log)
                self.do_catch_up(number, log)

        self.app.push_screen(Confirm(f"Catch up to step {number}? This will:", lines, yes="Catch up (y)"), answered)

    def catch_up_now(self, number: int, said: str) -> bool:
        """Catch up at once, the log first saying why (the instructor asked); False while
        another dialog is up (try again soon)."""
        if self.app.screen is not self or not 1 <= number <= len(self.lesson.steps):
            return False
        log = CatchingUp(f"Catching up to step {number}", self.session.lesson.secrets, first=said)
        self.app.push_screen(log)
        self.do_catch_up(number, log)
        return True

    @work(thread=True, exclusive=True, group="reset")
    def do_catch_up(self, number: int, log: CatchingUp) -> None:
        done = autorun.catch_up(self.session, number, _Shows(self.app, log))
        if done == autorun.CAUGHT_UP:
            said = f"Caught up: you are at step {number}."
        elif done == autorun.INTERRUPTED:
            said = "Interrupted: catching up stopped."
        else:
            said = f"Step {done.step.number} did not pass while catching up: it stops there."
        self.app.call_from_thread(log.done, said)
        self.app.call_from_thread(self.refresh_after_catch_up, number)

    async def refresh_after_catch_up(self, number: int) -> None:
        await self.go_to(number)
