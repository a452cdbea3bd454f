"""A classroom's names and secrets: the room's and the learners' names as docklab takes
them, the folder docklab owns for a room (DOCKLAB_HOME/classroom/NAME), the passwords and
keys kept there, and the addresses the hub is reached at."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from typing import Callable

from tutor.core.errors import UsageError
from tutor.core.paths import data_dir

DEFAULT_NAME = "docklab-class"
ADMIN = "instructor"
NAME = re.compile(r"[a-z][a-z0-9-]{0,30}")
LEARNER = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
HOSTNAME = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+(:[0-9]{1,5})?"
)


class ClassroomError(UsageError):
    """The classroom cannot do this; the message says why and what to do."""

    def __init__(self, message: str = "", exit_code: int | None = None):
        super().__init__(f"docklab classroom: {message}", exit_code)


def folder(name: str) -> Path:
    return data_dir() / "classroom" / name


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise ClassroomError(
            f"{name!r} cannot name a classroom: lowercase letters, digits and -, "
            "starting with a letter, at most 31 characters"
        )
    return name


def read_learners(path: str) -> list[str]:
    """One login name a line; blank lines and # comments skipped."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as err:
        raise ClassroomError(f"cannot read the learners file {path}: {err.strerror or err}") from None
    names: dict[str, None] = {}
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if not LEARNER.fullmatch(line) or line == ADMIN:
            raise ClassroomError(
                f"{path}:{number}: {line!r} is not a login name docklab takes (lowercase "
                f"letters, digits and . _ -; not {ADMIN!r}, the instructor's)"
            )
        names[line] = None
    if not names:
        raise ClassroomError(f"{path} names no learners")
    return list(names)


def keep_secret(path: Path, make: Callable[[], str]) -> str:
    """A secret kept in the classroom's folder, readable by this user only; kept across `up`s."""
    if path.exists():
        return path.read_text().strip()
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def subdomain_url(host: str, port: int) -> str:
    """JupyterHub's subdomain_host from `--subdomain-host`: HOST (plain HTTP on the hub's port)
    or https://HOST[:PORT] (TLS ending in a proxy in front of the hub)."""
    scheme, _, name = host.rpartition("://")
    if scheme not in ("", "http", "https") or not HOSTNAME.fullmatch(name):
        raise ClassroomError(
            f"--subdomain-host takes a host name whose subdomains lead to this machine, as "
            f"classroom.example.org or https://classroom.example.org, not {host!r}"
        )
    return f"{scheme}://{name}" if scheme == "https" else f"http://{name.split(':')[0]}:{port}"


def local_address(bind: str) -> str:
    """Where this machine reaches the hub: loopback when it listens on every address."""
    return "127.0.0.1" if bind in ("0.0.0.0", "", "::") else bind
