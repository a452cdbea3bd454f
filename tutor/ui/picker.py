"""The lesson picker: every lesson with its summary, progress and availability; type to
filter, Enter to open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from tutor.ui import keys

if TYPE_CHECKING:
    from tutor.core.model import Lesson


class PickerScreen(Screen):
    AUTO_FOCUS = "#lessons"  # focused as the screen first shows: one focus change, one footer
    BINDINGS = keys.bindings(keys.PICKER)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="banner", classes="banner hidden")
        yield Input(placeholder="Type to filter lessons", id="search", select_on_focus=False)
        yield OptionList(id="lessons")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_lessons()

    def on_screen_resume(self) -> None:
        self.refresh_lessons()  # back from a lesson: its progress moved

    def row(self, lesson: Lesson) -> Text:
        app = self.app
        done, total = len(app.progress.done(lesson.id)), len(lesson.steps)
        reasons = app.availability.get(lesson.id)
        if reasons is None:
            state = ("? engine not checked yet", "dim")
        elif reasons:
            state = ("✗ unavailable: " + "; ".join(reasons), "bold")
        else:
            state = ("✓ ready", "")
        progress = "✓ complete" if done == total else f"{done}/{total} steps done"
        return Text.assemble(
            (lesson.title, "bold"), f"  [{lesson.id}]\n", (lesson.summary + "\n", ""), (f"{progress}  ·  ", ""), state
        )

    def refresh_lessons(self) -> None:
        query = self.query_one(Input).value.strip().lower()
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for lesson in self.app.lessons:
            haystack = f"{lesson.id} {lesson.title} {lesson.summary}".lower()
            if all(word in haystack for word in query.split()):
                options.add_option(Option(self.row(lesson), id=lesson.id))
        if options.option_count:
            options.highlighted = min(highlighted or 0, options.option_count - 1)
            if self.focused is None:  # the lessons came after the first paint: keys go to them
                options.focus()
        banner = self.query_one("#banner", Static)
        notes = self.app.notes()
        banner.update("\n".join(notes))
        banner.set_class(not notes, "hidden")

    def on_key(self, event: events.Key) -> None:
        """Type to filter: a letter typed while the list has the focus goes to the search box."""
        search = self.query_one(Input)
        if self.focused is not search and event.is_printable and event.character and not event.character.isspace():
            search.focus()
            search.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_lessons()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Type to filter, Enter to open: the highlighted (first matching) lesson opens."""
        self.action_open_highlighted()

    def action_open_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.app.open_lesson(options.get_option_at_index(options.highlighted).id)
        else:
            options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.open_lesson(event.option.id)

    def action_search(self) -> None:
        self.query_one(Input).focus()

    def action_clear_search(self) -> None:
        self.query_one(Input).value = ""
        self.query_one(OptionList).focus()
