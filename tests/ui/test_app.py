"""Pilot tests of the TUI against the real engine, on a small lesson of the test's own
(names with a unique prefix): state and messages, not pixels."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import textwrap

import pytest

from tests.ui.pilotkit import lesson_ready, lesson_shell, until

pytestmark = pytest.mark.engine


@pytest.fixture
def lesson_env(tmp_path, monkeypatch, prefix, client):
    content = tmp_path / "content"
    content.mkdir()
    (content / "01-tiny.md").write_text(
        textwrap.dedent(f"""\
        ---
        id: tiny
        title: Tiny volumes
        summary: A volume and a container that uses it.
        images: [busybox]
        resources: {{containers: [{prefix}-box], volumes: [{prefix}-vol]}}
        ---

        # Tiny volumes

        ## Make a volume

        Create it:

        ```sh
        docker volume create {prefix}-vol
        ```

        ```yaml check
        - volume_exists: {prefix}-vol
        ```

        ## Use it

        ```sh
        docker run -d --name {prefix}-box -v {prefix}-vol:/data busybox sleep 600
        ```

        ```yaml check
        - mount: {{container: {prefix}-box, destination: /data, volume: {prefix}-vol}}
        ```
        """)
    )
    home = tmp_path / "home"
    monkeypatch.setenv("DOCKLAB_CONTENT", str(content))
    monkeypatch.setenv("DOCKLAB_HOME", str(home))
    monkeypatch.setenv("DOCKLAB_IMAGES", "offline")
    yield prefix
    for c in client.containers.list(all=True, filters={"name": prefix}):
        c.remove(force=True)
    for v in client.volumes.list(filters={"name": prefix}):
        v.remove(force=True)


def run(coro):
    return asyncio.run(coro)


def test_picker_to_lesson_run_check_reset_and_resume(lesson_env, client):
    from tutor.ui import create_app
    from tutor.ui.lesson import LessonScreen
    from tutor.ui.modals import Confirm
    from tutor.ui.picker import PickerScreen
    from tutor.ui.terminal import Terminal
    from tutor.ui.widgets.steps import StepItem

    prefix = lesson_env

    async def first_visit():
        app = create_app()
        async with app.run_test(size=(140, 45)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, PickerScreen) and app.engine is not None, what="engine")
            picker = app.screen
            assert "Tiny volumes" in str(picker.row(app.lessons[0]))
            assert "0/2 steps done" in str(picker.row(app.lessons[0])) and "✓ ready" in str(picker.row(app.lessons[0]))
            await pilot.press("slash", "n", "o", "p", "e")
            assert picker.query_one("#lessons").option_count == 0
            await pilot.press("escape")
            assert picker.query_one("#lessons").option_count == 1 and picker.focused.id == "lessons"
            await pilot.press("n", "o")  # typing filters, no `/` needed
            assert picker.query_one("#search").value == "no" and picker.query_one("#lessons").option_count == 0
            await pilot.press("escape")
            assert picker.query_one("#lessons").option_count == 1
            await pilot.press("enter")
            screen, term = await lesson_shell(pilot, app, what="lesson screen")
            escape = lambda: screen.active_bindings["escape"].binding.description  # noqa: E731  (what the footer says)
            assert app.focused is term and escape() == "To the shell"
            await pilot.press("f6")
            assert app.focused is not term and escape() == "Lessons"
            await pilot.press("f6")

            await pilot.press("f3")  # Run: types the command into the terminal
            await until(pilot, lambda: f"docker volume create {prefix}-vol" in term.text(), what="typed command")
            await until(pilot, lambda: screen.query(StepItem)[0].status == "done", what="step 1 checked and passed")
            await pilot.pause(0.3)
            assert screen.current == 1  # the passed step's results stay in view until the learner moves on
            await pilot.press("f3")  # on a step done, F3 moves on
            await until(pilot, lambda: screen.current == 2, what="the next step")
            items = {i.step.number: i.status for i in screen.query(StepItem)}
            assert items[1] == "done" and items[2] == "current"
            assert client.volumes.get(f"{prefix}-vol")

            await pilot.press("f9")
            await until(pilot, lambda: isinstance(app.screen, Confirm), what="reset confirmation")
            assert app.screen.lines[0] == f"  − volume {prefix}-vol"
            assert len([x for x in app.screen.lines if x.startswith("  − ")]) == 1
            await pilot.press("n")  # not now
            await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="back from the dialog")
            assert client.volumes.get(f"{prefix}-vol")

    async def second_visit():
        app = create_app(lesson_id="tiny")
        async with app.run_test(size=(140, 45)) as pilot:
            await until(pilot, lambda: lesson_ready(app), what="lesson reopened")
            screen = app.screen
            await pilot.pause(0.2)
            assert screen.current == 2  # resumed where the learner left
            items = {i.step.number: i.status for i in screen.query(StepItem)}
            assert items[1] == "done"
            term = screen.query_one(Terminal)
            await until(pilot, lambda: "docklab" in term.text(), what="shell prompt")
            await pilot.press("f3")
            await until(
                pilot,
                lambda: "✓ done" in str(screen.query(StepItem)[1].status) or screen.query(StepItem)[1].status == "done",
                what="step 2 done",
            )
            await pilot.press("f9")
            await until(pilot, lambda: isinstance(app.screen, Confirm), what="reset confirmation")
            assert sorted(app.screen.lines[:2]) == [f"  − container {prefix}-box", f"  − volume {prefix}-vol"]
            await pilot.press("y")
            await until(
                pilot,
                lambda: not client.containers.list(all=True, filters={"name": prefix}, ignore_removed=True),
                what="reset removed the container",
            )
            await until(pilot, lambda: not client.volumes.list(filters={"name": prefix}), what="volume removed")

    run(first_visit())
    run(second_visit())


def test_a_failed_check_shows_expected_found_and_hint(lesson_env):
    from tutor.ui import create_app
    from tutor.ui.widgets.steps import StepItem
    from tutor.ui.widgets.stepview import CheckResults

    async def go():
        app = create_app(lesson_id="tiny")
        async with app.run_test(size=(140, 45)) as pilot:
            await until(pilot, lambda: lesson_ready(app), what="lesson")
            screen = app.screen
            await pilot.press("f2")
            await until(pilot, lambda: screen.query(StepItem)[0].status == "failed", what="failed status")
            shown = str(screen.query_one(CheckResults).render())
            assert "✗ FAIL" in shown and "expected:" in shown and "found:    no such volume" in shown
            assert "hint:" in shown

    run(go())


def test_a_failure_names_the_command_the_learner_typed(lesson_env, client):
    """The terminal marks each command line the learner runs (and nothing else of what they
    type): a check that fails names the one that caused it, passwords hidden."""
    from tutor.ui import create_app
    from tutor.ui.widgets.steps import StepItem
    from tutor.ui.widgets.stepview import CheckResults

    prefix = lesson_env

    async def go():
        app = create_app(lesson_id="tiny")
        async with app.run_test(size=(160, 50)) as pilot:
            screen, term = await lesson_shell(pilot, app)
            await pilot.press("f8")
            await until(pilot, lambda: screen.current == 2, what="step 2")
            term.type_command(f"docker volume create {prefix}-vol")
            wrong = f"docker run -d -e DB_PASSWORD=hunter2 --name {prefix}-box docklab/busybox:stand-in sleep 600"
            term.type_command(wrong)  # no mount: the step's check fails
            await until(pilot, lambda: screen.query(StepItem)[1].status == "failed", timeout=60, what="step 2 failed")
            await until(pilot, lambda: "cause:" in str(screen.query_one(CheckResults).render()), what="the cause")
            shown = " ".join(str(screen.query_one(CheckResults).render()).split())
            said = wrong.replace("hunter2", "********")
            assert f"cause: `{said}` at " in shown and f"made {prefix}-box with no volume at /data" in shown, shown
            assert "hunter2" not in shown and "hunter2" not in (app.progress.path.read_text())

    run(go())


def test_catching_up_to_a_step_asks_then_docklab_does_the_steps_before_it(lesson_env, client):
    from tutor.ui import create_app
    from tutor.ui.catchup import CatchingUp
    from tutor.ui.modals import Confirm

    prefix = lesson_env

    async def go():
        app = create_app(lesson_id="tiny")
        async with app.run_test(size=(160, 50)) as pilot:
            screen, _ = await lesson_shell(pilot, app)
            await pilot.press("f8")
            await until(pilot, lambda: screen.current == 2, what="step 2")
            await pilot.press("f11")
            await until(pilot, lambda: isinstance(app.screen, Confirm), what="the confirmation")
            plan = "\n".join(app.screen.lines)
            assert f"$ docker volume create {prefix}-vol" in plan and "recorded as caught up" in plan
            await pilot.press("y")
            await until(pilot, lambda: isinstance(app.screen, CatchingUp), what="the log")
            log = app.screen
            await until(pilot, lambda: log.finished, timeout=60, what="caught up")
            shown = "\n".join(str(line.text) for line in log.query_one("RichLog").lines)
            assert f"docker volume create {prefix}-vol" in shown and "Caught up: you are at step 2." in shown
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen, what="back to the lesson")
            assert screen.current == 2 and client.volumes.get(f"{prefix}-vol")
            record = app.progress.done("tiny")[1]
            assert record.get("caught_up") is True and 2 not in app.progress.done("tiny")

    run(go())


def test_an_instructors_catch_up_is_said_then_done_in_its_lesson(lesson_env, client, tmp_path):
    """What the classroom's reporter leaves for the TUI (paths.INSTRUCTION): the lesson opens,
    the learner reads who asked, and docklab catches them up."""
    import json
    import os

    from tutor.core.paths import INSTRUCTION
    from tutor.ui import create_app
    from tutor.ui.catchup import CatchingUp

    prefix = lesson_env
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / INSTRUCTION).write_text(json.dumps({"catch_up": {"lesson": "tiny", "step": 2, "by": "ann", "at": 0}}))
    assert os.environ["DOCKLAB_HOME"] == str(home)

    async def go():
        app = create_app()
        async with app.run_test(size=(160, 50)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, CatchingUp), timeout=60, what="the catch-up")
            log = app.screen
            await until(pilot, lambda: log.finished, timeout=60, what="caught up")
            shown = "\n".join(str(line.text) for line in log.query_one("RichLog").lines)
            assert shown.startswith("Your instructor (ann) brings you to step 2 of tiny.")
            assert "Caught up: you are at step 2." in shown and client.volumes.get(f"{prefix}-vol")
            assert not (home / INSTRUCTION).exists()

    run(go())


def test_f3_pressed_while_the_lesson_still_reaches_the_engine_runs_once_it_answers(lesson_env, monkeypatch):
    """On a busy machine a learner may press F3 before the lesson has reached the engine:
    the command runs when it has, instead of being dropped with a toast."""
    import threading

    from tutor.core.learner.session import Session
    from tutor.ui import create_app
    from tutor.ui.lesson import LessonScreen
    from tutor.ui.terminal import Terminal

    prefix = lesson_env
    gate = threading.Event()
    begin = Session.begin

    def slow_begin(self, *args, **kw):
        gate.wait(30)
        return begin(self, *args, **kw)

    monkeypatch.setattr(Session, "begin", slow_begin)

    async def go():
        app = create_app(lesson_id="tiny")
        async with app.run_test(size=(140, 45)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, LessonScreen) and bool(app.screen.query(Terminal)))
            screen = app.screen
            term = screen.query_one(Terminal)
            await until(pilot, lambda: "docklab" in term.text(), what="shell prompt")
            assert screen.session is None
            await pilot.press("f3")
            await pilot.press("f3")  # pressed twice: still one command
            await pilot.pause(0.3)
            assert "docker volume create" not in term.text()
            gate.set()
            await until(pilot, lambda: f"docker volume create {prefix}-vol" in term.text(), what="the command, typed")
            await pilot.pause(0.5)
            assert term.text().count("docker volume create") == 1

    try:
        run(go())
    finally:
        gate.set()


def test_commands_typed_in_quick_succession_all_reach_the_shell_in_order(lesson_env):
    """F3 pressed again before the first command was typed (a busy machine, a quick
    learner): both are typed, first things first, none dropped."""
    from tutor.ui import create_app

    async def go():
        app = create_app(lesson_id="tiny")
        async with app.run_test(size=(140, 45)) as pilot:
            screen, term = await lesson_shell(pilot, app)
            for word in ("one", "two", "three"):  # in one turn of the UI's loop
                screen.type_into_terminal(f"echo typed-{word}")
            outputs = lambda: [line for line in term.text().splitlines() if line.startswith("typed-")]  # noqa: E731
            await until(pilot, lambda: "typed-three" in outputs(), what="the last command's output")
            # each ran once, in order (a line typed ahead may show twice, as in any terminal: its echo, then bash's)
            assert outputs() == ["typed-one", "typed-two", "typed-three"], term.text()

    run(go())


@pytest.fixture
def private_engine(lesson_env, prefix, client, monkeypatch):
    """A sandbox engine of this test's own (its own data root, run folder and network
    namespace, so it meets no one else's), started under the lesson's DOCKLAB_HOME: the
    TUI uses it, and the test may stop it."""
    from tutor.core.engine import sandbox

    for key in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS"):  # connect() sets them
        monkeypatch.setenv(key, "")
        monkeypatch.delenv(key)
    where = {"data_root": f"/var/lib/{prefix}-sandbox", "run_dir": f"/run/{prefix}-sandbox"}

    def start() -> dict:
        return sandbox.start(["docklab/busybox:stand-in"], client, progress=lambda s: None, **where)

    try:
        yield {"start": start, "state": start()}
    finally:
        sandbox.stop(purge=True)
        shutil.rmtree(where["run_dir"], ignore_errors=True)


def test_a_lost_engine_shows_a_banner_and_recovers(private_engine):
    """The engine under the running TUI stops (as `systemctl stop docker` stops one): the
    banner says so; it starts again: the banner goes, without the learner doing anything."""
    from tutor.ui import create_app
    from tutor.ui.widgets.engine_panel import EnginePanel

    state = private_engine["state"]

    async def go():
        app = create_app(lesson_id="tiny")
        async with app.run_test(size=(140, 45)) as pilot:
            await until(pilot, lambda: lesson_ready(app), what="lesson")
            assert app.engine.host == state["host"]  # the TUI runs on the engine this test may stop
            screen = app.screen
            banner = screen.query_one("#banner")
            panel = screen.query_one(EnginePanel)
            await until(pilot, lambda: panel.current is not None, what="the panel's first picture")
            assert banner.has_class("hidden")

            os.kill(state["pid"], signal.SIGTERM)
            await until(pilot, lambda: not banner.has_class("hidden"), what="banner")
            assert "Lost the connection to the Docker Engine" in str(banner.render())
            assert "reconnects by itself" in str(banner.render())

            await asyncio.to_thread(private_engine["start"])  # the same socket, a new dockerd
            await until(pilot, lambda: banner.has_class("hidden"), what="banner gone")

    run(go())


def test_run_asks_before_a_prune_that_would_take_the_learners_volume(tmp_path, monkeypatch, prefix, client):
    from tutor.ui import create_app
    from tutor.ui.lesson import LessonScreen
    from tutor.ui.modals import Confirm

    content = tmp_path / "content"
    content.mkdir()
    (content / "01-prune.md").write_text(
        textwrap.dedent(f"""\
        ---
        id: prune
        title: Prune
        summary: A prune that reaches too far.
        resources: {{volumes: [{prefix}-lesson]}}
        ---

        ## Prune

        ```sh
        docker volume prune -f
        ```

        ```yaml check
        - volume_absent: {prefix}-lesson
        ```
        """)
    )
    monkeypatch.setenv("DOCKLAB_CONTENT", str(content))
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path / "home"))
    mine = client.volumes.create(f"{prefix}-learners", labels={"com.docker.volume.anonymous": ""})

    async def go():
        app = create_app(lesson_id="prune")
        async with app.run_test(size=(140, 45)) as pilot:
            _, term = await lesson_shell(pilot, app)
            await pilot.press("f3")
            await until(pilot, lambda: isinstance(app.screen, Confirm), what="the prune warning")
            assert any(f"{prefix}-learners" in line for line in app.screen.lines), app.screen.lines
            await pilot.press("n")
            await until(pilot, lambda: isinstance(app.screen, LessonScreen), what="back")
            await pilot.pause(0.5)
            assert "volume prune" not in term.text()  # nothing was typed

    try:
        run(go())
        assert client.volumes.get(mine.name)
    finally:
        mine.remove(force=True)
