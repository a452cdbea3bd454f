"""A killed sandbox's pid file, with its process a zombie nobody reaps, must not stop the
next start (dockerd refuses while that pid "runs"); a live process's pid file stays."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from tutor.core.engine.sandbox import _drop_dead_pidfile


def test_a_zombies_pid_file_goes_and_a_live_ones_stays(tmp_path):
    child = subprocess.Popen(["sleep", "300"])
    pidfile = tmp_path / "docker.pid"
    try:
        pidfile.write_text(str(child.pid))
        _drop_dead_pidfile(pidfile)
        assert pidfile.exists()  # alive: not ours to touch
        os.kill(child.pid, signal.SIGKILL)
        time.sleep(0.3)  # not waited for: a zombie, as after `kill -9` with no reaper
        with open(f"/proc/{child.pid}/stat") as fh:
            assert fh.read().rsplit(")", 1)[1].split()[0] == "Z"
        _drop_dead_pidfile(pidfile)
        assert not pidfile.exists()
    finally:
        child.kill()
        child.wait()
