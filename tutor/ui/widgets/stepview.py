"""One step of the lesson: its Markdown (rendered from the lesson file), each command
with a Run action, and the results of its checks."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static

from tutor.core.model import Command, Step
from tutor.core.learner.session import StepReport
from tutor.ui.widgets.goal import GoalPane
from tutor.ui.widgets.hints import HintPane
from tutor.ui.widgets.predict import PredictionOutcome
from tutor.ui.widgets.quiz import QuizPane
from tutor.ui.widgets.recap import RecapPane

COMMAND_FENCE = re.compile(r"^```(?:sh|shell|bash)\b.*?^```\s*$", re.S | re.M)


class CommandBlock(Static, can_focus=True):
    """A command the learner can run (Enter) in the terminal, exactly as shown."""

    BINDINGS = [Binding("enter", "run", "Run this command")]

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
    """Expected vs. found and the hint, for each check of the step."""

    def show(self, report: StepReport | None, waiting: str = "") -> None:
        text = Text()
        if waiting:
            text.append(f"… {waiting}\n", "italic")
        if report is None:
            text.append("Not checked yet: run the commands, or press F2 to check.", "dim")
        else:
            for role in report.roles:  # what docklab took your things to be
                text.append(f"{role}\n", "italic")
            if report.passed and report.how != "now":
                text.append(f"✓ DONE  {report.proof}\n", "bold green")
            if report.how == "lost":
                text.append("? NOT PROVABLE ANY MORE: the engine no longer remembers this step; do it again.\n",
                            "bold yellow")
            for o in report.outcomes:
                text.append("✓ PASS  " if o.ok else "✗ FAIL  ", "bold green" if o.ok else "bold red")
                text.append(o.claim + "\n")
                if not o.ok:
                    for label, value in (("expected", o.expected), ("found", o.found), ("hint", o.hint)):
                        if value:
                            text.append(f"        {label}: ", "dim")
                            text.append(value + "\n")
        self.update(text)


class StepView(VerticalScroll):
    """Shows one step; `show_step` swaps it. Commands and text come already mapped (images,
    facts). The panes of issue 11 sit around the text: a challenge's goal above it, a quiz
    and the hints below, a prediction's outcome and the recap below the checks."""

    def compose(self) -> ComposeResult:
        yield Static(id="step-title")
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
        """A passed step stays in view with this note until the learner moves on."""
        line = self.query_one("#step-done", Static)
        line.update(Text(note, "bold"))
        line.set_class(not note, "hidden")

    async def show_step(self, step: Step, total: int, commands: list[tuple[str, Command]],
                        text: str | None = None) -> None:
        """`commands`: (the command as shown and run, the lesson's command) in order;
        `text`: the step's Markdown with facts filled in (else as written)."""
        self.query_one("#step-title", Static).update(Text(f"Step {step.number} of {total}: {step.title}",
                                                          "bold"))
        body = self.query_one("#step-body", VerticalScroll)
        await body.remove_children()
        widgets: list = []
        for i, part in enumerate(COMMAND_FENCE.split(step.body if text is None else text)):
            if i:  # a command block stood here
                widgets.extend(CommandBlock(text, cmd.interactive) for text, cmd in commands if cmd.block == i - 1)
            if part.strip():
                widgets.append(Markdown(part.strip()))
        await body.mount_all(widgets)
        self.query_one(CheckResults).show(None)
        self.query_one(PredictionOutcome).show([])
        self.query_one(RecapPane).show(None)
        self.done("")
        self.scroll_home(animate=False)
