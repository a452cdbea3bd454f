"""`docklab grade` on a folder of reports (the real CLI, no engine needed): the expected
learner × lesson table in every format, the live re-check beside each step done and a
lesson it contradicts marked, flagged, unreadable and crafted reports named and never
counted, and a non-zero exit while the others are still rolled up."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import run_docklab
from tests.reportkit import IDS, TableReader, make_report, rechecked, rollup_only, steps, table_rows
from tutor.core.grading import signing
from tutor.core.store import write_json

KEY = "w" * 64


DL, NV = steps("data-loss"), steps("named-volumes")
ALL_DL, ALL_NV = list(range(1, DL + 1)), list(range(1, NV + 1))
PARTIAL = f"partial: steps 1,2 of {NV}"

# learner -> lesson -> expected cell; every other lesson is "not started"
EXPECTED = {
    "alice": {"data-loss": "done", "named-volumes": PARTIAL},
    "bob": {"data-loss": f"partial: steps 1,2,3 of {DL}"},
    "carol": {"data-loss": "done", "named-volumes": "done"},  # two reports, merged
}


def cell(learner: str, lesson: str) -> str:
    return EXPECTED[learner].get(lesson, "not started")


@pytest.fixture
def folder(tmp_path):
    key = KEY.encode()
    d = tmp_path / "reports"
    d.mkdir()
    write_json(
        d / "alice.json",
        signing.sign(make_report(tmp_path, "alice", {"data-loss": ALL_DL, "named-volumes": [1, 2]}), key),
    )
    write_json(d / "bob.json", signing.sign(make_report(tmp_path, "bob", {"data-loss": [1, 2, 3]}), key))
    write_json(d / "carol-1.json", signing.sign(make_report(tmp_path, "carol", {"data-loss": ALL_DL}), key))
    write_json(d / "carol-2.json", signing.sign(make_report(tmp_path, "carol", {"named-volumes": ALL_NV}), key))
    keyfile = tmp_path / "workshop.key"
    keyfile.write_text(KEY + "\n")
    return d, keyfile


@pytest.fixture
def bad_folder(folder, tmp_path):
    d, keyfile = folder
    key = KEY.encode()
    tampered = signing.sign(make_report(tmp_path, "eve", {"data-loss": [1]}), key)
    for step in tampered["lessons"][0]["steps"]:  # a consistent edit: readable, but tampered
        step.update(status="done", proof="recorded")
    write_json(d / "eve.json", tampered)
    write_json(d / "mallory.json", signing.sign(make_report(tmp_path, "mallory", {"data-loss": [1, 2]}), b"m" * 32))
    write_json(d / "oscar.json", make_report(tmp_path, "oscar", {"data-loss": ALL_DL}))
    (d / "garbage.json").write_text("this is not json\n")
    (d / "future.json").write_text('{"schema": 9, "learner": "zed", "lessons": []}\n')
    full = (d / "alice.json").read_text()
    (d / "cut.json").write_text(full[: len(full) // 2])
    (d / "notes.txt").write_text("not a report, not *.json: ignored")
    return d, keyfile


FLAGGED = {"eve.json": "tampered", "mallory.json": "signed with another key", "oscar.json": "unsigned"}
UNREADABLE = {"garbage.json": "not JSON", "future.json": "unknown schema version 9", "cut.json": "truncated"}


def grade(folder, keyfile, fmt, home):
    return run_docklab("grade", str(folder), "--key-file", str(keyfile), "--format", fmt, home=home)


def test_table(folder, home):
    out = grade(*folder, "table", home)
    assert out.returncode == 0, out.stdout + out.stderr
    rows, totals = table_rows(out.stdout)
    assert rows.pop("learner") == IDS
    assert set(rows) == set(EXPECTED)
    # after each status, what the re-check found for each step done: these were not re-checked
    assert rows["alice"][:3] == ["done " + "?" * DL, f"1,2/{NV} ??", "-"]
    assert rows["bob"][:2] == [f"1,2,3/{DL} ???", "-"]
    assert rows["carol"][:3] == ["done " + "?" * DL, "done " + "?" * NV, "-"]
    assert totals["done"][:2] == ["2", "1"] and totals["partial"][:2] == ["1", "1"]
    assert totals["not started"][:3] == ["0", "1", "3"]
    assert totals["contradicted"] == ["0"] * len(IDS)


def test_csv(folder, home):
    out = grade(*folder, "csv", home)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    header = list(rows[0])
    per_lesson = [
        c
        for i in IDS
        for c in (i, f"{i} re-check", f"{i} contradicted", f"{i} quiz", f"{i} thinking", f"{i} caught up")
    ]
    assert header == ["learner", "reports", "note", *per_lesson]
    by_learner = {r["learner"]: r for r in rows}
    for learner in EXPECTED:
        assert [by_learner[learner][i] for i in IDS] == [cell(learner, i) for i in IDS]
    assert by_learner["alice"]["named-volumes re-check"] == "1 not re-checked, 2 not re-checked"
    assert by_learner["alice"]["managing-volumes re-check"] == "" == by_learner["alice"]["data-loss contradicted"]
    assert by_learner["carol"]["reports"].count(".json") == 2
    assert [by_learner["(total done)"][i] for i in IDS[:2]] == ["2", "1"]
    assert [by_learner["(total not started)"][i] for i in IDS[:3]] == ["0", "1", "3"]
    assert by_learner["(total contradicted)"]["data-loss contradicted"] == "0"


def test_html_is_one_readable_file(bad_folder, home):
    out = grade(*bad_folder, "html", home)
    assert out.returncode == 1
    assert out.stdout.startswith("<!DOCTYPE html>") and "<style>" in out.stdout
    page = TableReader()
    page.feed(rollup_only(out.stdout))
    assert page.links == []  # self-contained: no external stylesheet, script or image
    assert page.rows[0] == ["learner", *IDS]
    body = {r[0]: r[1:] for r in page.rows[1:]}
    assert set(body) == set(EXPECTED) | {"total done", "total partial", "total not started", "total contradicted"}
    for learner in EXPECTED:  # each cell: the status, then each step done with its re-check mark
        cells = [
            re.sub(r"quiz \d+/\d+$", "", c.split("1?")[0]).strip() for c in body[learner]
        ]  # a quiz shows its score
        assert cells == [cell(learner, i) for i in IDS]
    assert body["alice"][1] == PARTIAL + "1? 2?"
    assert body["total done"][:2] == ["2", "1"]
    for name, reason in {**FLAGGED, **UNREADABLE}.items():
        assert any(name in item and reason in item for item in page.items), (name, page.items)


def test_junit_parses(folder, home):
    out = grade(*folder, "junit", home)
    assert out.returncode == 0
    root = ET.fromstring(out.stdout)
    assert root.tag == "testsuites"
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    assert len(cases) == len(EXPECTED) * len(IDS) == int(root.get("tests"))
    for (learner, lesson), case in cases.items():
        failure = case.find("failure")
        if cell(learner, lesson) == "done":
            assert failure is None
        else:
            assert failure.get("message") == cell(learner, lesson)
    assert int(root.get("failures")) == sum(cell(x, i) != "done" for x in EXPECTED for i in IDS)


def counted(fmt: str, stdout: str) -> set[str]:
    """The learners a format shows as counted rows (not as flagged reports)."""
    if fmt == "table":
        rows, _ = table_rows(stdout)
        return set(rows) - {"learner"}
    if fmt == "csv":
        return {
            r["learner"]
            for r in csv.DictReader(io.StringIO(stdout))
            if r["note"] in ("", "unverified") and not r["learner"].startswith("(total")
        }
    if fmt == "html":
        page = TableReader()
        page.feed(rollup_only(stdout))
        return {r[0] for r in page.rows[1:] if not r[0].startswith("total ")}
    return {s.get("name") for s in ET.fromstring(stdout).iter("testsuite") if s.get("name") != "reports"}


FORMATS = ("table", "csv", "html", "junit")


def test_bad_reports_are_named_never_counted_and_fail_the_run(bad_folder, home):
    for fmt in FORMATS:
        out = grade(*bad_folder, fmt, home)
        assert out.returncode == 1, (fmt, out.stderr)
        for name, reason in {**FLAGGED, **UNREADABLE}.items():
            assert name in out.stdout and reason in out.stdout, (fmt, name)
        # eve, mallory and oscar are named as flagged, never counted; the others still are
        assert counted(fmt, out.stdout) == set(EXPECTED), fmt
    junit = ET.fromstring(grade(*bad_folder, "junit", home).stdout)
    errors = {
        c.get("name").rsplit("/", 1)[-1]: c.find("error")
        for c in junit.iter("testcase")
        if c.get("classname") == "reports"
    }
    assert set(errors) == set(FLAGGED) | set(UNREADABLE)
    assert {n for n, e in errors.items() if e.get("type") == "flagged"} == set(FLAGGED)
    assert int(junit.get("errors")) == 6


def test_without_a_key_nothing_is_verified_but_all_readable_reports_count(bad_folder, home):
    d, _ = bad_folder
    out = run_docklab("grade", str(d), "--format", "csv", home=home, env={"DOCKLAB_WORKSHOP_KEY": ""})
    assert out.returncode == 1  # the unreadable ones still fail the run
    learners = {r[0] for r in csv.reader(io.StringIO(out.stdout)) if r}
    assert {"eve", "mallory", "oscar", "alice"} <= learners
    assert "not verified" in out.stderr


def test_the_key_can_come_from_the_environment(folder, home):
    d, _ = folder
    out = run_docklab("grade", str(d / "alice.json"), home=home, env={"DOCKLAB_WORKSHOP_KEY": KEY})
    assert out.returncode == 0 and "signatures verified" in out.stdout


def test_no_reports_is_a_usage_error(tmp_path, home):
    out = run_docklab("grade", str(tmp_path), home=home)
    assert out.returncode == 2 and "no reports" in out.stderr


DAVE_HOLDS = {n: n not in (2, 3) for n in ALL_DL}  # steps 2 and 3 no longer hold, as after the lesson


@pytest.fixture
def recheck_folder(tmp_path):
    """Reports whose live re-check at report time ran: dave's data-loss upheld (steps 2
    and 3 no longer hold, as after the lesson, but the last one does), his named-volumes
    contradicted (nothing from step 2 on holds); frank's data-loss contradicted in one
    report and upheld in a later one."""
    key = KEY.encode()
    d = tmp_path / "rechecked"
    d.mkdir()
    dave = make_report(tmp_path, "dave", {"data-loss": ALL_DL, "named-volumes": [1, 2]})
    rechecked(dave, "data-loss", DAVE_HOLDS)
    rechecked(dave, "named-volumes", dict.fromkeys(ALL_NV, False))
    write_json(d / "dave.json", signing.sign(dave, key))
    for n, holds in ((1, dict.fromkeys(ALL_DL, False)), (2, {**dict.fromkeys(ALL_DL[:-1], False), DL: True})):
        frank = rechecked(make_report(tmp_path, "frank", {"data-loss": ALL_DL}), "data-loss", holds)
        write_json(d / f"frank-{n}.json", signing.sign(frank, key))
    keyfile = tmp_path / "workshop.key"
    keyfile.write_text(KEY + "\n")
    return d, keyfile


DAVE_DATA_LOSS = ", ".join(f"{n} {'held' if h else 'did not hold'}" for n, h in DAVE_HOLDS.items())


def test_the_recheck_beside_each_step_and_a_contradicted_lesson_in_every_format(recheck_folder, home):
    outs = {fmt: grade(*recheck_folder, fmt, home) for fmt in FORMATS}
    assert all(out.returncode == 0 for out in outs.values()), {f: o.stderr for f, o in outs.items()}

    rows, totals = table_rows(outs["table"].stdout)
    assert rows["dave"][:2] == ["done " + "".join("✓" if h else "✗" for h in DAVE_HOLDS.values()), f"1,2/{NV} ✗✗!"]
    assert rows["frank"][0] == "done " + "✗" * (DL - 1) + "✓"  # merged: the most the engine showed of each step
    assert totals["contradicted"][:2] == ["0", "1"]
    assert (
        "CONTRADICTED by the re-check: dave, named-volumes: steps 1 did not hold, 2 did not hold"
        in outs["table"].stdout
    )

    by_learner = {r["learner"]: r for r in csv.DictReader(io.StringIO(outs["csv"].stdout))}
    dave, frank = by_learner["dave"], by_learner["frank"]
    assert dave["data-loss re-check"] == DAVE_DATA_LOSS and dave["data-loss contradicted"] == ""
    assert dave["named-volumes"] == PARTIAL and dave["named-volumes contradicted"] == "contradicted"
    assert dave["named-volumes re-check"] == "1 did not hold, 2 did not hold"
    assert frank["data-loss contradicted"] == "" and frank["data-loss re-check"].endswith(f"{DL} held")
    assert by_learner["(total contradicted)"]["named-volumes contradicted"] == "1"

    page = TableReader()
    page.feed(rollup_only(outs["html"].stdout))
    body = {r[0]: r[1:] for r in page.rows[1:]}
    assert body["dave"][:2] == [
        "done" + " ".join(f"{n}{'✓' if h else '✗'}" for n, h in DAVE_HOLDS.items()),
        PARTIAL + "1✗ 2✗contradicted",
    ]
    assert re.search(
        r'<td class="partial contradicted">[^<]*<span class="recheck"><span title="step 1: did not hold">',
        outs["html"].stdout,
    )
    assert outs["html"].stdout.count('contradicted">') == 1 and body["total contradicted"][:2] == ["0", "1"]

    cases = {(c.get("classname"), c.get("name")): c for c in ET.fromstring(outs["junit"].stdout).iter("testcase")}
    props = {(k, p.get("name")): p.get("value") for k, c in cases.items() for p in c.iter("property")}
    assert props[("dave", "named-volumes"), "contradicted"] == "true"
    assert props[("dave", "named-volumes"), "step 2 re-check"] == "did not hold"
    assert props[("dave", "data-loss"), "contradicted"] == "false"
    assert props[("dave", "data-loss"), "step 2 re-check"] == "did not hold"
    assert props[("frank", "data-loss"), "contradicted"] == "false"
    assert cases["dave", "named-volumes"].find("system-out").text.startswith("CONTRADICTED by the re-check")
    assert cases["dave", "data-loss"].find("system-out").text.endswith(DAVE_DATA_LOSS + ".")
    assert ("dave", "secrets") in cases and cases["dave", "secrets"].find("properties") is None


CRAFTED = {  # file -> (content, what grade says of it)
    "deep.json": ('{"schema": 1, "learner": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    "dupe.json": ('{"schema": 1, "learner": "a", "learner": "b", "lessons": []}', "'learner' appears twice"),
    "nan.json": ('{"schema": 1, "learner": NaN}', "NaN is not a JSON number"),
    "inf.json": ('{"schema": 1, "learner": 1e999}', "too large for a number"),
    "surrogate.json": ('{"schema": 1, "learner": "\\udc00"}', "not valid Unicode"),
    "unsigned-types.json": ('{"schema": 1, "learner": ["x"], "lessons": {}}', "unsigned"),
}


def test_crafted_reports_are_named_with_the_reason_and_the_rest_graded(folder, tmp_path, home):
    """Each of these crashed or could crash the roll-up; now each costs only its own file."""
    d, keyfile = folder
    for name, (text, _) in CRAFTED.items():
        (d / name).write_text(text)
    good = json.loads((d / "bob.json").read_text())
    for name, value in (("sig-unicode.json", "é" * 64), ("sig-type.json", 64)):
        write_json(d / name, {**good, "signature": {**good["signature"], "value": value}})
    # signed by a key holder, so its signature holds: its shape is what gives it away
    write_json(d / "types.json", signing.sign({**good, "learner": ["x"], "lessons": {}}, KEY.encode()))
    write_json(
        d / "empty-step.json", signing.sign({**good, "lessons": [{**good["lessons"][0], "steps": [{}]}]}, KEY.encode())
    )
    unicode_name = signing.sign(make_report(tmp_path, "Zoë \x1b[2J李\u202e", {"data-loss": [1]}), KEY.encode())
    write_json(d / "zoe.json", unicode_name)
    with open(d / "huge.json", "wb") as f:
        f.truncate(50_000_000)
    os.mkfifo(d / "fifo.json")
    expected = {
        **{n: reason for n, (_, reason) in CRAFTED.items()},
        "sig-unicode.json": "tampered",
        "sig-type.json": "tampered",
        "types.json": "learner is ['x'], not a string",
        "empty-step.json": "lessons[0].steps[0].number is missing",
        "huge.json": "too large: 50.0 MB",
        "fifo.json": "not a regular file",
    }
    for fmt in FORMATS:
        out = grade(d, keyfile, fmt, home)
        assert out.returncode == 1 and "Traceback" not in out.stderr, (fmt, out.stderr)
        text = html.unescape(out.stdout) if fmt == "html" else out.stdout
        if fmt == "junit":  # one line per bad report: its name and the error's message
            text = "\n".join(
                f"{c.get('name')}: {c.find('error').get('message')}"
                for c in ET.fromstring(out.stdout).iter("testcase")
                if c.get("classname") == "reports"
            )
        for name, reason in expected.items():
            assert any(name in line and reason in line for line in text.splitlines()), (fmt, name, reason)
        assert len(counted(fmt, out.stdout)) == 4, fmt  # alice, bob, carol and the unicode learner
        assert "\x1b" not in out.stdout or fmt != "table"  # no escape sequence reaches the terminal
    assert "Zoë ?[2J李?" in grade(d, keyfile, "table", home).stdout


def where_the_class_is(tmp_path) -> tuple:
    """Three learners in data-loss: ada done (steps 1-3 caught up), bo stuck at step 3 after
    failed checks and a hint, cy at step 2; each reached each step 10 minutes before proving it."""
    key = KEY.encode()
    d = tmp_path / "stuck"
    d.mkdir()
    plans = {"ada": ALL_DL, "bo": [1, 2], "cy": [1]}
    for name, done in plans.items():
        data = make_report(tmp_path, name, {"data-loss": done})
        lesson = next(x for x in data["lessons"] if x["id"] == "data-loss")
        for step in lesson["steps"]:
            if step["number"] in done:
                done_at = rpt_seconds(step["done_at"])
                step["started_at"] = time_iso(done_at - 600 * step["number"])
            step["caught_up"] = name == "ada" and step["number"] <= 3
        lesson["steps"][2]["failed_checks"] = 4 if name == "bo" else 0
        lesson["steps"][2]["hints_taken"] = 1 if name == "bo" else 0
        write_json(d / f"{name}.json", signing.sign(data, key))
    keyfile = tmp_path / "workshop.key"
    keyfile.write_text(KEY + "\n")
    return d, keyfile


def rpt_seconds(stamp: str) -> float:
    import calendar
    import time

    return float(calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")))


def time_iso(seconds: float) -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def test_where_the_class_is_stuck_in_every_format(tmp_path, home):
    d, keyfile = where_the_class_is(tmp_path)
    table = grade(d, keyfile, "table", home).stdout
    assert "Where the class is in data-loss" in table
    assert "  ada: " + "↷↷↷" + "✓" * (DL - 3) in table and "  bo: ✓✓▶" in table and "  cy: ✓▶·" in table
    row3 = next(line for line in table.splitlines() if re.match(r"\s+3\s", line))
    assert row3.split()[:2] == ["3", "1"]  # one learner (bo) at step 3
    assert "c3" in table  # ada's cell: three steps caught up

    rows = list(csv.reader(io.StringIO(grade(d, keyfile, "csv", home).stdout)))
    figures = rows[rows.index([]) + 1 :]
    assert figures[0][:4] == ["lesson", "step", "at it now", "time p50 (s)"]
    step2 = next(r for r in figures if r[:2] == ["data-loss", "2"])
    assert step2[2:] == ["1", "1200", "1200", "1", "0", "0", "0", "0", "1"]  # cy at it; bo timed, ada caught up
    step3 = next(r for r in figures if r[:2] == ["data-loss", "3"])
    assert (step3[2], step3[6], step3[7]) == ("1", "4", "1")  # bo at it, 4 failed checks, 1 hint

    page = grade(d, keyfile, "html", home).stdout
    svg = ET.fromstring(page[page.index("<svg") : page.index("</svg>") + 6])
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img" and svg.find(f"{ns}title").text.startswith("data-loss")
    cells = svg.findall(f"{ns}g")
    assert len(cells) == 3 * DL  # a cell per learner and step
    titles = [g.find(f"{ns}title").text for g in cells]
    assert "bo, step 3: at" in titles and "ada, step 1: caught up" in titles and "cy, step 3: not reached" in titles
    marks = {g.find(f"{ns}title").text: g.find(f"{ns}text").text for g in cells}
    assert (marks["ada, step 1: caught up"], marks["bo, step 3: at"], marks["cy, step 3: not reached"]) == (
        "↷",
        "▶",
        "·",
    )
    assert "<summary>The places as a table</summary>" in page  # the chart's text alternative
    assert "↷ caught up: steps 1,2,3" in page
