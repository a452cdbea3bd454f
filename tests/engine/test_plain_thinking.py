"""`docklab run LESSON` in plain mode on a pty, as a learner at a screen reader: a
prediction picked by number, hints one at a time, a challenge solved with a command the
lesson never shows (after two failed checks the solution is offered, and shown on
asking), the quiz answered by number, the recap at the end; then progress and the report
hold all of it. And `run --auto` runs the hidden solution and says what it skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pexpect
import pytest

from tests.conftest import ROOT, run_docklab
from tests.thinkkit import ANOTHER_WAY, write

pytestmark = pytest.mark.engine


@pytest.fixture
def think(tmp_path, prefix, client, home):
    content = tmp_path / "content"
    write(content, prefix)
    env = {"DOCKLAB_CONTENT": str(content)}
    yield prefix, env
    run_docklab("reset", "think", home=home, env=env)
    for c in client.containers.list(all=True, filters={"name": prefix}):
        c.remove(force=True)
    for v in client.volumes.list(filters={"name": prefix}):
        v.remove(force=True)


def docker(command: str) -> None:
    subprocess.run(command.split(), check=True, capture_output=True)


def test_a_learner_predicts_asks_for_hints_solves_the_challenge_their_way_and_takes_the_quiz(think, home):
    prefix, extra = think
    env = {**os.environ, "DOCKLAB_HOME": str(home), "DOCKLAB_IMAGES": "offline", **extra}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "tutor", "run", "think", "--plain"],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 200),
    )
    try:
        child.expect("Predict before you run it: Does creating a volume start a container\\?")
        child.expect("1. a helper container runs")
        child.expect(r"Your prediction \(1-2, Enter to skip, q to stop\): ")
        before = child.before
        assert f"docker volume create {prefix}-vol" not in before  # asked before the command is shown
        child.sendline("2")
        child.expect("You predicted: no, only the volume is made")
        child.expect(f"docker volume create {prefix}-vol")
        child.expect(r"Press Enter to check this step \(hint, q to stop\): ")
        child.sendline("hint")
        child.expect("Hint 1 of 2: Volumes have a command of their own.")
        assert "Hint 2" not in child.before
        child.expect("Press Enter")
        child.sendline("hint")
        child.expect("Hint 2 of 2: `docker volume create NAME` makes a named volume.")
        docker(f"docker volume create {prefix}-vol")
        child.expect("Press Enter")
        child.sendline("")
        child.expect(f"✓ PASS  volume {prefix}-vol exists")
        child.expect(
            "you predicted: no, only the volume is made; the engine: no, only the volume is made ✓. "
            "A volume is an object of its own"
        )

        child.expect("Your goal: mount it read-only. No command is given")
        child.expect(f"{prefix}-box mounts volume {prefix}-vol read-only at /data")
        child.expect(r"\(hint, solution, q to stop\): ")
        assert "--mount type=volume" not in child.before  # the solution stays hidden
        child.sendline("")
        child.expect("✗ FAIL")
        assert "Stuck?" not in child.before
        child.expect("Press Enter")
        child.sendline("")
        child.expect("Stuck\\? Type `solution` to see one way to do it")
        child.expect("Press Enter")
        child.sendline("solution")
        child.expect(f"docker run -d --name {prefix}-box --mount type=volume,src={prefix}-vol,dst=/data,readonly")
        docker(ANOTHER_WAY.format(p=prefix))  # -v ...:ro: a way the lesson never shows
        child.expect("Press Enter")
        child.sendline("")
        child.expect(f"✓ PASS  {prefix}-box mounts")

        child.expect(r"Question 1 of 2: Which flag makes a `-v` mount read-only\?")
        child.expect(r"Your answer \(1-3, q to stop\): ")
        child.sendline("1")
        child.expect("✓ right. `:ro` after the destination")
        child.expect(r"Question 2 of 2: Does `docker rm` remove a named volume\?")
        child.expect("Your answer")
        child.sendline("1")
        child.expect("✗ not quite: the answer is no. Named volumes are removed only")
        child.expect("quiz: 1 of 2 right")
        child.expect("All 3 steps of think done.")
        child.expect("== What to take away")
        child.expect("- Named volumes outlive their containers.")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before

    thought = json.loads((home / "progress.json").read_text())["lessons"]["think"]["thinking"]
    assert thought["1"]["predictions"]["0"]["choice"] == "no, only the volume is made"
    assert thought["1"]["hints"] == 2 and thought["2"]["revealed"] == "learner"
    assert [thought["3"]["quiz"][i]["correct"] for i in "01"] == [True, False]

    out = run_docklab("report", "--json", home=home, env=extra)
    steps = json.loads(out.stdout)["lessons"][0]["steps"]
    assert [s["status"] for s in steps] == ["done"] * 3
    assert steps[0]["predictions"][0]["correct"] is True and steps[0]["hints_taken"] == 2
    assert steps[1]["revealed_by"] == "learner" and steps[2]["quiz"]["right"] == 1


def test_auto_runs_the_hidden_solution_skips_predictions_and_answers_the_quiz_from_the_key(think, home):
    prefix, extra = think
    out = run_docklab("run", "think", "--auto", home=home, env=extra)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Prediction not asked (--auto skips them): Does creating a volume start a container?" in out.stdout
    assert "A challenge: --auto runs its hidden solution" in out.stdout
    assert f"--mount type=volume,src={prefix}-vol,dst=/data,readonly" in out.stdout
    assert "answered by --auto from the key" in out.stdout and "What to take away" in out.stdout
    steps = json.loads(run_docklab("report", "--json", home=home, env=extra).stdout)["lessons"][0]["steps"]
    assert steps[0]["predictions"] == [] and steps[1]["revealed_by"] == "auto"
    assert steps[2]["quiz"]["right"] == 2 and {a["by"] for a in steps[2]["quiz"]["answers"]} == {"auto"}
