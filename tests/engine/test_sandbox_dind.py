"""The sandbox as a docker:dind container (what Docker Desktop users get), on the real
engine with the offline stand-in for docker:dind: lessons run inside it, nothing of
the learner's engine changes, and stop --purge leaves no trace."""

from __future__ import annotations

import json

import pytest

from tests.conftest import engine_state, run_docklab

pytestmark = pytest.mark.engine


def test_a_dind_sandbox_keeps_lessons_off_the_learners_engine(client, home):
    built = run_docklab("images", "build", "dind", home=home, timeout=900)
    assert built.returncode == 0, built.stdout + built.stderr
    before = engine_state(client)
    try:
        started = run_docklab("sandbox", "start", "--dind", home=home, timeout=300)
        assert started.returncode == 0, started.stdout + started.stderr
        status = run_docklab("sandbox", "status", home=home)
        assert status.returncode == 0 and "container docklab-sandbox" in status.stdout
        doctor = json.loads(run_docklab("doctor", "--json", home=home).stdout)
        assert doctor["sandbox"] is True and doctor["docker_host"].startswith("tcp://127.0.0.1:")
        inside = engine_state(client)  # only the sandbox's own container and volume were added
        ran = run_docklab("run", "mount-syntax", "--auto", home=home)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert engine_state(client) == inside  # the lesson ran in the sandbox, not here
        assert run_docklab("reset", "mount-syntax", home=home).returncode == 0
    finally:
        stopped = run_docklab("sandbox", "stop", "--purge", home=home, timeout=120)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert engine_state(client) == before
    assert run_docklab("sandbox", "status", home=home).returncode == 1


def test_a_dead_sandbox_is_started_again_by_the_command_its_message_names(client, home):
    import os
    import signal
    import time

    before = engine_state(client)
    try:
        assert run_docklab("sandbox", "start", home=home, timeout=300).returncode == 0
        state = json.loads((home / "sandbox.json").read_text())
        os.kill(state["pid"], signal.SIGKILL)
        time.sleep(1)
        dead = run_docklab("check", "mount-syntax", "--step", "1", home=home)
        assert dead.returncode == 3 and "`docklab sandbox start` starts it again" in dead.stderr
        again = run_docklab("sandbox", "start", home=home, timeout=300)
        assert again.returncode == 0, again.stdout + again.stderr
        assert run_docklab("sandbox", "status", home=home).returncode == 0
    finally:
        stopped = run_docklab("sandbox", "stop", "--purge", home=home, timeout=120)
    assert stopped.returncode == 0
    assert engine_state(client) == before
