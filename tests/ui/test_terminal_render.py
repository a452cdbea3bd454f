"""The terminal widget draws pyte's screen: one segment per run of one style, the cursor
cell reversed. No engine, no shell: the drawing alone."""

from types import SimpleNamespace

import pyte

from tutor.ui.terminal import Terminal


def drawn(screen, focus=True):
    widget = SimpleNamespace(screen_=screen, size=SimpleNamespace(width=screen.columns), has_focus=focus)
    return [Terminal.render_line(widget, y) for y in range(screen.lines)]


def test_runs_of_one_style_become_one_segment_each_and_the_cursor_is_reversed():
    screen = pyte.Screen(30, 3)
    pyte.ByteStream(screen).feed(b"\x1b[1mdocklab\x1b[0m:~$ \x1b[34mblue\x1b[0m \x1b[42;31mred on green\x1b[0m\r\nok")
    first, second, _ = drawn(screen)
    assert first.text == "docklab:~$ blue red on green  "
    segments = [(s.text, s.style) for s in first]
    assert segments[0][0] == "docklab" and segments[0][1].bold
    blue = next(style for text, style in segments if text == "blue")
    assert blue.color.name == "blue" and not blue.bold
    red = next(style for text, style in segments if text == "red on green")
    assert red.color.name == "red" and red.bgcolor.name == "green"
    assert second.text.startswith("ok")
    cursor = [s for s in second if s.style and s.style.reverse]
    assert [s.text for s in cursor] == [" "]  # the cell after "ok", where the cursor is
    assert not any(s.style and s.style.reverse for s in drawn(screen, focus=False)[1])
