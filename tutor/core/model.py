"""The typed lesson model that the parser builds and everything else reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

DOCKER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")  # what docker accepts as a container or volume name


def usable_name(name: str) -> bool:
    """Does docker accept this as a container or volume name (letters, digits, _ . -)?"""
    return bool(DOCKER_NAME.match(name))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson file, reported as `file:line: message`."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {' '.join(self.message.split())}"  # always one line


@dataclass(frozen=True)
class Answer:
    """In auto mode, wait for `expect` (a regex) and type `send`."""

    expect: str
    send: str


@dataclass(frozen=True)
class Command:
    text: str
    line: int
    answers: tuple[Answer, ...] = ()
    timeout: float = 120.0
    block: int = 0  # which command block of its step it came from (the TUI groups by it)


@dataclass(frozen=True)
class CheckSpec:
    """A declared check: its kind (a key of checks.KINDS) and parameters."""

    kind: str
    params: dict[str, Any]
    line: int
    wait: float = 0.0  # in auto mode, poll up to this many seconds for it to pass


@dataclass(frozen=True)
class FactSpec:
    """A fact a step remembers for later steps, e.g. the volume a removed container used."""

    name: str
    kind: str
    params: dict[str, Any]
    line: int


@dataclass(frozen=True)
class Role:
    """A thing the lesson works with, named by what identifies it, not by its name.

    `name` is only a suggestion: the role resolves to what the learner actually made
    since the lesson began (tutor.core.checks.roles). Checks refer to it as `{key}`."""

    key: str  # how checks refer to it: {db}
    kind: str  # container | volume
    name: str  # the suggested name, the one the commands use
    about: str  # in words: "your database container"
    image: str | None = None  # container: made from this lesson image
    mount: str | None = None  # container: has a mount here; volume: mounted here by some container
    volume: str | None = None  # container: the volume at `mount` ("{data}": another role or a fact)
    anonymous: bool | None = None  # volume: anonymous or named
    service: str | None = None  # Compose: the service (container) or the volume's key (volume)
    syntax: str | None = None  # container: its mount was made with `--mount` ("mount") or `-v` ("v")
    read_only: bool | None = None  # container: its mount at `mount` is read-only (or writable)
    unused: bool | None = None  # volume: no container has mounted it since it was made
    label: str | None = None  # has this label, `KEY` or `KEY=VALUE` (seen live only: events carry no labels)
    fixed: bool = False  # the name itself is what the lesson teaches: only that name counts
    line: int = 0


@dataclass(frozen=True)
class Question:
    """A multiple-choice question: a prediction before a command, or a quiz question."""

    question: str
    choices: tuple[str, ...]
    answer: str  # one of the choices
    explain: str
    line: int = 0
    block: int = 0  # a prediction: the command block whose first command it is about

    def choice(self, picked: int | str | None) -> str | None:
        """The choice a learner picked, by its 1-based number or its text (None: skipped)."""
        if isinstance(picked, int) and not isinstance(picked, bool):
            return self.choices[picked - 1] if 1 <= picked <= len(self.choices) else None
        return picked if picked in self.choices else None


CHALLENGE = "Challenge: "  # a step titled so states a goal, not a command


@dataclass
class Step:
    number: int  # 1-based
    title: str
    line: int
    body: str = ""  # the step's Markdown, as written, without the hidden blocks
    after: str = ""  # with a prediction: the Markdown after the command it asks about, shown once the step passes
    commands: list[Command] = field(default_factory=list)
    checks: list[CheckSpec] = field(default_factory=list)
    facts: list[FactSpec] = field(default_factory=list)
    implied_by: int | None = None  # a later step whose outcome can only come from this one
    implied_because: str = ""
    solution: list[Command] = field(default_factory=list)  # a challenge's hidden `sh solution`
    predictions: list[Question] = field(default_factory=list)  # asked before their command block
    hints: tuple[str, ...] = ()  # nudge, fact, command: shown one at a time on request
    quiz: list[Question] = field(default_factory=list)

    @property
    def challenge(self) -> bool:
        """A challenge step states a goal and hides its solution."""
        return self.title.startswith(CHALLENGE)

    @property
    def goal(self) -> str:
        """A challenge's title without the `Challenge: ` prefix."""
        return self.title[len(CHALLENGE) :] if self.challenge else self.title

    @property
    def is_quiz(self) -> bool:
        """A quiz step is answered, not checked against the engine."""
        return bool(self.quiz)

    def prediction_for(self, block: int) -> Question | None:
        """The prediction asked before this command block, if any."""
        return next((p for p in self.predictions if p.block == block), None)


@dataclass(frozen=True)
class Requirements:
    api: str | None = None  # minimum Engine API version, e.g. "1.45"
    engine: str | None = None  # minimum Engine version, e.g. "26.0"
    cli: str | None = None  # minimum docker CLI version
    compose: bool = False  # needs the Compose v2 plugin


@dataclass(frozen=True)
class Resources:
    """Names a lesson creates: refused if they exist before it starts, removed by reset."""

    containers: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    images: tuple[str, ...] = ()  # tags the lesson makes (`docker commit`, `docker build -t`)


@dataclass
class Lesson:
    id: str
    title: str
    summary: str
    path: Path
    images: tuple[str, ...] = ()
    requires: Requirements = Requirements()
    resources: Resources = Resources()
    secrets: tuple[str, ...] = ()
    workdir: str | None = None  # a folder of labs/ that the commands run in
    intro: str = ""
    recap: str = ""  # `## What to take away`: shown when the lesson is done
    steps: list[Step] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)  # resource names the learner chose instead
    roles: dict[str, Role] = field(default_factory=dict)

    def step(self, number: int) -> Step:
        """Step `number` (1-based)."""
        return self.steps[number - 1]

    def renamable(self) -> list[str]:
        """The declared names that the commands spell out, so another name can replace
        them (not, say, a Compose project's names, which come from a file)."""
        res = self.resources
        text = "\n".join(c.text for s in self.steps for c in s.commands + s.solution)
        return [n for n in res.containers + res.volumes + res.networks if _word(n).search(text)]

    def shown_with(self, swap: Callable[[str], str]) -> Lesson:
        """The same lesson with `swap` applied to the text a learner reads (introduction,
        titles, prose, hints, questions and explanations, recap); commands, checks, choices
        and answers as they are."""

        def ask(q: Question) -> Question:
            return replace(q, question=swap(q.question), explain=swap(q.explain))

        steps = [
            replace(
                s,
                title=swap(s.title),
                body=swap(s.body),
                after=swap(s.after),
                hints=tuple(map(swap, s.hints)),
                predictions=[ask(q) for q in s.predictions],
                quiz=[ask(q) for q in s.quiz],
            )
            for s in self.steps
        ]
        return replace(self, intro=swap(self.intro), recap=swap(self.recap), steps=steps)

    def renamed(self, names: dict[str, str]) -> Lesson:
        """The same lesson with some resource names replaced everywhere: commands, checks,
        facts, text. A learner whose engine already has `my-vol` can use another name."""
        if not names:
            return self
        pattern = re.compile("|".join(_word(n).pattern for n in sorted(names, key=len, reverse=True)))

        def swap(value: Any) -> Any:
            if isinstance(value, str):
                return pattern.sub(lambda m: names[m.group(0)], value)
            if isinstance(value, (list, tuple)):
                return type(value)(swap(v) for v in value)
            if isinstance(value, dict):
                return {k: swap(v) for k, v in value.items()}
            return value

        steps = [
            replace(
                s,
                title=s.title,
                body=swap(s.body),
                after=swap(s.after),
                commands=[replace(c, text=swap(c.text)) for c in s.commands],
                solution=[replace(c, text=swap(c.text)) for c in s.solution],
                hints=swap(s.hints),
                predictions=[
                    replace(
                        q,
                        question=swap(q.question),
                        choices=swap(q.choices),
                        answer=swap(q.answer),
                        explain=swap(q.explain),
                    )
                    for q in s.predictions
                ],
                checks=[replace(c, params=swap(c.params)) for c in s.checks],
                facts=[replace(f, params=swap(f.params)) for f in s.facts],
            )
            for s in self.steps
        ]
        res = Resources(
            *(swap(getattr(self.resources, k)) for k in ("containers", "volumes", "networks")),
            images=self.resources.images,
        )
        roles = {k: replace(r, name=names.get(r.name, r.name)) for k, r in self.roles.items()}
        return replace(
            self,
            intro=swap(self.intro),
            recap=swap(self.recap),
            steps=steps,
            resources=res,
            roles=roles,
            renames={**self.renames, **names},
        )


def _word(name: str) -> re.Pattern:
    """`name` as a whole word of a command: not part of `my-vol-2` or `/x/my-vol.txt`."""
    return re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-]|\.\w)")
