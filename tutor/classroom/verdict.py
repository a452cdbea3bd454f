"""The view's own verdict on a learner's work, taken from their Docker Engine, never from what
their server, their reporter or their shell says.

A learner is root in their server's container: anything in it can say "done". So the view
(on the hub's machine, as root) reaches the learner's engine itself, through the container's
root as the host sees it (/proc/PID/root), and runs docklab's own checks there, the lessons
and their steps from docklab's catalog: `docklab report` made from the host. A step counts
once the learner's progress records it AND the engine has shown it holding at one of the
view's looks (a step such as "no container mydb" holds on a clean engine too). Whatever the
learner's processes claimed is kept beside it, to be shown where it differs.

The learner controls every file in their container: the walk to their engine's socket and
their progress file follows no symbolic link (one could lead to the host's own engine) and
reads no file over MAX_FILE. What it cannot rule out is a learner who replaces their
dockerd with a program that answers like one (README: the security model)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

from tutor.classroom.spawner import LABEL
from tutor.core.grading import report as rpt

SOCKET = ("run", "docker.sock")  # the learner's dockerd (--host=unix:///var/run/docker.sock; /var/run is /run)
PROGRESS = ("data", "progress.json")  # DOCKLAB_HOME=/data in the learner image
MAX_FILE = 1_000_000  # a record over this is not read (a whole class's progress is far less)
MAX_RECORDS = 200  # lesson records read at most (one per lesson begun)
ENGINE = "engine"  # a step's proof once the view has seen it hold on the learner's engine


class NoRoute(Exception):
    """The view cannot reach this learner's engine (no container, another machine's pod)."""


def container_pid(client, classroom: str, learner: str) -> int:
    """The process id, on this machine, of the learner's running server."""
    found = client.containers.list(filters={"label": [f"{LABEL}={classroom}", f"{LABEL}.user={learner}"]})
    pids = [box.attrs["State"]["Pid"] for box in found if box.attrs["State"].get("Running")]
    if len(pids) != 1 or not pids[0]:
        raise NoRoute(f"no running server of {learner}'s on this machine's engine")
    return pids[0]


def _walk(pid: int, parts: tuple[str, ...], flags: int) -> int:
    """An fd for the path inside the container's root, no component a symbolic link."""
    fd = os.open(f"/proc/{pid}/root", os.O_PATH | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            inner = os.open(part, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = inner
        return os.open(parts[-1], flags | os.O_NOFOLLOW, dir_fd=fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def learner_engine(pid: int, timeout: int = 20) -> Iterator:
    """A docker client of the learner's own dockerd, through its socket in their container."""
    import docker

    try:
        fd = _walk(pid, SOCKET, os.O_PATH)
    except OSError as err:
        raise NoRoute(f"no engine socket in the learner's container ({err.strerror})") from None
    try:
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            raise NoRoute("the learner's engine socket is not a socket")
        client = docker.DockerClient(base_url=f"unix:///proc/self/fd/{fd}", version="auto", timeout=timeout)
        try:
            yield client
        finally:
            client.close()
    finally:
        os.close(fd)


def _copy(fd: int, name: str, into: Path) -> bool:
    """One file from a directory fd (a regular file, no link, not too large) into `into`."""
    try:
        src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
    except OSError:
        return False
    with os.fdopen(src, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE:
            return False
        into.write_bytes(fh.read(MAX_FILE + 1)[:MAX_FILE])
    return True


def copy_records(pid: int, engine_id: str, home: Path) -> None:
    """The learner's docklab records that the checks read (their progress, and what each lesson
    found on the engine when it began: ownership's baseline) into `home`, a DOCKLAB_HOME."""
    owned = re.sub(r"[^A-Za-z0-9_-]", "_", engine_id)  # as tutor/core/learner/ownership.owned_dir names it
    try:
        data = _walk(pid, PROGRESS[:1], os.O_PATH | os.O_DIRECTORY)
    except OSError:
        return
    try:
        _copy(data, PROGRESS[1], home / "progress.json")
        try:
            records = _walk(pid, (PROGRESS[0], "owned", owned), os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return
        try:
            (home / "owned" / owned).mkdir(parents=True, exist_ok=True)
            for name in os.listdir(records)[:MAX_RECORDS]:
                if name.endswith(".json"):
                    _copy(records, name, home / "owned" / owned / name)
        finally:
            os.close(records)
    finally:
        os.close(data)


def judge(fresh: dict, kept: dict | None) -> dict:
    """The report to keep: `fresh` (docklab's report from the learner's engine and progress,
    made by the view) with a step done only when the progress records it and the engine has
    shown it holding, now or at an earlier look (`kept`, the view's last report); what the
    progress claims stays beside it, as each step's `claimed`."""
    earlier = {
        (lesson["id"], step["number"]): step
        for lesson in (kept or {}).get("lessons", [])
        for step in lesson["steps"]
        if step["proof"] == ENGINE
    }
    for lesson in fresh["lessons"]:
        for step in lesson["steps"]:
            claimed = step["status"] == rpt.DONE
            seen = earlier.get((lesson["id"], step["number"]))
            holds = bool(step["now"] and step["now"]["holds"])
            step["claimed"] = claimed
            if claimed and (holds or seen):
                step.update(status=rpt.DONE, proof=ENGINE, done_at=(seen or step)["done_at"] or step["done_at"])
            else:
                step.update(status=rpt.NOT_DONE, proof=None, done_at=None, evidence=[])
        lesson["status"] = rpt.lesson_status(lesson["steps"])
        lesson["completed_at"] = (
            max(s["done_at"] for s in lesson["steps"]) if lesson["status"] == rpt.LESSON_DONE else None
        )
    fresh["verified_by"] = "the instructor's view, on the learner's engine"
    return fresh


def ready() -> None:
    """What a look needs, imported and loaded ahead of the first (a worker process starts cold)."""
    import docker  # noqa: F401

    from tutor.core.learner import livestate  # noqa: F401
    from tutor.core.lessons.catalog import load_all

    load_all()


def verify(classroom: str, learner: str, kept: dict | None, home: str) -> dict:
    """The view's report for this learner, from their engine and records (NoRoute when it
    cannot reach them). Runs in a worker process of its own: `home` becomes its DOCKLAB_HOME."""
    import docker

    from tutor import __version__
    from tutor.core.engine.connection import Engine
    from tutor.core.engine.images import load_map
    from tutor.core.learner.livestate import ReadOnlyProgress
    from tutor.core.lessons.catalog import load_all

    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home, mode=0o700)
    os.environ["DOCKLAB_HOME"] = home
    try:
        host = docker.from_env(timeout=20)
        pid = container_pid(host, classroom, learner)
    except docker.errors.DockerException as err:
        raise NoRoute(f"this machine's engine does not answer ({type(err).__name__})") from None
    with learner_engine(pid) as inner:
        try:
            info = inner.info()
            version = inner.version()
        except Exception as err:  # dockerd down, or a socket nobody answers on
            raise NoRoute(f"the learner's engine does not answer ({type(err).__name__})") from None
        copy_records(pid, info.get("ID") or "unknown", Path(home))
        engine = Engine(inner, version.get("Version", "?"), inner.api.api_version, "the learner's engine", "view")
        progress = ReadOnlyProgress(Path(home) / "progress.json")
        fresh = rpt.make(learner, load_all(), engine, load_map("offline"), __version__, progress=progress)
    return judge(fresh, kept)
