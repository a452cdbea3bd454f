"""docklab installs the way Python tools install: the wheel carries the lessons and labs/
(no path variables), and scripts/install and scripts/test work with Debian's own python3,
which is externally managed (PEP 668) and refuses a bare `pip install`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tutor
from tests.conftest import ROOT, run_docklab
from tutor.core.lessons import catalog

SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"  # Debian's python3, not a pyenv or venv one
LESSONS = catalog.ids(ROOT / "content")


def copy_of_the_repository(dest: Path) -> Path:
    """The project as committed (plus files not yet committed), without .venv or build/."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in files:
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that points Python or docklab at the source tree."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "DOCKLAB_CONTENT", "DOCKLAB_LABS", "PYTHONHOME"}
    }
    return {**env, **extra}


def test_no_lessons_is_an_error_that_says_where_it_looked(home, tmp_path):
    for args in (["list"], ["list", "--json"], ["run", "data-loss"]):
        done = run_docklab(*args, home=home, env={"DOCKLAB_CONTENT": str(tmp_path)})
        assert done.returncode == 2, done.stdout + done.stderr
        assert f"no lessons in {tmp_path}" in done.stderr and done.stdout == ""


def test_version_comes_from_one_place_and_stays_light():
    code = (
        "import sys\nfrom tutor.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('textual', 'docker', 'pexpect', 'markdown_it') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.splitlines() == [f"docklab {tutor.__version__}", "[]"]
    assert 'dynamic = ["version"]' in (ROOT / "pyproject.toml").read_text()


@pytest.mark.engine
@pytest.mark.slow
def test_the_wheel_carries_the_lessons_and_labs(tmp_path):
    src = copy_of_the_repository(tmp_path / "src")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--disable-pip-version-check",
            "-w",
            str(tmp_path / "dist"),
            str(src),
        ],
        check=True,
        timeout=600,
    )
    wheel = next((tmp_path / "dist").glob("docklab-*.whl"))
    shutil.rmtree(src)  # nothing left to fall back on: the install must stand alone
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
        timeout=900,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(DOCKLAB_HOME=str(tmp_path / "home"), DOCKLAB_IMAGES="offline")

    def docklab(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(venv / "bin" / "docklab"), *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=900
        )

    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from tutor.core import paths; print(paths.content_dir()); print(paths.labs_dir())",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(venv) and Path(p).parent.name == "tutor" and Path(p).is_dir() for p in where), (
        where
    )  # inside the installed package

    listed = docklab("list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert sorted(row["id"] for row in json.loads(listed.stdout)) == sorted(LESSONS)
    validated = docklab("validate")
    assert validated.returncode == 0 and f"{len(LESSONS)} lesson files OK" in validated.stdout, validated.stdout
    built = docklab("images", "build")  # reads labs/images/standins.toml; the stand-ins are there already
    assert built.returncode == 0, built.stdout + built.stderr
    assert "docklab/busybox:stand-in: present" in built.stdout
    assert docklab("--version").stdout.strip() == f"docklab {tutor.__version__}"
    meta = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m, json; d = "
            "m.distribution('docklab'); print(json.dumps([d.version, d.metadata.get_all('Classifier'), "
            "[str(f) for f in d.files if 'LICENSE' in str(f)]]))",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    version, classifiers, licenses = json.loads(meta.stdout)
    assert version == tutor.__version__ and "License :: OSI Approved :: MIT License" in classifiers and licenses


@pytest.mark.engine
@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="no system python3 at /usr/bin/python3")
def test_the_scripts_work_with_the_systems_own_python(tmp_path):
    repo = copy_of_the_repository(tmp_path / "repo")
    env = clean_env(
        PATH=SYSTEM_PATH,
        DOCKLAB_HOME=str(tmp_path / "home"),
        PIPX_HOME=str(tmp_path / "pipx"),
        PIPX_BIN_DIR=str(tmp_path / "pipx-bin"),
    )
    if Path("/usr/lib/python3.11/EXTERNALLY-MANAGED").exists():  # what the scripts must get around
        refused = subprocess.run(
            ["python3", "-m", "pip", "install", "--dry-run", "-e", "."],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert refused.returncode != 0 and "externally-managed-environment" in refused.stdout + refused.stderr

    # Arguments go to docklab, so the install ends with `docklab --version` instead of the TUI.
    installed = subprocess.run(
        ["scripts/install", "--version"], cwd=repo, env=env, capture_output=True, text=True, timeout=1800
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert installed.stdout.splitlines()[-1] == f"docklab {tutor.__version__}"
    assert "Start it again with: " in installed.stderr
    if not shutil.which("pipx", path=SYSTEM_PATH):
        assert "home = /usr/bin" in (repo / ".venv" / "pyvenv.cfg").read_text()

    tested = subprocess.run(
        ["scripts/test", "tests/test_lessonfile.py", "-q"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert " passed" in tested.stdout
    assert "home = /usr/bin" in (repo / ".venv" / "pyvenv.cfg").read_text()
    # The editable install in .venv reads this copy's tutor/, content/ and labs/, live.
    where = subprocess.run(
        [
            str(repo / ".venv" / "bin" / "python"),
            "-c",
            "import tutor\nfrom tutor.core import paths\nprint(tutor.__file__, paths.content_dir(), paths.labs_dir())",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert Path(where[0]).is_relative_to(repo) and where[1:] == [str(repo / "content"), str(repo / "labs")]

    # A failed step stops the script with its own message: pip cannot read a broken pyproject.
    (repo / "pyproject.toml").write_text("[project\n")
    broken = subprocess.run(
        ["scripts/test", "tests/test_lessonfile.py", "-q"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert broken.returncode == 2, broken.stdout + broken.stderr
    assert "pip could not install docklab" in broken.stderr and " passed" not in broken.stdout
