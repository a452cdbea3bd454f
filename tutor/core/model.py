"""The typed lesson model that the parser builds and everything else reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson file, reported as `file:line: message`."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


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

    @property
    def interactive(self) -> bool:
        return bool(self.answers)


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


@dataclass
class Step:
    number: int  # 1-based
    title: str
    line: int
    body: str = ""  # the step's Markdown, as written
    commands: list[Command] = field(default_factory=list)
    checks: list[CheckSpec] = field(default_factory=list)
    facts: list[FactSpec] = field(default_factory=list)


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
    steps: list[Step] = field(default_factory=list)

    def step(self, number: int) -> Step:
        return self.steps[number - 1]
