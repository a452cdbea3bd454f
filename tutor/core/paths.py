"""Where lessons, lab assets and the learner's own data live."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def content_dir() -> Path:
    return Path(os.environ.get("DOCKLAB_CONTENT", ROOT / "content"))


def labs_dir() -> Path:
    return Path(os.environ.get("DOCKLAB_LABS", ROOT / "labs"))


def data_dir() -> Path:
    """Progress and ownership records; DOCKLAB_HOME overrides (tests use a temp dir)."""
    home = os.environ.get("DOCKLAB_HOME")
    if home:
        path = Path(home)
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("docklab", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def workdir(folder: str | None) -> str | None:
    """Where a lesson's commands run: its `workdir` folder of labs/ (a compose file, say)."""
    return str(labs_dir() / folder) if folder else None
