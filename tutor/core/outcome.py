"""What a check or a fact says about the engine: pass or fail, expected vs. found, a hint."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Outcome:
    ok: bool
    claim: str  # what was checked, in plain words
    expected: str = ""
    found: str = ""
    hint: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def redact(text: str, secrets: tuple[str, ...] | list[str]) -> str:
    """Hide every secret a lesson declares, wherever it appears."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return text
