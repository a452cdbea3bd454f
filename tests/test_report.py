"""Completion reports without an engine: the schema, signing and verification (any edit,
a removed step, another key), secrets never written, and unreadable files named: every
crafted file gives a reason, never an exception."""

from __future__ import annotations

import copy
import json
import os
import re

import pytest

from tests.conftest import run_docklab
from tests.reportkit import IDS, SECRET, make_report, steps
from tutor.core.grading import report, signing
from tutor.core.grading.signing import SignatureVerdict
from tutor.core.store import write_json

KEY = b"k" * 32
OTHER = b"o" * 32
DL = steps("data-loss")


@pytest.fixture
def signed(tmp_path):
    return signing.sign(
        make_report(tmp_path, "alice", {"data-loss": list(range(1, DL + 1)), "named-volumes": [1, 2]}), KEY
    )


def leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, path + (i,))
    else:
        yield path


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value is None:
        return "x"
    return value + "x"


def test_schema_statuses_and_times(signed):
    assert signed["schema"] == report.SCHEMA and signed["learner"] == "alice"
    lessons = {lesson["id"]: lesson for lesson in signed["lessons"]}
    assert list(lessons) == IDS
    assert lessons["data-loss"]["status"] == "done" and lessons["data-loss"]["completed_at"].endswith("Z")
    assert lessons["named-volumes"]["status"] == "partial"
    assert [s["status"] for s in lessons["named-volumes"]["steps"][:3]] == ["done", "done", "not_done"]
    assert lessons["secrets"]["status"] == "not_started"
    step = lessons["data-loss"]["steps"][0]
    assert step["proof"] == "recorded" and step["evidence"][0]["claim"] == "step 1 holds"
    assert lessons["data-loss"]["recheck"] == {"checked": False, "note": ""}


def test_round_trip_verifies(signed, tmp_path):
    path = tmp_path / "alice.json"
    write_json(path, signed)
    back = report.read(path)
    assert back == signed
    assert signing.verify(back, KEY) is SignatureVerdict.VALID
    report.validate(back)


def test_no_secret_in_a_report(signed):
    text = json.dumps(signed)
    assert SECRET not in text and "********" in text


def test_a_learner_name_holding_a_secret_is_scrubbed(tmp_path):
    assert SECRET not in json.dumps(make_report(tmp_path, f"{SECRET}-fan", {}))


def test_every_changed_field_is_detected(signed):
    paths = [p for p in leaves(signed) if p[0] != "signature"]
    assert len(paths) > 100
    for path in paths:
        edited = copy.deepcopy(signed)
        target = edited
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = changed(target[path[-1]])
        assert signing.verify(edited, KEY) is SignatureVerdict.TAMPERED, path


def test_removed_step_added_field_and_reordered_lessons_are_detected(signed):
    edited = copy.deepcopy(signed)
    del edited["lessons"][1]["steps"][2]
    assert signing.verify(edited, KEY) is SignatureVerdict.TAMPERED
    edited = copy.deepcopy(signed)
    edited["lessons"][0]["bonus"] = True
    assert signing.verify(edited, KEY) is SignatureVerdict.TAMPERED
    edited = copy.deepcopy(signed)
    edited["lessons"].reverse()
    assert signing.verify(edited, KEY) is SignatureVerdict.TAMPERED


def test_another_key_unsigned_and_no_key(signed):
    resigned = signing.sign(signed, OTHER)
    assert signing.verify(resigned, KEY) is SignatureVerdict.OTHER_KEY
    forged = copy.deepcopy(resigned)
    forged["signature"]["key_id"] = signing.key_id(KEY)  # pretending to be ours does not help
    assert signing.verify(forged, KEY) is SignatureVerdict.TAMPERED
    unsigned = {k: v for k, v in signed.items() if k != "signature"}
    assert signing.verify(unsigned, KEY) is SignatureVerdict.UNSIGNED
    assert signing.verify(signed, None) is SignatureVerdict.UNVERIFIED and SignatureVerdict.UNVERIFIED.counted


def test_canonical_form_ignores_layout_and_key_order(signed):
    shuffled = json.loads(json.dumps(signed, indent=4))
    shuffled = dict(reversed(list(shuffled.items())))
    assert signing.canonical(shuffled) == signing.canonical(signed)
    assert b" " not in signing.canonical({"a": [1, 2], "b": {"c": "d"}})


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty file"),
        ("hello", "not JSON"),
        ('{"schema": 1, "learner": "x", "less', "truncated"),
        ('{"schema": 99, "learner": "x"}', "unknown schema version 99"),
        ('{"schema": true, "learner": "x"}', "unknown schema version True"),
        ('{"schema": "1", "learner": "x"}', "unknown schema version '1'"),
        ('{"learner": "x"}', "no schema field"),
        ("[1, 2]", "no schema field"),
        ('{"schema": 1, "n": NaN}', "NaN"),
        ('{"schema": 1, "n": -Infinity}', "Infinity"),
        ('{"schema": 1, "n": 1e400}', "too large for a number"),
        ('{"schema": 1, "n": ' + "9" * 5000 + "}", "not a report"),
        ('{"schema": 1, "learner": "a", "learner": "b"}', "'learner' appears twice"),
        ('{"schema": 1, "x": {"k": 1, "k": 1}}', "'k' appears twice"),
        ('{"schema": 1, "learner": "\\ud800"}', "not valid Unicode"),
        ('{"schema": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"schema": 1}', "learner is missing"),
        ('{"schema": [1]}', "unknown schema version"),
    ],
)
def test_unreadable_reasons(text, reason):
    with pytest.raises(report.Unreadable, match=reason):
        load(text)


def load(text: str | bytes) -> dict:
    """As grade reads a file: plain JSON of a known schema first, then its shape."""
    data = report.parse(text)
    report.validate(data)
    return data


def test_not_utf8_is_unreadable():
    with pytest.raises(report.Unreadable, match="UTF-8"):
        report.parse(b"\xff\xfe{")


def test_missing_fields_are_unreadable(signed):
    broken = copy.deepcopy(signed)
    del broken["lessons"][0]["steps"][1]["status"]
    with pytest.raises(report.Unreadable, match=r"lessons\[0\]\.steps\[1\]\.status"):
        report.validate(broken)
    broken["lessons"][0]["steps"][1]["status"] = "maybe"
    with pytest.raises(report.Unreadable, match="maybe"):
        report.validate(broken)


def where(path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def test_every_field_of_the_wrong_type_or_missing_is_unreadable_and_named(signed):
    """The schema is checked field by field: each documented field swapped for another
    JSON type, or removed, makes the file unreadable with that field in the reason."""
    body = {k: v for k, v in signed.items() if k != "signature"}
    body["lessons"] = [{**lesson, "steps": lesson["steps"][:2]} for lesson in body["lessons"][:2]]
    first = body["lessons"][0]["steps"][0]
    first["now"] = {"holds": True, "checks": copy.deepcopy(first["evidence"])}  # every kind of field at least once
    swapped = 0
    for path in leaves(body):
        if path[0] == "schema":
            continue
        for wrong in ([], {}, 1.5, "x" if not isinstance(_at(body, path), str) else 7):
            edited = copy.deepcopy(body)
            _at(edited, path[:-1])[path[-1]] = wrong
            if _at(body, path) is None and wrong == "x":
                continue
            with pytest.raises(report.Unreadable, match=re.escape(where(path))):
                load(json.dumps(edited))
            swapped += 1
        if isinstance(path[-1], str):  # a field (not an item of a list) removed
            edited = copy.deepcopy(body)
            del _at(edited, path[:-1])[path[-1]]
            with pytest.raises(report.Unreadable, match=re.escape(where(path)) + " is missing"):
                load(json.dumps(edited))
    assert swapped > 150


def _at(value, path):
    for part in path:
        value = value[part]
    return value


def test_extra_fields_unicode_and_an_empty_lesson_list_are_readable(signed):
    edited = copy.deepcopy(signed)
    edited["lessons"][0]["steps"][0]["how"] = "holds now"  # a later docklab may add fields
    edited["learner"] = "Zoë 李 \U0001f600"
    edited["extra"] = {"nested": [1, None, True]}
    assert load(json.dumps(edited, ensure_ascii=False).encode())["learner"] == "Zoë 李 \U0001f600"
    assert load(json.dumps({**edited, "lessons": []}))["lessons"] == []


@pytest.mark.parametrize(
    "edit, reason",
    [
        (lambda r: r["lessons"][0]["steps"][1].update(number=7), "number is 7, not 2"),
        (lambda r: r["lessons"][0]["steps"][1].update(number=True), "not a whole number"),
        (lambda r: r["lessons"][1].update(id=r["lessons"][0]["id"]), "appears twice"),
        (lambda r: r["lessons"][0]["steps"][0].update(proof=None), "its proof is None"),
        (lambda r: r["lessons"][0].update(completed_at="yesterday"), "not a UTC time"),
        (lambda r: r["lessons"][0].update(completed_at="２０２６-11-27T23:10:04Z"), "not a UTC time"),
        (lambda r: r["lessons"][0]["steps"][0].update(now={"holds": "yes", "checks": []}), "now.holds"),
        (lambda r: r.update(lessons={"0": r["lessons"][0]}), "lessons is"),
    ],
)
def test_inconsistent_reports_are_unreadable(signed, edit, reason):
    edited = copy.deepcopy(signed)
    edit(edited)
    with pytest.raises(report.Unreadable, match=re.escape(reason)):
        load(json.dumps(edited))


@pytest.mark.parametrize("value", ["é" * 64, "\u0660" * 64, "A" * 64, 7, None, ["x"], {"v": 1}, "ab", ""])
def test_a_crafted_signature_value_is_tampered_not_a_crash(signed, value):
    edited = copy.deepcopy(signed)
    edited["signature"]["value"] = value
    assert signing.verify(edited, KEY) is SignatureVerdict.TAMPERED
    whole = (
        SignatureVerdict.UNSIGNED if value is None else SignatureVerdict.TAMPERED
    )  # "signature": null is no signature
    assert signing.verify({**signed, "signature": value}, KEY) is whole


def test_files_refused_unread(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(50_000_000)  # sparse: 50 MB long, nothing to read
    with pytest.raises(report.Unreadable, match="too large: 50.0 MB"):
        report.read(big)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    with pytest.raises(report.Unreadable, match="not a regular file"):
        report.read(fifo)
    with pytest.raises(report.Unreadable, match="not a regular file|Is a directory"):
        report.read(tmp_path)


def test_keys(tmp_path, monkeypatch):
    monkeypatch.delenv(signing.ENV, raising=False)
    assert signing.load_key(None) is None
    monkeypatch.setenv(signing.ENV, "  " + "e" * 20 + "\n")
    assert signing.load_key(None) == b"e" * 20
    path = tmp_path / "workshop.key"
    path.write_text("f" * 64 + "\n")
    assert signing.load_key(str(path)) == b"f" * 64  # the file wins over the environment
    path.write_text("short")
    with pytest.raises(signing.BadKey, match="too short"):
        signing.load_key(str(path))
    with pytest.raises(signing.BadKey, match="cannot read"):
        signing.load_key(str(tmp_path / "missing.key"))
    assert signing.key_id(KEY) != signing.key_id(OTHER) and KEY.decode() not in signing.key_id(KEY)


def test_without_an_engine_report_keeps_progress_and_check_all_exits_3(tmp_path, home):
    key = tmp_path / "k"
    key.write_text("z" * 40)
    out = tmp_path / "r.json"
    env = {"DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock", "DOCKER_CONTEXT": "default"}
    done = run_docklab("report", "--learner", "dana", "--key-file", str(key), "--out", str(out), home=home, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "without a re-check" in done.stderr
    data = report.read(out)
    report.validate(data)  # what docklab writes, its own grade reads
    assert data["engine"] is None and signing.verify(data, b"z" * 40) is SignatureVerdict.VALID
    assert data["lessons"][0]["recheck"] == {"checked": False, "note": "no engine reachable at report time"}
    live = run_docklab("check", "--all", "--json", home=home, env=env)
    assert live.returncode == 3 and "Cannot reach the Docker Engine" in live.stderr


def test_a_short_key_is_a_usage_error(tmp_path, home):
    key = tmp_path / "k"
    key.write_text("abc")
    out = run_docklab("grade", str(tmp_path), "--key-file", str(key), home=home)
    assert out.returncode == 2 and "too short" in out.stderr
