"""The sandbox as a docker:dind container (what Docker Desktop users get), on the real
engine with the offline stand-in for docker:dind: lessons run inside it, nothing of
the learner's engine changes, its API is no use to other containers, and stop --purge
leaves no trace. The stand-in keeps the real image's defaults (TLS on 2376 unless
DOCKER_TLS_CERTDIR is empty), so docklab relying on another default fails here."""

from __future__ import annotations

import json
import stat
import time

import certifi
import pytest

from tests.conftest import engine_state, run_docklab

pytestmark = pytest.mark.engine
STAND_IN = "docklab/dind:stand-in"
PING = "printf 'GET /_ping HTTP/1.0\\r\\n\\r\\n' | nc -w 5"


def from_the_bridge(client, prefix: str, script: str) -> str:
    """What a container on the learner's default bridge network sees (stdout and stderr)."""
    return client.containers.run(
        "docklab/busybox:stand-in", ["sh", "-c", "exec 2>&1\n" + script], name=f"{prefix}-probe", remove=True
    ).decode(errors="replace")


def wait_listening(box, what: str, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while what not in box.logs().decode(errors="replace"):
        box.reload()
        assert box.status == "running" and time.monotonic() < deadline, box.logs(tail=10).decode(errors="replace")
        time.sleep(0.5)


def test_a_dind_sandbox_keeps_lessons_off_the_learners_engine(client, home, prefix):
    built = run_docklab("images", "build", "dind", home=home, timeout=900)
    assert built.returncode == 0, built.stdout + built.stderr
    before = engine_state(client)
    try:
        # a CA bundle in the environment (corporate machines have one) must not stand in for the sandbox's CA
        env = {"REQUESTS_CA_BUNDLE": certifi.where()}
        started = run_docklab("sandbox", "start", "--dind", home=home, env=env, timeout=300)
        assert started.returncode == 0, started.stdout + started.stderr
        status = run_docklab("sandbox", "status", home=home)
        assert status.returncode == 0 and "container docklab-sandbox" in status.stdout
        doctor = json.loads(run_docklab("doctor", "--json", home=home, env=env).stdout)
        assert doctor["sandbox"] is True and doctor["docker_host"].startswith("tcp://127.0.0.1:")

        # TLS with the client certificate the container made, kept private to this user
        port = doctor["docker_host"].rpartition(":")[2]
        certs = home / "sandbox-tls"
        assert sorted(p.name for p in certs.iterdir()) == ["ca.pem", "cert.pem", "key.pem"]
        assert stat.S_IMODE(certs.stat().st_mode) == 0o700 and stat.S_IMODE((certs / "key.pem").stat().st_mode) == 0o600
        box = client.containers.get("docklab-sandbox")
        published = {k: v for k, v in box.attrs["NetworkSettings"]["Ports"].items() if v}
        assert published == {"2376/tcp": [{"HostIp": "127.0.0.1", "HostPort": port}]}  # loopback only
        ip, gateway = box.attrs["NetworkSettings"]["IPAddress"], box.attrs["NetworkSettings"]["Gateway"]
        seen = from_the_bridge(
            client,
            prefix,
            f"""
            echo '-- plain 2375'; {PING} {ip} 2375
            echo '-- plain http to 2376'; {PING} {ip} 2376
            echo '-- tls without a client certificate'; wget -q -O- --no-check-certificate https://{ip}:2376/_ping
            echo '-- the published port, through the host'; {PING} {gateway} {port}
            echo '-- end'""",
        )
        part = dict(chunk.split("\n", 1) for chunk in seen.split("-- ")[1:])
        assert "Connection refused" in part["plain 2375"], seen  # no plain API at all
        assert "Client sent an HTTP request to an HTTPS server" in part["plain http to 2376"], seen  # reached it...
        assert "OK" not in part["tls without a client certificate"], seen  # ...and it wants a certificate
        assert "TLS error" in part["tls without a client certificate"] or "reset" in seen, seen
        assert "Connection refused" in part["the published port, through the host"], seen
        inside = engine_state(client)  # only the sandbox's own container and volume were added
        ran = run_docklab("run", "mount-syntax", "--auto", home=home, env=env)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert engine_state(client) == inside  # the lesson ran in the sandbox, not here
        assert run_docklab("reset", "mount-syntax", home=home).returncode == 0
    finally:
        stopped = run_docklab("sandbox", "stop", "--purge", home=home, timeout=120)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert engine_state(client) == before
    assert run_docklab("sandbox", "status", home=home).returncode == 1


def test_a_dead_sandbox_is_started_again_by_the_command_its_message_names(client, home):
    import os
    import signal
    import time

    before = engine_state(client)
    try:
        assert run_docklab("sandbox", "start", home=home, timeout=300).returncode == 0
        state = json.loads((home / "sandbox.json").read_text())
        os.kill(state["pid"], signal.SIGKILL)
        time.sleep(1)
        dead = run_docklab("check", "mount-syntax", "--step", "1", home=home)
        assert dead.returncode == 3 and "`docklab sandbox start` starts it again" in dead.stderr
        again = run_docklab("sandbox", "start", home=home, timeout=300)
        assert again.returncode == 0, again.stdout + again.stderr
        assert run_docklab("sandbox", "status", home=home).returncode == 0
    finally:
        stopped = run_docklab("sandbox", "stop", "--purge", home=home, timeout=120)
    assert stopped.returncode == 0
    assert engine_state(client) == before


def test_the_stand_in_keeps_the_real_images_tls_defaults(client, home, prefix):
    """Unset, DOCKER_TLS_CERTDIR is /certs: certificates there and TLS with client
    verification on 2376, nothing on 2375. Set empty: plain 2375."""
    built = run_docklab("images", "build", "dind", home=home, timeout=900)
    assert built.returncode == 0, built.stdout + built.stderr
    boxes = []
    try:
        for name, env in (("tls", {}), ("plain", {"DOCKER_TLS_CERTDIR": ""})):
            boxes.append(
                client.containers.run(
                    STAND_IN,
                    name=f"{prefix}-{name}",
                    detach=True,
                    privileged=True,
                    environment=env,
                    volumes={f"{prefix}-{name}": {"bind": "/var/lib/docker", "mode": "rw"}},
                )
            )
        tls, plain = boxes
        wait_listening(tls, "API listen on [::]:2376")
        wait_listening(plain, "API listen on [::]:2375")
        assert {"ca.pem", "cert.pem", "key.pem"} <= set(tls.exec_run("ls /certs/client").output.decode().split())
        ips = {b.name: client.api.inspect_container(b.id)["NetworkSettings"]["IPAddress"] for b in boxes}
        seen = from_the_bridge(
            client,
            prefix,
            f"""
            echo '-- tls 2375'; {PING} {ips[tls.name]} 2375
            echo '-- tls 2376'; {PING} {ips[tls.name]} 2376
            echo '-- plain 2375'; {PING} {ips[plain.name]} 2375
            echo '-- end'""",
        )
        part = dict(chunk.split("\n", 1) for chunk in seen.split("-- ")[1:])
        assert "Connection refused" in part["tls 2375"], seen
        assert "Client sent an HTTP request to an HTTPS server" in part["tls 2376"], seen
        assert "200 OK" in part["plain 2375"], seen
    finally:
        for box in boxes:
            box.remove(force=True)
        for volume in client.volumes.list(filters={"name": prefix}):
            volume.remove(force=True)
