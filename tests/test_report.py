"""Completion reports without an engine: the schema, signing and verification (any edit,
a removed step, another key), secrets never written, and unreadable files named."""

from __future__ import annotations

import copy
import json

import pytest

from tests.conftest import run_docklab
from tests.reportkit import IDS, SECRET, make_report
from tutor.core import report, signing
from tutor.core.signing import Verdict
from tutor.core.store import write_json

KEY = b"k" * 32
OTHER = b"o" * 32


@pytest.fixture
def signed(tmp_path):
    return signing.sign(make_report(tmp_path, "alice", {"data-loss": [1, 2, 3, 4, 5, 6], "named-volumes": [1, 2]}), KEY)


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
    assert signing.verify(back, KEY) is Verdict.VALID
    report.check_shape(back)


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
        assert signing.verify(edited, KEY) is Verdict.TAMPERED, path


def test_removed_step_added_field_and_reordered_lessons_are_detected(signed):
    edited = copy.deepcopy(signed)
    del edited["lessons"][1]["steps"][2]
    assert signing.verify(edited, KEY) is Verdict.TAMPERED
    edited = copy.deepcopy(signed)
    edited["lessons"][0]["bonus"] = True
    assert signing.verify(edited, KEY) is Verdict.TAMPERED
    edited = copy.deepcopy(signed)
    edited["lessons"].reverse()
    assert signing.verify(edited, KEY) is Verdict.TAMPERED


def test_another_key_unsigned_and_no_key(signed):
    resigned = signing.sign(signed, OTHER)
    assert signing.verify(resigned, KEY) is Verdict.OTHER_KEY
    forged = copy.deepcopy(resigned)
    forged["signature"]["key_id"] = signing.key_id(KEY)  # pretending to be ours does not help
    assert signing.verify(forged, KEY) is Verdict.TAMPERED
    unsigned = {k: v for k, v in signed.items() if k != "signature"}
    assert signing.verify(unsigned, KEY) is Verdict.UNSIGNED
    assert signing.verify(signed, None) is Verdict.UNVERIFIED and Verdict.UNVERIFIED.counted


def test_canonical_form_ignores_layout_and_key_order(signed):
    shuffled = json.loads(json.dumps(signed, indent=4))
    shuffled = dict(reversed(list(shuffled.items())))
    assert signing.canonical(shuffled) == signing.canonical(signed)
    assert b" " not in signing.canonical({"a": [1, 2], "b": {"c": "d"}})


@pytest.mark.parametrize("text, reason", [
    ("", "empty file"),
    ("hello", "not JSON"),
    ('{"schema": 1, "learner": "x", "less', "truncated"),
    ('{"schema": 99, "learner": "x"}', "unknown schema version 99"),
    ('{"schema": true, "learner": "x"}', "unknown schema version True"),
    ('{"schema": "1", "learner": "x"}', "unknown schema version '1'"),
    ('{"learner": "x"}', "no schema field"),
    ("[1, 2]", "no schema field"),
    ('{"schema": 1, "n": NaN}', "NaN"),
])
def test_unreadable_reasons(text, reason):
    with pytest.raises(report.Unreadable, match=reason):
        report.parse(text)


def test_not_utf8_is_unreadable():
    with pytest.raises(report.Unreadable, match="UTF-8"):
        report.parse(b"\xff\xfe{")


def test_missing_fields_are_unreadable(signed):
    broken = copy.deepcopy(signed)
    del broken["lessons"][0]["steps"][1]["status"]
    with pytest.raises(report.Unreadable, match=r"lessons\[0\]\.steps\[1\]\.status"):
        report.check_shape(broken)
    broken["lessons"][0]["steps"][1]["status"] = "maybe"
    with pytest.raises(report.Unreadable, match="maybe"):
        report.check_shape(broken)


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
    assert data["engine"] is None and signing.verify(data, b"z" * 40) is Verdict.VALID
    assert data["lessons"][0]["recheck"] == {"checked": False, "note": "no engine reachable at report time"}
    live = run_docklab("check", "--all", "--json", home=home, env=env)
    assert live.returncode == 3 and "Cannot reach the Docker Engine" in live.stderr


def test_a_short_key_is_a_usage_error(tmp_path, home):
    key = tmp_path / "k"
    key.write_text("abc")
    out = run_docklab("grade", str(tmp_path), "--key-file", str(key), home=home)
    assert out.returncode == 2 and "too short" in out.stderr
