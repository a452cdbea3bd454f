"""A step's verdict as lines of words, for both front ends: the CLI prints them, the TUI
styles each by its tone. Words and symbols carry the meaning, never colour alone."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.core.learner.session import StepReport

DETAIL = " " * 8  # a check's expected / found / hint, under it

LOST = (
    "? NOT PROVABLE ANY MORE: this step does not hold now, and the engine no longer remembers that far back "
    "(it keeps its last 256 events, none across a restart). Do it again to prove it."
)


@dataclass(frozen=True)
class Line:
    tone: str  # role, done, pass, fail, still, no-longer, detail, lost: how a front end may style it
    text: str


def report_lines(report: StepReport) -> list[Line]:
    """Each check as PASS or FAIL with expected, found and hint; for a step proven otherwise
    than now, how (recorded, history, implied) and whether each check still holds."""
    lines = [Line("role", role) for role in report.roles]
    recorded = report.how in ("recorded", "recorded-history")
    if recorded or report.how == "implied":
        lines.append(
            Line(
                "done",
                f"✓ DONE  {report.proof}" + ("; the engine has moved on since:" if report.how != "implied" else ""),
            )
        )
    elif report.how == "history":
        lines.append(Line("done", f"✓ DONE  {report.proof} (the engine has moved on since):"))
    for o in report.outcomes:
        if recorded:
            lines.append(
                Line("still" if o.ok else "no-longer", f"{DETAIL}now {'still' if o.ok else 'no longer'}: {o.claim}")
            )
            continue
        lines.append(Line("pass" if o.ok else "fail", f"{'✓ PASS' if o.ok else '✗ FAIL'}  {o.claim}"))
        if not o.ok or o.how == "history":
            for label, text in (("expected", o.expected), ("found", o.found), ("cause", o.cause), ("hint", o.hint)):
                if text and (not o.ok or label == "found"):
                    lines.append(Line("detail", f"{DETAIL}{label + ':':<9} {text}"))
    if report.how == "lost":
        lines.append(Line("lost", LOST))
    return lines
