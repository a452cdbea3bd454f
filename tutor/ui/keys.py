"""Every key the TUI answers to, in one table. The screens' bindings, the command
palette, the Help screen and the keys the embedded terminal never takes from the app
(Terminal.RESERVED) are all made from it, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Key:
    keys: str  # Textual key names, comma-separated: "n,escape"
    action: str  # the action it runs: "check", "step(-1)"
    title: str  # in the footer and the command palette
    help: str  # its line in Help
    show: bool = True  # in the footer
    priority: bool = False  # beats the focused widget: the terminal never swallows it
    palette: str = ""  # its line in the command palette ("": not offered there)
    builtin: bool = False  # Textual binds it itself (Ctrl+P, Ctrl+Q): Help only

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.title, show=self.show, priority=self.priority)

    @property
    def label(self) -> str:
        """How Help and the palette name the key: F2, Escape, Ctrl+P."""
        return " / ".join(
            "+".join(p.capitalize() if len(p) > 2 else p.upper() for p in k.split("+")) for k in self.keys.split(",")
        )


APP = [
    Key("f1", "help", "Help", "this help", priority=True, palette="All the keys"),
    Key("ctrl+p", "command_palette", "Palette", "command palette", builtin=True),
    Key("ctrl+q", "quit", "Quit", "quit (your progress is kept)", priority=True, builtin=True),
]
LESSON = [
    Key("f2", "check", "Check", "check the current step now", priority=True, palette="Check the current step now"),
    Key(
        "f3",
        "run_next",
        "Run next",
        "run the step's next command in the terminal (a step done: the next step)",
        priority=True,
        palette="Type the step's next command",
    ),
    Key("f6", "switch_focus", "Terminal⇄lesson", "move between the terminal and the lesson", priority=True),
    Key("f7", "step(-1)", "Prev step", "previous step", priority=True),
    Key("f8", "step(1)", "Next step", "next step", priority=True),
    Key(
        "f9",
        "reset",
        "Reset",
        "reset the lesson (asks first, lists what goes)",
        priority=True,
        palette="Remove what this lesson created",
    ),
    Key(
        "f10",
        "hint",
        "Hint",
        "a hint: one more each time (a nudge, the fact, the command)",
        priority=True,
        palette="Show a hint for this step",
    ),
    Key(
        "f12",
        "solution",
        "Solution",
        "a challenge's solution (offered after two failed checks; the report notes it; F3 then types it)",
        priority=True,
        palette="Show the challenge's solution",
    ),
    Key(
        "f4",
        "own_shell",
        "Own shell",
        "suspend docklab and open your own shell (exit returns)",
        priority=True,
        palette="Suspend docklab and open your shell",
    ),
    Key("f5", "restart_shell", "Restart shell", "restart the terminal's shell", show=False, priority=True),
    Key(
        "f11",
        "catch_up",
        "Catch up",
        "catch up to this step: reset, then docklab does the steps before it (recorded as caught up; asks first)",
        show=False,
        priority=True,
        palette="Catch up to this step (docklab does the steps before it)",
    ),
    Key("escape", "back", "Lessons", "back to the lessons (outside the terminal)"),
]
COMMAND = [Key("enter", "run", "Run this command", "on a command: run it in the terminal")]
# In the footer while the terminal has the focus, where Escape is the shell's, not the app's.
TERMINAL = [Key("escape", "send_escape", "To the shell", "in the terminal: Escape goes to the shell (F6 leaves it)")]
PICKER = [
    Key("slash", "search", "Search", "search the lessons (or just type)"),
    Key("escape", "clear_search", "Clear search", "clear the search", show=False),
    Key("enter", "open_highlighted", "Open", "open the highlighted lesson", show=False),  # wherever the focus is
]
CONFIRM = [Key("y", "answer(True)", "Yes", "yes"), Key("n,escape", "answer(False)", "No", "no")]
HELP = [Key("escape,f1,q", "dismiss", "Close", "close")]

# The terminal passes every other key to the shell.
RESERVED = frozenset(k for key in APP + LESSON if key.priority for k in key.keys.split(","))


def bindings(table: list[Key]) -> list[Binding]:
    """A screen's BINDINGS from its part of the table (Textual's own keys left out)."""
    return [key.binding() for key in table if not key.builtin]


def palette(table: list[Key]) -> list[tuple[str, str, str]]:
    """(title with its key, what it does, action name) for each key offered in the command palette."""
    return [(f"{key.title} ({key.label})", key.palette, key.action) for key in table if key.palette]


def _lines(table: list[Key]) -> str:
    return "".join(f"  {key.label:<11} {key.help}\n" for key in table)


def help_text() -> str:
    """The Help screen's text, key by key from the table."""
    return (
        "docklab keys (also in the footer and the command palette, Ctrl+P)\n\n"
        "In a lesson\n" + _lines(LESSON + COMMAND + TERMINAL) + "\n"
        "While the terminal has focus every other key goes to the shell: type any command,\n"
        "`docker exec -it ...` included. Checks run by themselves after each command.\n"
        "A step passed stays in view with its results: F8 (or F3) moves on. A prediction is\n"
        "asked in a dialog when its step is reached: a number or Enter picks, Escape skips.\n"
        "A quiz question is answered with the arrows and Enter, or its number.\n\n"
        "Everywhere\n" + _lines(APP)
    )
