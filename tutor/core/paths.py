"""Where lessons, lab assets and the learner's own data live."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _shipped(name: str, override: str) -> Path:
    """The folder `name`: $override when set (authors); else the copy an installed wheel
    carries inside the package (setup.py puts it there); else the repository's top-level
    folder, read live (a checkout or an editable install)."""
    if os.environ.get(override):
        return Path(os.environ[override])
    bundled = resources.files("tutor") / name
    if bundled.is_dir():
        return Path(str(bundled))
    return ROOT / name


def content_dir() -> Path:
    """The lesson files; DOCKLAB_CONTENT overrides."""
    return _shipped("content", "DOCKLAB_CONTENT")


def labs_dir() -> Path:
    """The stand-in images' build contexts, the offline map and the lessons' work folders;
    DOCKLAB_LABS overrides."""
    return _shipped("labs", "DOCKLAB_LABS")


INSTRUCTION = "instruction.json"  # in data_dir(): what a classroom's instructor asked of this learner's TUI


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
