"""Shared fixtures: a client that replays recorded engine answers (unit tests), and a
way to run the real `docklab` against the real engine (engine tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECORDED = json.loads((ROOT / "tests" / "recorded" / "engine.json").read_text())


def events_api(events, **more) -> SimpleNamespace:
    """The engine API as docklab reads its events (events.past_events), answering these
    recorded ones (a list, or a function that gives it at each read); `more`: other
    endpoints the test needs."""

    def get(url, params=None, timeout=None):
        held = events() if callable(events) else events
        return SimpleNamespace(text="".join(json.dumps(e) + "\n" for e in held), raise_for_status=lambda: None)

    return SimpleNamespace(get=get, base_url="http+docker://recorded", api_version="1.45", timeout=60, **more)


class RecordedClient:
    """Answers the SDK calls the checks make from engine.json (recorded by
    tests/recorded/record.py on a real engine)."""

    def __init__(self, data=RECORDED):
        from docker.errors import NotFound

        self._nf = NotFound
        self.data = data
        self.containers = SimpleNamespace(get=self._container, list=self._list)
        self.volumes = SimpleNamespace(get=self._volume)
        self.api = events_api(lambda: self.data.get("events", []), containers=self._listing)

    def _listing(self, all=False):
        return [{"Id": c["Id"], "Names": ["/" + n], "Mounts": c["Mounts"]} for n, c in self.data["containers"].items()]

    def _container(self, name):
        attrs = self.data["containers"].get(name)
        if attrs is None:
            raise self._nf(f"No such container: {name}")
        return SimpleNamespace(attrs=attrs, name=name, id=attrs["Id"], status=attrs["State"]["Status"])

    def _volume(self, name):
        attrs = self.data["volumes"].get(name)
        if attrs is None:
            raise self._nf(f"No such volume: {name}")
        return SimpleNamespace(attrs=attrs, name=name)

    def _list(self, all=False, filters=None):
        vol = (filters or {}).get("volume")
        return [
            self._container(n)
            for n, c in self.data["containers"].items()
            if any(m.get("Name") == vol for m in c["Mounts"])
        ]


@pytest.fixture
def recorded_ctx():
    from tutor.core.checks import Context
    from tutor.core.engine.connection import Engine

    engine = Engine(RecordedClient(), RECORDED["version"]["Version"], RECORDED["version"]["ApiVersion"])
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
