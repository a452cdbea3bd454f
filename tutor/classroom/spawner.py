"""DockerSpawner for a classroom on one machine: each learner's server is a privileged
container of the learner image with its own dockerd, on a network where learners'
containers cannot reach each other (inter-container traffic off), its engine data and
docklab's progress on two volumes of the learner's own, which outlive a stopped server, and
the classroom's image store mounted read-only (shared by all, written by none).
Everything made is labelled with the classroom's name, so `down` finds exactly it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

LABEL = "org.docklab.classroom"
VIEW = "docklab-view"
_PREPARING = threading.Lock()  # two spawns must not both make the missing network
STORES = "/opt/docklab-store"  # where the shared image stores are mounted, one folder per digest


def volume_names(name: str) -> dict[str, str]:
    """The learner's volumes (templates DockerSpawner fills in with the learner's escaped name)."""
    return {f"{name}-{{username}}-data": "/data", f"{name}-{{username}}-engine": "/var/lib/docker"}


def prepare(spawner, subnet: str | None) -> None:
    """Before each spawn: the classroom's network and the learner's volumes, labelled. Run
    in a thread (the hub's loop serves the others meanwhile), one spawn's at a time."""
    import docker

    with _PREPARING:
        client = docker.from_env()
        try:
            network(client, spawner.prefix, subnet)
            make_volumes(client, spawner)
        finally:
            client.close()


def make_volumes(client, spawner) -> None:
    """Create the learner's volumes with the classroom's label before DockerSpawner mounts
    them (a volume Docker made on first mount would carry no label). A volume of that name
    that is not this classroom's is refused, never mounted."""
    import docker

    name = spawner.prefix
    for template in volume_names(name):
        volume = template.format(**spawner.template_namespace())
        try:
            found = client.volumes.get(volume)
        except docker.errors.NotFound:
            client.volumes.create(volume, labels={LABEL: name, f"{LABEL}.user": spawner.user.name})
            continue
        if (found.attrs.get("Labels") or {}).get(LABEL) != name:
            raise RuntimeError(f"volume {volume} exists and is not classroom {name}'s: not mounting it")


def network(client, name: str, subnet: str | None = None):
    """The learners' network: inter-container traffic off, so one learner's server cannot
    reach another's; the host (the hub and the view) stays reachable at its gateway. Made
    again with the same subnet (so the same gateway) if something removed it meanwhile."""
    import docker

    net_name = f"{name}-net"
    try:
        net = client.networks.get(net_name)
    except docker.errors.NotFound:
        ipam = None
        if subnet:
            ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])
        return client.networks.create(
            net_name,
            driver="bridge",
            labels={LABEL: name},
            ipam=ipam,
            options={"com.docker.network.bridge.enable_icc": "false"},
        )
    if (net.attrs.get("Labels") or {}).get(LABEL) != name:
        raise RuntimeError(f"a network {net_name} exists and is not classroom {name}'s: choose another --name")
    return net


def configure(c, conf: dict, folder: Path) -> None:
    name = conf["name"]
    c.JupyterHub.spawner_class = "tutor.classroom.learner_spawner.LearnerSpawner"
    if conf.get("start_at_once"):
        c.LearnerSpawner.start_at_once = conf["start_at_once"]
    c.JupyterHub.hub_connect_ip = conf["hub_ip"]
    c.DockerSpawner.image = conf["image"]
    c.DockerSpawner.pull_policy = "never"  # built or loaded here: no registry to ask
    c.DockerSpawner.prefix = name
    c.DockerSpawner.name_template = "{prefix}-{username}"
    c.DockerSpawner.network_name = conf["network"]
    c.DockerSpawner.use_internal_ip = False  # the hub reaches each server on a loopback port only
    c.DockerSpawner.host_ip = "127.0.0.1"
    c.DockerSpawner.remove = True  # a stopped server's container goes; its volumes stay
    c.DockerSpawner.cmd = ["python3", "-m", "tutor.classroom.learner_app"]
    c.DockerSpawner.extra_host_config = {"privileged": True}  # its own dockerd, as `docklab sandbox` runs one
    if conf.get("pids_limit"):  # a learner's fork bomb stops at their own server
        c.DockerSpawner.extra_host_config["pids_limit"] = conf["pids_limit"]
    # the learner's own name (the view finds their server by it), as their volumes carry it
    c.DockerSpawner.extra_create_kwargs = {"labels": {LABEL: name, f"{LABEL}.user": "{raw_username}"}}
    volumes: dict = dict(volume_names(name))
    volumes[str(folder / "images")] = {"bind": "/opt/docklab-images", "mode": "ro"}
    for store, digest in conf.get("stores", {}).items():  # shared, read-only: linked, never written
        volumes[store] = {"bind": f"{STORES}/{digest}", "mode": "ro"}
    c.DockerSpawner.volumes = volumes
    c.DockerSpawner.environment = {
        "DOCKLAB_STORE": f"{STORES}/{conf['store']['digest']}" if conf.get("store") else "",
        "DOCKLAB_CLASSROOM_REPORT": f"http://{conf['hub_ip']}:{conf['view_port']}/services/{VIEW}/api/report",
        "DOCKLAB_IMAGES": "offline",
    }
    if conf.get("mem_limit") not in (None, "", "0"):  # a learner's server cannot take the room's memory
        c.DockerSpawner.mem_limit = conf["mem_limit"]
    c.Spawner.pre_spawn_hook = lambda spawner: asyncio.to_thread(prepare, spawner, conf["subnet"])
    c.Spawner.start_timeout = 900  # a class's servers boot in turn (learner_spawner.py): the wait counts
    c.Spawner.http_timeout = 120
