"""A private sandbox engine for the benchmarks that run lessons or create things: the
engine is shared with others on a development machine, and lesson names (mydb, ...)
would collide there. Used as `with private_engine(images) as (state, client): ...`;
DOCKLAB_HOME (a temp dir) and DOCKER_HOST point at the sandbox inside the block, so
docklab and anything started from the benchmark use it. Stopped and purged at the end."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA_ROOT = Path("/var/lib/docklab-sandbox-bench")
RUN_DIR = Path("/run/docklab-sandbox-bench")


def lesson_images() -> list[str]:
    """Every image the lessons need with the offline map, and busybox."""
    from tutor.core.engine import bundle
    from tutor.core.lessons import catalog
    from tutor.core.engine.images import load_map

    lessons = catalog.load_all()
    return sorted(set(bundle.needed(lessons, load_map("offline"))) | {"docklab/busybox:stand-in"})


@contextlib.contextmanager
def private_engine(images: list[str]):
    import docker

    from tutor.core.engine import sandbox

    saved = {k: os.environ.get(k) for k in ("DOCKLAB_HOME", "DOCKER_HOST", "DOCKLAB_IMAGES")}
    main = docker.from_env()  # the shared engine: only read from, to copy the images
    os.environ["DOCKLAB_HOME"] = tempfile.mkdtemp(prefix="docklab-bench-")
    os.environ["DOCKLAB_IMAGES"] = "offline"
    os.environ.pop("DOCKER_HOST", None)
    try:
        state = sandbox.start(
            images,
            main,
            progress=lambda s: print(f"[sandbox] {s}", file=sys.stderr),
            data_root=DATA_ROOT,
            run_dir=RUN_DIR,
        )
        os.environ["DOCKER_HOST"] = state["host"]
        yield state, docker.DockerClient(base_url=state["host"])
    finally:
        sandbox.stop(purge=True)  # only ours: the state file lives in our temp DOCKLAB_HOME
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
