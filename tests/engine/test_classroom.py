"""`docklab classroom` on the real engine: a JupyterHub whose learners each log in over
HTTP, get a server of their own (docklab's TUI behind the hub's login, a private
dockerd), and do a lesson step in it; an instructor view that only the hub's admin opens;
a server the culler stops comes back with its progress; `up --prestart` has the listed
learners' servers running before anyone logs in; `down --purge` leaves the engine as it was. The learner image is built on first use (about a minute; 2 more for its Debian
root on a fresh machine)."""

from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.classroomkit import (
    LESSON_SHELL,
    forge,
    forged_report,
    learner_box,
    listening,
    running_classroom,
    summary,
    wait_for,
)
from tests.conftest import ROOT, engine_state
from tutor.classroom import ARRIVED, egress
from tutor.classroom.egress import METADATA

pytestmark = [pytest.mark.engine, pytest.mark.slow]
NAMES = ["alice", "bob", "carol"]


def in_box(box, script: str) -> str:
    code, out = box.exec_run(["sh", "-c", script])
    return out.decode(errors="replace")


def processes_of(folder) -> list[str]:
    """Processes started for this classroom (they carry its folder in their environment)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if f"DOCKLAB_CLASSROOM_DIR={folder}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


@pytest.fixture
def canaries(client, prefix):
    """Things on the engine that look like a classroom's but are not this one's."""
    made = [
        client.volumes.create(f"{prefix}-canary", labels={"org.docklab.classroom": "another-class"}),
        client.networks.create(f"{prefix}-canary-net"),
        client.containers.create(
            "docklab/busybox:stand-in",
            ["true"],
            name=f"{prefix}-canary",
            labels={"org.docklab.classroom.user": "alice"},
        ),
    ]
    yield made
    for thing in reversed(made):
        thing.remove(force=True) if hasattr(thing, "status") else thing.remove()


def test_three_learners_each_have_a_server_and_an_engine_of_their_own(client, home, canaries):
    before = engine_state(client)
    with running_classroom(home, NAMES, "--start-at-once", "1") as room:  # the three boot in turn
        # no login: the hub sends the browser to its login page, and the TUI's websocket is closed to it
        anon = requests.get(room.base + f"/user/{NAMES[0]}/", timeout=30)
        assert anon.url.startswith(room.base + "/hub/login") and "textual" not in anon.text
        nobody = room.learner("nobody", "")
        # a name not on the list, and a listed name with a wrong password, cannot log in
        for name, password in (("mallory", None), (NAMES[0], "not-the-password")):
            stranger = room.learner(name, password)
            stranger.login()
            assert not stranger.logged_in(), name

        learners = [room.learner(n) for n in NAMES]
        for learner in learners:
            learner.login()
            assert learner.logged_in()
            learner.get(f"/user/{learner.name}/")  # starts the spawn; all three spawn at once
        for learner in learners:
            learner.wait_server()
            # the server is up once a TUI is drawn, ahead of the learner's websocket
            assert "tutor" in in_box(learner_box(client, room, learner.name), "pgrep -af 'python3 -m tutor$'")
            learner.do_first_step()  # `docker volume create my-vol`, checked in the TUI
        assert learners[0].tui([("", LESSON_SHELL)])[0] == 101  # her TUI, kept from her last page: her lesson
        assert nobody.tui([("", "x")], user=NAMES[0])[0] == 403  # the TUI's websocket, with no login
        # whether a learner has come is for their spawner (the server's own hub token) alone
        for who, token in ((nobody, ""), (learners[0], ""), (learners[0], "token not-the-servers")):
            asked = who.http.get(  # refused before it waits: in far less than the 60 s asked
                f"{room.base}/user/{NAMES[0]}/{ARRIVED}?wait=60", headers={"Authorization": token}, timeout=15
            )
            assert asked.status_code == 403 and "spawner only" in asked.text, (asked.status_code, asked.text)

        # the hub's API and the view listen where the learners' servers reach them (the engine's
        # bridge gateway) and on loopback, not on every address of the instructor's machine
        conf = json.loads((room.folder / "classroom.json").read_text())
        assert listening(conf["hub_port"]) == {conf["hub_ip"]}
        assert listening(conf["view_port"]) == {conf["hub_ip"], "127.0.0.1"}

        boxes = {n: learner_box(client, room, n) for n in NAMES}
        for box in boxes.values():
            assert box.attrs["HostConfig"]["Privileged"] is True
            assert (box.attrs["HostConfig"]["Memory"], box.attrs["HostConfig"]["PidsLimit"]) == (2**30, 1024)
            assert "my-vol" in in_box(box, "docker volume ls -q")  # the same name in each engine...
            assert box.attrs["Config"]["Labels"]["org.docklab.classroom"] == room.name
        assert "my-vol" not in {v.name for v in client.volumes.list()}  # ...and none on the host's
        ids = {
            n: in_box(box, "docker volume inspect my-vol -f '{{.CreatedAt}}' && docker info -f '{{.ID}}'")
            for n, box in boxes.items()
        }
        assert len(set(ids.values())) == 3  # three engines

        # alice cannot reach bob's server: not through the hub with her login...
        alice, bob = learners[0], learners[1]
        theirs = alice.get(f"/user/{bob.name}/")
        assert theirs.status_code == 403 and "textual" not in theirs.text, (theirs.status_code, theirs.url)
        assert alice.tui([("", "x")], user=bob.name)[0] == 403
        # ...nor from her container to his, on the learners' network (no traffic between them)
        bob_ip = boxes[bob.name].attrs["NetworkSettings"]["Networks"][f"{room.name}-net"]["IPAddress"]
        probe = in_box(
            boxes[alice.name],
            f"python3 -c \"import socket; socket.create_connection(('{bob_ip}', 8888), 3)\""
            " && echo REACHED || echo REFUSED",
        )
        assert "REFUSED" in probe and "REACHED" not in probe, probe
        # ...nor anything else of this machine's but the hub's API and the view (a port of its own
        # here, open on every address), nor the cloud's metadata address
        with socket.create_server(("0.0.0.0", 0)) as other:
            for port, expected in ((other.getsockname()[1], "REFUSED"), (conf["hub_port"], "REACHED")):
                reached = in_box(
                    boxes[alice.name],
                    f"python3 -c \"import socket; socket.create_connection(('{conf['hub_ip']}', {port}), 3)\""
                    " && echo REACHED || echo REFUSED",
                )
                assert expected in reached, (port, reached)
        assert f"-d {METADATA} -j REJECT" in egress.listed(room.name)
        # bob's engine and progress are on volumes only his server mounts, read-write; the one
        # volume they share is the image store, read-only
        mounts = {
            n: {(m["Name"], m["RW"]) for m in b.attrs["Mounts"] if m["Type"] == "volume"} for n, b in boxes.items()
        }
        own = {n: {name for name, rw in m if rw} for n, m in mounts.items()}
        assert not own["alice"] & own["bob"] and len(own["alice"]) == 2
        assert mounts["alice"] - {(v, True) for v in own["alice"]} == {
            (f"{room.name}-images-{room.store_digest()}", False)
        }
        # every engine's layers are links into that store, not copies: alice removing a lesson
        # image from her engine leaves it in bob's, and his containers still start from it
        assert in_box(boxes["alice"], "readlink /var/lib/docker/overlay2/*/diff").count("/opt/docklab-store/") >= 2
        image = in_box(boxes["alice"], "head -1 /opt/docklab-images/images.list").strip()
        in_box(boxes["alice"], f"docker image rm -f {image}")
        assert image not in in_box(boxes["alice"], "docker image ls --format '{{.Repository}}:{{.Tag}}'")
        assert in_box(boxes["bob"], f"docker run --rm --network none {image} echo still-here").strip() == "still-here"

        # the instructor view: every learner's step count, and the same roll-up as `docklab grade`
        teacher = room.instructor()
        teacher.login()
        assert teacher.logged_in()
        seen = wait_for(
            lambda: (
                (s := summary(teacher))
                and all(s.get(n, {}).get("lessons", {}).get("mount-syntax", {}).get("done") == 1 for n in NAMES)
                and s
            ),
            60,
        )
        assert seen, summary(teacher)
        assert all(seen[n]["lessons"]["mount-syntax"]["last"] for n in NAMES)
        page = teacher.view()
        assert page.status_code == 200 and all(f'data-learner="{n}"' in page.text for n in NAMES)
        exported = teacher.view("export.csv")
        assert exported.status_code == 200
        graded = subprocess.run(
            [
                sys.executable,
                "-m",
                "tutor",
                "grade",
                "--key-file",
                str(room.folder / "workshop.key"),
                str(room.folder / "reports"),
                "--format",
                "csv",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"DOCKLAB_HOME": str(home), "PATH": ""},
        )
        assert graded.returncode == 0, graded.stderr
        assert exported.text == graded.stdout
        assert all(line.split(",")[0] in NAMES for line in graded.stdout.splitlines()[1:4])
        for kind in ("html", "junit"):
            assert teacher.view(f"export.{kind}").status_code == 200
        # a learner's login does not open it
        assert alice.view().status_code == 403 and alice.view("export.csv").status_code == 403

        listed = room.status()
        assert {n: v["server"] for n, v in listed["learners"].items()} == {n: "running" for n in NAMES}
        assert all(v["lessons"]["mount-syntax"]["done"] == 1 for v in listed["learners"].values())
        assert all(v["verified"] for v in listed["learners"].values())  # the view looked at each engine

        # the server's hub token never reaches the TUI's shell (the TUI kept for alice's next page)
        shells = in_box(boxes["alice"], "for p in $(pgrep -x bash); do echo; tr '\\0' '\\n' </proc/$p/environ; done")
        names = sorted({line.split("=", 1)[0] for line in shells.splitlines() if "=" in line})  # no values
        assert "JUPYTERHUB_CLIENT_ID" in names and not [n for n in names if "API_TOKEN" in n], names
        # alice, root in her container, claims every step in her progress and posts a forged
        # report (every step done, 500 of them, a lesson of her own) with her server's token
        forge(boxes["alice"], "mount-syntax", forged_report(home, "alice"))
        forged_seen = wait_for(
            lambda: (s := summary(teacher)) and s["alice"]["lessons"]["mount-syntax"]["claimed"] == 6 and s, 60
        )
        assert forged_seen, summary(teacher)
        assert forged_seen["alice"]["lessons"]["mount-syntax"]["done"] == 1  # what her engine showed
        assert set(forged_seen["alice"]["lessons"]) == set(forged_seen["bob"]["lessons"])  # no lesson of hers
        assert "their record claims 6" in teacher.view().text
        listed = room.status()["learners"]["alice"]["lessons"]["mount-syntax"]
        assert (listed["done"], listed["claimed"], listed["steps"]) == (1, 6, 6)
        exported = teacher.view("export.csv").text
        rows = {r["learner"]: r for r in csv.DictReader(io.StringIO(exported))}
        assert "HYPERLINK" not in exported and rows["alice"]["mount-syntax"] == "partial: steps 1 of 6"
    assert engine_state(client) == before  # the canaries are in both
    assert egress.listed(room.name) == ""  # its iptables chains gone too
    assert not room.folder.exists()
    assert not processes_of(room.folder)  # the hub, its proxy, the view and the culler have ended


def test_a_server_the_culler_stopped_comes_back_with_its_progress(client, home):
    before = engine_state(client)
    with running_classroom(home, ["dave"], "--cull-after", "20") as room:
        dave = room.learner("dave")
        dave.login()
        dave.wait_server()
        dave.do_first_step()
        first = learner_box(client, room, "dave").id

        def stopped() -> bool:
            try:
                learner_box(client, room, "dave")
                return False
            except Exception:
                return True

        assert wait_for(stopped, 120, 2), "the culler never stopped dave's idle server"
        assert "Culling server dave" in (room.folder / "hub.log").read_text()
        dave.wait_server()  # back, as a new container
        box = learner_box(client, room, "dave")
        assert box.id != first
        progress = json.loads(in_box(box, "cat /data/progress.json"))
        assert "1" in progress["lessons"]["mount-syntax"]["steps"]
        assert "my-vol" in in_box(box, "docker volume ls -q")  # the engine's data came back too
    assert engine_state(client) == before


def test_prestart_has_every_listed_server_running_before_anyone_logs_in(client, home):
    """`up --prestart`: every learner on the list has a running server when `up` returns, so a
    room logging in at once meets servers that are up; a learner logging in gets it at once."""
    before = engine_state(client)
    with running_classroom(home, ["erin", "finn"], "--prestart") as room:
        listed = room.status()
        assert {n: v["server"] for n, v in listed["learners"].items()} == {"erin": "running", "finn": "running"}
        first = {n: learner_box(client, room, n).id for n in ("erin", "finn")}

        def weight(name: str) -> int:
            return learner_box(client, room, name).attrs["HostConfig"]["CpuShares"]

        # up, and weighed for the CPU as booting until their learner has come and seen their screen
        assert weight("erin") == weight("finn") == 32 * 1024
        erin = room.learner("erin")
        erin.login()
        erin.wait_server(limit=30)
        assert weight("finn") == 32 * 1024  # finn has not come (ARRIVAL_WAIT, 60 s, not yet passed)
        erin.do_first_step()
        assert learner_box(client, room, "erin").id == first["erin"]  # the server started before, not a new one
        assert wait_for(lambda: weight("erin") == 1024, 20), weight("erin")  # erin came: as any container
    assert engine_state(client) == before
