"""What a check or a fact says about the engine: pass or fail, expected vs. found, a hint."""

from __future__ import annotations

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

    def to_dict(self) -> dict:
        """The outcome as JSON data."""
        return asdict(self)

    def redacted(self, secrets) -> Outcome:
        """The same outcome with every secret hidden."""
        if not secrets:
            return self
        return replace(self, **{k: redact(getattr(self, k), secrets) for k in ("claim", "expected", "found", "hint")})


def redact(text: str, secrets: tuple[str, ...] | list[str]) -> str:
    """Hide every secret a lesson declares, wherever it appears."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "********")
    return text
