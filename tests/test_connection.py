"""What docklab learns of the docker CLI without an engine: its version, asked once per
binary, and a client that reads no proxy settings on a socket."""

from __future__ import annotations

import shutil

import pytest

from tutor.core.engine.connection import cli_version


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path / "home"))


def _binary_named_docker(folder):
    """A real binary that answers `--version` with "... version 5.2.15(1)-release ...": bash."""
    exe = folder / "docker"
    shutil.copy(shutil.which("bash"), exe)
    return exe


def test_a_docker_binary_is_asked_once_and_again_after_it_changes(tmp_path):
    exe = _binary_named_docker(tmp_path)
    version = cli_version(str(exe))
    assert version and version[0].isdigit()
    exe.chmod(0o644)  # can no longer run: only a kept answer can come back (a mode is no change)
    assert cli_version(str(exe)) == version
    with open(exe, "ab") as fh:  # upgraded in place: another size and time
        fh.write(b"\0")
    assert cli_version(str(exe)) is None  # asked again, and it cannot run
    exe.chmod(0o755)
    assert cli_version(str(exe)) == version


def test_a_wrapper_script_is_asked_each_time(tmp_path):
    """A script (podman-docker's `docker`) answers for a program that can change without it."""
    exe = tmp_path / "docker"
    exe.write_text(f'#!/bin/sh\necho x >> "{tmp_path}/asked"\necho "Docker version 20.10.24+dfsg1, build abc"\n')
    exe.chmod(0o755)
    assert cli_version(str(exe)) == "20.10.24+dfsg1"
    assert cli_version(str(exe)) == "20.10.24+dfsg1"
    assert len((tmp_path / "asked").read_text().split()) == 2


def test_no_cli_and_a_cli_that_says_no_version_are_none(tmp_path):
    assert cli_version(None) is None
    assert cli_version(str(tmp_path / "absent")) is None
    odd = tmp_path / "docker-odd"
    odd.write_text("#!/bin/sh\necho hello\n")
    odd.chmod(0o755)
    assert cli_version(str(odd)) is None
    assert not (tmp_path / "home" / "cli-versions.json").exists()  # nothing kept of it


def test_an_unwritable_data_folder_only_means_asking_again(tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the data folder should be")
    monkeypatch.setenv("DOCKLAB_HOME", str(blocked))
    exe = _binary_named_docker(tmp_path)
    assert cli_version(str(exe)) == cli_version(str(exe)) is not None


def test_a_client_on_a_socket_reads_no_proxy_settings_and_one_over_tcp_does():
    """A proxy never applies on a socket, and requests would look the settings up at every
    request (a third of a request's cost); the docker CLI honours them over TCP."""
    from tutor.core.engine.address import make_client

    assert make_client("unix:///nowhere/docker.sock", version="1.45")[0].api.trust_env is False
    assert make_client("tcp://127.0.0.1:1", version="1.45")[0].api.trust_env is True
    assert make_client("https://127.0.0.1:1", version="1.45")[0].api.trust_env is True


@pytest.mark.parametrize(
    ("host", "said"),
    [
        ("unix:///nowhere/docker.sock", "no engine is listening there"),
        ("tcp://127.0.0.1:1", "nothing answers there (connection refused)"),
    ],
)
def test_an_engine_not_there_is_said_in_words(monkeypatch, host, said):
    """The one request that chooses the API version is where an absent engine shows."""
    from tutor.core.engine.connection import EngineUnavailable, connect

    monkeypatch.setenv("DOCKER_HOST", host)
    with pytest.raises(EngineUnavailable) as err:
        connect(timeout=5)
    assert f"Cannot reach the Docker Engine at {host} (DOCKER_HOST): {said}." in str(err.value)


def test_connecting_asks_the_engine_its_version_once(tmp_path, monkeypatch):
    """The answer that chooses the API version also gives the engine's: one request, not two."""
    import json
    import socketserver
    import threading
    from http.server import BaseHTTPRequestHandler

    from tutor.core.engine.connection import connect

    asked = []

    class Engine(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = json.dumps({"Version": "27.5.1", "ApiVersion": "1.47"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True

        def get_request(self):  # BaseHTTPRequestHandler wants an address pair
            conn, _ = self.socket.accept()
            return conn, ("local", 0)

    sock = tmp_path / "docker.sock"
    with Server(str(sock), Engine) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        monkeypatch.setenv("DOCKER_HOST", f"unix://{sock}")
        engine = connect(timeout=5)
        server.shutdown()
    assert (engine.version, engine.api_version) == ("27.5.1", "1.47")
    assert asked == ["/version"]
