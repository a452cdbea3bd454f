"""What a lesson leaves on the engine by being begun, reset and run: its record and the
marks in the engine's history, on the recorded engine."""

from __future__ import annotations

import pytest

from tests.enginekit import RecordedEngine
from tutor.core.engine.connection import Engine
from tutor.core.engine.images import load_map
from tutor.core.learner.progress import Progress
from tutor.core.learner.session import Session
from tutor.core.lessons import catalog


def _session(lesson_id: str, tmp_path) -> Session:
    engine = Engine(None, "26.1.5", "1.45", port=RecordedEngine())
    return Session(catalog.find(lesson_id), engine, load_map("offline"), Progress(tmp_path / "progress.json"))


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path))


def _marks(session: Session) -> list[str]:
    return [r for r in session.engine.port.removed if r.startswith("docklab-mark-")]


def test_a_lesson_that_runs_commands_is_recorded_and_marked(tmp_path):
    session = _session("managing-volumes", tmp_path)
    session.begin(fresh=True)
    session.mark_auto_run()
    assert session.ownership.started
    assert [m.split("-")[2] for m in _marks(session)] == ["reset", "begin", "auto"]


def test_a_quiz_leaves_nothing_on_the_engine(tmp_path):
    """Nothing of it to track or reset, and no check reads the engine's history for it."""
    session = _session("quiz", tmp_path)
    session.begin(fresh=True)
    session.mark_auto_run()
    session.reset()
    assert not session.ownership.started
    assert _marks(session) == []
    assert not list(tmp_path.glob("owned/*/quiz.json"))
