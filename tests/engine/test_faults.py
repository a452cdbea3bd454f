"""Faults survived, on a private sandbox engine (so stopping it, or taking every name the
lessons use, touches nothing of anyone's): the engine stopped mid-step, a container
killed while checks read it, a volume that runs out of space, every lesson name taken."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import docker
import pytest

from tests.conftest import ROOT, engine_state, run_docklab
from tutor.core.engine import bundle, processes, sandbox
from tutor.core.lessons import catalog
from tutor.core.engine.images import load_map

pytestmark = pytest.mark.engine
# This run's own: two runs of the suite on one machine (say, on two engines) must not share a sandbox.
DATA_ROOT = f"/var/lib/docklab-sandbox-test-{os.getpid()}"
RUN_DIR = f"/run/docklab-sandbox-test-{os.getpid()}"


@pytest.fixture(scope="module")
def box(tmp_path_factory, client):
    """A sandbox engine and the DOCKLAB_HOME that points docklab at it."""
    home = tmp_path_factory.mktemp("sandbox-home")
    old, old_host = os.environ.get("DOCKLAB_HOME"), os.environ.get("DOCKER_HOST")
    os.environ["DOCKLAB_HOME"] = str(home)
    try:
        lessons = catalog.load_all()
        images = bundle.needed(lessons, load_map("offline")) + ["docklab/busybox:stand-in"]
        state = sandbox.start(
            images, client, progress=lambda s: None, data_root=DATA_ROOT, run_dir=RUN_DIR, image_map=load_map("offline")
        )
        yield {"home": home, "state": state, "client": docker.DockerClient(base_url=state["host"]), "images": images}
    finally:
        sandbox.stop(purge=True)
        shutil.rmtree(RUN_DIR, ignore_errors=True)
        # the learner's engine still networks its containers (a sandbox must not take docker0)
        client.containers.run("docklab/busybox:stand-in", ["true"], remove=True)
        # connect() points DOCKER_HOST at a running sandbox for what docklab starts: undo it
        for key, value in (("DOCKLAB_HOME", old), ("DOCKER_HOST", old_host)):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def restart(box) -> None:
    os.environ["DOCKLAB_HOME"] = str(box["home"])
    state = sandbox.start(
        box["images"], docker.from_env(), progress=lambda s: None, data_root=DATA_ROOT, run_dir=RUN_DIR
    )
    box["state"], box["client"] = state, docker.DockerClient(base_url=state["host"])


def test_docklab_uses_the_sandbox_while_it_runs(box, client):
    out = run_docklab("doctor", "--json", home=box["home"])
    report = json.loads(out.stdout)
    assert report["sandbox"] is True and report["docker_host"] == box["state"]["host"]
    status = run_docklab("sandbox", "status", home=box["home"])
    assert status.returncode == 0 and box["state"]["host"] in status.stdout


def test_the_lessons_own_image_names_answer_in_the_sandbox(box, client):
    """The sandbox is docklab's: a challenge's "from `ubuntu`", typed as written, works there
    (the stand-in answers to the real name), and the learner's own engine gets no such tag."""
    sb = box["client"]
    for real, standin in load_map("offline").images.items():
        if standin in box["images"]:
            assert sb.images.get(real).id == sb.images.get(standin).id, real
    assert sb.containers.run("ubuntu", ["true"], remove=True) == b""
    assert not {"ubuntu:latest", "mysql:9.2.0"} & {t for i in client.images.list() for t in i.tags}


def test_the_engine_stopped_mid_step(box):
    home, sb = box["home"], box["client"]
    before = engine_state(sb)
    env = {**os.environ, "DOCKLAB_HOME": str(home), "DOCKLAB_IMAGES": "offline"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tutor", "run", "data-loss", "--auto"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = ""
    while "== Step 2/" not in seen:
        line = proc.stdout.readline()
        assert line, f"the lesson ended early:\n{seen}{proc.stderr.read()}"
        seen += line
    os.kill(box["state"]["pid"], signal.SIGTERM)  # the engine stops, as `systemctl stop docker` does
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, seen + out + err
    assert "Traceback" not in err and ("Lost the Docker Engine" in err or "Cannot reach" in err), err
    progress = json.loads((home / "progress.json").read_text())
    assert "1" in progress["lessons"]["data-loss"]["steps"]  # step 1 stays proven

    still = run_docklab("check", "data-loss", "--step", "1", home=home, timeout=60)
    assert still.returncode == 3 and "docklab sandbox start" in still.stderr  # never the learner's engine

    restart(box)
    again = run_docklab("check", "data-loss", "--step", "1", home=home)
    assert again.returncode == 1 and "mydb is exited" in again.stdout, again.stdout + again.stderr
    reset = run_docklab("reset", "data-loss", home=home)
    assert reset.returncode == 0 and "container mydb" in reset.stdout, reset.stdout + reset.stderr
    assert engine_state(box["client"]) == before


def test_a_container_killed_while_checks_read_it(box):
    from tutor.core.checks import Context, evaluate
    from tutor.core.engine.connection import connect

    os.environ["DOCKLAB_HOME"] = str(box["home"])
    sb = box["client"]
    sb.volumes.create("fault-vol")
    box_c = sb.containers.run(
        "docklab/busybox:stand-in", ["sleep", "600"], name="fault-c", detach=True, volumes=["fault-vol:/d"]
    )
    stop = threading.Event()

    def chaos() -> None:
        while not stop.is_set():
            try:
                box_c.kill()
                box_c.start()
            except docker.errors.APIError:
                pass
            stop.wait(random.uniform(0, 0.3))  # up for a moment, as a crashing container is

    ctx = Context(connect())
    worker = threading.Thread(target=chaos)
    worker.start()
    checks = [
        ("exec", {"container": "fault-c", "command": "ls /d"}),
        ("mount", {"container": "fault-c", "destination": "/d", "volume": "fault-vol"}),
        ("container_running", {"name": "fault-c"}),
    ]
    seen: dict[str, set[bool]] = {kind: set() for kind, _ in checks}
    rounds, deadline = 0, time.monotonic() + 60
    try:  # at least 60 rounds, and until the chaos has shown in the verdicts (timing decides when)
        while rounds < 60 or (seen["container_running"] != {True, False} and time.monotonic() < deadline):
            rounds += 1
            for kind, params in checks:
                out = evaluate(kind, params, ctx)  # never raises
                seen[kind].add(out.ok)
                assert out.ok or out.found, (kind, out)
    finally:
        stop.set()
        worker.join()
        box_c.remove(force=True)
        sb.volumes.get("fault-vol").remove()
    # the checks read the container as it was at each moment: running and not, killed or
    # not its mount stays, and an exec got through between kills
    assert seen["container_running"] == {True, False}, seen
    assert seen["mount"] == {True}, seen
    assert True in seen["exec"], seen


def test_a_volume_that_runs_out_of_space(box, tmp_path):
    (tmp_path / "01-full.md").write_text(
        textwrap.dedent("""\
        ---
        id: full
        title: Full
        summary: A 1 MB volume, and 2 MB to write.
        images: [busybox]
        resources: {containers: [full-writer], volumes: [full-tiny]}
        ---

        ## A tiny volume

        ```sh
        docker volume create --driver local --opt type=tmpfs --opt device=tmpfs --opt o=size=1m full-tiny
        ```

        ```yaml check
        - volume_exists: full-tiny
        ```

        ## Write too much

        ```sh
        docker run -d --name full-writer -v full-tiny:/d busybox sh -c "dd if=/dev/zero of=/d/big bs=1k count=2048; sleep 600"
        ```

        ```yaml check
        - exec: {container: full-writer, command: "wc -c < /d/big", contains: "2097152"}
          wait: 3
        ```
        """)
    )
    home, env = box["home"], {"DOCKLAB_CONTENT": str(tmp_path)}
    out = run_docklab("run", "full", "--auto", home=home, env=env)
    try:
        assert out.returncode == 1, out.stdout + out.stderr
        assert "✗ FAIL" in out.stdout and "expected: contains '2097152'" in out.stdout
        assert "Traceback" not in out.stderr
        assert json.loads((home / "progress.json").read_text())["lessons"]["full"]["steps"].get("1")
    finally:
        reset = run_docklab("reset", "full", home=home, env=env)
    assert reset.returncode == 0 and "volume full-tiny" in reset.stdout


def test_every_name_the_lessons_use_already_taken(box):
    sb, home = box["client"], box["home"]
    lessons = catalog.load_all()
    made = {"containers": {}, "volumes": {}, "networks": {}}
    for lesson in lessons:
        res = lesson.resources
        for name in res.volumes:
            if name not in made["volumes"]:
                made["volumes"][name] = sb.volumes.create(name, labels={"owner": "learner"}).name
        for name in res.networks:
            if name not in made["networks"]:
                made["networks"][name] = sb.networks.create(name, labels={"owner": "learner"}).id
        for name in res.containers:
            if name not in made["containers"]:
                made["containers"][name] = sb.containers.create(
                    "docklab/busybox:stand-in", ["true"], name=name, labels={"owner": "learner"}
                ).id
    before = engine_state(sb)
    try:
        for lesson in lessons:
            if not (lesson.resources.containers or lesson.resources.volumes or lesson.resources.networks):
                continue  # the quiz makes nothing
            out = run_docklab("run", lesson.id, "--auto", home=home)
            assert out.returncode == 3, (lesson.id, out.stdout, out.stderr)
            assert "not docklab's" in out.stderr and "Traceback" not in out.stderr, out.stderr
            assert "rename or remove" in out.stderr.lower() or "--rename" in out.stderr
        reset = run_docklab("reset", "--all", home=home)
        assert reset.returncode == 0, reset.stdout + reset.stderr
        assert engine_state(sb) == before  # nothing adopted, nothing removed
        for cid in made["containers"].values():
            assert sb.containers.get(cid).labels["owner"] == "learner"
    finally:
        for cid in made["containers"].values():
            sb.containers.get(cid).remove(force=True)
        for nid in made["networks"].values():
            sb.networks.get(nid).remove()
        for name in made["volumes"]:
            sb.volumes.get(name).remove()


def _stale_record(home, pid: int, run_dir: str, **extra) -> None:
    """A sandbox.json as `sandbox start` writes it, naming `pid` (its own netns name, so a
    stop can delete no one else's)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "sandbox.json").write_text(
        json.dumps(
            {
                "kind": "dockerd",
                "host": f"unix://{run_dir}/docker.sock",
                "pid": pid,
                "data_root": f"{run_dir}/data",
                "run_dir": run_dir,
                "netns": f"docklab-sandbox-{os.path.basename(run_dir)}",
                "log": f"{run_dir}/dockerd.log",
                **extra,
            }
        )
    )


def test_stop_never_signals_a_process_that_is_not_the_sandboxs_engine(tmp_path, prefix):
    home, run_dir = tmp_path / "home", f"/run/{prefix}-stale"
    bystander = subprocess.Popen(["sleep", "600"])  # the pid after a reboot: someone else's now
    try:
        _stale_record(
            home, bystander.pid, run_dir, binary="/usr/sbin/dockerd", start_time=processes.start_time(bystander.pid)
        )
        assert run_docklab("sandbox", "status", home=home).returncode == 1
        out = run_docklab("sandbox", "stop", home=home)
        assert out.returncode == 0 and "no sandbox was running: its record was stale" in out.stdout, out.stdout
        time.sleep(0.5)
        assert bystander.poll() is None  # alive
        assert not (home / "sandbox.json").exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_stop_checks_the_start_time_too(tmp_path, prefix):
    """A process that looks exactly like the sandbox's dockerd (binary, --host,
    --data-root) but started at another time is left alone; with the recorded start time
    it is the sandbox's, and stop ends it."""
    home, run_dir = tmp_path / "home", f"/run/{prefix}-lookalike"
    lookalike = subprocess.Popen(
        [
            "bash",
            "-c",
            f'exec -a /usr/sbin/dockerd {sys.executable} -c "import time; '
            f'time.sleep(600)" --host unix://{run_dir}/docker.sock --data-root {run_dir}/data',
        ]
    )
    try:
        deadline = time.monotonic() + 10
        while not open(f"/proc/{lookalike.pid}/cmdline").read().startswith("/usr/sbin/dockerd"):
            assert time.monotonic() < deadline, "the look-alike did not start"
            time.sleep(0.05)
        started = processes.start_time(lookalike.pid)
        _stale_record(home, lookalike.pid, run_dir, binary="/usr/sbin/dockerd", start_time=started - 1)
        out = run_docklab("sandbox", "stop", home=home)
        assert out.returncode == 0 and "stale" in out.stdout, out.stdout
        time.sleep(0.5)
        assert lookalike.poll() is None and not (home / "sandbox.json").exists()

        _stale_record(home, lookalike.pid, run_dir, binary="/usr/sbin/dockerd", start_time=started)
        out = run_docklab("sandbox", "stop", home=home)
        assert out.returncode == 0 and "sandbox stopped" in out.stdout, out.stdout
        assert lookalike.wait(timeout=10) == -signal.SIGTERM
    finally:
        lookalike.kill()
        lookalike.wait()
