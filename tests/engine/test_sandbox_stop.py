"""`docklab sandbox stop` leaves nothing mounted, and `--purge` deletes the data root, even
after a sandbox engine that crashed. dockerd bind-mounts its data root on itself and
undoes it only at a clean shutdown; a start on a root still mounted keeps the mount at
every later stop, and `rm` then found it busy."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_docklab
from tutor.core.engine import sandbox

pytestmark = pytest.mark.engine


def test_a_stop_start_stop_purge_cycle_after_a_crash_leaves_no_mount(client, prefix, home, monkeypatch):
    monkeypatch.setenv("DOCKLAB_HOME", str(home))
    where = {"data_root": f"/var/lib/{prefix}-sandbox", "run_dir": f"/run/{prefix}-sandbox"}

    def mounts() -> list[str]:
        return [line for line in Path("/proc/mounts").read_text().splitlines() if prefix in line]

    def start() -> dict:
        return sandbox.start([], client, progress=lambda s: None, **where)

    def stop(*purge: str) -> str:
        done = run_docklab("sandbox", "stop", *purge, home=home)
        assert done.returncode == 0 and not done.stderr, done.stdout + done.stderr
        assert mounts() == []
        return done.stdout

    try:
        crashed = start()["pid"]
        os.kill(crashed, signal.SIGKILL)  # as a crash, or a stop that waited in vain, ends it
        assert sandbox._wait_gone(crashed, 30)
        assert "stale" in stop()
        start()
        assert "sandbox stopped" in stop()
        start()
        assert "sandbox stopped" in stop("--purge")
        assert not Path(where["data_root"]).exists()
    finally:
        sandbox.stop(purge=True)
        for line in reversed(mounts()):  # a failed run leaves nothing mounted on the machine either
            subprocess.run(["umount", "--lazy", line.split()[1]], check=False)
        for folder in where.values():
            shutil.rmtree(folder, ignore_errors=True)


def test_a_stale_record_never_unmounts_or_deletes_a_running_engines_root(prefix, home):
    """A record whose process is gone, naming folders a running dockerd keeps its data in
    (a hand-edited record, or another engine since): stop leaves them, and --purge says so."""
    data_root = Path(f"/var/lib/{prefix}-busy")
    data_root.mkdir()
    (data_root / "keep").write_text("an engine's data")
    subprocess.run(["mount", "--bind", data_root, data_root], check=True)  # as that dockerd did
    engine = subprocess.Popen(  # a process that is a dockerd by its arguments, with that data root
        ["bash", "-c", f'exec -a dockerd {sys.executable} -c "import time; time.sleep(600)" --data-root {data_root}']
    )
    gone = subprocess.Popen(["true"])
    gone.wait()
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/proc/{engine.pid}/cmdline").read_bytes().startswith(b"dockerd\0"):
            assert time.monotonic() < deadline, "the engine's stand-in did not start"
            time.sleep(0.05)
        record = {"kind": "dockerd", "host": f"unix:///run/{prefix}/docker.sock", "pid": gone.pid}
        record |= {"data_root": str(data_root), "run_dir": f"/run/{prefix}", "netns": f"docklab-sandbox-{prefix}"}
        (home / "sandbox.json").write_text(json.dumps(record))
        out = run_docklab("sandbox", "stop", "--purge", home=home)
        assert out.returncode == 3 and f"not deleting {data_root}: a running dockerd" in out.stderr, out.stderr
        assert (data_root / "keep").read_text() == "an engine's data"
        assert str(data_root) in Path("/proc/mounts").read_text()
        assert not (home / "sandbox.json").exists()  # the record, stale, goes
    finally:
        engine.kill()
        engine.wait()
        subprocess.run(["umount", "--lazy", data_root], check=False)
        shutil.rmtree(data_root, ignore_errors=True)
