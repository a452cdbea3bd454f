"""The step's written hints, one more each time the learner asks (F10), and a challenge's
solution once they ask for it (F12), offered after two failed checks."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class HintPane(Static):
    def show(
        self, shown: list[str], total: int, challenge: bool, solution: list[str] | None = None, stuck: bool = False
    ) -> None:
        """`solution`: the commands once revealed; `stuck`: two checks failed, offer it."""
        self.set_class(not (total or challenge), "hidden")
        text = Text()
        for n, hint in enumerate(shown, start=1):
            text.append(f"Hint {n} of {total}: ", "bold")
            text.append(hint + "\n")
        keys = []
        if len(shown) < total:
            keys.append(f"F10 {'a' if not shown else 'another'} hint ({total - len(shown)} left)")
        if challenge and solution is None:
            keys.append("F12 show a solution")
        if solution is not None:
            text.append("One way to do it (F3 types it):\n", "bold")
            for command in solution:
                text.append(f"  $ {command}\n")
        elif stuck:
            text.append("Stuck? Two checks have failed: F12 shows one way to do it (the report notes it).\n", "bold")
        if keys:
            text.append(" · ".join(keys), "italic")
        self.update(text)
