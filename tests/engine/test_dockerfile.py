"""The top-level Dockerfile builds without a registry from local images, and docklab in
the container reaches the host's engine through its socket."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_docklab

pytestmark = pytest.mark.engine
BASE = "docklab/python:bookworm"


def test_dockerfile_builds_offline_and_runs_doctor(client, home, prefix, tmp_path):
    built = run_docklab("images", "build", "python", home=home, timeout=900)
    assert built.returncode == 0, built.stdout + built.stderr

    # A local stand-in for docker:cli: this machine's docker CLI (and compose plugin).
    cli_ctx = tmp_path / "cli"
    (cli_ctx / "plugins").mkdir(parents=True)
    shutil.copy2(shutil.which("docker"), cli_ctx / "docker")
    for plugin in [
        "/usr/local/lib/docker/cli-plugins/docker-compose",
        "/usr/libexec/docker/cli-plugins/docker-compose",
    ]:
        if shutil.os.path.exists(plugin):
            shutil.copy2(plugin, cli_ctx / "plugins" / "docker-compose")
            break
    (cli_ctx / "Dockerfile").write_text(
        "FROM scratch\nCOPY docker /usr/local/bin/docker\nCOPY plugins/ /usr/local/libexec/docker/cli-plugins/\n"
    )
    cli_tag, app_tag = f"{prefix}/cli:test", f"{prefix}/docklab:test"

    # The project as committed, plus wheels for every dependency (pip reaches PyPI; the build does not).
    ctx = tmp_path / "ctx"
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (ctx / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, ctx / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--disable-pip-version-check",
            "-d",
            str(ctx / "wheels"),
            str(ROOT),
            "setuptools>=68",
            "wheel",
        ],
        check=True,
        timeout=600,
    )
    try:
        client.images.build(path=str(cli_ctx), tag=cli_tag, rm=True)
        client.images.build(
            path=str(ctx),
            tag=app_tag,
            rm=True,
            buildargs={"BASE": BASE, "CLI_IMAGE": cli_tag, "PIP_ARGS": "--no-index --find-links /src/wheels"},
        )
        run = subprocess.run(
            [
                "docker",
                "run",
                "--rm",
                "-v",
                "/var/run/docker.sock:/var/run/docker.sock",
                "-e",
                "DOCKLAB_IMAGES=offline",
                app_tag,
                "doctor",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "ok      engine: Docker Engine" in run.stdout
        assert "lessons can run here (images: offline map)" in run.stdout
        helped = subprocess.run(
            ["docker", "run", "--rm", app_tag, "--help"], capture_output=True, text=True, timeout=60
        )
        assert helped.returncode == 0 and "docklab" in helped.stdout
    finally:
        for tag in (app_tag, cli_tag):
            try:
                client.images.remove(tag, force=True)
            except Exception:
                pass
