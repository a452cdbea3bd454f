"""Shared fixtures: a check's context on the recorded engine (unit tests,
tests/enginekit.py), and a way to run the real `docklab` against the real engine
(engine tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.enginekit import RECORDED, RecordedEngine

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def recorded_ctx():
    from tutor.core.checks import Context
    from tutor.core.engine.connection import Engine

    version = RECORDED["version"]
    engine = Engine(None, version["Version"], version["ApiVersion"], port=RecordedEngine.recorded())
    return Context(engine, since=1.0)  # the recorded events are older than any real window


# ---- the real engine ------------------------------------------------------------------


def run_docklab(
    *args: str, home: Path, env: dict | None = None, timeout: float = 600, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """The real CLI in a fresh process, as a learner or grader runs it."""
    full_env = {**os.environ, "DOCKLAB_HOME": str(home), "DOCKLAB_IMAGES": "offline", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        input=stdin,
        cwd=ROOT,
    )


@pytest.fixture(scope="session")
def client():
    import docker

    try:
        c = docker.from_env()
        c.ping()
    except Exception as err:  # the engine tests must fail, not skip, without an engine
        pytest.fail(f"no Docker Engine: run the suite with scripts/test ({err})")
    return c


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "docklab-home"
    path.mkdir()
    return path


@pytest.fixture
def prefix():
    """Tests name what they create themselves with a unique prefix."""
    return f"dltest-{uuid.uuid4().hex[:8]}"


def engine_state(client) -> dict:
    return {
        "containers": sorted(c["Id"] for c in client.api.containers(all=True)),
        "volumes": sorted(v["Name"] for v in client.api.volumes().get("Volumes") or []),
        "networks": sorted(n["Name"] for n in client.api.networks()),
    }


@pytest.fixture
def canary(client, prefix):
    """The learner's own things: a running container with a named volume, and a dangling
    anonymous volume, none of which any lesson or reset may touch."""
    vol = client.volumes.create(f"{prefix}-canary-vol")
    box = client.containers.run(
        "docklab/busybox:stand-in",
        ["sleep", "3600"],
        name=f"{prefix}-canary",
        detach=True,
        volumes=[f"{vol.name}:/keep"],
    )
    anon = client.containers.create(
        "docklab/busybox:stand-in", ["true"], name=f"{prefix}-canary-anon", volumes=["/orphan"]
    )
    orphan = anon.attrs["Mounts"][0]["Name"]
    anon.remove()  # without v: the anonymous volume stays, dangling
    yield {"container": box.id, "volumes": {vol.name, orphan}}
    box.remove(force=True)
    client.api.remove_volume(vol.name)
    client.api.remove_volume(orphan)


def assert_canary_intact(client, canary: dict) -> None:
    """The learner's canary container still runs and its volumes are all there."""
    assert client.containers.get(canary["container"]).status == "running"
    names = {v["Name"] for v in client.api.volumes()["Volumes"]}
    assert canary["volumes"] <= names
