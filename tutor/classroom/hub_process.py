"""The hub as a process of this machine: started with the room's config, known again by
its recorded pid and start time, asked through its REST API, and stopped with whatever it
left running after a crash (its proxy, the view, the culler)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tutor.classroom.room import ClassroomError, folder, local_address
from tutor.core.engine import processes
from tutor.core.store import read_json, write_json


def _alive(state: dict) -> bool:
    pid = state.get("pid")
    return isinstance(pid, int) and pid > 0 and processes.start_time(pid) == state.get("start_time")


def running(name: str) -> dict | None:
    """The classroom's state when its hub is running, else None."""
    state = read_json(folder(name) / "state.json", None)
    return state if isinstance(state, dict) and _alive(state) else None


def start(home: Path, conf: dict) -> None:
    """Start JupyterHub with the room's config and wait until it answers its health check."""
    env = {**os.environ, "DOCKLAB_CLASSROOM_DIR": str(home)}
    with open(home / "hub.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(Path(__file__).with_name("hub_config.py"))],
            cwd=home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    write_json(
        home / "state.json", {"pid": proc.pid, "start_time": processes.start_time(proc.pid), "started_at": time.time()}
    )
    local = local_address(conf["bind"])
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            stop_leftovers(home)
            tail = (home / "hub.log").read_text(errors="replace").splitlines()[-15:]
            raise ClassroomError(
                "the hub stopped while starting:\n  " + "\n  ".join(tail) + f"\n(the whole log: {home / 'hub.log'})"
            )
        try:
            with urllib.request.urlopen(f"http://{local}:{conf['port']}/hub/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    raise ClassroomError(f"the hub did not answer on port {conf['port']} within 90 s (log: {home / 'hub.log'})")


def api(name: str, path: str, method: str = "GET") -> list | dict:
    """The hub's REST API, as the classroom's own service (the `docklab-cli` role)."""
    home = folder(name)
    conf = read_json(home / "classroom.json", {})
    local = local_address(conf["bind"])
    req = urllib.request.Request(
        f"http://{local}:{conf['port']}/hub/api/{path}",
        headers={"Authorization": f"token {(home / 'cli.token').read_text().strip()}"},
        method=method,
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
        return json.loads(body) if body else {}


def stop_pid(pid: int, wait: float) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _ours(pidfile: Path, word: str) -> int | None:
    """A pid the hub recorded (the proxy's), if that process is still the one it names."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if any(word in arg for arg in processes.command_line(pid) or []) else None


def stop_leftovers(home: Path) -> None:
    """The hub stops its proxy and its services when it ends well; after a crash they would
    live on (the proxy holding the port). The proxy has a pid file; the hub, the view and
    the culler carry this classroom's folder in their environment, and nothing else does."""
    pid = _ours(home / "proxy.pid", "configurable-http-proxy")
    if pid:
        stop_pid(pid, 10)
    mark = f"DOCKLAB_CLASSROOM_DIR={home}".encode() + b"\0"
    for pid in processes.running():
        environ = processes.environment(pid) if pid != os.getpid() else None
        if environ is not None and (b"\0" + environ).find(b"\0" + mark) >= 0:
            stop_pid(pid, 10)
