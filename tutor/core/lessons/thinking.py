"""The blocks that make a learner think rather than copy: a prediction before a command
(`yaml predict`), hints asked for one at a time (`yaml hints`), quiz questions (`yaml
quiz`) and the recap (`## What to take away`); authors find their syntax in content/README.md,
"Making the learner think". Like the rest of the parser, these never raise: every problem
is reported with its line."""

from __future__ import annotations

import re
from typing import Any, Callable

from tutor.core.model import Lesson, Problem, Question, Role, Step

RECAP = "What to take away"
RECAP_LINES = 5
QUESTION_KEYS = {"question", "choices", "answer", "explain"}
MAX_HINTS = 3

Report = Callable[[int, str], None]


def question(data: Any, line: int, what: str, problem: Report, block: int = 0) -> Question | None:
    """A prediction or quiz question: 2 to 4 choices, the answer one of them, an explanation."""
    if not isinstance(data, dict):
        problem(line, f"a {what} must be a mapping of question, choices, answer and explain")
        return None
    unknown = [str(k) for k in data if k not in QUESTION_KEYS]
    if unknown:
        problem(
            line, f"{what}: unknown key {', '.join(map(repr, unknown))} (known: {', '.join(sorted(QUESTION_KEYS))})"
        )
        return None
    text, choices, answer, explain = (data.get(k) for k in ("question", "choices", "answer", "explain"))
    if not isinstance(text, str) or not text.strip():
        problem(line, f"{what} needs `question:` (a sentence)")
        return None
    if not isinstance(choices, list) or not 2 <= len(choices) <= 4:
        problem(line, f"{what} needs `choices:`, a list of 2 to 4 answers the learner picks from")
        return None
    if any(isinstance(c, bool) or not isinstance(c, (str, int, float)) for c in choices):
        problem(line, f"{what}: every choice must be text (quote `yes`, `no`, `true` and the like)")
        return None
    choices = [str(c).strip() for c in choices]
    if len(set(choices)) != len(choices) or not all(choices):
        problem(line, f"{what}: the choices must be different and not empty")
        return None
    if isinstance(answer, bool) or not isinstance(answer, (str, int, float)) or str(answer).strip() not in choices:
        problem(line, f"{what}: `answer:` must be one of the choices ({', '.join(choices)})")
        return None
    if not isinstance(explain, str) or not explain.strip():
        problem(line, f"{what} needs `explain:`: why the answer is right, shown after the learner picks")
        return None
    return Question(text.strip(), tuple(choices), str(answer).strip(), explain.strip(), line, block)


# Words that say nothing of an answer, and words that say the same thing (a title that says
# "keeps" gives away the answer "it stays").
_FILLER = set(
    "a an the it its is are be to of in on at by as and or with from this that your you what does do will".split()
)
_SAME = {
    "keep": ("kept", "stay", "remain", "survive", "outlive", "still"),
    "remove": ("removed", "go", "gone", "delete", "deleted", "lost", "destroy", "destroyed", "wipe"),
    "fail": ("failed", "refuse", "refused", "error", "erofs"),
}
_CANON = {w: k for k, same in _SAME.items() for w in (k, *same)}


def _words(text: str) -> set[str]:
    """Lower-case words, suffixes cut and synonyms merged, without the filler."""
    out = set()
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        for suffix in ("ing", "es", "ed", "s"):
            if len(word) > len(suffix) + 2 and word.endswith(suffix) and word[: -len(suffix)] in _CANON:
                word = word[: -len(suffix)]
                break
        word = _CANON.get(word, word.removesuffix("s") if len(word) > 3 else word)
        if word not in _FILLER:
            out.add(word)
    return out


def gives_away(prediction: Question, title: str, before: str) -> str:
    """Where a step tells a prediction's answer before it is asked: the answer's own words
    (those the question and the other choices lack) in the title, when it says what happens
    (kept, removed, failed) or most of them, or all of them in one sentence of the text
    before it; "" when nowhere."""
    others = set().union(*(_words(c) for c in prediction.choices if c != prediction.answer))
    key = _words(prediction.answer) - others - _words(prediction.question)
    if not key:
        return ""
    told = key & _words(title)
    if told & set(_SAME) or len(told) * 2 > len(key):
        return f"the title {title!r} says {', '.join(sorted(told))!r}"
    for sentence in re.split(r"(?<=[.!?:])\s+|\n\s*\n", before):
        if key <= _words(sentence):
            return f"the text before it says {' '.join(sentence.split())[:80]!r}"
    return ""


def quiz(data: Any, item_lines: list[int], line: int, problem: Report) -> list[Question]:
    """The questions of a `yaml quiz` block; each problem reported at its line."""
    if not isinstance(data, list) or not data:
        problem(line, "a `yaml quiz` block must be a list of questions (`- question: ...`, choices, answer, explain)")
        return []
    out = [question(item, where, "quiz question", problem) for item, where in zip(data, item_lines)]
    return [q for q in out if q is not None]


def hints(data: Any, line: int, problem: Report) -> tuple[str, ...]:
    """The hints of a `yaml hints` block (one to three, nudge first); problems reported."""
    if (
        not isinstance(data, list)
        or not 1 <= len(data) <= MAX_HINTS
        or not all(isinstance(h, str) and h.strip() for h in data)
    ):
        problem(
            line,
            f"a `yaml hints` block must be a list of 1 to {MAX_HINTS} sentences, in order: "
            "a nudge, then the fact, then the command",
        )
        return ()
    return tuple(h.strip() for h in data)


def recap(text: str, line: int, problem: Report) -> str:
    """The recap's text; more than five non-empty lines is a lecture, not a recap."""
    kept = [x for x in text.splitlines() if x.strip()]
    if len(kept) > RECAP_LINES:
        problem(line, f"`## {RECAP}` has {len(kept)} lines: a recap has at most {RECAP_LINES} (non-empty) lines")
    elif not kept:
        problem(line, f"`## {RECAP}` is empty: say in up to {RECAP_LINES} lines what the learner should keep")
    return text.strip()


def judged_by(step: Step, roles: dict[str, Role]) -> list[str]:
    """A challenge's checks in words, before any has run: the sentences their results will
    say, the roles by their suggested names (the learner's own count just as well)."""
    from tutor.core import checks

    names = {key: role.name for key, role in roles.items()}
    return [checks.sentence(spec.kind, spec.params, names) for spec in step.checks]


def course_problems(lesson: Lesson) -> list[Problem]:
    """What a lesson of the course (content/) needs beyond a valid file: a recap; a
    challenge with hints as its last step but for quiz steps, and no challenge before it;
    a prediction somewhere (a lesson of quiz steps only needs neither). Not parser rules,
    so test lessons stay small: `docklab validate` applies them to the course's folder."""
    out = []
    if not lesson.recap:
        out.append(Problem(lesson.path, 1, f"{lesson.id}: no `## {RECAP}` section"))
    done = [s for s in lesson.steps if not s.is_quiz]
    if not done:
        return out
    last = done[-1]
    if not last.challenge:
        out.append(Problem(lesson.path, last.line, f"{lesson.id}: the last step, {last.title!r}, is not a challenge"))
    elif not last.hints:
        out.append(Problem(lesson.path, last.line, f"{lesson.id}: the closing challenge has no `yaml hints`"))
    for early in (s for s in done[:-1] if s.challenge):
        out.append(Problem(lesson.path, early.line, f"{lesson.id}: a challenge before the last step, {early.title!r}"))
    if not any(s.predictions for s in done):
        out.append(Problem(lesson.path, done[0].line, f"{lesson.id}: no `yaml predict` in any step"))
    return out
