"""The learner's lasting choices (`docklab config`), e.g. which image map to use."""

from __future__ import annotations

from tutor.core.paths import data_dir
from tutor.core.store import read_json, write_json

KEYS = {"images": "image map: real, offline, or the path of a TOML map"}


def get(key: str) -> str | None:
    """The lasting setting's value, or None when unset."""
    return read_json(data_dir() / "settings.json", {}).get(key)


def put(key: str, value: str | None) -> None:
    """Set a lasting setting (None unsets it)."""
    path = data_dir() / "settings.json"
    data = read_json(path, {})
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    write_json(path, data)
