"""Grading end to end on the real engine with the real CLI: a learner runs a lesson,
writes a signed report that never holds the lesson's password, the instructor's grade
counts it with the live re-check beside each step, `check --all` shows the live state
without recording anything, and reset leaves the engine as it was (after which a new
report still counts the lesson, and grade marks it contradicted by the engine)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import run_docklab
from tests.reportkit import steps
from tutor.core.grading import report, signing

pytestmark = pytest.mark.engine
SECRET = "my-secret-pw"
KEY = "e2e-" + "k" * 40
DL = steps("data-loss")


def created(client, home) -> set[str]:
    """What the lesson made that still exists (other sessions may use the engine meanwhile)."""
    owned = next(home.glob("owned/*/data-loss.json"), None)  # kept per engine ID
    volumes = set(json.loads(owned.read_text())["volumes"]) if owned else set()
    names = {c.name for c in client.containers.list(all=True)} & {"mydb", "mydb-rescue"}
    return names | (volumes & {v.name for v in client.volumes.list()})


def test_report_grade_and_check_all_after_a_real_lesson(client, home, tmp_path):
    assert not {c.name for c in client.containers.list(all=True)} & {"mydb", "mydb-rescue"}
    keyfile = tmp_path / "workshop.key"
    keyfile.write_text(KEY + "\n")
    out = tmp_path / "reports" / "ada.json"
    try:
        auto = run_docklab("run", "data-loss", "--auto", home=home)
        assert auto.returncode == 0, auto.stdout + auto.stderr

        made = run_docklab("report", "--learner", "ada", "--key-file", str(keyfile), "--out", str(out), home=home)
        assert made.returncode == 0, made.stdout + made.stderr
        text = out.read_text()
        assert SECRET not in text and SECRET not in made.stdout + made.stderr
        data = report.read(out)
        report.validate(data)  # what docklab writes after a real lesson, its own grade reads
        assert signing.verify(data, KEY.encode()) is signing.SignatureVerdict.VALID
        lesson = next(x for x in data["lessons"] if x["id"] == "data-loss")
        assert lesson["status"] == "done" and lesson["recheck"]["checked"]
        assert all(s["proof"] == "recorded" and s["evidence"] and s["now"] is not None for s in lesson["steps"])
        assert data["engine"]["api"] and data["docklab"]

        printed = run_docklab("report", "--learner", "ada", "--json", home=home, env={"DOCKLAB_WORKSHOP_KEY": KEY})
        assert printed.returncode == 0 and SECRET not in printed.stdout
        assert signing.verify(json.loads(printed.stdout), KEY.encode()) is signing.SignatureVerdict.VALID

        ada = graded_row(out, keyfile, home)
        assert ada["data-loss"] == "done" and ada["data-loss contradicted"] == ""
        assert ada["data-loss re-check"].endswith(f"{DL} held")  # the challenge's database runs: the lesson's end holds
        assert len(ada["data-loss re-check"].split(", ")) == DL  # each step says what the re-check found

        saved = (home / "progress.json").read_text()
        live = run_docklab("check", "--all", "--json", home=home)
        assert live.returncode == 1, live.stderr  # the other lessons are not done
        state = json.loads(live.stdout)
        assert SECRET not in live.stdout and not state["passed"]
        by_id = {x["lesson"]: x for x in state["lessons"]}
        assert by_id["data-loss"]["passed"] and not by_id["named-volumes"]["passed"]
        assert (home / "progress.json").read_text() == saved  # a grader's look records nothing
        plain = run_docklab("check", "--all", home=home)
        assert plain.returncode == 1 and "✓ data-loss" in plain.stdout and "lessons pass" in plain.stdout
        made_here = created(client, home)
        assert {"mydb-rescue"} < made_here
    finally:
        reset = run_docklab("reset", "data-loss", home=home)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert not made_here & (
        {c.name for c in client.containers.list(all=True)} | {v.name for v in client.volumes.list()}
    )

    # After reset the report still counts what was proven, and says the engine moved on.
    after = run_docklab("report", "--learner", "ada", "--key-file", str(keyfile), "--out", str(out), home=home)
    assert after.returncode == 0
    lesson = next(x for x in report.read(out)["lessons"] if x["id"] == "data-loss")
    assert lesson["status"] == "done" and lesson["recheck"]["checked"]
    assert not lesson["steps"][0]["now"]["holds"] and lesson["steps"][0]["proof"] == "recorded"
    assert not created(client, home)
    ada = graded_row(out, keyfile, home)  # still done, but nothing on the engine shows it any more
    assert ada["data-loss"] == "done" and ada["data-loss contradicted"] == "contradicted"


def graded_row(report_file, keyfile, home) -> dict:
    graded = run_docklab("grade", str(report_file), "--key-file", str(keyfile), "--format", "csv", home=home)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    return next(r for r in csv.DictReader(io.StringIO(graded.stdout)) if r["learner"] == "ada")


def test_check_all_and_step_is_a_usage_error(home):
    out = run_docklab("check", "--all", "--step", "1", home=home)
    assert out.returncode == 2 and "--step" in out.stderr
    out = run_docklab("check", home=home)
    assert out.returncode == 2
