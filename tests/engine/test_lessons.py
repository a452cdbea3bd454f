"""Every lesson on the real engine: its checks fail on a clean engine, pass after
`run --auto`, pass when a learner does the steps with other correct commands, and
`reset` returns the engine to exactly its state before."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.conftest import engine_state, run_docklab
from tutor.core import lessonfile
from tutor.core.paths import content_dir

pytestmark = pytest.mark.engine
LESSONS = [p.stem.split("-", 1)[1] for p in lessonfile.discover(content_dir())]
SECRET = "my-secret-pw"
MYSQL = "docklab/mysql:stand-in"
SQL = ("CREATE DATABASE customer_data; CREATE TABLE customer_data.customers (id INT PRIMARY KEY, "
       "name VARCHAR(100)); INSERT INTO customer_data.customers VALUES (1, 'John Doe');")

# Other correct ways to do each step, as a learner might type them in their own shell.
ALTERNATIVES = {
    "data-loss": [
        f"docker container run --detach --name mydb --env MYSQL_ROOT_PASSWORD={SECRET} {MYSQL}",
        f"docker exec mydb mysql -uroot -p{SECRET} -e \"{SQL}\"",
        "docker container rm --force mydb",
        f"docker container create --name mydb -e MYSQL_ROOT_PASSWORD={SECRET} {MYSQL} && docker start mydb",
        "docker volume ls --quiet --filter dangling=true",
        f"docker run -d --name mydb-rescue --mount type=volume,source={{old_volume}},target=/var/lib/mysql {MYSQL}",
    ],
    "named-volumes": [
        "docker volume create --driver local mysql_data",
        f"docker run -d --name mydb -e MYSQL_ROOT_PASSWORD={SECRET} "
        f"--mount type=volume,source=mysql_data,target=/var/lib/mysql {MYSQL}",
        f"docker exec mydb mysql -uroot -p{SECRET} -e \"{SQL}\"",
        "docker container rm --force mydb",
        f"docker container create --name mydb -e MYSQL_ROOT_PASSWORD={SECRET} "
        f"--mount source=mysql_data,target=/var/lib/mysql {MYSQL} && docker container start mydb",
        "docker volume inspect mysql_data",
    ],
}


def test_every_lesson_has_alternative_commands():
    assert set(ALTERNATIVES) == set(LESSONS)


@pytest.mark.parametrize("lesson", LESSONS)
def test_fails_clean_passes_after_auto_and_reset_restores(lesson, client, home):
    before = engine_state(client)
    try:
        clean = run_docklab("check", lesson, home=home)
        assert clean.returncode == 1, clean.stdout + clean.stderr
        assert "✗ FAIL" in clean.stdout

        auto = run_docklab("run", lesson, "--auto", home=home)
        assert auto.returncode == 0, auto.stdout + auto.stderr
        assert "✗ FAIL" not in auto.stdout and "passed" in auto.stdout
        assert SECRET not in auto.stdout + auto.stderr

        after = run_docklab("check", lesson, "--json", home=home)
        report = json.loads(after.stdout)
        assert after.returncode == 0 and report["passed"], after.stdout
        assert SECRET not in after.stdout
    finally:
        reset = run_docklab("reset", lesson, home=home)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert engine_state(client) == before


def wait_for_step(lesson: str, step: int, home, limit: float = 120) -> subprocess.CompletedProcess:
    """A learner re-checking until the database has started."""
    deadline = time.monotonic() + limit
    while True:
        out = run_docklab("check", lesson, "--step", str(step), home=home)
        if out.returncode == 0 or time.monotonic() > deadline:
            return out
        time.sleep(1)


@pytest.mark.parametrize("lesson", LESSONS)
def test_other_correct_commands_pass_too(lesson, client, home):
    before = engine_state(client)
    try:
        opened = run_docklab("run", lesson, home=home, stdin="q\n")  # plain mode: starts tracking, then stop
        assert opened.returncode == 1 and "Stopped at step 1" in opened.stdout, opened.stdout + opened.stderr
        for number, command in enumerate(ALTERNATIVES[lesson], start=1):
            saved = home / "progress.json"
            facts = json.loads(saved.read_text())["lessons"][lesson]["facts"] if saved.exists() else {}
            for name, value in facts.items():
                command = command.replace("{" + name + "}", value)
            subprocess.run(["bash", "-c", command], check=True, capture_output=True, timeout=120)
            out = wait_for_step(lesson, number, home)
            assert out.returncode == 0, f"step {number} after `{command}`:\n{out.stdout}{out.stderr}"
        final = run_docklab("check", lesson, home=home)
        assert final.returncode == 0, final.stdout + final.stderr
    finally:
        reset = run_docklab("reset", lesson, home=home)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert engine_state(client) == before
