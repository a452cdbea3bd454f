"""Fuzzing `grade` with hypothesis: a signed report corrupted at random, byte by byte or
field by field (a value swapped for another type or for odd Unicode, a field removed or
added, a value nested deep, a key written twice), never crashes the roll-up or any of its
formats, and is never counted unless its signed content is exactly as signed."""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reportkit import make_report, rechecked
from tutor.core.grading.formats import FORMATS
from tutor.core.grading import report, rollup, signing

KEY = b"fuzz-key-" + b"k" * 32
NEST, TWICE = "\x00nest", "\x00twice"  # placeholders, written out as deep nesting / a key written twice


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("fuzz-reports")
    body = make_report(tmp, "ada", {"data-loss": [1, 2, 3], "named-volumes": [1]})
    return signing.sign(rechecked(body, "data-loss", {1: True, 2: False, 3: True}), KEY)


def judge(path, key: bytes | None) -> rollup.Rollup:
    """grade one file, and write the result in every format: none of it may raise."""
    result = rollup.grade([path], key)
    assert bool(result.learners) != bool(result.flagged or result.unreadable)
    assert not any("bug in docklab" in p.reason for p in result.unreadable), result.unreadable
    for write in FORMATS.values():
        write(result).encode("utf-8")  # printable: no lone surrogate reaches the output
    return result


# ---- byte by byte ------------------------------------------------------------------------


@st.composite
def corruption(draw, size: int) -> list[tuple[str, int, bytes]]:
    ops = []
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        ops.append((op, draw(st.integers(0, size - 1)), draw(st.binary(min_size=1, max_size=3))))
    return ops


def corrupt(data: bytes, ops) -> bytes:
    for op, at, junk in ops:
        at = min(at, max(len(data) - 1, 0))
        if op == "flip" and data:
            data = data[:at] + bytes([data[at] ^ (junk[0] or 1)]) + data[at + 1 :]
        elif op == "insert":
            data = data[:at] + junk + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + len(junk) :]
        else:
            data = data[:at]
    return data


def test_random_corruption_is_always_flagged(signed, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bytes")
    original = json.dumps(signed, indent=2).encode()
    expected = signing.canonical(signed)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(corruption(len(original)))
    def check(ops):
        path = tmp / "report.json"
        path.write_bytes(corrupt(original, ops))
        if judge(path, KEY).learners:  # only a change that kept the signed content may count
            assert signing.canonical(json.loads(path.read_bytes())) == expected

    check()


# ---- field by field ----------------------------------------------------------------------

ODD_TEXT = st.one_of(
    st.text(max_size=8),
    st.text(
        st.one_of(
            st.characters(),
            st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=()),  # lone surrogates
            st.sampled_from("\x00\x1b\x7f\x85\u202e\u2066\ufeff\ufffe\uffff\U0001f600é李"),
        ),
        max_size=8,
    ),
)
VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(),
        ODD_TEXT,
        st.sampled_from(
            ["done", "not_done", "recorded", "2026-11-27T23:10:04Z", "hmac-sha256", "0" * 64, True, 1, 2, 7]
        ),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(ODD_TEXT, inner, max_size=3)),
    max_leaves=6,
)


def every_path(value, path=()):
    """The path of every value in the report, containers included, the root excepted."""
    if path:
        yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        yield from every_path(v, path + (k,))


def at(value, path):
    for part in path:
        value = value[part]
    return value


def fields(report: dict) -> st.SearchStrategy[tuple]:
    """A path in the report, each kind of field as likely as any other (a report has
    hundreds of evidence strings and one signature value)."""
    kinds: dict[tuple, list[tuple]] = {}
    for path in every_path(report):
        kinds.setdefault(tuple("*" if isinstance(p, int) else p for p in path), []).append(path)
    return st.sampled_from(sorted(kinds, key=str)).flatmap(lambda kind: st.sampled_from(kinds[kind]))


SIGNATURE = st.sampled_from(
    [("signature", "value"), ("signature", "value"), ("signature", "alg"), ("signature", "key_id"), ("signature",)]
)


@st.composite
def mutations(draw, paths: st.SearchStrategy[tuple]) -> list[tuple]:
    ops = []
    for _ in range(draw(st.integers(0, 3))):  # none: the report as it was, which must count
        op = draw(st.sampled_from(["swap", "text", "remove", "add", "add", "nest", "twice", "sign", "sign"]))
        levels = draw(st.one_of(st.integers(1, 40), st.integers(1, 3000)))  # around the limit, and far over it
        path = draw(SIGNATURE if op == "sign" else paths)
        ops.append((op, path, draw(ODD_TEXT if op in ("text", "sign") else VALUES), draw(ODD_TEXT), levels))
    return ops


def mutate(original: dict, ops) -> tuple[dict, int, str | None]:
    data, depth, twice, doubling = copy.deepcopy(original), 0, None, None
    for op, path, value, name, levels in ops:
        try:
            parent, key = at(data, path[:-1]), path[-1]
            parent[key]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced it
        if op in ("swap", "text", "sign"):  # another value, odd text, a forged signature
            parent[key] = value
        elif op == "remove":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[name if name not in parent else name + "+"] = value
        elif op == "add":
            parent.insert(key, value)
        elif op == "nest" and not depth:
            parent[key], depth = NEST, levels
        elif op == "twice":
            doubling = doubling or path
    try:  # last, so that no later change removes the key written twice
        parent = at(data, doubling[:-1]) if doubling else None
        if isinstance(parent, dict) and doubling[-1] in parent:
            parent[TWICE], twice = parent[doubling[-1]], doubling[-1]
    except (KeyError, IndexError, TypeError):
        pass
    return data, depth, twice


def write_out(data, depth: int, twice: str | None, indent: int | None, ascii_only: bool) -> tuple[bytes, bool]:
    """The file's bytes, and whether a key is in it twice."""
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    if depth:  # the value nested `depth` levels deep, in arrays or in objects
        deep = "[" * depth + "0" + "]" * depth if depth % 2 else '{"a":' * depth + "0" + "}" * depth
        text = text.replace(json.dumps(NEST, ensure_ascii=ascii_only), deep, 1)
    placeholder = json.dumps(TWICE, ensure_ascii=ascii_only)
    doubled = twice is not None and placeholder in text
    if doubled:
        text = text.replace(placeholder, json.dumps(twice, ensure_ascii=ascii_only), 1)
    return text.encode("utf-8", "surrogatepass"), doubled  # a lone surrogate, unescaped, is not UTF-8


def test_structured_mutations_never_crash_and_never_count_a_changed_report(signed, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fields")
    expected = signing.canonical(signed)
    seen: Counter[str] = Counter()

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        mutations(fields(signed)),
        st.sampled_from(["as signed", "signed again", "no key"]),
        st.sampled_from([None, 0, 2]),
        st.booleans(),
    )
    def check(ops, how, indent, ascii_only):
        data, depth, twice = mutate(signed, ops)
        if how == "signed again":  # by someone holding the key: the signature holds, the shape must not pass
            try:
                data = signing.sign(data, KEY)
            except ValueError:  # NaN or infinity: no canonical form to sign
                how = "as signed"
        path = tmp / "report.json"
        text, doubled = write_out(data, depth, twice, indent, ascii_only)
        path.write_bytes(text)
        result = judge(path, None if how == "no key" else KEY)
        seen[f"{how}: " + ("counted" if result.learners else "flagged" if result.flagged else "unreadable")] += 1
        if doubled:  # another JSON reader may keep the other value: never counted, signed or not
            assert not result.learners
        if how == "as signed" and result.learners:
            assert signing.canonical(report.parse(path.read_bytes())) == expected
        if result.learners:  # whatever was counted has the schema's shape
            report.validate(report.parse(path.read_bytes()))

    check()
    # the mutations reach every stage: the signature, the schema, and reports that pass both
    stages = {"as signed: flagged", "as signed: unreadable", "signed again: unreadable", "no key: unreadable"}
    assert stages <= set(seen), seen
    assert sum(n for verdict, n in seen.items() if verdict.endswith("counted")) >= 10, seen
