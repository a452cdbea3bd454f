"""`docklab classroom up / status / down`: a JupyterHub for one room, on this machine's
engine. Its state and config live in a folder docklab owns (room.folder); everything it
makes on the engine (the network, each learner's container and volumes) carries the label
org.docklab.classroom=NAME, so `down` removes exactly that.

The road: hub (hub_process) → spawner (learner_spawner) → learner server (learner_app,
warm_tui) → docklab's TUI; and reporter → view (service, verifier) → grade (reports)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import time
import urllib.error

from tutor.classroom import egress as traffic
from tutor.classroom import hub_process, image_store
from tutor.classroom.room import (
    ADMIN,
    DEFAULT_NAME,
    ClassroomError,
    check_name,
    folder,
    free_port,
    keep_secret,
    local_address,
    subdomain_url,
)
from tutor.classroom.spawner import LABEL, network
from tutor.core.engine.images import OnProgress
from tutor.core.store import read_json, write_json


def up(
    name: str = DEFAULT_NAME,
    port: int = 8000,
    bind: str = "0.0.0.0",
    learners: list[str] | None = None,
    image: str | None = None,
    lessons: list[str] | None = None,
    cull_after: int = 3600,
    mem_limit: str | None = "1G",
    pids_limit: int = 1024,
    egress: str = "internet",
    subdomain_host: str | None = None,
    start_at_once: int | None = None,
    prestart: bool = False,
    progress: OnProgress = print,
) -> dict:
    """Start the hub (building the learner image and the image bundle first when needed);
    returns what the instructor needs: the URL, the logins and the folder."""
    import docker

    from tutor.classroom import proxy
    from tutor.classroom.image import ensure

    check_name(name)
    try:
        traffic.rules([0], egress)
    except traffic.EgressError as err:
        raise ClassroomError(str(err)) from None
    subdomains = subdomain_url(subdomain_host, port) if subdomain_host else None
    try:
        proxy.command()  # said before minutes of building, not found out by the hub
    except proxy.ProxyMissing as err:
        raise ClassroomError(str(err)) from None
    if hub_process.running(name):
        raise ClassroomError(f"classroom {name} is already running (`docklab classroom status --name {name}`)")
    home = folder(name)
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    client = docker.from_env()
    try:
        tag = image or ensure(client, progress=progress)
        if image:
            client.images.get(image)
        image_store.bundle(client, home / "images", lessons, progress)
        store = image_store.make_store(client, name, home, tag, progress)
        known = image_store.stores(client, name)
        net = network(client, name)
        subnet = net.attrs["IPAM"]["Config"][0]["Subnet"]
        # The host as every container sees it: the default bridge's gateway lasts as long as the
        # engine (a network of our own could be removed under us while no server is on it).
        gateway = client.networks.get("bridge").attrs["IPAM"]["Config"][0]["Gateway"]
    except docker.errors.ImageNotFound:
        raise ClassroomError(f"no image {image} on this engine") from None
    except RuntimeError as err:
        raise ClassroomError(str(err)) from None
    finally:
        client.close()
    learner_password = keep_secret(home / "learner.password", lambda: secrets.token_urlsafe(9))
    admin_password = keep_secret(home / "admin.password", lambda: secrets.token_urlsafe(24))
    keep_secret(home / "cli.token", lambda: secrets.token_hex(32))
    keep_secret(home / "workshop.key", lambda: secrets.token_hex(32))
    conf = {
        "name": name,
        "port": port,
        "bind": bind,
        "admin": ADMIN,
        "learners": learners,
        "image": tag,
        "network": net.name,
        "subnet": subnet,
        "hub_ip": gateway,
        "hub_port": free_port("0.0.0.0"),
        "view_port": free_port("0.0.0.0"),
        "proxy_api_port": free_port("127.0.0.1"),
        "cull_after": cull_after,
        "cull_every": max(5, min(60, cull_after // 2)),
        "mem_limit": mem_limit,
        "pids_limit": pids_limit,
        "egress": egress,
        "subdomain_host": subdomains,
        "start_at_once": start_at_once,
        "store": store,
        "stores": known,
    }
    write_json(home / "classroom.json", conf, indent=2)
    try:  # before any server starts: what a learner's server reaches besides the hub
        traffic.apply(name, subnet, [conf["hub_port"], conf["view_port"]], egress)
    except traffic.EgressError as err:
        raise ClassroomError(f"{err} (--egress; README: the security model)") from None
    hub_process.start(home, conf)
    if prestart and learners:
        _prestart(name, learners, progress)
    local = local_address(bind)
    shown = socket.gethostname() if bind in ("0.0.0.0", "", "::") else bind
    return {
        "url": f"{subdomains}/" if subdomains else f"http://{shown}:{port}/",
        "local_url": f"http://{local}:{port}/",
        "admin": ADMIN,
        "admin_password": admin_password,
        "learner_password": learner_password,
        "folder": str(home),
        "learners": learners,
    }


def _prestart(name: str, learners: list[str], progress: OnProgress, limit: float = 900) -> None:
    """Start every listed learner's server before the class arrives, and wait until they are
    all ready: a room logging in at once then finds servers up, not 20 spawns at once on the
    machine (bench/README.md has the figures). Those nobody opens are culled like idle ones."""
    for learner in learners:  # the hub puts its allowed users in its database when it starts
        try:
            hub_process.api(name, f"users/{learner}/server", "POST")
        except urllib.error.HTTPError as err:
            if err.code != 400:  # 400: already running (or starting)
                raise ClassroomError(f"the hub would not start {learner}'s server: HTTP {err.code}") from None
    deadline, shown = time.monotonic() + limit, -1
    while time.monotonic() < deadline:
        ready = sum(
            bool(((u.get("servers") or {}).get("") or {}).get("ready"))
            for u in hub_process.api(name, "users")
            if u["name"] in learners
        )
        if ready != shown:
            progress(f"learners' servers ready: {ready}/{len(learners)}")
            shown = ready
        if ready == len(learners):
            return
        time.sleep(1)
    raise ClassroomError(f"not every learner's server was ready within {limit:.0f} s (log: {folder(name) / 'hub.log'})")


def status(name: str = DEFAULT_NAME) -> dict:
    """The learners, whether each one's server runs, and each one's steps per lesson."""
    from tutor.classroom.reports import summary

    home = folder(name)
    conf = read_json(home / "classroom.json", None)
    if conf is None:
        raise ClassroomError(f"no classroom {name} here (`docklab classroom up` starts one)")
    state = hub_process.running(name)
    users: dict[str, dict] = {n: {"server": "never started"} for n in conf.get("learners") or []}
    if state:
        for user in hub_process.api(name, "users"):
            if user.get("admin"):
                continue
            server = (user.get("servers") or {}).get("")
            users.setdefault(user["name"], {})["server"] = (
                "running"
                if server and server.get("ready")
                else "starting"
                if server and server.get("pending")
                else "stopped"
            )
            users[user["name"]]["last_activity"] = user.get("last_activity")
    for learner, seen in summary(home).items():  # the view's verdicts, as its page and exports show them
        users.setdefault(learner, {"server": "stopped" if state else "hub down"}).update(
            lessons=seen["lessons"], verified=seen["verified"]
        )
    return {
        "name": name,
        "running": bool(state),
        "port": conf["port"],
        "folder": str(home),
        "learners": {k: users[k] for k in sorted(users)},
    }


def down(name: str = DEFAULT_NAME, purge: bool = False, progress: OnProgress = print) -> dict:
    """Stop the hub and the learners' servers and remove their containers and the network;
    with `purge`, also the learners' volumes (their progress and engines) and the folder."""
    import docker

    check_name(name)
    home = folder(name)
    state = hub_process.running(name)
    if state:
        progress("stopping the hub and the learners' servers")
        hub_process.stop_pid(state["pid"], 90)
    hub_process.stop_leftovers(home)
    removed: dict[str, list[str]] = {"containers": [], "networks": [], "volumes": []}
    traffic.remove(name)
    client = docker.from_env()
    try:
        mine = {"label": f"{LABEL}={name}"}
        for box in client.containers.list(all=True, filters=mine):
            box.remove(force=True, v=False)
            removed["containers"].append(box.name)
        for net in client.networks.list(filters=mine):
            net.remove()
            removed["networks"].append(net.name)
        if purge:
            for volume in client.volumes.list(filters=mine):
                volume.remove(force=True)
                removed["volumes"].append(volume.name)
    finally:
        client.close()
    if purge:
        shutil.rmtree(home, ignore_errors=True)
    elif (home / "state.json").exists():
        (home / "state.json").unlink()
    return removed
