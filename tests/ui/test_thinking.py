"""Pilot tests of the blocks that make the learner think, in the TUI, against the real
engine, on the tests' own lesson (tests/thinkkit.py): a prediction asked when its step is
reached and recorded; hints revealed one at a time; a passed step kept in view until the
learner moves on; a challenge solved with a command the lesson never shows; the quiz
answered with the keyboard; the recap once done. Also: facts filled in the prose, and the anonymous
volume a `docker run` creates listed among what the last command changed."""

from __future__ import annotations

import asyncio
import json
import textwrap

import pytest

from tests.thinkkit import ANOTHER_WAY, write
from tests.ui.pilotkit import lesson_ready, lesson_shell, until

pytestmark = pytest.mark.engine


@pytest.fixture
def think(tmp_path, monkeypatch, prefix, client):
    write(tmp_path / "content", prefix)
    home = tmp_path / "home"
    monkeypatch.setenv("DOCKLAB_CONTENT", str(tmp_path / "content"))
    monkeypatch.setenv("DOCKLAB_HOME", str(home))
    monkeypatch.setenv("DOCKLAB_IMAGES", "offline")
    yield prefix, home
    for c in client.containers.list(all=True, filters={"name": prefix}):
        c.remove(force=True, v=True)
    for v in client.volumes.list(filters={"name": prefix}):
        v.remove(force=True)


def asking(app) -> bool:
    from tutor.ui.widgets.predict import PredictScreen

    return isinstance(app.screen, PredictScreen) and bool(app.screen.query("OptionList"))


def shown(widget) -> str:
    return str(widget.render())


def test_predict_hint_challenge_their_way_quiz_and_recap(think):
    from tutor.ui import create_app
    from tutor.ui.lesson import LessonScreen
    from tutor.ui.terminal import Terminal
    from tutor.ui.widgets.goal import GoalPane
    from tutor.ui.widgets.hints import HintPane
    from tutor.ui.widgets.predict import PredictionOutcome
    from tutor.ui.widgets.quiz import QuizPane
    from tutor.ui.widgets.recap import RecapPane
    from tutor.ui.widgets.steps import StepItem

    prefix, home = think

    def thought() -> dict:
        return json.loads((home / "progress.json").read_text())["lessons"]["think"].get("thinking", {})

    async def go():
        app = create_app(lesson_id="think")
        async with app.run_test(size=(160, 60)) as pilot:
            await until(pilot, lambda: asking(app), what="the prediction, asked at once")
            assert "Does creating a volume start a container?" in shown(app.screen.query_one("#predict-question"))
            await pilot.press("2")
            await until(pilot, lambda: lesson_ready(app) and isinstance(app.screen, LessonScreen), what="lesson")
            assert thought()["1"]["predictions"]["0"]["choice"] == "no, only the volume is made"
            screen = app.screen
            # kept in view until the step passes: a toast can pass unseen on a busy machine
            assert "you predicted: no, only the volume is made. Run the step's commands" in shown(
                screen.query_one("#prediction-made")
            )
            term = screen.query_one(Terminal)
            assert f"{prefix}-vol" not in term.text()  # asked before the command ran

            hints = screen.query_one(HintPane)
            assert "Hint 1" not in shown(hints) and "F10 a hint (2 left)" in shown(hints)
            await pilot.press("f10")
            assert "Hint 1 of 2: Volumes have a command of their own." in shown(hints)
            assert "Hint 2" not in shown(hints) and thought()["1"]["hints"] == 1
            await pilot.press("f10")
            assert "Hint 2 of 2: `docker volume create NAME`" in shown(hints) and thought()["1"]["hints"] == 2

            await until(pilot, lambda: "docklab" in term.text(), what="shell prompt")
            await pilot.press("f3")
            await until(pilot, lambda: screen.query(StepItem)[0].status == "done", what="step 1 passed")
            await pilot.pause(0.5)
            assert screen.current == 1  # the passed step stays in view
            outcome = shown(screen.query_one("#predicted", PredictionOutcome))
            assert not shown(screen.query_one("#prediction-made"))  # the outcome below says it now
            assert "you predicted: no, only the volume is made; the engine: no, only the volume is made ✓" in outcome
            assert "F8 (or F3) goes to the next step" in shown(screen.query_one("#step-done"))

            await pilot.press("f8")
            await until(pilot, lambda: screen.current == 2, what="step 2")
            goal = shown(screen.query_one(GoalPane))
            assert (
                "Challenge: mount it read-only" in goal
                and "-box mounts volume" in goal
                and "read-only at /data" in goal
            )
            assert "--mount type=volume" not in shown(hints) and "F12 show a solution" in shown(hints)
            await pilot.press("f2")
            await until(pilot, lambda: screen.session.misses.get(2) == 1, what="a failed check")
            await pilot.press("f2")
            await until(pilot, lambda: "Stuck?" in shown(hints), what="the solution offered")
            assert "--mount type=volume" not in shown(hints) and "revealed" not in thought().get("2", {})
            term.type_command(ANOTHER_WAY.format(p=prefix))  # the learner's own way: -v ...:ro
            await until(pilot, lambda: screen.query(StepItem)[1].status == "done", what="the challenge passed")
            assert "revealed" not in thought().get("2", {})

            await pilot.press("f8")
            await until(
                pilot, lambda: screen.current == 3 and screen.query_one(QuizPane).query("OptionList"), what="the quiz"
            )
            screen.query_one(QuizPane).focus_next_question()
            await pilot.press("enter")  # the first choice, ":ro": right
            await until(
                pilot,
                lambda: "✓ right" in str(screen.query_one(QuizPane).query(".verdict")[0].render()),
                what="the first answer explained",
            )
            await pilot.press("down", "enter")  # "no": right too
            await until(pilot, lambda: screen.query(StepItem)[2].status == "done", what="the quiz done")
            assert [thought()["3"]["quiz"][i]["correct"] for i in "01"] == [True, True]
            assert "Quiz: 2 of 2 right." in shown(screen.query_one("#step-done"))
            recap = screen.query_one(RecapPane)
            assert not recap.has_class("hidden")
            assert "Named volumes outlive their containers" in recap.query_one("Markdown")._markdown

    asyncio.run(go())


def test_a_revealed_solution_is_shown_typed_by_f3_and_recorded(think):
    from tutor.ui import create_app
    from tutor.ui.widgets.hints import HintPane

    prefix, home = think

    async def go():
        app = create_app(lesson_id="think")
        async with app.run_test(size=(160, 60)) as pilot:
            await until(pilot, lambda: asking(app), what="the prediction")
            await pilot.press("escape")  # skipped
            await until(pilot, lambda: lesson_ready(app), what="lesson")
            screen = app.screen
            await pilot.press("f8")
            await until(pilot, lambda: screen.current == 2, what="the challenge")
            await pilot.press("f12")
            hints = str(screen.query_one(HintPane).render())
            assert f"$ docker run -d --name {prefix}-box --mount type=volume,src={prefix}-vol" in hints
            progress = json.loads((home / "progress.json").read_text())["lessons"]["think"]["thinking"]
            assert progress["2"]["revealed"] == "learner"
            assert progress["1"]["predictions"]["0"]["skipped"] is True

    asyncio.run(go())


@pytest.fixture
def facts_lesson(tmp_path, monkeypatch, prefix, client):
    content = tmp_path / "content"
    content.mkdir()
    (content / "01-facts.md").write_text(
        textwrap.dedent(f"""\
        ---
        id: facts
        title: Facts in the prose
        summary: A fact remembered and shown in the text.
        images: [busybox]
        resources: {{containers: [{prefix}-c]}}
        ---

        # Facts

        ## Run with an anonymous volume

        ```sh
        docker create --name {prefix}-c -v /data busybox sleep 600 && sleep 1 && docker start {prefix}-c
        ```

        ```yaml check
        - container_running: {prefix}-c
        ```

        ```yaml remember
        anon: {{volume_at: {{container: {prefix}-c, destination: /data}}}}
        ```

        ## Look at it

        docklab found the volume {{anon}}.

        ```sh
        docker volume inspect {{anon}}
        ```

        ```yaml check
        - volume_exists: "{{anon}}"
        ```
        """)
    )
    monkeypatch.setenv("DOCKLAB_CONTENT", str(content))
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DOCKLAB_IMAGES", "offline")
    yield prefix
    for c in client.containers.list(all=True, filters={"name": prefix}):
        c.remove(force=True, v=True)


def test_facts_fill_the_prose_and_the_last_change_lists_the_anonymous_volume(facts_lesson, client):
    """The start lands a second after the create, as a slow `docker run -d` does: after the
    prompt is back. What the last command changed still lists the volume made with it."""
    from tutor.ui import create_app
    from tutor.ui.widgets.engine_panel import EnginePanel
    from tutor.ui.widgets.steps import StepItem

    prefix = facts_lesson

    async def go():
        app = create_app(lesson_id="facts")
        async with app.run_test(size=(160, 60)) as pilot:
            screen, term = await lesson_shell(pilot, app)
            panel = screen.query_one(EnginePanel)
            await until(pilot, lambda: panel.current is not None, what="ready")
            await pilot.press("f3")
            await until(pilot, lambda: screen.query(StepItem)[0].status == "done", what="step 1 passed")
            await pilot.pause(1.0)  # the panel has seen the start by now
            changed = panel.last_changes
            assert any(line.startswith("+ anonymous volume") for line in changed), changed
            assert f"+ container {prefix}-c (created)" in changed, changed
            volume = client.containers.get(f"{prefix}-c").attrs["Mounts"][0]["Name"]
            await pilot.press("f8")
            await until(pilot, lambda: screen.current == 2, what="step 2")
            body = " ".join(m._markdown for m in screen.query("#step-body Markdown"))
            assert f"docklab found the volume {volume}." in body and "{anon}" not in body

    asyncio.run(go())
