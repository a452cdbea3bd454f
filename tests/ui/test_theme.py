"""The TUI follows Textual's theme: check results take their colours from the theme's
variables (docklab.tcss), not from colours written in Python; and one key table feeds
the bindings, the palette, Help and the keys the terminal leaves to the app."""

from __future__ import annotations

import asyncio

from tutor.core.learner.session import StepReport
from tutor.core.model import Step
from tutor.core.outcome import Outcome


def colour_of(widget, word: str):
    line = widget.render()
    for span in line.spans:
        if word in line.plain[span.start : span.end]:
            return span.style.color
    raise AssertionError(f"{word!r} not shown: {line.plain!r}")


def test_check_results_change_colour_with_the_theme(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path))
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")  # no engine needed: the worker just fails
    from tutor.ui import create_app
    from tutor.ui.widgets.stepview import CheckResults

    report = StepReport(
        Step(1, "Make it", 1),
        [Outcome(True, "the volume exists"), Outcome(False, "the container runs", expected="running")],
    )

    async def go():
        app = create_app("offline")
        async with app.run_test(size=(120, 40)) as pilot:
            results = CheckResults()
            await app.screen.mount(results)
            results.show(report)
            app.theme = "textual-dark"
            await pilot.pause()
            dark = colour_of(results, "✓ PASS"), colour_of(results, "✗ FAIL")
            app.theme = "gruvbox"
            await pilot.pause()
            light = colour_of(results, "✓ PASS"), colour_of(results, "✗ FAIL")
            assert dark != light
            assert light[0].triplet.hex.upper() == app.theme_variables["success"].upper()
            assert light[1].triplet.hex.upper() == app.theme_variables["error"].upper()

    asyncio.run(go())


def test_one_key_table_feeds_bindings_palette_help_and_the_terminal(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path))
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")  # no engine needed: the worker just fails
    from textual.widgets import Static

    from tutor.ui import create_app, keys
    from tutor.ui.lesson import LessonScreen
    from tutor.ui.modals import Help
    from tutor.ui.terminal import Terminal  # noqa: F401  (it reads keys.RESERVED)

    bound = {b.key for b in LessonScreen.BINDINGS}
    assert bound == {k.keys for k in keys.LESSON}
    assert {"f1", "f9", "ctrl+q"} <= keys.RESERVED and "escape" not in keys.RESERVED
    help_text = keys.help_text()
    for key in keys.LESSON + keys.APP:
        assert f"{key.label:<11} {key.help}" in help_text
    assert ("Reset (F9)", "Remove what this lesson created", "reset") in keys.palette(keys.LESSON)

    async def shown_by_f1() -> list[str]:
        app = create_app("offline")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, Help)
            return [str(s.content) for s in app.screen.query(Static)]

    assert help_text in asyncio.run(shown_by_f1())
