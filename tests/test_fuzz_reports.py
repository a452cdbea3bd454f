"""Fuzzing `grade` with hypothesis: a signed report corrupted at random is never counted,
unless the corruption left its content exactly as signed (e.g. only whitespace moved)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reportkit import make_report
from tutor.core import rollup, signing

KEY = b"fuzz-key-" + b"k" * 32


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
            data = data[:at] + bytes([data[at] ^ (junk[0] or 1)]) + data[at + 1:]
        elif op == "insert":
            data = data[:at] + junk + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + len(junk):]
        else:
            data = data[:at]
    return data


def test_random_corruption_is_always_flagged(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz-reports")
    signed = signing.sign(make_report(tmp, "ada", {"data-loss": [1, 2, 3], "named-volumes": [1]}), KEY)
    original = json.dumps(signed, indent=2).encode()
    expected = signing.canonical(signed)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(corruption(len(original)))
    def check(ops):
        path = tmp / "report.json"
        path.write_bytes(corrupt(original, ops))
        result = rollup.grade([path], KEY)
        counted = bool(result.learners)
        assert counted != bool(result.flagged or result.unreadable)
        if counted:  # only a change that kept the signed content may count
            assert signing.canonical(json.loads(path.read_bytes())) == expected

    check()
