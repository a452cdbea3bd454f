"""The baseline for bench/tui_startup.py: a bare Textual app that paints one line."""

from textual.app import App
from textual.widgets import Static


class Hello(App):
    def compose(self):
        yield Static("hello from textual")


if __name__ == "__main__":
    Hello().run()
