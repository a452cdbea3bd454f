"""A real shell in a pty, drawn with pyte: the learner types any command here,
interactive ones included, and lesson commands are typed into it by the Run action.

The shell's prompt hook prints a private OSC marker with the last exit code; the
widget strips it and posts CommandFinished, which is how checks tick by themselves.
A DEBUG trap prints another as a command line starts (CommandStarted), with that line
from the shell's history (nothing else of the terminal is kept; builtins only, so a line
starts as fast as without it): the engine panel's "what
the last command changed" begins there, so events that land after the prompt is back
still count for the command that caused them, and a failed check can name the command.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import pyte
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tutor.ui import keys

MARKER = re.compile(rb"\x1b\]7770;(?:done;(\d+)|start;?([^\x07\x1b]*))\x07")
RCFILE = r"""
PS1='\[\e[1m\]docklab\[\e[0m\]:\W\$ '
HISTCONTROL= HISTIGNORE=
__docklab_h=$(mktemp); trap 'rm -f "$__docklab_h"' EXIT
__docklab_start() {  # before a line's first command: the line, from the history, by builtins (no fork)
  case $BASH_COMMAND in __docklab_status=*) __docklab_armed=; return 0;; esac  # the prompt's own
  [ -n "${__docklab_armed-}" ] || return 0; __docklab_armed=
  local l; HISTTIMEFORMAT= builtin history 1 >"$__docklab_h"; IFS= read -r l <"$__docklab_h"
  l=${l#"${l%%[![:space:]]*}"}; l=${l#*[0-9] }; l=${l#"${l%%[![:space:]]*}"}
  builtin printf '\e]7770;start;%s\a' "${l//[$'\a\e']/ }"; }
trap '__docklab_start' DEBUG
PROMPT_COMMAND='__docklab_status=$?; builtin printf "\033]7770;done;%s\007" "$__docklab_status"; __docklab_armed=1'
"""
KEYS = {
    "enter": "\r",
    "tab": "\t",
    "backspace": "\x7f",
    "escape": "\x1b",
    "delete": "\x1b[3~",
    "home": "\x1b[H",
    "end": "\x1b[F",
    "pageup": "\x1b[5~",
    "pagedown": "\x1b[6~",
    "insert": "\x1b[2~",
    "shift+tab": "\x1b[Z",
}
ARROWS = {"up": "A", "down": "B", "right": "C", "left": "D"}
# A file to append "mark TIME" to when a prompt mark arrives (bench/feedback_latency.py); off by default.
TRACE = os.environ.get("DOCKLAB_TRACE")


def pty_available() -> bool:
    return sys.platform != "win32"


def _color(value: str) -> str | None:
    if value == "default":
        return None
    if re.fullmatch(r"[0-9a-fA-F]{6}", value):
        return "#" + value
    return {"brown": "yellow", "brightblack": "bright_black"}.get(value, value.replace("bright", "bright_"))


class Terminal(Widget, can_focus=True):
    """An interactive bash in a pty. `type_command()` types a line as if the learner did."""

    BINDINGS = keys.bindings(keys.TERMINAL)  # the footer says where Escape goes while typing here

    class CommandFinished(Message):
        """A command line ended in the shell (the prompt came back)."""

        def __init__(self, exit_code: int) -> None:
            super().__init__()
            self.exit_code = exit_code

    class CommandStarted(Message):
        """A command line was entered and starts to run (not for an empty line), `at` the
        time its marker was read; `line` as the shell's history has it."""

        def __init__(self, at: float, line: str = "") -> None:
            super().__init__()
            self.at, self.line = at, line

    class Exited(Message):
        """The shell ended (the learner typed `exit`)."""

    def __init__(self, env: dict[str, str] | None = None, cwd: str | None = None, spawn: bool = True, **kw) -> None:
        super().__init__(**kw)
        self.env = env or {}
        self.cwd = cwd
        self.spawn = spawn  # False: no shell starts (create_app(shell=False)), the pane says so
        self.note = b""  # what the pane says instead of a shell (written again at each resize)
        self.screen_ = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen_)
        self.proc = None
        self._carry = b""
        self._seen_prompt = False
        self._rcfile: str | None = None

    # -- the shell ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        if not pty_available():
            self.note = b"No pty on this system: press F4 to suspend docklab and use your own shell.\r\n"
        elif not self.spawn:
            self.note = b"No shell: docklab started without one.\r\nF4 opens your own.\r\n"
        if self.note:
            self.stream.feed(self.note)
            return
        from ptyprocess import PtyProcess

        fd, self._rcfile = tempfile.mkstemp(prefix="docklab-bashrc-")
        os.write(fd, RCFILE.encode())
        os.close(fd)
        cols, rows = max(self.size.width, 20), max(self.size.height, 5)
        self.screen_.resize(rows, cols)
        env = {**os.environ, "TERM": "xterm", **self.env}
        self.proc = PtyProcess.spawn(
            ["bash", "--noprofile", "--rcfile", self._rcfile, "-i"], env=env, cwd=self.cwd, dimensions=(rows, cols)
        )
        self.run_worker(self._read, thread=True, exclusive=False, name="pty-reader")

    def _read(self) -> None:
        """Thread: pty output -> the app's thread, markers split out."""
        while True:
            try:
                data = self.proc.read(65536)
            except (EOFError, OSError):
                self.app.call_from_thread(self._ended)
                return
            if TRACE and b"\x1b]7770;done" in data:
                with open(TRACE, "a") as trace:
                    trace.write(f"mark {time.time()}\n")
            self.app.call_from_thread(self._feed, data, time.time())

    def _feed(self, data: bytes, read_at: float | None = None) -> None:
        data = self._carry + data
        self._carry = b""
        cut = data.rfind(b"\x1b]7770")
        if cut != -1 and b"\x07" not in data[cut:]:  # a marker split across two reads
            data, self._carry = data[:cut], data[cut:]
        codes = MARKER.findall(data)
        self.stream.feed(MARKER.sub(b"", data))
        self.refresh()
        for code, line in codes:
            if not code:  # the start marker
                self.post_message(self.CommandStarted(read_at or time.time(), _line(line)))
                continue
            if self._seen_prompt:
                self.post_message(self.CommandFinished(int(code)))
            self._seen_prompt = True

    def _ended(self) -> None:
        self.stream.feed(b"\r\n[the shell ended: press F5 to restart it]\r\n")
        self.refresh()
        self.post_message(self.Exited())

    def restart(self) -> None:
        self.close()
        self.screen_.reset()
        self._seen_prompt = False
        self.on_mount()

    def close(self) -> None:
        if self.proc is not None and self.proc.isalive():
            self.proc.terminate(force=True)
        self.proc = None
        if self._rcfile:
            Path(self._rcfile).unlink(missing_ok=True)
            self._rcfile = None

    def on_unmount(self) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.isalive()

    def write(self, text: str) -> None:
        if self.alive:
            self.proc.write(text.encode())

    def type_command(self, command: str) -> None:
        """Type a command line into the shell and press Enter, as the learner would."""
        self.write(command + "\r")

    def text(self) -> str:
        """The screen as plain text (tests and the Check action read it)."""
        return "\n".join(line.rstrip() for line in self.screen_.display).rstrip()

    # -- input --------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if event.key in keys.RESERVED:  # the app's, even while the terminal has focus
            return
        seq = KEYS.get(event.key)
        if event.key in ARROWS:
            app_mode = (1 << 5) in self.screen_.mode  # DECCKM (private mode 1, stored << 5)
            seq = ("\x1bO" if app_mode else "\x1b[") + ARROWS[event.key]
        if seq is None and event.character:
            seq = event.character
        if seq is not None:
            self.write(seq)
            event.stop()
            event.prevent_default()

    def action_send_escape(self) -> None:
        """Escape, for the shell (on_key sends it first; this serves a binding that fires)."""
        self.write(KEYS["escape"])

    def on_paste(self, event: events.Paste) -> None:
        bracketed = (2004 << 5) in self.screen_.mode
        self.write(f"\x1b[200~{event.text}\x1b[201~" if bracketed else event.text)
        event.stop()

    def on_resize(self, event: events.Resize) -> None:
        cols, rows = max(event.size.width, 20), max(event.size.height, 5)
        self.screen_.resize(rows, cols)
        if self.alive:
            self.proc.setwinsize(rows, cols)
        elif self.note:  # pyte drops the top lines as the screen shrinks: say it again
            self.screen_.reset()
            self.stream.feed(self.note)

    # -- drawing ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        screen = self.screen_
        width = self.size.width
        if y >= screen.lines:
            return Strip.blank(width)
        row = screen.buffer[y]
        cursor_x = screen.cursor.x if self.has_focus and not screen.cursor.hidden and y == screen.cursor.y else -1
        segments, text, key = [], [], None
        for x in range(min(screen.columns, width)):  # one segment per run of one style
            ch = row[x]
            k = (ch.fg, ch.bg, ch.bold, ch.italics, ch.underscore, ch.reverse ^ (x == cursor_x))
            if k != key:
                if text:
                    segments.append(Segment("".join(text), _style(key)))
                text, key = [], k
            text.append(ch.data or " ")
        if text:
            segments.append(Segment("".join(text), _style(key)))
        return Strip(segments).extend_cell_length(width)


def _line(raw: bytes) -> str:
    """The command line a start marker carries ("" when it carries none)."""
    return raw.decode("utf-8", "replace").strip()


@functools.lru_cache(maxsize=1024)
def _style(key: tuple) -> Style:
    fg, bg, bold, italic, underline, reverse = key
    return Style(color=_color(fg), bgcolor=_color(bg), bold=bold, italic=italic, underline=underline, reverse=reverse)
