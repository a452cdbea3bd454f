"""How a step is proven, on the real engine: a password read from the container, a wait
that ends at once when the outcome cannot come, a step proven earlier that no longer
holds, a step proven only by the engine's history."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import engine_state, run_docklab
from tests.reportkit import steps
from tests.handkit import by_hand, clean_up
from tutor.core.lessons import catalog

pytestmark = pytest.mark.engine


def lesson(lesson_id: str):
    return catalog.find(lesson_id)


@pytest.fixture
def session_for(monkeypatch, home):
    """A Session on the real engine, as the TUI and `run` drive one."""
    monkeypatch.setenv("DOCKLAB_HOME", str(home))
    from tutor.core.engine.connection import connect
    from tutor.core.engine.images import load_map
    from tutor.core.learner.session import Session

    def make(lesson_id: str) -> Session:
        session = Session(lesson(lesson_id), connect(), load_map("offline"))
        session.begin()
        return session

    return make


def test_a_wrong_password_fails_at_once_and_says_why(session_for, client, home):
    """A data directory made with one password, a new container given another: access
    denied ends the readiness wait at once (no polling), with the reason."""
    before = engine_state(client)
    session = session_for("named-volumes")
    try:
        done = by_hand("""
            docker volume create mysql_data
            docker run -d --name first -e MYSQL_ROOT_PASSWORD=the-first-pw -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb first the-first-pw
            docker rm -f first
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=another-pw -v mysql_data:/var/lib/mysql mysql:9.2.0
            for _ in $(seq 60); do docker exec mydb mysqladmin ping -h127.0.0.1 --protocol=tcp -uroot -pthe-first-pw \\
              2>/dev/null | grep -q alive && break; sleep 1; done
            """)
        assert done.returncode == 0, done.stderr
        waits: list[float] = []
        report = session.check_step(5, wait=True, on_wait=lambda claim, waited, limit: waits.append(waited))
        assert not report.passed
        answers = next(o for o in report.outcomes if o.claim == "MySQL in mydb answers")
        assert "refuses the password it was given" in answers.found and "initialised earlier" in answers.hint
        assert waits == []  # the wait ended at once: waiting cannot change a refused password
        assert not any("another-pw" in (o.found + o.hint + o.claim) for o in report.outcomes)
    finally:
        clean_up(client, before, "named-volumes", home)


def test_a_container_that_exits_ends_the_wait_with_its_log(session_for, client, home):
    before = engine_state(client)
    session = session_for("data-loss")
    try:
        assert by_hand("docker run -d --name mydb mysql:9.2.0 && sleep 3").returncode == 0  # no password: exits
        waits: list[float] = []
        report = session.check_step(1, wait=True, on_wait=lambda claim, waited, limit: waits.append(waited))
        running = report.outcomes[0]
        assert not running.ok and "exited" in running.found
        assert "password option is not specified" in running.found  # its last log lines say why
        assert waits == []
    finally:
        clean_up(client, before, "data-loss", home)


def test_a_step_proven_earlier_stays_proven_and_says_when(client, home):
    before = engine_state(client)
    try:
        assert run_docklab("run", "named-volumes", home=home, stdin="q\n").returncode == 1  # begun in docklab
        assert (
            by_hand("""
            docker volume create mysql_data
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            """).returncode
            == 0
        )
        assert run_docklab("check", "named-volumes", "--step", "3", home=home).returncode == 0
        # the data goes: the step held when it was checked, and that stays recorded
        assert by_hand("docker exec mydb mysql -uroot -prootpassword -e 'DROP DATABASE customer_data'").returncode == 0
        out = run_docklab("check", "named-volumes", home=home)
        section = out.stdout.split("== Step 3/")[1].split("== Step")[0]
        assert "✓ DONE  proven at" in section and "now no longer" in section, out.stdout
        assert "== Step 4/" in out.stdout and "✗ FAIL  your database container was removed" in out.stdout
    finally:
        run_docklab("reset", "named-volumes", home=home)
    assert engine_state(client) == before


def test_a_step_only_the_history_proves_says_so(client, home):
    before = engine_state(client)
    run_docklab("reset", "managing-volumes", home=home)
    try:
        assert by_hand("docker volume create my-vol && docker volume rm my-vol").returncode == 0
        out = run_docklab("check", "managing-volumes", "--step", "1", home=home)
        assert out.returncode == 0, out.stdout
        assert "✓ DONE  proven from the engine's history" in out.stdout
        assert "the engine created the volume my-vol at" in out.stdout
        # after docklab's reset, that history is another attempt's
        run_docklab("reset", "managing-volumes", home=home)
        again = run_docklab("check", "managing-volumes", "--step", "1", home=home)
        assert again.returncode == 1 and "✓ DONE" not in again.stdout, again.stdout
    finally:
        clean_up(client, before, "managing-volumes", home)


def test_plain_mode_shows_the_password_to_type_and_hides_it_in_results(client, home):
    before = engine_state(client)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "tutor", "run", "data-loss", "--plain"],
            input="q\n",
            text=True,
            capture_output=True,
            env={**os.environ, "DOCKLAB_HOME": str(home), "DOCKLAB_IMAGES": "offline"},
            timeout=120,
        )
        assert "MYSQL_ROOT_PASSWORD=my-secret-pw" in out.stdout, out.stdout
    finally:
        run_docklab("reset", "data-loss", home=home)
    assert engine_state(client) == before


def test_leftovers_of_an_earlier_attempt_prove_nothing_after_a_reset(client, home):
    """Done by hand, never started in docklab, then `docklab reset`: the things are still
    there (docklab removes nothing it did not start), but they are another attempt's."""
    before = engine_state(client)
    run_docklab("reset", "named-volumes", home=home)
    try:
        assert (
            by_hand("""
            docker volume create mysql_data
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb mydb rootpassword
            """).returncode
            == 0
        )
        assert run_docklab("check", "named-volumes", "--step", "2", home=home).returncode == 0
        reset = run_docklab("reset", "named-volumes", home=home)
        assert "owns nothing and removes nothing" in reset.stdout
        out = run_docklab("check", "named-volumes", home=home.parent / "other-home")
        assert out.returncode == 1 and f"0/{steps('named-volumes')} steps passed" in out.stdout, out.stdout
        assert "mydb was made before the lesson began: it is not this attempt's" in out.stdout
    finally:
        clean_up(client, before, "named-volumes", home)
    assert engine_state(client) == before


def test_a_step_the_engine_no_longer_remembers_is_not_provable_rather_than_failed(client, home, prefix):
    """The engine keeps its last 256 events: once they have pushed out the lesson's start,
    a step only history could prove is "not provable any more", not "never done"."""
    before = engine_state(client)
    try:
        assert run_docklab("run", "managing-volumes", home=home, stdin="q\n").returncode == 1  # begun: marked
        assert by_hand("docker volume create my-vol && docker volume rm my-vol").returncode == 0
        for i in range(140):  # 280 events of somebody else's
            client.api.create_volume(f"{prefix}-{i}")
            client.api.remove_volume(f"{prefix}-{i}")
        out = run_docklab("check", "managing-volumes", home=home)
        step1 = out.stdout.split("== Step 1/")[1].split("== Step")[0]
        assert "NOT PROVABLE ANY MORE" in step1, out.stdout
        step4 = out.stdout.split("== Step 4/")[1].split("== Step")[0]  # never done; not a history question
        assert "NOT PROVABLE" not in step4 and "✗ FAIL" in step4, out.stdout
        assert prefix not in out.stdout  # somebody else's volumes, made and removed since, play no role
    finally:
        run_docklab("reset", "managing-volumes", home=home)
    assert engine_state(client) == before


def test_a_step_proven_from_history_once_stays_proven_when_the_engine_forgets(client, home, prefix):
    before = engine_state(client)
    try:
        assert run_docklab("run", "managing-volumes", home=home, stdin="q\n").returncode == 1
        assert by_hand("docker volume create my-vol && docker volume rm my-vol").returncode == 0
        first = run_docklab("check", "managing-volumes", home=home)
        assert "proven from the engine's history" in first.stdout.split("== Step 2/")[0], first.stdout
        for i in range(140):  # the engine forgets the lesson's start
            client.api.create_volume(f"{prefix}-{i}")
            client.api.remove_volume(f"{prefix}-{i}")
        kept = run_docklab("check", "managing-volumes", home=home).stdout  # docklab kept what it read
        assert "✓ DONE  proven from the engine's history" in kept.split("== Step 2/")[0], kept
        for journal in (home / "owned").glob("*/events.log"):  # and now what docklab kept of it is gone too
            journal.unlink()
        out = run_docklab("check", "managing-volumes", home=home)
        step1 = out.stdout.split("== Step 1/")[1].split("== Step")[0]
        assert "✓ DONE  proven from the engine's history at" in step1 and "NOT PROVABLE" not in step1, out.stdout
    finally:
        run_docklab("reset", "managing-volumes", home=home)
    assert engine_state(client) == before
