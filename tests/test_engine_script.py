"""scripts/engine against an engine older than docklab needs: it stops only the one it
installed itself (Debian 12's docker.io), never the machine owner's. Run with stand-ins
for docker, dockerd, systemctl, pgrep and pkill: nothing real is stopped or started."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

FAKE_DOCKER = r"""#!/bin/bash
# docker: the CLI 26, an engine of API 1.41 until a dockerd was started or it was stopped
echo "docker $*" >> "$STATE/calls"
case "$*" in
  --version) echo "Docker version 26.1.5+dfsg1, build a72d7cd"; exit 0;;
  "compose version"*) echo "2.26.1"; exit 0;;
esac
if [ -e "$STATE/started" ]; then echo "1.45"; exit 0; fi
if [ -e "$STATE/stopped" ]; then exit 1; fi
echo "1.41"
"""
RECORD = '#!/bin/bash\necho "$(basename "$0") $*" >> "$STATE/calls"\n'


def _fakes(tmp_path: Path) -> tuple[Path, dict]:
    state, bin_, engine = tmp_path / "state", tmp_path / "bin", tmp_path / "engine"
    for d in (state, bin_, engine / "usr/bin", engine / "usr/sbin", engine / "usr/libexec/docker/cli-plugins"):
        d.mkdir(parents=True)
    scripts = {
        bin_ / "docker": FAKE_DOCKER,
        engine / "usr/bin/docker": FAKE_DOCKER,
        engine / "usr/sbin/dockerd": RECORD + 'touch "$STATE/started"\n',
        engine / "usr/libexec/docker/cli-plugins/docker-compose": RECORD,
        bin_ / "pgrep": RECORD + "exit 0\n",  # "a dockerd runs": the old script then killed every one
        bin_ / "pkill": RECORD,
        bin_ / "apt-get": RECORD,
        bin_ / "systemctl": RECORD
        + 'case "$1" in is-active) exit 0;; show) echo "ExecStart={ path=/usr/sbin/dockerd ; argv[]=/usr/sbin/dockerd }";;'
        + ' disable|stop) touch "$STATE/stopped";; esac\n',
        # every package installed, but docker.io once another engine took its place
        bin_ / "dpkg-query": '#!/bin/bash\ncase "$*" in *docker.io*) [ -e "$STATE/no-docker.io" ] && exit 1;; esac\n'
        'echo -n "install ok installed"\n',
    }
    for path, text in scripts.items():
        path.write_text(text)
        path.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_}:{os.environ['PATH']}",
        "STATE": str(state),
        "DOCKLAB_ENGINE_DIR": str(engine),
        "DOCKLAB_ENGINE_LOG": str(tmp_path / "dockerd.log"),
    }
    env.pop("DOCKER_HOST", None)
    return engine, env


def _debian_engine_running() -> bool:
    try:
        pid = Path("/var/run/docker.pid").read_text().strip()
        return os.readlink(f"/proc/{pid}/exe") == "/usr/sbin/dockerd"
    except OSError:
        return False


needs = pytest.mark.skipif(
    os.geteuid() != 0
    or not Path("/etc/debian_version").exists()
    or not Path("/usr/sbin/dockerd").exists()  # else the script would install docker.io first
    or _debian_engine_running(),  # the allowed path would stop it
    reason="scripts/engine's install path runs as root on a Debian that has docker.io",
)


@needs
def test_an_older_engine_not_installed_by_docklab_is_left_running(tmp_path):
    _, env = _fakes(tmp_path)
    out = subprocess.run(["bash", str(ROOT / "scripts/engine")], env=env, capture_output=True, text=True, timeout=120)
    calls = (tmp_path / "state/calls").read_text()
    assert out.returncode == 3, out.stderr
    assert "has API 1.41, older than 1.45, and is not docklab's: left running" in out.stderr
    assert "systemctl disable --now docker.socket docker.service" in out.stderr  # what to do
    assert "pkill" not in calls and "systemctl" not in calls and "dockerd" not in calls, calls
    assert not (tmp_path / "state/started").exists()


@needs
def test_the_debian_engine_it_installed_gives_way_to_docklabs(tmp_path):
    engine, env = _fakes(tmp_path)
    (engine / ".installed-docker.io").touch()
    out = subprocess.run(["bash", str(ROOT / "scripts/engine")], env=env, capture_output=True, text=True, timeout=120)
    calls = (tmp_path / "state/calls").read_text()
    assert out.returncode == 0, out.stderr
    assert "stopped Debian 12's engine (API 1.41), which this script installed" in out.stderr
    assert "systemctl disable -q --now docker.socket docker.service" in calls and "pkill" not in calls, calls
    assert (tmp_path / "state/started").exists() and "engine ready" in out.stderr


@needs
def test_its_mark_outlived_by_another_engine_in_docker_ios_place_stops_nothing(tmp_path):
    """The script once installed docker.io; the owner has since put another engine in its
    place (docker-ce, say, with the same unit names): that one is theirs."""
    engine, env = _fakes(tmp_path)
    (engine / ".installed-docker.io").touch()
    (tmp_path / "state/no-docker.io").touch()
    out = subprocess.run(["bash", str(ROOT / "scripts/engine")], env=env, capture_output=True, text=True, timeout=120)
    calls = (tmp_path / "state/calls").read_text()
    assert out.returncode == 3 and "is not docklab's: left running" in out.stderr, out.stderr
    assert "systemctl" not in calls and "pkill" not in calls, calls
    assert not (engine / ".installed-docker.io").exists()
