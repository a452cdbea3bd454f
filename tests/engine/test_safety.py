"""docklab never touches what it did not create, and bad situations get one clear
message with the right exit code: a taken name, an engine that is down or too old,
a missing image, Ctrl-C in the middle of a step."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pexpect
import pytest

from tests.conftest import ROOT, assert_canary_intact, engine_state, run_docklab
from tests.engine.lessonkit import small_lesson
from tutor.core.paths import content_dir

pytestmark = pytest.mark.engine
BUSYBOX = "docklab/busybox:stand-in"


def test_lessons_left_side_by_side_are_reset_at_once_and_the_learners_things_stay(client, home, canary):
    """Every lesson's own run and reset keep the canary (tests/engine/test_lessons.py);
    here two lessons left running side by side go with one `reset --all`."""
    before = engine_state(client)
    try:
        for lesson in ("read-only", "subpath"):  # no name in common
            out = run_docklab("run", lesson, "--auto", home=home)
            assert out.returncode == 0, out.stdout + out.stderr
    finally:
        reset = run_docklab("reset", "--all", home=home)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert engine_state(client) == before
    assert_canary_intact(client, canary)


def test_a_taken_name_stops_the_lesson_and_is_never_adopted(client, home, prefix, tmp_path):
    lesson = small_lesson(tmp_path, prefix)
    mine = client.volumes.create(f"{prefix}-vol", labels={"owner": "learner"})
    try:
        out = run_docklab("run", str(lesson), "--auto", home=home)
        assert out.returncode == 3
        assert f"volume {prefix}-vol" in out.stderr and "not docklab's" in out.stderr
        assert "Traceback" not in out.stderr
        reset = run_docklab("reset", str(lesson), home=home)
        assert reset.returncode == 0 and "owns nothing" in reset.stdout
        assert client.volumes.get(f"{prefix}-vol").attrs["Labels"] == {"owner": "learner"}
    finally:
        mine.remove()


def test_a_name_left_by_another_lesson_says_which_reset_frees_it(client, home):
    try:
        first = run_docklab("run", "data-loss", "--auto", home=home)
        assert first.returncode == 0, first.stdout + first.stderr
        out = run_docklab("run", "named-volumes", "--auto", home=home)
        assert out.returncode == 3
        assert "container mydb was left by the lesson data-loss: `docklab reset data-loss`" in out.stderr
    finally:
        assert run_docklab("reset", "--all", home=home).returncode == 0


def test_an_engine_that_is_down(home, tmp_path):
    env = {"DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    for args in (["run", "data-loss", "--auto"], ["check", "data-loss"], ["reset", "--all"], ["doctor"]):
        out = run_docklab(*args, home=home, env=env, timeout=60)
        assert out.returncode == 3, (args, out.stdout, out.stderr)
        assert "Cannot reach the Docker Engine" in out.stderr and "Start Docker" in out.stderr
        assert "Traceback" not in out.stderr
    listed = run_docklab("list", home=home, env=env, timeout=60)
    assert listed.returncode == 0 and "no engine reachable" in listed.stdout


def test_an_engine_too_old_for_the_lesson(home, prefix, tmp_path):
    lesson = small_lesson(tmp_path, prefix, requires='requires: {api: "1.45"}')
    out = run_docklab("run", str(lesson), "--auto", home=home, env={"DOCKER_API_VERSION": "1.44"})
    assert out.returncode == 3
    assert "needs Engine API 1.45 or newer; this client speaks API 1.44" in out.stderr


def test_a_missing_image_says_how_to_get_it(home, prefix, tmp_path):
    lesson = small_lesson(tmp_path, prefix)
    imap = tmp_path / "map.toml"
    imap.write_text(f'[images]\nbusybox = "docklab/{prefix}:absent"\n')
    out = run_docklab("run", str(lesson), "--auto", "--images", str(imap), home=home)
    assert out.returncode == 3
    assert f"image docklab/{prefix}:absent is missing" in out.stderr and "docker pull" in out.stderr
    built = run_docklab("run", str(lesson), "--auto", "--images", "offline", home=home)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "docker run --name" in built.stdout and BUSYBOX in built.stdout  # the command shown is the one run
    assert run_docklab("reset", str(lesson), home=home).returncode == 0


def test_ctrl_c_mid_step_keeps_track_and_reset_removes_exactly_it(client, home, prefix, tmp_path):
    lesson = small_lesson(tmp_path, prefix, sleep=60)
    before = engine_state(client)
    env = {**os.environ, "DOCKLAB_HOME": str(home), "DOCKLAB_IMAGES": "offline"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "tutor", "run", str(lesson), "--auto"],
        env=env,
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=60,
        # Ctrl-C live, as in a learner's terminal, even if this suite was started with SIGINT
        # ignored (a background job of a script): docklab, like any program, keeps an ignored one
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    child.expect("Step 2/2")
    child.expect(f"docker run --name {prefix}-c")
    for _ in range(50):  # the container exists before we interrupt
        if any(c.name == f"{prefix}-c" for c in client.containers.list(all=True)):
            break
        pexpect.run("sleep 0.2")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, child.before
    assert "Interrupted in step 2" in child.before and "Traceback" not in child.before
    reset = run_docklab("reset", str(lesson), home=home)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert f"container {prefix}-c" in reset.stdout and f"volume {prefix}-vol" in reset.stdout
    assert engine_state(client) == before  # the anonymous /cache volume went too


# ---- prunes, taken names, versions: what a lesson must not harm -------------------------


def unfiltered_copy(tmp_path) -> str:
    """managing-volumes with its prunes unfiltered: what a careless lesson would run."""
    text = (content_dir() / "03-managing-volumes.md").read_text()
    text = text.replace(" --filter label=docklab.lesson=managing-volumes", "")
    assert "docker volume prune\n" in text
    path = tmp_path / "03-managing-volumes.md"
    path.write_text(text)
    return str(path)


def test_a_prune_that_would_take_the_learners_volumes_is_refused(client, home, prefix, tmp_path):
    """The learner's dangling anonymous volumes (one made by the engine, one carrying only
    the label) would go with a plain prune: docklab refuses it, names them, removes nothing."""
    before = engine_state(client)
    # made as the CLI makes it (the SDK's `volumes=` gives no anonymous label, so no prune takes it)
    subprocess.run(
        ["docker", "create", "--name", f"{prefix}-gone", "-v", "/cache", BUSYBOX], check=True, capture_output=True
    )
    orphan = client.api.inspect_container(f"{prefix}-gone")["Mounts"][0]["Name"]
    client.api.remove_container(f"{prefix}-gone")
    labelled = client.volumes.create(f"{prefix}-anon", labels={"com.docker.volume.anonymous": ""})
    lesson = unfiltered_copy(tmp_path)
    try:
        out = run_docklab("run", lesson, "--auto", home=home)
        assert out.returncode == 3, out.stdout + out.stderr
        assert "docklab will not run `docker volume prune`" in out.stderr
        assert f"volume {orphan}: an unused anonymous volume" in out.stderr and f"volume {prefix}-anon" in out.stderr
        assert "not create" in out.stderr and "Nothing was removed" in out.stderr
        assert "Total reclaimed space" not in out.stdout  # the prune never ran
        names = {v["Name"] for v in client.api.volumes()["Volumes"]}
        assert {orphan, labelled.name} <= names
        # a learner typing the lesson in their own shell is warned before the command (steps
        # 1-4 are done from the auto run above, so the walk opens at the prune)
        walk = run_docklab("run", lesson, home=home, stdin="\n" * 4 + "q\n")
        assert "Careful: `docker volume prune`" in walk.stdout and f"{prefix}-anon" in walk.stdout
    finally:
        assert run_docklab("reset", lesson, home=home).returncode == 0
        client.api.remove_volume(orphan)
        labelled.remove()
    assert engine_state(client) == before


def test_the_guard_knows_the_prune_rules_of_each_api_version(client, prefix, tmp_path):
    """API 1.42+: a prune takes unused anonymous volumes, named ones only with --all; a
    client speaking an older API takes every unused volume. Label filters narrow it."""
    from tutor.core.learner import guard
    from tutor.core.engine.connection import Engine
    from tutor.core.lessons.lessonfile import load
    from tutor.core.learner.ownership import Ownership
    from tutor.core.engine.sdk import SdkPort

    named = client.volumes.create(f"{prefix}-named", labels={"dltest": prefix})
    anon = client.volumes.create(f"{prefix}-anon", labels={"dltest": prefix, "com.docker.volume.anonymous": ""})
    lesson = load(content_dir() / "03-managing-volumes.md")
    owner = Ownership(SdkPort(client), lesson, path=tmp_path / "owned.json")  # not started: owns nothing
    flt = f"--filter label=dltest={prefix}"
    try:

        def removes(command: str, api: str = "1.45") -> set[str]:
            verdict = guard.assess(command, Engine(client, "26.1.5", api), owner)
            assert verdict is not None and not verdict.safe
            return {item.split()[1] for item in verdict.removes}

        assert removes(f"docker volume prune {flt}") == {anon.name}
        assert removes(f"docker volume prune -af {flt}") == {anon.name, named.name}
        assert removes(f"docker volume prune --filter=all=true {flt}") == {anon.name, named.name}
        assert removes(f"docker volume prune {flt}", api="1.41") == {anon.name, named.name}
        assert removes(f"DOCKER_API_VERSION=1.41 docker volume prune {flt}") == {anon.name, named.name}
        assert removes(f"docker volume prune {flt} --filter label!=com.docker.volume.anonymous", api="1.41") == {
            named.name
        }
        assert removes(f"echo y | docker system prune --volumes {flt}") >= {anon.name}
        assert guard.assess(
            "docker volume prune --filter label=dltest=nobody-has-this", Engine(client, "26.1.5", "1.45"), owner
        ).safe
        assert guard.assess("docker volume ls", Engine(client, "26.1.5", "1.45"), owner) is None
    finally:
        named.remove()
        anon.remove()


def test_a_learners_my_vol_is_reported_before_the_lesson_and_kept(client, home, prefix):
    """The lesson's own name, taken by the learner: reported before anything runs, with
    the choice of another name or stopping; never adopted, never removed."""
    if any(v["Name"] == "my-vol" for v in client.api.volumes()["Volumes"] or []):
        pytest.fail("a volume my-vol exists on this engine already: this test creates and removes its own")
    before = engine_state(client)
    mine = client.volumes.create("my-vol", labels={"owner": "learner"})
    try:
        for lesson in ("managing-volumes", "mount-syntax"):
            out = run_docklab("run", lesson, "--auto", home=home)
            assert out.returncode == 3, out.stdout + out.stderr
            assert "volume my-vol" in out.stderr and "not docklab's" in out.stderr
            assert "rename or remove it yourself" in out.stderr
            assert f"docklab run {lesson} --rename my-vol=my-vol-2" in out.stderr
            assert "$ docker" not in out.stdout  # nothing ran
            walk = run_docklab("run", lesson, home=home, stdin="q\n")  # the choice: stop
            assert walk.returncode == 3 and "volume my-vol" in walk.stdout
            assert "Another name to use instead of my-vol" in walk.stdout
            reset = run_docklab("reset", lesson, home=home)
            assert reset.returncode == 0 and "owns nothing" in reset.stdout
        # the choice: another name, typed at the prompt or given up front
        walk = run_docklab("run", "mount-syntax", home=home, stdin=f"{prefix}-walk\nq\n")
        assert (
            f"Using {prefix}-walk for my-vol." in walk.stdout and f"docker volume create {prefix}-walk" in walk.stdout
        )
        assert run_docklab("reset", "mount-syntax", home=home).returncode == 0
        auto = run_docklab("run", "managing-volumes", "--auto", "--rename", f"my-vol={prefix}-vol", home=home)
        assert auto.returncode == 0, auto.stdout + auto.stderr
        assert f"docker volume create {prefix}-vol" in auto.stdout and "docker volume create my-vol" not in auto.stdout
        checked = run_docklab("check", "managing-volumes", home=home)  # the names stay chosen
        assert checked.returncode == 0 and f"volume {prefix}-vol" in checked.stdout
        assert run_docklab("reset", "managing-volumes", home=home).returncode == 0
        assert client.volumes.get("my-vol").attrs["Labels"] == {"owner": "learner"}
    finally:
        for lesson in ("managing-volumes", "mount-syntax"):
            run_docklab("reset", lesson, home=home)
        mine.remove()
    assert engine_state(client) == before


def test_subpath_is_unavailable_to_a_client_older_than_api_1_45(home):
    env = {"DOCKER_API_VERSION": "1.44"}
    listed = run_docklab("list", "--json", home=home, env=env)
    row = next(r for r in json.loads(listed.stdout) if r["id"] == "subpath")
    assert not row["available"]
    assert any("needs Engine API 1.45 or newer; this client speaks API 1.44" in r for r in row["reasons"])
    text = run_docklab("list", home=home, env=env)
    assert "unavailable: needs Engine API 1.45" in text.stdout
    out = run_docklab("run", "subpath", "--auto", home=home, env=env)
    assert out.returncode == 3
    assert "subpath cannot run on this engine" in out.stderr and "API 1.44" in out.stderr
    assert "$ docker" not in out.stdout
    assert run_docklab("check", "subpath", home=home, env=env).returncode == 3


def test_compose_missing_makes_its_lesson_unavailable(home, tmp_path):
    """A docker CLI without the Compose plugin: a `docker` first on PATH that knows no
    `compose` command, as the CLI answers when the plugin is absent."""
    real = shutil.which("docker")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(
        '#!/bin/sh\nif [ "$1" = compose ]; then echo "docker: \'compose\' is not a docker command." >&2; exit 1; fi\n'
        f'exec {real} "$@"\n'
    )
    (bin_dir / "docker").chmod(0o755)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}"}
    out = run_docklab("run", "compose-volumes", "--auto", home=home, env=env)
    assert out.returncode == 3, out.stdout + out.stderr
    assert "needs the Docker Compose v2 plugin" in out.stderr and "$ docker" not in out.stdout
    listed = run_docklab("list", home=home, env=env)
    assert "unavailable: needs the Docker Compose v2 plugin" in listed.stdout


def test_run_auto_again_keeps_the_names_the_lesson_was_begun_with(client, home, prefix):
    new = f"{prefix}-vol"
    try:
        first = run_docklab("run", "mount-syntax", "--auto", "--rename", f"my-vol={new}", home=home)
        assert first.returncode == 0, first.stdout + first.stderr
        again = run_docklab("run", "mount-syntax", "--auto", home=home)  # no --rename this time
        assert again.returncode == 0, again.stdout + again.stderr
        assert f"docker volume create {new}" in again.stdout and "docker volume create my-vol" not in again.stdout
    finally:
        reset = run_docklab("reset", "mount-syntax", home=home)
    assert reset.returncode == 0 and f"volume {new}" in reset.stdout
    assert not [v for v in client.volumes.list() if v.name in (new, "my-vol")]
