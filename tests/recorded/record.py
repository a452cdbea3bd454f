"""Re-record the engine answers the unit tests replay: `python tests/recorded/record.py`.

Creates a few containers and volumes named rec-* on the real engine (busybox stand-in),
saves their inspect answers to engine.json, then removes exactly them.
"""

import json
from pathlib import Path

import docker

IMAGE = "docklab/busybox:stand-in"
client = docker.from_env()
made = []
try:
    client.volumes.create("rec-data")
    made.append(("volume", "rec-data"))
    specs = {
        "rec-anon": {"volumes": ["/var/lib/mysql"]},
        "rec-named": {"volumes": ["rec-data:/var/lib/mysql"]},
        "rec-ro": {"mounts": [docker.types.Mount("/app", "rec-data", read_only=True)]},
    }
    for name, kw in specs.items():
        c = client.containers.run(IMAGE, ["sleep", "3600"], name=name, detach=True, **kw)
        made.append(("container", name))
    client.containers.get("rec-ro").stop(timeout=0)
    containers = {name: client.api.inspect_container(name) for name in specs}
    anon = containers["rec-anon"]["Mounts"][0]["Name"]
    volumes = {v: client.api.inspect_volume(v) for v in ("rec-data", anon)}
    out = {"containers": containers, "volumes": volumes, "version": client.version()}
    Path(__file__).with_name("engine.json").write_text(json.dumps(out, indent=1, sort_keys=True))
finally:
    for kind, name in reversed(made):
        if kind == "container":
            client.api.remove_container(name, force=True, v=True)
        else:
            client.api.remove_volume(name, force=True)
