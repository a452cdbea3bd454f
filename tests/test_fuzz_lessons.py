"""Fuzzing the lesson parser and `validate` with hypothesis: random text and mutated
real lessons never raise, and every problem is a `file:line: message` inside the file."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.thinkkit import lesson_text
from tutor.cli import main
from tutor.core.lessons import catalog, lessonfile

# the shipped lessons, and the tests' own with a prediction, hints, a challenge, a quiz and a recap
LESSONS = [p.read_text() for p in catalog.files()] + [lesson_text("p")]
FUZZ = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_well_reported(text: str) -> None:
    path = Path("01-fuzz.md")
    lesson, problems = lessonfile.parse(path, text)  # must not raise
    last = max(1, len(text.splitlines()) + 1)
    for p in problems:
        assert p.path == path and p.message.strip()
        assert 1 <= p.line <= last, (p, last)
        assert str(p).startswith(f"{path}:{p.line}: ")


@FUZZ
@given(st.text(max_size=2000))
def test_random_text_never_raises(text):
    assert_well_reported(text)


@st.composite
def mutated(draw) -> str:
    lines = draw(st.sampled_from(LESSONS)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate", "garble"]))
        if op == "delete":
            del lines[i : i + draw(st.integers(1, 5))]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(
                i,
                draw(
                    st.sampled_from(
                        [
                            "---\n",
                            "```\n",
                            "```sh\n",
                            "```yaml check\n",
                            "## Step\n",
                            "- exec: {}\n",
                            "  wait: -1\n",
                            "id: [\n",
                            "\t- x\n",
                            "```yaml remember\n",
                            "{old_volume}\n",
                            "\x00\n",
                        ]
                    )
                ),
            )
        elif op == "truncate":
            cut = draw(st.integers(0, len(lines[i])))
            lines = lines[:i] + [lines[i][:cut]]
        else:
            line = lines[i]
            k = draw(st.integers(0, max(len(line) - 1, 0)))
            lines[i] = line[:k] + draw(st.text(max_size=3)) + line[k + 1 :]
    return "".join(lines)


@FUZZ
@given(mutated())
def test_mutated_lessons_never_raise(text):
    assert_well_reported(text)


@settings(max_examples=40, deadline=None)
@given(mutated())
def test_validate_exits_2_with_file_line_messages_or_0(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "01-data-loss.md"
    path.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(path)])
    _, problems = lessonfile.parse(path)
    assert code == (2 if problems else 0)
    if problems:
        assert all(line.startswith(f"{path}:") for line in out.getvalue().splitlines())
    assert "Traceback" not in err.getvalue()
