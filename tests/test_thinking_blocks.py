"""The blocks that make the learner think, in the lesson format: challenges with a hidden
solution, predictions, hints, quizzes and the recap parse into the model, and `docklab
validate` rejects each mistake content/README.md names with `file:line: message`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.thinkkit import lesson_text
from tutor.core.lessons import lessonfile, thinking

GOOD = lesson_text("p")


def parse(text: str):
    return lessonfile.parse(Path("01-think.md"), text)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The line of the nth line holding `needle` (negative: counted from the end)."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[nth - 1 if nth > 0 else nth]


def test_the_blocks_become_the_model():
    lesson, problems = parse(GOOD)
    assert problems == []
    make, challenge, quiz = lesson.steps
    assert [p.answer for p in make.predictions] == ["no, only the volume is made"]
    assert make.prediction_for(0).choices == ("a helper container runs", "no, only the volume is made")
    assert make.hints == ("Volumes have a command of their own.", "`docker volume create NAME` makes a named volume.")
    assert challenge.challenge and challenge.goal == "mount it read-only" and challenge.commands == []
    assert challenge.solution[0].text.startswith("docker run -d --name p-box --mount")
    assert "solution" not in challenge.body and "readonly busybox" not in challenge.body  # hidden from the text
    assert "yaml predict" not in make.body and "yaml hints" not in make.body
    assert quiz.is_quiz and [q.answer for q in quiz.quiz] == [":ro", "no"] and not quiz.checks
    assert lesson.recap.startswith("- A read-only mount") and len(lesson.steps) == 3  # the recap is no step
    assert lesson.renamed({"p-box": "mine"}).step(2).solution[0].text.startswith("docker run -d --name mine ")
    assert thinking.judged_by(challenge, lesson.roles) == ["p-box mounts volume p-vol read-only at /data"]


SOLUTION = "```sh solution\ndocker run -d --name p-box --mount type=volume,src=p-vol,dst=/data,readonly busybox sleep 600\n```\n"
PREDICT_ANSWER = 'answer: "no, only the volume is made"'
QUIZ_EXPLAIN = "  explain: Named volumes are removed only by `docker volume rm` or a prune.\n"
CHALLENGE_CHECK = (
    "```yaml check\n- mount: {container: p-box, destination: /data, volume: p-vol, read_only: true}\n```\n"
)

BAD = [
    ("challenge without a solution", GOOD.replace(SOLUTION, ""), "## Challenge", "has no hidden solution"),
    ("challenge without checks", GOOD.replace(CHALLENGE_CHECK, ""), "## Challenge", "has no checks"),
    (
        "challenge with a plain sh block",
        GOOD.replace("```sh solution", "```sh"),
        ("```sh", 2),
        "a challenge states the goal, not the command",
    ),
    (
        "two solutions",
        GOOD.replace(SOLUTION, SOLUTION + "\n" + SOLUTION),
        ("```sh solution", 2),
        "second ```sh solution",
    ),
    (
        "solution outside a challenge",
        GOOD.replace("```sh\ndocker volume create", "```sh solution\ndocker volume create"),
        "```sh solution",
        "belongs in a challenge",
    ),
    (
        "prediction without choices",
        GOOD.replace('choices: [a helper container runs, "no, only the volume is made"]\n', ""),
        "```yaml predict",
        "needs `choices:`",
    ),
    (
        "prediction with one choice",
        GOOD.replace('[a helper container runs, "no, only the volume is made"]', '["no, only the volume is made"]'),
        "```yaml predict",
        "a list of 2 to 4",
    ),
    (
        "prediction with an answer outside its choices",
        GOOD.replace(PREDICT_ANSWER, "answer: maybe"),
        "```yaml predict",
        "must be one of the choices",
    ),
    (
        "prediction without an explanation",
        GOOD.replace("explain: A volume is an object of its own; no container is involved.\n", ""),
        "```yaml predict",
        "needs `explain:`",
    ),
    (
        "prediction not before a command",
        GOOD.replace("```sh\ndocker volume create p-vol\n```\n", ""),
        "```yaml predict",
        "directly before the ```sh``` block",
    ),
    (
        "quiz question without an explanation",
        GOOD.replace(QUIZ_EXPLAIN, ""),
        "- question: Does `docker rm`",
        "needs `explain:`",
    ),
    (
        "quiz answer outside its choices",
        GOOD.replace('  answer: ":ro"', '  answer: ":r"'),
        "- question: Which flag",
        "must be one of the choices",
    ),
    (
        "quiz step with a command",
        GOOD.replace("## Quiz\n", "## Quiz\n\n```sh\ndocker ps\n```\n"),
        "## Quiz",
        "a quiz step only asks questions",
    ),
    (
        "too many hints",
        GOOD.replace(
            "- Read-only is an option of the mount.\n", "- one\n- two\n- Read-only is an option of the mount.\n"
        ),
        ("```yaml hints", 2),
        "1 to 3 sentences",
    ),
    ("a recap too long", GOOD + "- three\n- four\n- five\n- six\n", "## What to take away", "at most 5"),
    ("a command in the recap", GOOD + "\n```sh\ndocker ps\n```\n", ("```sh", -1), "the recap is a few lines of text"),
    ("a step after the recap", GOOD + "\n## Later\n", "## Later", "must be the lesson's last section"),
    (
        "a title that gives a prediction's answer away",
        GOOD.replace("## Make a volume", "## No container, only a volume is made"),
        "```yaml predict",
        "the title 'No container, only a volume is made' says 'made, no, only'",
    ),
    (
        "a title that says the outcome in other words",
        GOOD.replace("## Make a volume", "## docker rm keeps it")
        .replace(PREDICT_ANSWER, 'answer: "it stays"')
        .replace('choices: [a helper container runs, "no, only the volume is made"]', 'choices: [it goes, "it stays"]'),
        "```yaml predict",
        "the title 'docker rm keeps it' says 'keep'",
    ),
    (
        "text before the prediction that gives its answer away",
        GOOD.replace("## Make a volume\n", "## Make a volume\n\nNo container runs, only the volume is made.\n"),
        "```yaml predict",
        "the text before it says 'No container runs, only the volume is made.'",
    ),
]


@pytest.mark.parametrize("name,text,where,message", BAD, ids=[b[0] for b in BAD])
def test_validate_rejects(name, text, where, message):
    assert text != GOOD, "the test's edit did not apply"
    _, problems = parse(text)
    line = line_of(text, *where) if isinstance(where, tuple) else line_of(text, where)
    assert any(message in p.message and p.line == line for p in problems), "\n".join(map(str, problems))


def test_the_text_after_a_predictions_command_shows_once_the_step_passes():
    make = parse(GOOD)[0].step(1)
    assert "docker volume create p-vol" in make.body and "Only the volume was made" not in make.body
    assert make.after == "Only the volume was made: `docker ps -a` lists no container."
    assert parse(GOOD)[0].step(2).after == ""  # no prediction: all of it is the body


def test_docklab_validate_prints_file_line_message_and_exits_2(tmp_path):
    bad = tmp_path / "01-think.md"
    text = GOOD.replace(SOLUTION, "").replace(QUIZ_EXPLAIN, "")
    bad.write_text(text)
    out = subprocess.run([sys.executable, "-m", "tutor", "validate", str(bad)], capture_output=True, text=True)
    assert out.returncode == 2, out.stdout + out.stderr
    assert (
        f"{bad}:{line_of(text, '## Challenge')}: challenge 'Challenge: mount it read-only' has no hidden "
        "solution" in out.stdout
    )
    assert f"{bad}:{line_of(text, '- question: Does')}: quiz question needs `explain:`" in out.stdout
    good = tmp_path / "good" / "01-think.md"
    good.parent.mkdir()
    good.write_text(GOOD)
    ok = subprocess.run([sys.executable, "-m", "tutor", "validate", str(good)], capture_output=True, text=True)
    assert ok.returncode == 0 and "1 lesson file OK" in ok.stdout, ok.stdout + ok.stderr


def course_rules(text: str) -> list[str]:
    lesson, problems = parse(text)
    assert problems == []
    return [str(p) for p in thinking.course_problems(lesson)]


def test_course_rules_name_a_missing_recap_and_a_last_step_that_is_no_challenge():
    assert course_rules(GOOD) == []
    no_recap = GOOD.split("## What to take away")[0]
    assert course_rules(no_recap) == ["01-think.md:1: think: no `## What to take away` section"]
    plain_end = GOOD.split("## Challenge")[0]
    assert course_rules(plain_end) == [
        "01-think.md:1: think: no `## What to take away` section",
        f"01-think.md:{line_of(GOOD, '## Make a volume')}: think: the last step, 'Make a volume', is not a challenge",
    ]


def test_course_rules_name_a_challenge_without_hints_or_before_the_end_and_no_prediction():
    hints = GOOD.split("```yaml hints")[-1].split("```\n", 1)[0]  # the challenge's
    assert course_rules(GOOD.replace("```yaml hints" + hints + "```\n", "")) == [
        f"01-think.md:{line_of(GOOD, '## Challenge')}: think: the closing challenge has no `yaml hints`"
    ]
    predict = GOOD.split("```yaml predict")[1].split("```\n", 1)[0]
    assert course_rules(GOOD.replace("```yaml predict" + predict + "```\n", "")) == [
        f"01-think.md:{line_of(GOOD, '## Make a volume')}: think: no `yaml predict` in any step"
    ]
    head, rest = GOOD.split("## Challenge", 1)
    challenge, tail = rest.split("\n## ", 1)
    twice = f"{head}## Challenge{challenge.replace('read-only', 'again')}\n## Challenge{challenge}\n## {tail}"
    assert course_rules(twice) == [
        f"01-think.md:{line_of(GOOD, '## Challenge')}: think: a challenge before the last step, "
        "'Challenge: mount it again'"
    ]


def test_docklab_validate_holds_the_course_folder_to_the_course_rules(tmp_path, monkeypatch, capsys):
    from tutor.cli import main

    course = tmp_path / "content"
    course.mkdir()
    lesson = course / "01-think.md"
    lesson.write_text(GOOD.split("## What to take away")[0])  # a valid file, but the course wants a recap
    monkeypatch.setenv("DOCKLAB_CONTENT", str(course))
    assert main(["validate"]) == 2
    assert capsys.readouterr().out == f"{lesson}:1: think: no `## What to take away` section\n"
    assert main(["validate", str(lesson)]) == 2  # named, a file of the course is held to them too
    capsys.readouterr()
    elsewhere = tmp_path / "01-think.md"
    elsewhere.write_text(lesson.read_text())
    assert main(["validate", str(elsewhere)]) == 0  # a lesson outside the course, as the tests' own are
    assert "1 lesson file OK" in capsys.readouterr().out


def test_docklab_validate_passes_the_shipped_course(monkeypatch, capsys):
    from tutor.cli import main
    from tutor.core.lessons import catalog

    monkeypatch.delenv("DOCKLAB_CONTENT", raising=False)
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == f"{len(catalog.files())} lesson files OK\n"


def test_a_renamed_lesson_renames_its_solution_hints_and_predictions():
    lesson, _ = parse(
        GOOD.replace(
            "question: Does creating a volume start a container?", "question: Does creating p-vol start a container?"
        )
    )
    renamed = lesson.renamed({"p-vol": "mine"})
    assert renamed.step(1).predictions[0].question == "Does creating mine start a container?"
    assert "src=mine," in renamed.step(2).solution[0].text and "src=mine," in renamed.step(2).hints[2]
