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

    COMPONENT_CLASSES = {f"check--{tone}" for tone in
                         ("role", "done", "pass", "fail", "still", "no-longer", "detail", "lost", "waiting", "idle")}

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
        return Text("\n").join(Text(line.text, self.get_component_rich_style(f"check--{line.tone}", partial=True))
                               for line in self.lines)


class StepView(VerticalScroll):
    """Shows one step; `show_step` swaps it. Commands come already mapped (images, facts)."""

    def compose(self) -> ComposeResult:
        yield Static(id="step-title")
        yield VerticalScroll(id="step-body")
        yield Static("Checks", classes="section")
        yield CheckResults(id="checks")

    async def show_step(self, step: Step, total: int, commands: list[tuple[str, Command]]) -> None:
        """`commands`: (the command as shown and run, the lesson's command) in order."""
        self.query_one("#step-title", Static).update(Text(f"Step {step.number} of {total}: {step.title}",
                                                          "bold"))
        body = self.query_one("#step-body", VerticalScroll)
        await body.remove_children()
        widgets: list = []
        for i, part in enumerate(COMMAND_FENCE.split(step.body)):
            if i:  # a command block stood here
                widgets.extend(CommandBlock(text, cmd.interactive) for text, cmd in commands if cmd.block == i - 1)
            if part.strip():
                widgets.append(Markdown(part.strip()))
        await body.mount_all(widgets)
        self.query_one(CheckResults).show(None)
        self.scroll_home(animate=False)
