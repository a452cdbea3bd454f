"""What a lesson leaves on the engine by being begun afresh and run: its record and the
marks in the engine's history, on the recorded engine."""

from __future__ import annotations

import json
import time

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


def test_a_name_the_lesson_needs_taken_before_it_begins_is_refused_and_never_its(tmp_path):
    from tutor.core.learner.ownership import Conflict

    session = _session("managing-volumes", tmp_path)
    session.engine.port.create_volume("my-vol", {})
    session.engine.port.create_volume("unrelated", {})
    with pytest.raises(Conflict, match="volume my-vol"):
        session.begin(fresh=True)
    assert session.start() == ["volume my-vol"]  # the learner's own shell: said, not refused
    assert session.ownership.state["baseline"]["volumes"] == ["my-vol", "unrelated"]
    session.ownership.observe()
    assert session.ownership.state["volumes"] == []  # what was there before is never the lesson's


def test_a_checked_step_observes_from_the_look_its_check_took(tmp_path):
    """Observing after a check asks the engine nothing the check has just asked (three
    requests a step), and still follows what the lesson made."""
    session = _session("managing-volumes", tmp_path)
    session.begin(fresh=True)
    port = session.engine.port
    port.create_volume("my-vol", {})  # step 1: the learner's `docker volume create my-vol`
    asked: list[str] = []
    inside: list[str] = []  # the recorded engine's volumes() lists its containers: not a request

    def counted(name):
        ask = getattr(port, name)

        def answer(*args, **kwargs):
            if not inside:
                asked.append(name)
            inside.append(name)
            try:
                return ask(*args, **kwargs)
            finally:
                inside.pop()

        return answer

    for name in ("containers", "volumes", "events"):
        setattr(port, name, counted(name))
    assert session.check_step(1).passed
    assert sorted(asked) == ["containers", "events", "volumes"], asked  # once each, for the check and the observe
    assert session.ownership.state["volumes"] == ["my-vol"]


def test_progress_held_is_written_once_as_it_ends_however_it_ends(tmp_path, monkeypatch):
    from tutor.core.learner import progress as progress_module

    written: list[dict] = []
    monkeypatch.setattr(progress_module, "write_json", lambda path, data: written.append(json.loads(json.dumps(data))))
    progress = Progress(tmp_path / "progress.json")
    with progress.held():
        for n in range(3):
            progress.ran("quiz", f"echo {n}", 1.0, 2.0)
        assert written == []
    assert len(written) == 1 and len(written[0]["lessons"]["quiz"]["commands"]) == 3
    with pytest.raises(KeyboardInterrupt), progress.held():  # Ctrl-C mid-step loses nothing
        progress.ran("quiz", "echo 3", 1.0, 2.0)
        raise KeyboardInterrupt
    assert len(written) == 2 and len(written[1]["lessons"]["quiz"]["commands"]) == 4
    progress.ran("quiz", "echo 4", 1.0, 2.0)  # outside it: at once
    assert len(written) == 3


def test_a_container_prune_is_not_refused_for_a_checks_helper(tmp_path):
    session = _session("managing-volumes", tmp_path)
    session.begin(fresh=True)
    port = session.engine.port
    port.image_ids["docklab/busybox:stand-in"] = "sha256:busybox"
    port.create_volume("my-vol", {})
    port.create_probe("docklab/busybox:stand-in", "my-vol", "/.docklab-probe")  # a check reading my-vol
    verdict = session.guard_text("docker container prune -f")
    assert verdict is not None and verdict.safe, verdict.foreign


def test_held_progress_is_per_thread(tmp_path):
    """The TUI's worker holds while doing steps; what its UI thread records meanwhile is
    written at once."""
    import threading

    progress = Progress(tmp_path / "progress.json")
    with progress.held():
        other = threading.Thread(target=progress.ran, args=("quiz", "echo ui", 1.0, 2.0))
        other.start()
        other.join()
        assert "echo ui" in (tmp_path / "progress.json").read_text()


def test_a_reset_removes_a_helper_a_killed_docklab_left_and_nothing_like_it_of_the_learners(tmp_path):
    from tutor.core.engine.events import PROBE_LABEL

    session = _session("managing-volumes", tmp_path)
    session.begin(fresh=True)
    port = session.engine.port
    port.create_volume("my-vol", {})

    def made(name, labels, created="2026-12-07T09:00:00Z", state="created"):
        port.records[name] = {
            "Id": name,
            "Name": "/" + name,
            "Created": created,
            "State": {"Status": state},
            "Config": {"Labels": labels},
            "Mounts": [{"Type": "volume", "Name": "my-vol", "Destination": "/.docklab-probe"}],
        }

    made("docklab-probe-0123456789ab", {PROBE_LABEL: "1"})  # left hours ago
    made("docklab-probe-fresh", {PROBE_LABEL: "1"}, created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    made("docklab-probe-mine", {})  # the learner's own name, no label
    made("helper-of-mine", {PROBE_LABEL: "1"})  # the label, not the name
    made("docklab-probe-started", {PROBE_LABEL: "1"}, state="exited")
    assert "docklab's leftover helper docklab-probe-0123456789ab" in session.reset().removed
    assert set(port.records) >= {"docklab-probe-fresh", "docklab-probe-mine", "helper-of-mine", "docklab-probe-started"}
    assert "docklab-probe-0123456789ab" not in port.records
