"""Each screen and state of the TUI as a picture (SVG, tests/ui/__snapshots__/), on the
recorded engine: no Docker, no daemon. After an intended change, `--snapshot-update`
draws them again; look at the new pictures before committing them."""

from __future__ import annotations

import pytest

from tests.ui.snapkit import learner_did, lesson_settled, picker_ready, recorded_engine, shown, tui, write_lessons

SIZE = (120, 42)


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKLAB_CONTENT", str(write_lessons(tmp_path / "content")))
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path / "home"))
    return recorded_engine()


def test_picker_ready_and_unavailable(snap_compare, engine):
    assert snap_compare(tui(engine), terminal_size=SIZE, run_before=picker_ready)


def test_picker_filtered_by_typing(snap_compare, engine):
    async def typed(pilot):
        await picker_ready(pilot)
        await pilot.press("v", "o", "l")
        await shown(pilot, lambda: pilot.app.screen.query_one("#lessons").option_count == 1, "one lesson")

    assert snap_compare(tui(engine), terminal_size=SIZE, run_before=typed)


def test_a_step_before_any_check(snap_compare, engine):
    assert snap_compare(tui(engine, "keep"), terminal_size=SIZE, run_before=lesson_settled)


def test_a_step_before_any_check_on_80_by_24(snap_compare, engine):
    assert snap_compare(tui(engine, "keep"), terminal_size=(80, 24), run_before=lesson_settled)


def checked(what: str):
    """F2 on the lesson's first step to do, then wait until the step view says `what`."""

    async def run_before(pilot):
        from tutor.ui.widgets.stepview import CheckResults

        await lesson_settled(pilot)
        await pilot.press("f2")
        results = pilot.app.screen.query_one(CheckResults)
        await shown(pilot, lambda: what in "\n".join(line.text for line in results.lines), what)

    return run_before


def test_a_failed_check_says_expected_found_and_hint(snap_compare, engine):
    assert snap_compare(tui(engine, "keep"), terminal_size=SIZE, run_before=checked("✗ FAIL"))


def test_a_passed_step_stays_in_view_with_its_findings(snap_compare, engine):
    learner_did(engine, made=("rec-data",))
    assert snap_compare(tui(engine, "keep"), terminal_size=SIZE, run_before=checked("✓ PASS"))


def test_a_prediction_asked_when_its_step_is_reached(snap_compare, engine):
    from tutor.ui.widgets.predict import PredictScreen

    learner_did(engine, made=("rec-data",), checked=(1,))

    async def asked(pilot):
        await shown(pilot, lambda: isinstance(pilot.app.screen, PredictScreen), "the prediction")

    assert snap_compare(tui(engine, "keep"), terminal_size=SIZE, run_before=asked)


def test_a_prediction_beside_what_the_engine_did(snap_compare, engine):
    from tutor.ui.lesson import LessonScreen
    from tutor.ui.widgets.predict import PredictScreen

    learner_did(engine, made=("rec-data", "rec-named"), checked=(1,))

    async def verdict(pilot):
        app = pilot.app
        await shown(pilot, lambda: isinstance(app.screen, PredictScreen), "the prediction")
        await pilot.press("2")
        await shown(pilot, lambda: isinstance(app.screen, LessonScreen), "the lesson")
        await checked("✓ PASS")(pilot)

    assert snap_compare(tui(engine, "keep"), terminal_size=SIZE, run_before=verdict)


def test_a_challenge_with_its_hints(snap_compare, engine):
    from tutor.ui.widgets.hints import HintPane

    learner_did(engine, made=("rec-data", "rec-named"), checked=(1, 2))

    async def hinted(pilot):
        await lesson_settled(pilot)
        await pilot.press("f10", "f10")
        hints = pilot.app.screen.query_one(HintPane)
        await shown(pilot, lambda: "Hint 2 of 3" in str(hints.render()), "two hints")

    assert snap_compare(tui(engine, "keep"), terminal_size=SIZE, run_before=hinted)


async def answered(pilot) -> None:
    """The quiz's first question answered, with the first choice: right."""
    from tutor.ui.widgets.quiz import QuizPane

    await lesson_settled(pilot)
    await pilot.press("enter")
    quiz = pilot.app.screen.query_one(QuizPane)
    await shown(pilot, lambda: "✓ right" in str(quiz.query(".verdict")[0].render()), "the first answer")


def test_the_quiz_one_question_answered(snap_compare, engine):
    learner_did(engine, made=("rec-data", "rec-named", "rec-ro"), checked=(1, 2, 3))
    assert snap_compare(tui(engine, "keep"), terminal_size=SIZE, run_before=answered)


def test_the_recap_once_every_step_is_done(snap_compare, engine):
    from tutor.ui.widgets.recap import RecapPane

    learner_did(engine, made=("rec-data", "rec-named", "rec-ro"), checked=(1, 2, 3))

    async def done(pilot):
        await answered(pilot)
        await pilot.press("down", "enter")  # "no": right too
        recap = pilot.app.screen.query_one(RecapPane)
        await shown(pilot, lambda: not recap.has_class("hidden"), "the recap")

    assert snap_compare(tui(engine, "keep"), terminal_size=SIZE, run_before=done)


def test_reset_lists_what_it_will_remove(snap_compare, engine):
    from tutor.ui.modals import Confirm

    learner_did(engine, made=("rec-data", "rec-named"), checked=(1, 2))

    async def asked(pilot):
        await lesson_settled(pilot)
        await pilot.press("f9")
        await shown(pilot, lambda: isinstance(pilot.app.screen, Confirm), "the confirmation")

    assert snap_compare(tui(engine, "keep"), terminal_size=SIZE, run_before=asked)


def test_a_report_that_arrives_while_the_step_is_drawn_is_shown_after_it(engine):
    """The session arrives and the step is drawn again while a check's report comes back:
    the report waits for the drawing, which would otherwise wipe it to "Not checked yet"."""
    import asyncio

    asyncio.run(report_during_redraw(engine))


async def report_during_redraw(engine) -> None:
    import asyncio

    from tutor.core.learner.session import StepReport
    from tutor.core.outcome import Outcome
    from tutor.ui.widgets.stepview import CheckResults

    app = tui(engine, "keep")
    async with app.run_test(size=SIZE) as pilot:
        await lesson_settled(pilot)
        screen = app.screen
        redraw = asyncio.create_task(screen.go_to(1))
        await asyncio.sleep(0)  # the redraw has begun, and waits on its widgets
        report = StepReport(screen.lesson.step(1), [Outcome(False, "volume rec-data exists", found="no such volume")])
        await screen.show_report(1, report)
        await redraw
        await pilot.pause()
        assert "volume rec-data exists" in "\n".join(line.text for line in screen.query_one(CheckResults).lines)
