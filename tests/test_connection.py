"""What docklab learns of the docker CLI without an engine: its version, asked once per binary."""

from __future__ import annotations

import os

from tutor.core.engine.connection import cli_version


def _fake_cli(folder, version: str):
    """A `docker` that says its version and counts how often it was asked."""
    exe = folder / "docker"
    exe.write_text(f'#!/bin/sh\necho x >> "{folder}/asked"\necho "Docker version {version}, build abc"\n')
    exe.chmod(0o755)
    return exe


def _asked(folder) -> int:
    return len((folder / "asked").read_text().split()) if (folder / "asked").exists() else 0


def test_the_cli_is_asked_its_version_once_and_again_after_it_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path / "home"))
    exe = _fake_cli(tmp_path, "20.10.24+dfsg1")
    assert cli_version(str(exe)) == "20.10.24+dfsg1"
    assert cli_version(str(exe)) == "20.10.24+dfsg1"
    assert _asked(tmp_path) == 1  # the second answer was the kept one

    _fake_cli(tmp_path, "26.1.5")  # upgraded in place: another size and time
    os.utime(exe, ns=(1, 1))
    assert cli_version(str(exe)) == "26.1.5"
    assert _asked(tmp_path) == 2


def test_no_cli_and_a_cli_that_says_no_version_are_none(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path / "home"))
    assert cli_version(None) is None
    assert cli_version(str(tmp_path / "absent")) is None
    odd = tmp_path / "odd"
    odd.write_text("#!/bin/sh\necho hello\n")
    odd.chmod(0o755)
    assert cli_version(str(odd)) is None
    assert not (tmp_path / "home" / "cli-versions.json").exists()  # nothing kept of it


def test_a_client_on_a_socket_reads_no_proxy_settings_and_one_over_tcp_does():
    """A proxy never applies on a socket, and requests would look the settings up at every
    request (a third of a request's cost); the docker CLI honours them over TCP."""
    from tutor.core.engine.address import make_client

    assert make_client("unix:///nowhere/docker.sock", version="1.45").api.trust_env is False
    assert make_client("tcp://127.0.0.1:1", version="1.45").api.trust_env is True
