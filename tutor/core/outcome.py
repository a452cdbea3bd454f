"""What a check or a fact says about the engine: pass or fail, expected vs. found, a hint."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Outcome:
    ok: bool
    claim: str  # what was checked, in plain words
    expected: str = ""
    found: str = ""
    hint: str = ""
    retry: bool = False  # failed only because it is not ready yet: waiting may help
    how: str = ""  # how it was proven: "" (holds now), or "history"
    cause: str = ""  # a failure: what done to the engine, and when, made it so (checks.causes)

    def to_dict(self) -> dict:
        """The outcome as JSON data."""
        return asdict(self)

    def redacted(self, secrets) -> Outcome:
        """The same outcome with every secret hidden."""
        if not secrets:
            return self
        fields = ("claim", "expected", "found", "hint", "cause")
        return replace(self, **{k: redact(getattr(self, k), secrets) for k in fields})


# What a command line may carry that is a password: `-pSECRET` (mysql), a variable named
# like a password or a `_FILE` one (`-e MYSQL_ROOT_PASSWORD=...`), `--password=...`.
_PASSWORDISH = re.compile(
    r"(?P<keep>(?<![\w-])-p(?=\S)|(?<![\w])--password[= ]|\b\w*(?:PASSWORD|PASSWD|SECRET|TOKEN)\w*=|\b\w+_FILE=)"
    r"(?P<value>'[^']*'|\"[^\"]*\"|\S+)"
)


def redact_command(line: str, secrets: tuple[str, ...] | list[str]) -> str:
    """A command line as docklab keeps it: the lesson's secrets and anything that looks
    like a password (`-p...`, `...PASSWORD=...`, `..._FILE=...`) hidden."""
    return _PASSWORDISH.sub(lambda m: m.group("keep") + "********", redact(line, secrets))


def redact(text: str, secrets: tuple[str, ...] | list[str]) -> str:
    """Hide every secret a lesson declares, wherever it appears."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "********")
    return text
