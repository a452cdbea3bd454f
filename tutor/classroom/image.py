"""The learner server's image, built here without a registry: a Debian root made by
debootstrap (docker.io for containerd, runc and tini; python3), this machine's Engine 26
dockerd and the docker CLI 26 that docklab runs here, and docklab installed from wheels that pip makes beforehand (the
build itself reaches no index). No jupyterhub: the server speaks the hub's OAuth itself
(hub_oauth.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tutor import __version__
from tutor.core.engine.images import ImageError, OnProgress, import_rootfs, build_context, missing_images
from tutor.core.paths import ROOT, labs_dir

REPO = "docklab/classroom-learner"
ROOTFS = {
    "tag": "docklab/rootfs-learner:bookworm",
    "suite": "bookworm",
    "packages": ["docker.io", "python3", "python3-venv", "procps"],
}
COMPOSE = ["/usr/local/lib/docker/cli-plugins/docker-compose", "/usr/libexec/docker/cli-plugins/docker-compose"]


def source_digest() -> str:
    """A digest of the docklab that would go into the image (its code, lessons and labs):
    the tag carries it, so a changed docklab gets a new image, never a stale one."""
    import hashlib

    import tutor
    from tutor.core.paths import content_dir

    digest = hashlib.sha256()
    for top in (Path(tutor.__file__).parent, content_dir(), labs_dir()):
        for path in sorted(top.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(top)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def default_tag() -> str:
    return f"{REPO}:{__version__}-{source_digest()}"


def ensure(client, tag: str | None = None, force: bool = False, progress: OnProgress = print) -> str:
    """The learner image's tag, built first when it is missing (or `force`)."""
    tag = tag or default_tag()
    if not force and not missing_images(client, [tag]):
        return tag
    if missing_images(client, [ROOTFS["tag"]]):
        import_rootfs(client, ROOTFS, progress)
    with tempfile.TemporaryDirectory(prefix="docklab-learner-") as tmp:
        ctx = Path(tmp) / "ctx"
        shutil.copytree(labs_dir() / "images" / "classroom", ctx)
        _engine_files(ctx)
        progress(f"{tag}: making wheels of docklab")
        _wheels(ctx / "wheels")
        progress(f"{tag}: building")
        build_context(
            client, ctx, tag, {"BASE": ROOTFS["tag"]}, {"org.docklab.classroom-image": __version__}, tag, progress
        )
    return tag


def _engine_files(ctx: Path) -> None:
    from tutor.core.engine.connection import cli_env
    from tutor.core.engine.sandbox import engine_binary

    dockerd = Path(engine_binary())
    cli = shutil.which("docker", path=cli_env().get("PATH"))  # the CLI 26 docklab runs, not an older one first on PATH
    if not cli:
        raise ImageError("no docker CLI on this machine to put into the learner image")
    shutil.copy2(dockerd, ctx / "dockerd")
    proxy = dockerd.with_name("docker-proxy")
    shutil.copy2(proxy if proxy.exists() else shutil.which("docker-proxy") or proxy, ctx / "docker-proxy")
    shutil.copy2(cli, ctx / "docker")
    (ctx / "cli-plugins").mkdir()
    for plugin in COMPOSE:
        if Path(plugin).exists():
            shutil.copy2(plugin, ctx / "cli-plugins" / "docker-compose")
            break


def _wheels(dest: Path) -> None:
    """docklab from this checkout (or the installed version from the index), with its dependencies.
    A checkout is built from a copy, so no build/ folder is left in it."""
    with tempfile.TemporaryDirectory(prefix="docklab-src-") as tmp:
        if (ROOT / "pyproject.toml").exists():
            source = Path(tmp) / "src"
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist", ".venv", ".git")
            for name in ("tutor", "content", "labs"):
                shutil.copytree(ROOT / name, source / name, ignore=ignore)
            for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE", "MANIFEST.in"):
                if (ROOT / name).exists():
                    shutil.copy2(ROOT / name, source / name)
            spec = str(source)
        else:
            spec = f"docklab=={__version__}"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--disable-pip-version-check",
                "-w",
                str(dest),
                spec,
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
    if proc.returncode != 0:
        raise ImageError(f"pip could not make the wheels for the learner image: {proc.stderr.strip()[-2000:]}")
