"""What the learner thought, in the report and the roll-up (no engine needed): schema 2
carries each prediction, the hints taken, a revealed solution and the quiz answers;
`docklab grade` shows quiz scores beside step completion and the rest in every format;
a schema-1 report written by an earlier docklab still reads and counts."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_docklab
from tests.thinkkit import write
from tests.reportkit import TableReader, rollup_only, table_rows
from tutor.core.grading import report, signing
from tutor.core.learner.progress import Progress
from tutor.core.learner.thinking import AUTO, PREDICTIONS, QUIZ, Pick
from tutor.core.lessons import lessonfile
from tutor.core.outcome import Outcome
from tutor.core.store import write_json

KEY = "w" * 64
OLD = ROOT / "tests" / "data" / "report-schema1.json"  # written by docklab 0.1.0 (schema 1), signed with KEY


@pytest.fixture
def lesson(tmp_path):
    return lessonfile.load(write(tmp_path / "content", "p"))


def progress_of(
    path: Path,
    lesson,
    quiz: list[str | None],
    predicted: str | None,
    hints: int,
    revealed: str | None,
    by: str = "learner",
) -> Progress:
    progress = Progress(path)
    make, challenge, test = lesson.steps
    progress.record_pick(lesson.id, 1, PREDICTIONS, 0, Pick(make.predictions[0], predicted).to_record())
    for _ in range(hints):
        progress.took_hint(lesson.id, 2)
    if revealed:
        progress.revealed(lesson.id, 2, revealed)
    for i, choice in enumerate(quiz):
        if choice is not None:
            progress.record_pick(lesson.id, 3, QUIZ, i, Pick(test.quiz[i], choice, by).to_record())
    for n in (1, 2) + ((3,) if None not in quiz else ()):
        progress.mark_done(lesson.id, n, [Outcome(True, f"step {n} holds")], {})
    return progress


def built(tmp_path, lesson, learner: str, **kw) -> dict:
    progress = progress_of(tmp_path / f"progress-{learner}-{time.monotonic_ns()}.json", lesson, **kw)
    return report.build(learner, [lesson], progress, {}, {"version": "26.1.5", "api": "1.45"}, "0.2.0", now=time.time())


def test_the_report_carries_predictions_hints_the_solution_and_the_quiz(tmp_path, lesson):
    data = built(
        tmp_path, lesson, "ada", quiz=[":ro", "yes"], predicted="a helper container runs", hints=2, revealed="learner"
    )
    assert data["schema"] == report.SCHEMA == 3
    report.validate(data)
    make, challenge, test = data["lessons"][0]["steps"]
    assert [s["kind"] for s in (make, challenge, test)] == ["step", "challenge", "quiz"]
    assert make["predictions"] == [
        {
            "question": "Does creating a volume start a container?",
            "choice": "a helper container runs",
            "answer": "no, only the volume is made",
            "correct": False,
            "skipped": False,
        }
    ]
    assert (challenge["hints_taken"], challenge["solution_revealed"], challenge["revealed_by"]) == (2, True, "learner")
    assert (make["hints_taken"], make["solution_revealed"], make["quiz"]) == (0, False, None)
    assert test["quiz"]["right"] == 1 and test["quiz"]["total"] == 2
    assert [a["choice"] for a in test["quiz"]["answers"]] == [":ro", "yes"]
    assert data["lessons"][0]["status"] == "done"


def test_a_report_says_which_steps_were_caught_up_when_each_was_reached_and_what_failed(tmp_path, lesson):
    progress = progress_of(tmp_path / "p.json", lesson, quiz=[":ro", "yes"], predicted=None, hints=0, revealed=None)
    progress.set_current(lesson.id, 1)
    progress.failed_check(lesson.id, 1)
    progress.failed_check(lesson.id, 1)
    progress.caught_up(lesson.id, 2)
    data = report.build("di", [lesson], progress, {}, None, "0.2.0", now=time.time())
    report.validate(data)
    make, challenge, _ = data["lessons"][0]["steps"]
    assert (make["caught_up"], make["failed_checks"], challenge["caught_up"], challenge["failed_checks"]) == (
        False,
        2,
        True,
        0,
    )
    assert make["started_at"].endswith("Z") and challenge["started_at"] is None


def test_a_schema_2_report_is_still_read(tmp_path, lesson):
    data = built(tmp_path, lesson, "ed", quiz=[":ro", "no"], predicted=None, hints=0, revealed=None)
    data["schema"] = 2
    for step in data["lessons"][0]["steps"]:
        for new in ("caught_up", "started_at", "failed_checks"):
            del step[new]
    report.validate(data)
    data["lessons"][0]["steps"][1]["revealed_by"] = "catch-up"  # schema 2 knew no catching up
    with pytest.raises(report.Unreadable, match="revealed_by is 'catch-up', not one of"):
        report.validate(data)


def test_a_skipped_prediction_and_an_unanswered_quiz(tmp_path, lesson):
    data = built(tmp_path, lesson, "bo", quiz=[":ro", None], predicted=None, hints=0, revealed=None)
    make, challenge, test = data["lessons"][0]["steps"]
    assert make["predictions"][0]["skipped"] is True and make["predictions"][0]["correct"] is None
    assert test["status"] == "not_done" and test["quiz"]["right"] == 1 and len(test["quiz"]["answers"]) == 1


@pytest.mark.parametrize(
    "field,value,reason",
    [
        ("hints_taken", "2", "hints_taken is '2', not a whole number"),
        ("kind", "lecture", "kind is 'lecture', not one of"),
        ("revealed_by", "teacher", "revealed_by is 'teacher', not one of"),
        ("predictions", [{"question": "q"}], "predictions[0].choice is missing"),
    ],
)
def test_a_schema_2_step_with_a_bad_field_is_unreadable_and_named(tmp_path, lesson, field, value, reason):
    data = built(tmp_path, lesson, "cy", quiz=[":ro", "no"], predicted=None, hints=0, revealed=None)
    data["lessons"][0]["steps"][1][field] = value
    with pytest.raises(report.Unreadable, match=reason.replace("[", r"\[").replace("]", r"\]")):
        report.validate(data)


@pytest.fixture
def folder(tmp_path, lesson):
    d = tmp_path / "reports"
    d.mkdir()
    key = KEY.encode()
    write_json(
        d / "ada.json",
        signing.sign(
            built(
                tmp_path,
                lesson,
                "ada",
                quiz=[":ro", "yes"],
                predicted="a helper container runs",
                hints=2,
                revealed="learner",
            ),
            key,
        ),
    )
    write_json(
        d / "max.json",
        signing.sign(
            built(
                tmp_path,
                lesson,
                "max",
                quiz=[":ro", "no"],
                by=AUTO,
                predicted="no, only the volume is made",
                hints=0,
                revealed=AUTO,
            ),
            key,
        ),
    )
    (d / "olga.json").write_text(OLD.read_text())  # schema 1, from an earlier docklab
    keyfile = tmp_path / "workshop.key"
    keyfile.write_text(KEY + "\n")
    return d, keyfile


def grade(folder, keyfile, fmt, home):
    out = run_docklab("grade", str(folder), "--key-file", str(keyfile), "--format", fmt, home=home)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_an_old_report_still_reads(tmp_path):
    data = report.read(OLD)
    assert data["schema"] == 1 and "hints_taken" not in data["lessons"][0]["steps"][0]
    report.validate(data)
    assert signing.verify(data, KEY.encode()).counted


def test_a_progress_file_with_the_old_learn_key_still_loads_and_is_written_with_the_new(tmp_path, lesson):
    new = progress_of(tmp_path / "new.json", lesson, quiz=[":ro", "yes"], predicted=None, hints=2, revealed="learner")
    old = tmp_path / "old.json"
    data = json.loads(new.path.read_text())
    data["lessons"][lesson.id]["learn"] = data["lessons"][lesson.id].pop("thinking")
    old.write_text(json.dumps(data))  # as docklab wrote it before the key was renamed

    loaded = Progress(old)
    assert loaded.thinking(lesson.id) == new.thinking(lesson.id) and loaded.thinking(lesson.id)[2]["hints"] == 2
    loaded.took_hint(lesson.id, 2)
    written = json.loads(old.read_text())["lessons"][lesson.id]
    assert "learn" not in written and written["thinking"]["2"]["hints"] == 3
    assert written["thinking"]["1"] == data["lessons"][lesson.id]["learn"]["1"]  # the old picks are kept


def test_grade_shows_quiz_scores_and_what_the_learner_thought_in_every_format(folder, home):
    rows, _ = table_rows(table := grade(*folder, "table", home))
    think, data_loss = rows["learner"].index("think"), rows["learner"].index("data-loss")
    assert rows["ada"][think] == "done ??? q1/2 p0/1 h2 s1"
    assert rows["max"][think] == "done ??? q2/2a p1/1 s1"
    assert rows["olga"][data_loss] == "done ??????" and rows["olga"][think] == "-"  # schema 1: counted
    assert "qR/T quiz answers right" in table

    by = {r["learner"]: r for r in csv.DictReader(io.StringIO(grade(*folder, "csv", home)))}
    assert by["ada"]["think quiz"] == "quiz 1/2"
    assert by["ada"]["think thinking"] == "predictions 0/1 right; 2 hints taken; solution revealed: step 2 (learner)"
    assert by["max"]["think quiz"] == "quiz 2/2 (auto)"
    assert by["max"]["think thinking"] == "predictions 1/1 right; solution revealed: step 2 (auto)"
    assert by["olga"]["data-loss"] == "done" and by["olga"]["think quiz"] == "" == by["olga"]["data-loss quiz"]

    page = TableReader()
    page.feed(rollup_only(grade(*folder, "html", home)))
    body = {r[0]: r[1:] for r in page.rows[1:]}
    assert body["ada"][think].endswith(
        "quiz 1/2predictions 0/1 right; 2 hints taken; solution revealed: step 2 (learner)"
    )

    cases = {
        (c.get("classname"), c.get("name")): c for c in ET.fromstring(grade(*folder, "junit", home)).iter("testcase")
    }
    props = {p.get("name"): p.get("value") for p in cases["ada", "think"].iter("property")}
    assert props["quiz"] == "quiz 1/2" and props["hints taken"] == "2" and props["solutions revealed"] == "2"
    assert props["predictions right"] == "0/1" and props["predictions skipped"] == "0"
    assert "Quiz 1/2." in cases["ada", "think"].find("system-out").text
    assert cases["olga", "data-loss"].find("failure") is None


def test_reports_of_one_learner_merge_what_they_thought(tmp_path, lesson, home):
    d = tmp_path / "merged"
    d.mkdir()
    key = KEY.encode()
    write_json(
        d / "ada-1.json",
        signing.sign(built(tmp_path, lesson, "ada", quiz=[":ro", None], predicted=None, hints=1, revealed=None), key),
    )
    write_json(
        d / "ada-2.json",
        signing.sign(
            built(
                tmp_path,
                lesson,
                "ada",
                quiz=[":ro", "no"],
                predicted="no, only the volume is made",
                hints=3,
                revealed="learner",
            ),
            key,
        ),
    )
    keyfile = tmp_path / "k"
    keyfile.write_text(KEY)
    rows, _ = table_rows(grade(d, keyfile, "table", home))
    assert rows["ada"] == ["done ??? q2/2 p1/1 h3 s1"]
    json.loads(json.dumps(rows))
