"""Processes by their /proc entries, for the engines and hubs docklab starts: a pid
alone is reused after the process ends, so a recorded pid is trusted only with its start
time, its command line or its environment."""

from __future__ import annotations

from pathlib import Path


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (which may hold spaces and parentheses):
    the state first, then the parent's pid, and so on."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def start_time(pid: int) -> int | None:
    """When the process started, in clock ticks after boot (field 22): with the pid it
    names one process."""
    fields = _stat(pid)
    try:
        return int(fields[19]) if fields else None
    except (ValueError, IndexError):
        return None


def ended(pid: int) -> bool:
    """Gone, or a zombie no one has reaped yet: either way it runs no more."""
    fields = _stat(pid)
    return not fields or fields[0] == "Z"


def command_line(pid: int | str) -> list[str] | None:
    """The process's arguments, None when it is gone or not ours to read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [a.decode(errors="replace") for a in raw.split(b"\0")[:-1]]


def environment(pid: int | str) -> bytes | None:
    """The process's environment as the kernel keeps it (NUL-separated), None when unreadable."""
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None


def running() -> list[int]:
    """The pids of every process this one can see."""
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]
