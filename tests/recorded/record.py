"""Re-record the engine answers the unit tests replay: `python tests/recorded/record.py`.

Creates a few containers and volumes named rec-* on the real engine (busybox stand-in),
saves their inspect answers to engine.json, then removes exactly them.
"""

import json
import time
from pathlib import Path

import docker
from docker.errors import APIError

IMAGE = "docklab/busybox:stand-in"
client = docker.from_env()
made = []
start = time.time()
try:
    client.volumes.create("rec-data")
    made.append(("volume", "rec-data"))
    # history: a volume created and removed; a prune (limited to the recording's label)
    client.volumes.create("rec-gone").remove()
    client.volumes.create("rec-prune", labels={"rec": "prune"})
    made.append(("volume", "rec-prune"))
    client.containers.run(
        IMAGE, ["sh", "-c", "head -c 1000000 /dev/zero > /d/blob"], volumes=["rec-prune:/d"], remove=True
    )
    client.volumes.create("rec-kept", labels={"rec": "prune"})
    made.append(("volume", "rec-kept"))
    client.containers.create(IMAGE, ["true"], name="rec-holder", volumes=["rec-kept:/k"])
    made.append(("container", "rec-holder"))
    client.volumes.prune(filters={"label": "rec=prune", "all": "true"})
    specs = {
        "rec-anon": {"volumes": ["/var/lib/mysql"]},
        "rec-named": {"volumes": ["rec-data:/var/lib/mysql"]},
        "rec-ro": {"mounts": [docker.types.Mount("/app", "rec-data", read_only=True)]},
    }
    for name, kw in specs.items():
        c = client.containers.run(IMAGE, ["sleep", "3600"], name=name, detach=True, **kw)
        made.append(("container", name))
    client.containers.get("rec-ro").stop(timeout=0)
    client.containers.run(
        IMAGE,
        ["sleep", "3600"],
        name="rec-env",
        detach=True,
        environment={"MYSQL_ROOT_PASSWORD": "rec-secret-pw", "MYSQL_DATABASE": "shop"},
    )
    made.append(("container", "rec-env"))
    client.containers.create(
        IMAGE,
        ["sleep", "3600"],
        name="rec-missing",
        mounts=[docker.types.Mount("/app", "rec-data", subpath="nofolder")],
    )
    made.append(("container", "rec-missing"))
    try:
        client.api.start("rec-missing")
    except APIError:
        pass  # the start fails: the subfolder does not exist
    names = [*specs, "rec-env", "rec-missing", "rec-holder"]
    containers = {name: client.api.inspect_container(name) for name in names}
    events = list(
        client.api.events(since=f"{start:.9f}", until=f"{time.time():.9f}", decode=True, filters={"type": ["volume"]})
    )
    anon = containers["rec-anon"]["Mounts"][0]["Name"]
    volumes = {v: client.api.inspect_volume(v) for v in ("rec-data", anon)}
    out = {"containers": containers, "volumes": volumes, "version": client.version(), "events": events}
    Path(__file__).with_name("engine.json").write_text(json.dumps(out, indent=1, sort_keys=True))
finally:
    for kind, name in reversed(made):
        if kind == "container":
            client.api.remove_container(name, force=True, v=True)
        else:
            try:
                client.api.remove_volume(name, force=True)
            except docker.errors.NotFound:  # rec-prune: the prune took it
                pass
