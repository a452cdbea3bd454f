"""What the front ends drive through a Session, on the real engine: reset with and without
progress (the one reset of `docklab reset`, `run --auto` and the TUI), the prune guard for
typed text, the steps' statuses, and the engine's environment for the commands it runs."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from tests.engine.lessonkit import small_lesson
from tutor.core.engine.connection import EngineUnavailable, connect
from tutor.core.learner.session import Session
from tutor.core.lessons import lessonfile
from tutor.core.model import Command

pytestmark = pytest.mark.engine


@pytest.fixture
def session(monkeypatch, home, prefix, client, tmp_path):
    monkeypatch.setenv("DOCKLAB_HOME", str(home))
    s = Session(lessonfile.load(small_lesson(tmp_path, prefix)), connect())  # its step 1 makes {prefix}-vol
    yield s
    for v in client.volumes.list(filters={"name": prefix}):
        v.remove(force=True)


def test_reset_removes_what_the_lesson_made_and_keeps_or_restarts_progress(session, prefix, client):
    session.begin()
    assert session.statuses(1) == {1: "current"}
    assert not session.check_step(1).passed
    assert session.statuses(1) == {1: "failed"}
    assert session.run(session.lesson.step(1).commands[0]).exit_code == 0
    assert session.check_step(1).passed
    assert session.statuses(1) == {1: "done"}
    assert session.reset_plan() == [f"volume {prefix}-vol"]

    done = session.reset(again=True)  # the TUI's F9: progress kept, tracking goes on
    assert (done.removed, done.kept, done.owned) == ([f"volume {prefix}-vol"], [], True)
    assert not client.volumes.list(filters={"name": f"{prefix}-vol"})
    assert session.ownership.started and session.statuses(1) == {1: "done"}

    session.run(session.lesson.step(1).commands[0])
    session.check_step(1)
    done = session.reset(progress=True)  # `run --auto` starting over: progress restarts too
    assert done.removed == [f"volume {prefix}-vol"] and not session.ownership.started
    assert session.progress.done(session.lesson.id) == {} and session.statuses(1) == {1: "current"}


def test_reset_of_a_lesson_never_started_here_owns_and_removes_nothing(session, prefix, client):
    client.volumes.create(f"{prefix}-vol")  # the learner's own, made by hand
    done = session.reset()
    assert (done.removed, done.kept, done.owned) == ([], [], False)
    assert client.volumes.get(f"{prefix}-vol")


def test_typed_text_is_guarded_as_the_lesson_s_commands_are(session, prefix, client):
    session.begin()
    client.volumes.create(f"{prefix}-learners", labels={"com.docker.volume.anonymous": ""})
    verdict = session.guard_text("docker volume prune -f")
    assert verdict is not None and not verdict.safe and f"{prefix}-learners" in verdict.message()
    assert session.guard_text("docker volume ls") is None


def test_the_runner_gets_the_engine_s_environment(session):
    session.engine = replace(session.engine, env={"DOCKLAB_PROBE": "reached"})
    out: list[str] = []
    session.run(Command("echo probe=$DOCKLAB_PROBE", line=1), out.append)
    assert "probe=reached" in "".join(out)
    assert "DOCKLAB_PROBE" not in os.environ


def test_connecting_to_the_sandbox_leaves_this_process_environment_alone(monkeypatch, tmp_path):
    """The sandbox's address reaches docklab's client and what it starts through Engine.env."""
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    (tmp_path / "sandbox.json").write_text('{"kind": "dind", "host": "tcp://127.0.0.1:9", "tls": ""}')
    before = dict(os.environ)
    with pytest.raises(EngineUnavailable, match="the docklab sandbox"):
        connect(timeout=2)
    assert dict(os.environ) == before


def test_after_an_auto_run_a_learner_s_check_counts_from_its_mark(session, home):
    import time

    before = time.time()
    session.mark_auto_run()
    fresh = Session(session.lesson, session.engine)  # never begun here: it begins at docklab's latest mark
    assert fresh.began >= before - 1
