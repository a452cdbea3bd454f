"""The lesson format: the shipped lessons parse, and every kind of bad input gives
`file:line: message` problems (and exit 2 from `docklab validate`, no traceback)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tutor.core.lessons import catalog, lessonfile
from tutor.core.paths import content_dir

GOOD = textwrap.dedent("""\
    ---
    id: sample
    title: A sample
    summary: Shows the format.
    images: [busybox]
    requires: {api: "1.45"}
    resources: {volumes: [demo]}
    ---

    # A sample

    Intro text.

    ## Make a volume

    ```sh
    docker volume create demo
    ```

    ```yaml check
    - volume_exists: demo
    ```

    ```yaml remember
    where: {volume_at: {container: c, destination: /d}}
    ```

    ## Use it

    ```sh
    docker run --rm -v demo:/d \\
      busybox ls /d
    docker exec -it c sh
    ```

    ```yaml answers
    - expect: "# "
      send: exit
    ```

    ```yaml check
    - volume_unused: "{where}"
    - exec: {container: c, command: [ls, /], contains: bin}
      wait: 5
    ```
""")


def parse(text: str, name: str = "01-sample.md"):
    return lessonfile.parse(Path(name), text)


def test_the_shipped_lessons_are_valid():
    paths = catalog.files()
    assert {catalog.lesson_id(p) for p in paths} >= {"data-loss", "named-volumes"}
    assert lessonfile.validate(paths) == []


def test_a_good_lesson_becomes_the_model():
    lesson, problems = parse(GOOD)
    assert problems == []
    assert (lesson.id, lesson.title, lesson.images, lesson.requires.api) == ("sample", "A sample", ("busybox",), "1.45")
    assert lesson.resources.volumes == ("demo",)
    assert [s.title for s in lesson.steps] == ["Make a volume", "Use it"]
    one, two = lesson.steps
    assert one.commands[0].text == "docker volume create demo" and one.commands[0].line == 17
    assert one.checks[0].kind == "volume_exists" and one.checks[0].params == {"name": "demo"}
    assert one.facts[0].name == "where" and one.facts[0].kind == "volume_at"
    assert two.commands[0].text == "docker run --rm -v demo:/d busybox ls /d"
    assert two.commands[1].answers[0].send == "exit" and not two.commands[0].answers
    assert two.checks[1].wait == 5 and two.checks[1].line == 43
    assert "yaml check" not in two.body and "docker exec -it c sh" in two.body
    assert lesson.intro.startswith("# A sample")


BAD = [
    ("no front matter", GOOD.split("---\n", 2)[2], 1, "missing front matter"),
    ("bad yaml", GOOD.replace("title: A sample", "title: [unclosed"), 4, "invalid YAML"),
    ("unknown key", GOOD.replace("summary:", "colour: red\nsummary:"), 4, "unknown front matter key 'colour'"),
    ("missing title", GOOD.replace("title: A sample\n", ""), 1, "front matter needs `title`"),
    ("bad id", GOOD.replace("id: sample", "id: Sample Lesson"), 2, "must be a short slug"),
    (
        "unknown check",
        GOOD.replace("- volume_exists: demo", "- volume_exits: demo"),
        21,
        "unknown check type 'volume_exits'",
    ),
    (
        "missing field",
        GOOD.replace("{container: c, command: [ls, /], contains: bin}", "{container: c}"),
        43,
        "exec: missing parameter 'command'",
    ),
    ("unknown field", GOOD.replace("contains: bin}", "contains: bin, colour: red}"), 43, "unknown parameter 'colour'"),
    (
        "wrong type",
        GOOD.replace("contains: bin}", "contains: bin, exit_code: zero}"),
        43,
        "parameter 'exit_code' must be a int",
    ),
    ("duplicate step", GOOD.replace("## Use it", "## Make a volume"), 28, "duplicate step 'Make a volume'"),
    (
        "command outside a step",
        GOOD.replace("Intro text.", "```sh\ndocker ps\n```"),
        12,
        "command block outside a step",
    ),
    ("step without checks", GOOD.replace("```yaml check\n- volume_exists: demo\n```\n", ""), 14, "has no checks"),
    (
        "answers without command",
        GOOD.replace(
            "```sh\ndocker volume create", "```yaml answers\n- {expect: x, send: y}\n```\n\n```sh\ndocker volume create"
        ),
        16,
        "no command block before it",
    ),
    ("unknown fact", GOOD.replace("volume_at:", "volume_near:"), 25, "unknown fact kind 'volume_near'"),
    ("undefined placeholder", GOOD.replace('"{where}"', '"{nowhere}"'), 42, "{nowhere} is not remembered"),
    ("bad regex", GOOD.replace('"# "', '"(["'), 37, "not a valid regex"),
    ("no steps", GOOD.split("## Make a volume")[0], 1, "no steps"),
    ("id and file name", GOOD, 1, "does not match the file name"),
    ("check not a list", GOOD.replace("- volume_exists: demo", "volume_exists: demo"), 20, "must be a list"),
    (
        "two kinds in one check",
        GOOD.replace("- volume_exists: demo", "- {volume_exists: demo, volume_absent: x}"),
        21,
        "exactly one check type",
    ),
]


@pytest.mark.parametrize("name,text,line,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_reported_with_its_line(name, text, line, message):
    filename = "01-other.md" if name == "id and file name" else "01-sample.md"
    _, problems = parse(text, filename)
    assert any(message in p.message and p.line == line for p in problems), "\n".join(map(str, problems))
    assert len(problems) == 1, "one mistake, one message: " + "\n".join(map(str, problems))


def test_validate_reports_file_line_and_exits_2_without_a_traceback(tmp_path):
    bad = tmp_path / "01-sample.md"
    bad.write_text(
        GOOD.replace("- volume_exists: demo", "- volume_exits: demo").replace("## Use it", "## Make a volume")
    )
    dup = tmp_path / "02-sample.md"
    dup.write_text(GOOD)
    binary = tmp_path / "03-binary.md"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    out = subprocess.run(
        [sys.executable, "-m", "tutor", "validate", str(bad), str(dup), str(binary)], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert f"{bad}:21: unknown check type 'volume_exits'" in lines[0]
    assert any(f"{bad}:28: duplicate step" in x for x in lines)
    assert any(f"{dup}:1: id 'sample' is already used" in x for x in lines)
    assert any(f"{binary}:1: cannot read the file" in x for x in lines)


def test_the_check_table_in_content_readme_is_the_registry():
    """content/README.md lists every check type with exactly its fields."""
    import re

    from tutor.core.checks import KINDS

    text = (content_dir() / "README.md").read_text()
    table = text.split("## Check types")[1].split("\n\n")[2]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[1]))
    assert set(rows) == set(KINDS)
    for name, kind in KINDS.items():
        assert rows[name] == set(kind.fields), name


# ---- what the course asks of every shipped lesson: a recap, a closing challenge, predictions

SHIPPED = {lesson.id: lesson for lesson in catalog.load_all()}


def test_every_lesson_has_a_recap_of_at_most_five_lines():
    for lesson_id, lesson in SHIPPED.items():
        lines = [line for line in lesson.recap.splitlines() if line.strip()]
        assert 1 <= len(lines) <= 5, f"{lesson_id}: `## What to take away` has {len(lines)} lines"


def test_every_lesson_but_the_quiz_ends_in_a_challenge_with_hints_and_a_prediction_before():
    for lesson_id, lesson in SHIPPED.items():
        if lesson_id == "quiz":
            continue
        last = lesson.steps[-1]
        assert last.challenge, f"{lesson_id}: the last step {last.title!r} is not a challenge"
        assert last.solution and last.checks and not last.commands, lesson_id
        assert 1 <= len(last.hints) <= 3, f"{lesson_id}: the challenge has no hints"
        assert not any(s.challenge for s in lesson.steps[:-1]), f"{lesson_id}: a challenge before the end"
        assert any(s.predictions for s in lesson.steps), f"{lesson_id}: no prediction"


def test_the_quiz_lesson_is_last_and_all_questions():
    assert list(SHIPPED)[-1] == "quiz"
    quiz = SHIPPED["quiz"]
    assert quiz.steps and all(s.is_quiz and not s.commands for s in quiz.steps)
    assert sum(len(s.quiz) for s in quiz.steps) >= 7


def test_the_moments_the_issue_names_have_a_prediction():
    def predicted(lesson_id: str, command: str) -> bool:
        """Some prediction of the lesson sits before a command block that starts with `command`."""
        for step in SHIPPED[lesson_id].steps:
            blocks = {c.block: c.text for c in reversed(step.commands)}  # each block's first command
            if any(blocks.get(q.block, "").startswith(command) for q in step.predictions):
                return True
        return False

    assert predicted("data-loss", "docker rm -f mydb")
    assert predicted("managing-volumes", "docker volume prune --filter")
    assert predicted("managing-volumes", "docker volume prune --all")
    assert predicted("mounting-over-data", "docker run -d --name web-data -v own-html")
    assert predicted("anonymous-volumes", "docker rm -f temp_container")
    assert predicted("anonymous-volumes", "docker rm -f -v temp_container2")
    assert predicted("volumes-from", "docker exec web-server-ro touch")
    assert predicted("compose-volumes", "docker compose down")
    assert predicted("compose-volumes", "docker compose -p scratch down -v")
