"""What the snapshot tests share: two lessons of their own (the course's change with it),
whose names are those of the recorded engine's things (tests/recorded/engine.json), the
TUI on that engine, and a learner's work done before the TUI opens."""

from __future__ import annotations

from pathlib import Path

from tests.enginekit import RECORDED, RecordedEngine
from tests.ui.pilotkit import lesson_ready, until

BUSYBOX = "docklab/busybox:stand-in"  # busybox through the offline map, as the recorded things were made

# `mydb` is the name the lesson suggests; the learner's database is the recording's rec-named
KEEP = """\
---
id: keep
title: Keep data in a volume
summary: A named volume, a database on it, a read-only mount and a quiz.
images: [busybox]
roles:
  data: {volume: rec-data, about: your data volume}
  db: {container: mydb, image: busybox, mount: /var/lib/mysql, volume_at_mount: "{data}", about: your database container}
  reader: {container: rec-ro, fixed: true, about: the read-only container}
---

# Keep data in a volume

A named volume keeps its files apart from any container.

## Make a volume

The database will keep its files in it.

```sh
docker volume create rec-data
```

```yaml check
- volume_exists: {name: "{data}", anonymous: false}
```

## Run a database on it

```yaml predict
question: Does `docker run` make a new volume for the database's files?
choices: ["yes, an anonymous one", "no, it uses rec-data"]
answer: "no, it uses rec-data"
explain: The `-v` names rec-data, so the engine mounts that volume at /var/lib/mysql and makes none.
```

```sh
docker run -d --name mydb -v rec-data:/var/lib/mysql busybox sleep 3600
```

```yaml check
- container_running: "{db}"
- mount: {container: "{db}", destination: /var/lib/mysql, volume: "{data}"}
```

## Challenge: a read-only view of it

Make a container named `rec-ro` from busybox that mounts `rec-data` read-only at `/app`,
written with `--mount`.

```yaml hints
- Read-only is an option of the mount.
- "`--mount` takes `readonly`; `-v` takes `:ro`."
- "docker create --name rec-ro --mount type=volume,src=rec-data,dst=/app,readonly busybox"
```

```sh solution
docker create --name rec-ro --mount type=volume,src=rec-data,dst=/app,readonly busybox
```

```yaml check
- mount: {container: "{reader}", destination: /app, volume: "{data}", read_only: true, syntax: mount}
```

## Quiz

```yaml quiz
- question: Which flag makes a `-v` mount read-only?
  choices: [":ro", ":rw", "--readonly"]
  answer: ":ro"
  explain: "`:ro` after the destination; `--mount` says `readonly`."
- question: Does `docker rm` remove a named volume?
  choices: ["yes", "no"]
  answer: "no"
  explain: Named volumes are removed only by `docker volume rm` or a prune.
```

## What to take away

- A named volume outlives the containers that mount it.
- Read-only belongs to the mount: `:ro` or `readonly`; the engine records `RW: false`.
"""

# unavailable on the recorded engine twice over: too old, and without the image
LATER = """\
---
id: later
title: A lesson this engine cannot run
summary: It needs a newer engine and an image the engine lacks.
images: [mysql:9.2.0]
requires: {engine: "99.0"}
---

# Not here

## Run MySQL

```sh
docker run -d --name later-db mysql:9.2.0
```

```yaml check
- container_running: later-db
```
"""


def write_lessons(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "01-keep.md").write_text(KEEP)
    (folder / "02-later.md").write_text(LATER)
    return folder


def recorded_engine():
    """An Engine of the recorded engine's version holding the busybox image and nothing else."""
    from tutor.core.engine.connection import Engine

    version = RECORDED["version"]
    port = RecordedEngine(images={BUSYBOX: RECORDED["containers"]["rec-named"]["Image"]})
    return Engine(None, version["Version"], version["ApiVersion"], port=port)


def learner_did(engine, made: tuple[str, ...] = (), checked: tuple[int, ...] = ()) -> None:
    """The lesson `keep` begun on the engine (as `docklab start` does), then these things of
    the recording made (as the learner's commands would), then these steps checked."""
    from tutor.core.engine.images import load_map
    from tutor.core.learner.session import Session
    from tutor.core.lessons import catalog

    session = Session(catalog.find("keep"), engine, load_map("offline"))
    session.begin()
    engine.port.make(*made)
    for number in checked:
        assert session.check_step(number).passed, number


def tui(engine, lesson_id: str | None = None):
    """The app as the CLI makes it, on this engine, without a shell (its prompt comes when it will)."""
    from tutor.ui import create_app

    return create_app("offline", lesson_id, connect=lambda: engine, shell=False)


async def picker_ready(pilot) -> None:
    app = pilot.app
    await until(pilot, lambda: bool(app.availability) and app.screen.query_one("#lessons").option_count, what="lessons")


async def lesson_settled(pilot) -> None:
    """The lesson screen with its session, the step drawn again with it (the session's worker
    ends only then: call_from_thread waits for the redraw), and the engine panel's first
    picture."""
    from tutor.ui.widgets.engine_panel import EnginePanel

    app = pilot.app
    starting = lambda: any(w.group == "session" and not w.is_finished for w in app.workers)  # noqa: E731
    await until(pilot, lambda: lesson_ready(app) and not starting(), what="the lesson's session")
    await until(pilot, lambda: app.screen.query_one(EnginePanel).current is not None, what="the engine panel")


async def shown(pilot, condition, what: str) -> None:
    """Wait for the condition, then let toasts go: they time out on a clock of their own."""
    await until(pilot, condition, what=what)
    pilot.app.clear_notifications()
    await pilot.pause()
