"""The README's quick start on a stock Debian 12, as a new learner has it: no docker CLI
but Debian's, no python3, Debian's own root PATH. A Debian root made by debootstrap runs
in a privileged container; scripts/install installs and starts the engine in it (its own
dockerd), and every lesson must then be ready, the two that need a newer CLI than
Debian 12's (subpath 26, managing-volumes 23.0.5) must pass, and nothing of the
learner's in /usr/local or /etc may be changed. Then scripts/test, the README's second
command, must run there too.

The developers' machines, CI's included, have a CLI 28 first on PATH, and the engine
already running when the suite starts: that hid a broken CLI install until a learner met it.

The debootstrap root (300 MB, about a minute) is kept on the engine as an image, its tag
naming the recipe: a run only reads it (each container writes to a layer of its own), and
the packages the scripts install come from the archive on every run. `docker rmi` of
`docklab/test-stock-debian` makes it again. Where the machine reaches the archives through a proxy
with its own certificate authority, its CA bundle is handed in for pip and npm (a real stock
Debian needs none)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tutor.core.engine.images import debian_mirror, missing_images
from tutor.core.lessons import catalog

pytestmark = [pytest.mark.engine, pytest.mark.slow]

DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # root's, from /etc/profile
CLONE = "/root/docklab"
ENGINE_DIR = "/opt/docklab-engine"
OUR_CLI = f"{ENGINE_DIR}/usr/bin/docker"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
CA_INSIDE = "/run/host-ca-certificates.crt"  # outside /etc: Debian's ca-certificates writes its own there
ROOT_REPO = "docklab/test-stock-debian"
SUITE = "bookworm"
# Each path under /usr/local and /etc: type, mode, owner, size, inode, mtime, ctime, link target.
# A file replaced (ln -sf, cp over it) gets a new inode or ctime.
LISTING = r"find /usr/local /etc -printf '%p\t%y\t%m\t%U:%G\t%s\t%i\t%T@\t%C@\t%l\n'"
# What the maintainer scripts of the packages the scripts install change or add beside their
# own files: the docker group, the linker's cache, and the links and certificates that
# update-alternatives, update-rc.d, deb-systemd-helper and update-ca-certificates make.
DEBIAN_UPDATES = {"/etc/.pwd.lock", "/etc/ld.so.cache"} | {
    f"/etc/{db}{end}" for db in ("group", "gshadow", "passwd", "shadow") for end in ("", "-")
}
MAINTAINER_MADE = (
    "/etc/alternatives/",
    *(f"/etc/rc{level}.d/" for level in "0123456S"),
    "/etc/systemd/system/",
    "/etc/ssl/certs/",
    "/etc/ca-certificates.conf",
    "/etc/python3/debian_config",
)


def stock_root(client) -> str:
    """The image of a Debian root as debootstrap makes it (required and important
    packages, nothing else), made when its tag is missing."""
    mirror = debian_mirror()
    tag = f"{ROOT_REPO}:{SUITE}-" + hashlib.sha256(f"1 {SUITE} {mirror}".encode()).hexdigest()[:8]
    if not missing_images(client, [tag]):
        return tag
    with tempfile.TemporaryDirectory(prefix="docklab-stock-") as tmp:
        root = Path(tmp) / "root"
        made = subprocess.run(["debootstrap", SUITE, str(root), mirror], capture_output=True, text=True, timeout=1200)
        assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
        tar = subprocess.Popen(["tar", "-C", str(root), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
        try:
            client.api.import_image_from_stream(tar.stdout, repository=ROOT_REPO, tag=tag.partition(":")[2])
        finally:
            tar.wait()
    for old in client.images.list(ROOT_REPO):  # an older recipe's root
        if tag not in old.tags:
            client.images.remove(old.id, force=True)
    return tag


def clone_tar() -> bytes:
    """The project as committed (plus files not yet committed), as `docklab/` owned by root."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        for name in files:
            if (ROOT / name).is_file():
                info = tar.gettarinfo(ROOT / name, arcname=f"docklab/{name}")
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                with open(ROOT / name, "rb") as fh:
                    tar.addfile(info, fh)
    return data.getvalue()


def sh(box, script: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """A root shell in the clone, with the container's environment (Debian's PATH)."""
    return subprocess.run(
        ["docker", "exec", "-w", CLONE, box.id, "bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def listing(box) -> dict[str, list[str]]:
    done = sh(box, LISTING)
    assert done.returncode == 0, done.stderr
    return {fields[0]: fields[1:] for fields in (line.split("\t") for line in done.stdout.splitlines())}


def changed(before: dict, after: dict) -> dict[str, list[str]]:
    """Paths added, removed and changed; a folder counts as changed only in type, mode or owner
    (its times and size change with what is added to it)."""

    def same(a: list[str], b: list[str]) -> bool:
        return a[:3] == b[:3] if a[0] == "d" == b[0] else a == b

    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(p for p in before.keys() & after.keys() if not same(before[p], after[p])),
    }


@pytest.fixture(scope="module")
def stock(client):
    """A stock Debian 12 container with the clone in /root/docklab, after the README's
    `scripts/install`; and the listing of /usr/local and /etc before it ran."""
    import docker.types

    name = f"dltest-{uuid.uuid4().hex[:8]}-stock"
    env = {"PATH": DEBIAN_PATH, "HOME": "/root"}
    mounts = [docker.types.Mount("/var/lib/docker", f"{name}-engine", type="volume")]  # overlay2 needs a real fs
    if HOST_CA.exists():
        mounts.append(docker.types.Mount(CA_INSIDE, str(HOST_CA), type="bind", read_only=True))
        env["PIP_CERT"] = CA_INSIDE
        env["NODE_EXTRA_CA_CERTS"] = CA_INSIDE  # npm, for the classroom's proxy
    started = time.monotonic()
    image = stock_root(client)
    made = time.monotonic()
    box = client.containers.run(
        image, ["sleep", "infinity"], name=name, detach=True, privileged=True, init=True, environment=env, mounts=mounts
    )
    try:
        assert box.put_archive("/root", clone_tar())
        before = listing(box)
        installed = sh(box, "scripts/install --version", timeout=1800)
        print(f"stock Debian: root {made - started:.0f} s, install {time.monotonic() - made:.0f} s")
        yield {"box": box, "before": before, "installed": installed}
    finally:
        box.remove(force=True)
        client.volumes.get(f"{name}-engine").remove(force=True)


def test_the_quick_start_gives_every_lesson_and_leaves_the_learners_files(stock):
    box, installed = stock["box"], stock["installed"]
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-5000:]
    assert f"Start it again with: {CLONE}/.venv/bin/docklab" in installed.stderr
    assert_every_lesson_ready(box)
    for lesson in ("subpath", "managing-volumes"):  # volume-subpath needs CLI 26, `prune --all` 23.0.5
        assert_passes(box, lesson)

    assert "engine: linked the docker CLI 26." in installed.stderr, installed.stderr
    cli = sh(box, "command -v docker; docker --version; readlink /usr/local/bin/docker")
    assert cli.stdout.splitlines() == ["/usr/local/bin/docker", cli.stdout.splitlines()[1], OUR_CLI], cli.stdout
    assert cli.stdout.splitlines()[1].startswith("Docker version 26."), cli.stdout

    after = listing(box)
    diff = changed(stock["before"], after)
    assert diff["removed"] == [], diff["removed"]
    assert set(diff["changed"]) <= DEBIAN_UPDATES, diff["changed"]
    local = [p for p in diff["added"] if p.startswith("/usr/local/")]
    ours = {p for p in local if p.startswith("/usr/local/lib/docker")} | {"/usr/local/bin/docker"}
    assert [p for p in local if p not in ours and after[p][0] != "d"] == [], local  # Debian's: empty folders
    etc = [p for p in diff["added"] if p.startswith("/etc/") and after[p][0] != "d"]
    assert [p for p in etc if "docklab" in p or p.startswith("/etc/apt/")] == []  # the trixie entry is gone
    assert [p for p in etc if p not in debian_owned(box, etc) and not p.startswith(MAINTAINER_MADE)] == []


def test_a_docker_of_the_learners_own_in_usr_local_stays(stock):
    """A learner's own, older CLI in /usr/local/bin (Debian's 20.10, copied there), and no
    folder of docklab's CLI yet (as an older scripts/engine left it): scripts/engine leaves
    the file as it is and says what to do, and docklab runs its CLI 26 by its path."""
    box = stock["box"]
    own = "rm /usr/local/bin/docker && cp /usr/bin/docker /usr/local/bin/docker && rm -r /opt/docklab-engine/bin"
    assert sh(box, own).returncode == 0
    look = "stat -c '%i %Y %Z %s' /usr/local/bin/docker"
    before = sh(box, look).stdout
    again = sh(box, "scripts/engine")
    assert again.returncode == 0, again.stderr
    assert sh(box, look).stdout == before
    assert "engine: /usr/local/bin/docker is not docklab's: left as it is." in again.stderr, again.stderr
    assert f"export PATH={ENGINE_DIR}/bin:$PATH" in again.stderr
    assert sh(box, "docker --version").stdout.startswith("Docker version 20.10.")  # the learner's shell: theirs

    assert_every_lesson_ready(box)
    assert_passes(box, "subpath")
    doctor = json.loads(sh(box, ".venv/bin/docklab doctor --json").stdout)
    cli = next(f for f in doctor["findings"] if f["check"] == "cli")
    assert cli["status"] == "warning" and f"export PATH={ENGINE_DIR}/bin:$PATH" in cli["todo"], cli


def assert_every_lesson_ready(box) -> None:
    listed = sh(box, ".venv/bin/docklab list --json", timeout=300)
    assert listed.returncode == 0, listed.stderr
    lessons = {row["id"]: row for row in json.loads(listed.stdout)}
    assert sorted(lessons) == sorted(catalog.ids(ROOT / "content"))
    assert {i: row["reasons"] for i, row in lessons.items() if not row["available"]} == {}


def assert_passes(box, lesson: str) -> None:
    ran = sh(box, f".venv/bin/docklab run {lesson} --auto", timeout=900)
    assert ran.returncode == 0 and f"steps of {lesson} passed" in ran.stdout, ran.stdout[-5000:] + ran.stderr


def debian_owned(box, paths: list[str]) -> set[str]:
    """The paths dpkg lists as some package's."""
    found = sh(box, "dpkg-query -S " + " ".join(paths)).stdout  # exits 1 for the others
    return {line.split(": ", 1)[1] for line in found.splitlines() if ": " in line}


def test_the_test_command_runs_there_too(stock):
    """The README's second command, on the same machine: its engine, a .venv with the test
    extra, Debian's Chromium for the browser tests (about 1 1/2 minutes), then pytest."""
    tested = sh(stock["box"], "scripts/test tests/test_lessonfile.py -q", timeout=1800)
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-5000:]
    assert " passed" in tested.stdout and "chromium ready" in tested.stderr
