"""Lessons typed by hand: a script in a plain bash, as a learner types it, never through
docklab. Image names are the real ones; the offline image map turns them into the local
stand-ins, as docklab does for the commands it shows. What a script made is the test's
to remove (`made_since`), as a learner would clean up: docklab's reset is not used."""

from __future__ import annotations

import os
import subprocess
import textwrap

from tests.conftest import ROOT, engine_state, run_docklab
from tutor.core.engine.images import load_map

PRELUDE = r"""
set -euo pipefail
# A learner waits for MySQL to answer before typing SQL; so does this script.
waitdb() { for _ in $(seq 120); do
  docker exec "$1" mysqladmin ping -h127.0.0.1 --protocol=tcp -uroot -p"$2" 2>/dev/null | grep -q alive && return 0
  sleep 1; done; echo "MySQL in $1 never answered" >&2; docker logs "$1" >&2; return 1; }
sql() { docker exec "$1" mysql -uroot -p"$2" -e "$3"; }
GUIDE_SQL="CREATE DATABASE customer_data; USE customer_data; CREATE TABLE customers (id INT, name VARCHAR(100));
INSERT INTO customers VALUES (1, 'John Doe'); SELECT * FROM customers;"
cd "$ROOT/labs/compose-volumes"   # only the compose lesson needs it; the others do not care
"""
IMAGES = (
    "mysql:9.2.0",
    "nginx:latest",
    "nginx",
    "busybox",
    "ubuntu",
    "ubuntu:latest",
    "alpine",
    "alpine:latest",
    "php:apache",
)
LESSON_IMAGES = {"compose-volumes": ["mysite:v2"]}  # images a lesson's learner makes (`docker commit`)


def by_hand(script: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The script in a plain bash, as a learner types it: no docklab anywhere."""
    text = load_map("offline").apply(textwrap.dedent(script), IMAGES)
    return subprocess.run(
        ["bash", "-c", PRELUDE + text],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "ROOT": str(ROOT), **(env or {})},
    )


def images_left(client, lesson: str) -> set[str]:
    """The images the lesson had the learner make that are still there."""
    return {t for i in client.api.images() for t in i.get("RepoTags") or []} & set(LESSON_IMAGES.get(lesson, []))


def new_since(client, before: dict) -> dict[str, set[str]]:
    """What appeared on the engine since `before` (engine_state): container ids, volume
    and network names."""
    after = engine_state(client)
    return {kind: set(after[kind]) - set(before[kind]) for kind in after}


def remove(client, made: dict[str, set[str]], lesson: str | None = None) -> None:
    """Remove these things where they still exist, and the images the lesson had the
    learner make: the test's own, removed as a learner would (docklab's reset is not used)."""
    now = engine_state(client)
    for cid in made["containers"] & set(now["containers"]):
        client.api.remove_container(cid, force=True)
    for name in made["volumes"] & set(now["volumes"]):
        client.api.remove_volume(name, force=True)
    for name in made["networks"] & set(now["networks"]):
        client.api.remove_network(name)
    for tag in images_left(client, lesson) if lesson else ():
        client.images.remove(tag, force=True)


def made_since(client, before: dict, lesson: str | None = None) -> None:
    """Remove what appeared on the engine since `before`."""
    remove(client, new_since(client, before), lesson)


def clean_up(client, before: dict, lesson: str, home) -> None:
    """Remove what the script made (this engine is the tests'), then reset the lesson, so
    that the next solution's check counts nothing of this one's history."""
    made_since(client, before, lesson)
    run_docklab("reset", lesson, home=home)
