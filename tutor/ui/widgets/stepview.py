"""One step of the lesson: its Markdown (rendered from the lesson file), each command
with a Run action, and the results of its checks."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static

from tutor.core.model import Command, Step
from tutor.core.learner.report_lines import Line, report_lines
from tutor.core.learner.session import StepReport
from tutor.ui import keys
from tutor.ui.widgets.goal import GoalPane
from tutor.ui.widgets.hints import HintPane
from tutor.ui.widgets.predict import PredictionOutcome
from tutor.ui.widgets.quiz import QuizPane
from tutor.ui.widgets.recap import RecapPane

COMMAND_FENCE = re.compile(r"^```(?:sh|shell|bash)\b.*?^```\s*$", re.S | re.M)


class CommandBlock(Static, can_focus=True):
    """A command the learner can run (Enter) in the terminal, exactly as shown."""

    BINDINGS = keys.bindings(keys.COMMAND)

    class Run(Message):
        def __init__(self, command: str) -> None:
            super().__init__()
            self.command = command

    def __init__(self, command: str, interactive: bool) -> None:
        note = "  (interactive: answer its prompts in the terminal)" if interactive else ""
        super().__init__(Text.assemble(("▶ Run ", "bold"), ("$ ", "dim"), command, (note, "italic")))
        self.command = command

    def action_run(self) -> None:
        self.post_message(self.Run(self.command))

    def on_click(self) -> None:
        self.action_run()


class CheckResults(Static):
    """Expected vs. found and the hint, for each check of the step: the lines both front
    ends show (report_lines), each styled by its tone from docklab.tcss, so they follow the theme."""

    COMPONENT_CLASSES = {
        f"check--{tone}"
        for tone in ("role", "done", "pass", "fail", "still", "no-longer", "detail", "lost", "waiting", "idle")
    }

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.lines: list[Line] = []

    def show(self, report: StepReport | None, waiting: str = "") -> None:
        lines = [Line("waiting", f"… {waiting}")] if waiting else []
        if report is None:
            lines.append(Line("idle", "Not checked yet: run the commands, or press F2 to check."))
        else:
            lines += report_lines(report)
        self.lines = lines
        self.refresh(layout=True)

    def render(self) -> Text:
        """Styled when drawn, so a theme switch recolours what is shown."""
        return Text("\n").join(
            Text(line.text, self.get_component_rich_style(f"check--{line.tone}", partial=True)) for line in self.lines
        )


class StepView(VerticalScroll):
    """Shows one step; `show_step` swaps it. Commands and text come already mapped (images,
    facts). The panes that make the learner think sit around the text: a challenge's goal above it, a quiz
    and the hints below, a prediction's outcome and the recap below the checks. The
    learner's prediction, until the step passes, sits under the title, in view as the
    commands run (its toast can pass unseen on a busy machine)."""

    def compose(self) -> ComposeResult:
        yield Static(id="step-title")
        yield PredictionOutcome(id="prediction-made", classes="hidden")
        yield GoalPane(id="goal", classes="hidden")
        yield VerticalScroll(id="step-body")
        yield QuizPane(id="quiz", classes="hidden")
        yield HintPane(id="hints", classes="hidden")
        yield Static("Checks", classes="section")
        yield CheckResults(id="checks")
        yield Static(id="step-done", classes="hidden")
        yield PredictionOutcome(id="predicted", classes="hidden")
        yield RecapPane(id="recap", classes="hidden")

    def done(self, note: str) -> None:
        """A passed step stays in view with this note until the learner moves on; the text
        that would have told a prediction's answer shows now."""
        line = self.query_one("#step-done", Static)
        line.update(Text(note, "bold"))
        line.set_class(not note, "hidden")
        for after in self.query("#step-after"):
            after.set_class(not note, "hidden")

    async def show_step(
        self,
        step: Step,
        total: int,
        commands: list[tuple[str, Command]],
        text: str | None = None,
        after: str | None = None,
    ) -> None:
        """`commands`: (the command as shown and run, the lesson's command) in order;
        `text`, `after`: the step's Markdown before and after its prediction's command, with
        facts filled in (else as written); `after` shows once the step passes."""
        self.query_one("#step-title", Static).update(Text(f"Step {step.number} of {total}: {step.title}", "bold"))
        body = self.query_one("#step-body", VerticalScroll)
        await body.remove_children()
        widgets: list = []
        for i, part in enumerate(COMMAND_FENCE.split(step.body if text is None else text)):
            if i:  # a command block stood here
                widgets.extend(CommandBlock(text, bool(cmd.answers)) for text, cmd in commands if cmd.block == i - 1)
            if part.strip():
                widgets.append(Markdown(part.strip()))
        if (rest := step.after if after is None else after).strip():
            widgets.append(Markdown(rest.strip(), id="step-after", classes="hidden"))
        await body.mount_all(widgets)
        self.query_one(CheckResults).show(None)
        for outcome in self.query(PredictionOutcome):
            outcome.show([])
        self.query_one(RecapPane).show(None)
        self.done("")
        self.scroll_home(animate=False)
