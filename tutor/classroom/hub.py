"""`docklab classroom up / status / down`: a JupyterHub for one room, on this machine's
engine. Its state and config live in a folder docklab owns (DOCKLAB_HOME/classroom/NAME);
everything it makes on the engine (the network, each learner's container and volumes)
carries the label org.docklab.classroom=NAME, so `down` removes exactly that."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from tutor.classroom import egress as traffic
from tutor.classroom.spawner import LABEL, network
from tutor.core.paths import data_dir
from tutor.core.store import read_json, write_json

DEFAULT_NAME = "docklab-class"
ADMIN = "instructor"
NAME = re.compile(r"[a-z][a-z0-9-]{0,30}")
LEARNER = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
HOSTNAME = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+(:[0-9]{1,5})?"
)
Progress = Callable[[str], None]


class ClassroomError(Exception):
    """The classroom cannot do this; the message says why and what to do."""


def folder(name: str) -> Path:
    return data_dir() / "classroom" / name


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise ClassroomError(
            f"{name!r} cannot name a classroom: lowercase letters, digits and -, "
            "starting with a letter, at most 31 characters"
        )
    return name


def read_learners(path: str) -> list[str]:
    """One login name a line; blank lines and # comments skipped."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as err:
        raise ClassroomError(f"cannot read the learners file {path}: {err.strerror or err}") from None
    names: dict[str, None] = {}
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if not LEARNER.fullmatch(line) or line == ADMIN:
            raise ClassroomError(
                f"{path}:{number}: {line!r} is not a login name docklab takes (lowercase "
                f"letters, digits and . _ -; not {ADMIN!r}, the instructor's)"
            )
        names[line] = None
    if not names:
        raise ClassroomError(f"{path} names no learners")
    return list(names)


def _secret(path: Path, make: Callable[[], str]) -> str:
    """A secret kept in the classroom's folder, readable by this user only; kept across `up`s."""
    if path.exists():
        return path.read_text().strip()
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _pid_alive(state: dict) -> bool:
    from tutor.core.engine.sandbox import _start_time

    pid = state.get("pid")
    return isinstance(pid, int) and pid > 0 and _start_time(pid) == state.get("start_time")


def running(name: str) -> dict | None:
    """The classroom's state when its hub is running, else None."""
    state = read_json(folder(name) / "state.json", None)
    return state if isinstance(state, dict) and _pid_alive(state) else None


def _bundle(client, target: Path, lessons: list[str] | None, progress: Progress) -> list[str]:
    """The lesson images (offline map) that this engine has, saved once for every learner's
    engine to load from: no learner pulls anything over the room's network. `lessons`
    narrows it to the images those lessons use (a class on a few lessons loads less)."""
    from tutor.core.lessons.catalog import load_all
    from tutor.core.engine import bundle
    from tutor.core.engine.images import load_map

    target.mkdir(exist_ok=True)
    chosen = [x for x in load_all() if not lessons or x.id in lessons]
    unknown = sorted(set(lessons or []) - {x.id for x in chosen})
    if unknown:
        raise ClassroomError(f"no lesson {', '.join(unknown)} (`docklab list` names them)")
    wanted = bundle.needed(chosen, load_map("offline"))
    present = [r["image"] for r in bundle.rows(client, wanted) if r["present"]]
    missing = sorted(set(wanted) - set(present))
    if missing:
        progress(f"not in the learners' engines (missing here; `docklab images build`): {', '.join(missing)}")
    listing = target / "images.list"
    ids = [client.images.get(i).id for i in present]
    stamp = target / "images.ids"
    if not (listing.exists() and stamp.exists() and stamp.read_text().split() == ids):
        progress(f"saving {len(present)} lesson images for the learners' engines")
        bundle.save(client, present, target / "images.tar")
        listing.write_text("\n".join(present) + "\n")
        stamp.write_text("\n".join(ids) + "\n")
    return present


def _store(client, name: str, home: Path, tag: str, progress: Progress) -> dict:
    """The classroom's shared image store: one volume holding an engine's data root with the
    bundle loaded, made once per bundle by the learner image itself (`make-store`) and
    mounted read-only in every learner's server, whose engine then links its layers instead
    of loading 300 MB each (labs/images/classroom/learner-entrypoint.sh). Its name carries
    the bundle's digest, so a changed bundle gets a new store and the old one stays for the
    engines that link to it; `down --purge` removes them all (they carry the label)."""
    import hashlib

    import docker

    images = home / "images"
    digest = hashlib.sha256((images / "images.ids").read_bytes()).hexdigest()[:12]
    volume = f"{name}-images-{digest}"
    ready = images / "store.ready"
    if ready.exists() and ready.read_text().strip() == volume:
        try:
            client.volumes.get(volume)
            return {"volume": volume, "digest": digest}
        except docker.errors.NotFound:
            pass
    try:
        client.volumes.get(volume).remove(force=True)  # left half made by an `up` that was stopped
    except docker.errors.NotFound:
        pass
    progress(f"making the shared image store {volume} (once per set of lesson images)")
    client.volumes.create(volume, labels={LABEL: name, f"{LABEL}.images": digest})
    box = client.containers.create(
        tag,
        ["make-store"],
        labels={LABEL: name},
        network_mode="none",
        privileged=True,
        volumes={volume: {"bind": "/store", "mode": "rw"}, str(images): {"bind": "/opt/docklab-images", "mode": "ro"}},
    )
    try:
        box.start()
        code = box.wait(timeout=900)["StatusCode"]
        if code:
            log = box.logs().decode(errors="replace")[-1500:]
            client.volumes.get(volume).remove(force=True)
            raise ClassroomError(f"making the shared image store failed (exit {code}):\n{log}")
    finally:
        box.remove(force=True, v=True)  # and the anonymous volumes of the image's VOLUMEs
    ready.write_text(volume + "\n")
    return {"volume": volume, "digest": digest}


def stores(client, name: str) -> dict[str, str]:
    """Every image store of this classroom, volume -> digest (older ones stay mounted for
    the engines that link to them)."""
    found = client.volumes.list(filters={"label": f"{LABEL}.images"})
    return {v.name: v.attrs["Labels"][f"{LABEL}.images"] for v in found if v.attrs["Labels"].get(LABEL) == name}


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
    progress: Progress = print,
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
    if running(name):
        raise ClassroomError(f"classroom {name} is already running (`docklab classroom status --name {name}`)")
    home = folder(name)
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    client = docker.from_env()
    try:
        tag = image or ensure(client, progress=progress)
        if image:
            client.images.get(image)
        _bundle(client, home / "images", lessons, progress)
        store = _store(client, name, home, tag, progress)
        known = stores(client, name)
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
    learner_password = _secret(home / "learner.password", lambda: secrets.token_urlsafe(9))
    admin_password = _secret(home / "admin.password", lambda: secrets.token_urlsafe(24))
    _secret(home / "cli.token", lambda: secrets.token_hex(32))
    _secret(home / "workshop.key", lambda: secrets.token_hex(32))
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
        "hub_port": _free_port("0.0.0.0"),
        "view_port": _free_port("0.0.0.0"),
        "proxy_api_port": _free_port("127.0.0.1"),
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
    write_json(home / "classroom.json", conf)
    try:  # before any server starts: what a learner's server reaches besides the hub
        traffic.apply(name, subnet, [conf["hub_port"], conf["view_port"]], egress)
    except traffic.EgressError as err:
        raise ClassroomError(f"{err} (--egress; README: the security model)") from None
    _start_hub(home, conf)
    if prestart and learners:
        _prestart(name, learners, progress)
    local = _local(bind)
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


def subdomain_url(host: str, port: int) -> str:
    """JupyterHub's subdomain_host from `--subdomain-host`: HOST (plain HTTP on the hub's port)
    or https://HOST[:PORT] (TLS ending in a proxy in front of the hub)."""
    scheme, _, name = host.rpartition("://")
    if scheme not in ("", "http", "https") or not HOSTNAME.fullmatch(name):
        raise ClassroomError(
            f"--subdomain-host takes a host name whose subdomains lead to this machine, as "
            f"classroom.example.org or https://classroom.example.org, not {host!r}"
        )
    return f"{scheme}://{name}" if scheme == "https" else f"http://{name.split(':')[0]}:{port}"


def _local(bind: str) -> str:
    """Where this machine reaches the hub: loopback when it listens on every address."""
    return "127.0.0.1" if bind in ("0.0.0.0", "", "::") else bind


def _start_hub(home: Path, conf: dict) -> None:
    from tutor.core.engine.sandbox import _start_time

    env = {**os.environ, "DOCKLAB_CLASSROOM_DIR": str(home)}
    with open(home / "hub.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(Path(__file__).with_name("hub_config.py"))],
            cwd=home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    write_json(home / "state.json", {"pid": proc.pid, "start_time": _start_time(proc.pid), "started_at": time.time()})
    local = _local(conf["bind"])
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _stop_leftovers(home)
            tail = (home / "hub.log").read_text(errors="replace").splitlines()[-15:]
            raise ClassroomError(
                "the hub stopped while starting:\n  " + "\n  ".join(tail) + f"\n(the whole log: {home / 'hub.log'})"
            )
        try:
            with urllib.request.urlopen(f"http://{local}:{conf['port']}/hub/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    raise ClassroomError(f"the hub did not answer on port {conf['port']} within 90 s (log: {home / 'hub.log'})")


def hub_api(name: str, path: str, method: str = "GET") -> list | dict:
    """The hub's REST API, as the classroom's own service (the `docklab-cli` role)."""
    home = folder(name)
    conf = read_json(home / "classroom.json", {})
    local = _local(conf["bind"])
    req = urllib.request.Request(
        f"http://{local}:{conf['port']}/hub/api/{path}",
        headers={"Authorization": f"token {(home / 'cli.token').read_text().strip()}"},
        method=method,
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
        return json.loads(body) if body else {}


def _prestart(name: str, learners: list[str], progress: Progress, limit: float = 900) -> None:
    """Start every listed learner's server before the class arrives, and wait until they are
    all ready: a room logging in at once then finds servers up, not 20 spawns at once on the
    machine (bench/README.md has the figures). Those nobody opens are culled like idle ones."""
    for learner in learners:  # the hub puts its allowed users in its database when it starts
        try:
            hub_api(name, f"users/{learner}/server", "POST")
        except urllib.error.HTTPError as err:
            if err.code != 400:  # 400: already running (or starting)
                raise ClassroomError(f"the hub would not start {learner}'s server: HTTP {err.code}") from None
    deadline, shown = time.monotonic() + limit, -1
    while time.monotonic() < deadline:
        ready = sum(
            bool(((u.get("servers") or {}).get("") or {}).get("ready"))
            for u in hub_api(name, "users")
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
    state = running(name)
    users: dict[str, dict] = {n: {"server": "never started"} for n in conf.get("learners") or []}
    if state:
        for user in hub_api(name, "users"):
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


def _stop_pid(pid: int, wait: float) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _ours(pidfile: Path, word: str) -> int | None:
    """A pid the hub recorded (the proxy's), if that process is still the one it names."""
    try:
        pid = int(pidfile.read_text().strip())
        argv = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if word.encode() in argv else None


def _stop_leftovers(home: Path) -> None:
    """The hub stops its proxy and its services when it ends well; after a crash they would
    live on (the proxy holding the port). The proxy has a pid file; the hub, the view and
    the culler carry this classroom's folder in their environment, and nothing else does."""
    pid = _ours(home / "proxy.pid", "configurable-http-proxy")
    if pid:
        _stop_pid(pid, 10)
    mark = f"DOCKLAB_CLASSROOM_DIR={home}".encode() + b"\0"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if (b"\0" + environ).find(b"\0" + mark) >= 0:
            _stop_pid(int(entry.name), 10)


def down(name: str = DEFAULT_NAME, purge: bool = False, progress: Progress = print) -> dict:
    """Stop the hub and the learners' servers and remove their containers and the network;
    with `purge`, also the learners' volumes (their progress and engines) and the folder."""
    import docker

    check_name(name)
    home = folder(name)
    state = running(name)
    if state:
        progress("stopping the hub and the learners' servers")
        _stop_pid(state["pid"], 90)
    _stop_leftovers(home)
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
