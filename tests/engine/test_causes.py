"""A failure names its cause: for each way the lessons' learners break a step, a by-hand run
that makes the mistake, checked at the end and step by step. From the learner's own shell
(`docklab check`, no command lines) the failure says what the engine's events show; with
the command lines docklab saw run (the TUI's terminal marks each, Session.ran keeps them),
it names the command."""

from __future__ import annotations

import time

import pytest

from tests.conftest import engine_state, run_docklab
from tests.handkit import by_hand, made_since

pytestmark = pytest.mark.engine

# lesson, the mistake (one command a line), the step that fails, its claim, what the cause
# says from the events alone, what it says naming the command
CAUSES = [
    (
        "a container removed without -v",
        "anonymous-volumes",
        """
        docker run -d --name temp_container5 -v /app/cache -v keep_me:/app/data ubuntu sleep infinity
        docker rm -f temp_container5
        """,
        10,
        "the volume that container temp_container5 had at /app/cache before its removal went with it",
        "temp_container5 was removed; its volume {v} was not (no `-v`)",
        "`docker rm -f temp_container5` at {t} removed temp_container5 and kept its anonymous volume {v}; "
        "`docker rm -v` (or `--rm` at start) would have removed it",
    ),
    (
        "a container removed with -v",
        "anonymous-volumes",
        """
        docker run -d --name temp_container -v /app/cache ubuntu sleep infinity
        docker rm -f -v temp_container
        """,
        3,
        "before its removal still exists",
        "temp_container was removed with its volume {v} (`-v`, or `--rm` at start)",
        "`docker rm -f -v temp_container` at {t} removed temp_container and its volume {v}; "
        "`docker rm` without `-v` would have kept it",
    ),
    (
        "a volume removed",
        "read-only",
        """
        docker volume create my_readonly_volume
        docker run --rm -v my_readonly_volume:/app busybox sh -c 'echo hello > /app/greeting.txt'
        docker volume rm my_readonly_volume
        """,
        1,
        "volume my_readonly_volume:/ is not empty",
        "volume my_readonly_volume was removed",
        "`docker volume rm my_readonly_volume` at {t} removed volume my_readonly_volume",
    ),
    (
        "a prune that took a volume",
        "backup-restore",
        """
        docker volume create app_data
        docker run --rm -v app_data:/data alpine sh -c 'echo hello > /data/notes.txt'
        docker run --rm -v app_data:/source:ro -v backup_store:/backup alpine tar -cf /backup/app_data.tar -C /source .
        docker volume create --label mine.tmp=1 app_data_restored
        docker run --rm -v backup_store:/backup:ro -v app_data_restored:/target alpine tar -xf /backup/app_data.tar -C /target
        docker volume prune --all --force --filter label=mine.tmp=1
        """,
        3,
        "volumes app_data and app_data_restored hold the same files",
        "a volume prune removed app_data_restored",
        "`docker volume prune --all --force --filter label=mine.tmp=1` at {t} removed app_data_restored",
    ),
    (
        "a container made without the mount",
        "mount-syntax",
        """
        docker volume create my-vol
        docker run -d --name web-v -v my-vol:/app nginx:latest
        docker run -d --name web-mount nginx:latest
        """,
        3,
        "web-mount mounts volume my-vol writable made with `--mount` at /app",
        "web-mount was made with no volume at /app",
        "`docker run -d --name web-mount nginx:latest` at {t} made web-mount with no volume at /app; "
        "mounts are fixed when a container is made",
    ),
    (
        "a container made with the wrong volume",
        "mount-syntax",
        """
        docker volume create my-vol
        docker run -d --name web-v -v my-vl:/app nginx:latest
        """,
        2,
        "web-v mounts volume my-vol writable made with `-v` at /app",
        "web-v was made with my-vl at /app",
        "`docker run -d --name web-v -v my-vl:/app nginx:latest` at {t} made web-v with my-vl at /app",
    ),
    (
        "a database that exited",
        "data-loss",
        """
        docker run -d --name mydb mysql:9.2.0
        sleep 3
        """,
        1,
        "container mydb is running",
        "mydb exited with code 1",
        "`docker run -d --name mydb mysql:9.2.0` at {t} started mydb, which exited with code 1",
    ),
    (
        "compose down -v",
        "compose-volumes",
        """
        WEB_IMAGE=nginx:latest docker compose up -d
        docker compose exec -T web sh -c 'echo "written before down" > /usr/share/nginx/html/note.txt'
        docker compose down -v
        """,
        3,
        "volume compose-volumes_named_volume has note.txt",
        "Compose project compose-volumes was taken down with its volumes, compose-volumes_named_volume among them",
        "`docker compose down -v` at {t} took the project down and removed its volume compose-volumes_named_volume; "
        "`docker compose down` without `-v` keeps the project's volumes",
    ),
]


def typed(home, lesson: str, script: str) -> list[tuple[str, float, float]]:
    """Each line of the script run on its own, as a learner types it, with when it ran."""
    ran = []
    for line in [x.strip() for x in script.strip().splitlines() if x.strip()]:
        start = time.time()
        done = by_hand(line)
        assert done.returncode == 0, line + "\n" + done.stdout + done.stderr
        ran.append((line, start, time.time()))
    return ran


def anonymous(client, before: dict, since: float) -> str:
    """The anonymous volume the mistake made, as docklab shortens it: still there, or gone
    and in the engine's events; "" when it made none."""
    live = [
        v["Name"]
        for v in client.api.volumes()["Volumes"] or []
        if len(v["Name"]) == 64 and v["Name"] not in before["volumes"]
    ]
    made = [
        e["Actor"]["ID"]
        for e in client.api.events(since=f"{since - 1:.9f}", until=f"{time.time():.9f}", decode=True)
        if e.get("Type") == "volume" and e.get("Action") == "create" and len(e["Actor"]["ID"]) == 64
    ]
    names = live or made
    return names[-1][:12] + "…" if names else ""


def failure(report: str, step: int, claim: str) -> str:
    """The lines under the failed claim in the step's section (its expected/found/cause)."""
    section = report.split(f"== Step {step}/")[1].split("== Step")[0]
    assert f"✗ FAIL  {claim}" in section or claim in section, report
    return " ".join(section.split())


@pytest.mark.parametrize("label,lesson,script,step,claim,events,command", CAUSES, ids=[c[0] for c in CAUSES])
def test_a_failure_names_the_command_or_the_event_that_caused_it(
    label, lesson, script, step, claim, events, command, client, tmp_path
):
    before = engine_state(client)
    home = tmp_path / "home"
    home.mkdir()
    try:
        assert run_docklab("start", lesson, home=home).returncode == 0
        ran = typed(home, lesson, script)
        anon = anonymous(client, before, ran[0][1])

        # from the learner's own shell: the event, at the end and step by step
        whole = run_docklab("check", lesson, home=home)
        assert whole.returncode == 1
        said = failure(whole.stdout, step, claim)
        assert "cause: at " in said and events.format(v=anon) in said, said
        alone = run_docklab("check", lesson, "--step", str(step), home=home)
        assert events.format(v=anon) in " ".join(alone.stdout.split()), alone.stdout

        # with the command lines docklab saw (the TUI's terminal): the command
        from tutor.core.learner.progress import Progress
        from tutor.core.outcome import redact_command

        progress = Progress(home / "progress.json")
        for line, start, end in ran:
            progress.ran(lesson, redact_command(line, ()), start, end)
        named = run_docklab("check", lesson, home=home)
        said = failure(named.stdout, step, claim)
        at = said.split("cause: `")[1].split(" at ")[1][:8]
        assert command.format(v=anon, t=at) in said, said
    finally:
        made_since(client, before, lesson)
        run_docklab("reset", lesson, home=home)
    assert engine_state(client) == before
