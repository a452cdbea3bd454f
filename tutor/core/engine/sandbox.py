"""A private engine for the lessons, so nothing the learner owns can be touched, not
even by a lesson's prune.

On Linux as root: a second `dockerd` (the same binary as the learner's engine) with its
own socket, data root, exec root and pid file, in its own network namespace, so it never
touches the main engine's docker0, iptables rules or subnets. While it runs, `connection.where()` points
docklab at it, and the Engine's `env` carries its DOCKER_* variables to every command
docklab starts (the runner, the TUI's shell). The images the lessons need are copied in from the main engine.

Where that cannot be (Docker Desktop, no root), a `docker:dind` container plays this part:
run --privileged on the learner's engine, its data in a named volume. Its API speaks TLS
and asks for the client certificate the container makes for itself (docklab copies it
out), published on a loopback port only: another container on the learner's bridge
network reaches the container's port but cannot use it. Offline, `docklab images build
dind` makes a stand-in for that image.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Callable

from tutor.core.engine import bundle, processes
from tutor.core.engine.address import make_client, own_engine
from tutor.core.engine.images import ImageMap, missing_images, tag_real_names
from tutor.core.errors import EngineError, brief
from tutor.core.paths import data_dir
from tutor.core.store import read_json, write_json

DATA_ROOT = Path("/var/lib/docklab-sandbox")
RUN_DIR = Path("/run/docklab-sandbox")
SOCKET = RUN_DIR / "docker.sock"
PIDFILE = RUN_DIR / "docker.pid"
LOG = RUN_DIR / "dockerd.log"
ENGINE_BINARIES = ["/opt/docklab-engine/usr/sbin/dockerd", "/usr/sbin/dockerd", "/usr/bin/dockerd"]
# Its own network namespace: a second dockerd on the host's network deletes and recreates
# "docker0" (the learner's engine's bridge) when it starts, and would share its subnets.
NETNS = "docklab-sandbox"


def _netns(run_dir: Path) -> str:
    """One namespace per sandbox: two sandboxes (say, a test's and a benchmark's) in one
    namespace would fight over its docker0 as the host's engine would."""
    return NETNS if Path(run_dir) == RUN_DIR else f"{NETNS}-{Path(run_dir).name}"[:60]


class SandboxError(EngineError):
    """The sandbox cannot start here; the message says why and what to do."""


def _state_path() -> Path:
    return data_dir() / "sandbox.json"


def _tls_dir() -> Path:
    """Where the dind sandbox's client certificates are kept (ca.pem, cert.pem, key.pem)."""
    return data_dir() / "sandbox-tls"


def status() -> dict | None:
    """The running sandbox ({"kind", "host", ...}) or None."""
    state = read_json(_state_path(), None)
    if not isinstance(state, dict):
        return None
    if state.get("kind") == "dind":
        return state if _answers(state["host"]) else None
    if not _is_ours(state):
        return None
    return state if Path(state["host"].removeprefix("unix://")).exists() else None


def client_env(state: dict | None = None) -> dict[str, str]:
    """The DOCKER_* variables that reach the sandbox, for docklab's client and every
    command it starts (the `docker` CLI reads the same ones); empty values switch off
    TLS settings meant for another engine."""
    state = state if state is not None else read_json(_state_path(), None)
    if not isinstance(state, dict) or not state.get("host"):
        return {}
    tls = state.get("tls") or ""
    return {
        "DOCKER_HOST": state["host"],
        "DOCKER_TLS_VERIFY": "1" if tls else "",
        "DOCKER_CERT_PATH": tls,
        "DOCKER_TLS": "",
    }


def _is_ours(state: dict) -> bool:
    """Is the pid in `state` still the sandbox's dockerd? After a reboot, or once it has
    ended, the pid may be anyone's. Ours runs the binary it was started with, with the
    --host and --data-root it was given, and started when it was recorded to."""
    pid = state.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    args = processes.command_line(pid)
    if not args or Path(args[0]).name != "dockerd" or args[0] != state.get("binary", args[0]):
        return False
    for flag, value in (("--host", state.get("host")), ("--data-root", state.get("data_root"))):
        if flag not in args[:-1] or args[args.index(flag) + 1] != value:
            return False
    return "start_time" not in state or processes.start_time(pid) == state["start_time"]


def _answers(tcp_host: str) -> bool:
    addr, _, port = tcp_host.removeprefix("tcp://").rpartition(":")
    try:
        with socket.create_connection((addr, int(port)), timeout=1):
            return True
    except (OSError, ValueError):
        return False


def host() -> str | None:
    """The sandbox's address whenever one was started and not stopped, alive or not: if
    it dies, docklab must say so, never fall back to the learner's own engine."""
    state = read_json(_state_path(), None)
    return state.get("host") if isinstance(state, dict) else None


def engine_binary() -> str:
    """The learner's own engine binary: the one running now if visible, else a known path."""
    try:
        out = subprocess.run(["pgrep", "-o", "-x", "dockerd"], capture_output=True, text=True).stdout.split()
        if out:
            return os.readlink(f"/proc/{out[0]}/exe")
    except OSError:
        pass
    for path in ENGINE_BINARIES:
        if Path(path).exists():
            return path
    found = shutil.which("dockerd")
    if found:
        return found
    raise SandboxError("no dockerd binary found: install Docker Engine (the sandbox runs a second copy of it)")


def local_dockerd_possible(main_client) -> bool:
    """A second dockerd on this host needs Linux, root, and the learner's engine on this
    host (not Docker Desktop's VM)."""
    if os.name != "posix" or os.uname().sysname != "Linux" or os.geteuid() != 0:
        return False
    try:
        return "Docker Desktop" not in (main_client.info().get("OperatingSystem") or "")
    except Exception:
        return False


def start(
    copy_images: list[str],
    main_client,
    progress: Callable[[str], None] = print,
    data_root: Path = DATA_ROOT,
    run_dir: Path = RUN_DIR,
    dind_image: str | None = None,
    image_map: ImageMap | None = None,
) -> dict:
    """Start the sandbox engine (or return the running one) and copy `copy_images` into it.
    With `dind_image` (Docker Desktop, or asked for), the sandbox is that image run
    --privileged on the learner's engine; otherwise a second dockerd on this host."""
    running = status()
    if running:
        return running
    if dind_image:
        return _start_dind(copy_images, main_client, dind_image, progress, image_map)
    old = read_json(_state_path(), None)
    if isinstance(old, dict) and old.get("kind") != "dind" and _is_ours(old):
        _wait_gone(old["pid"], 60)  # a sandbox still shutting down holds its pid file
    if not local_dockerd_possible(main_client):
        raise SandboxError(
            "a second dockerd needs Linux, root and a local engine: use `sudo docklab sandbox "
            "start`, or `docklab sandbox start --dind` to run one in a container"
        )
    binary = engine_binary()
    data_root, run_dir = Path(data_root), Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    data_root.mkdir(parents=True, exist_ok=True)
    sock, pidfile, log = run_dir / "docker.sock", run_dir / "docker.pid", run_dir / "dockerd.log"
    _drop_dead_pidfile(pidfile)
    netns = _netns(run_dir)
    _ensure_netns(netns)
    progress(f"starting a private engine ({binary}) on unix://{sock}")
    with open(log, "ab") as out:
        proc = subprocess.Popen(  # nsenter (network only; mounts stay shared) execs dockerd: same pid
            [
                "nsenter",
                f"--net=/run/netns/{netns}",
                "--",
                binary,
                "--host",
                f"unix://{sock}",
                "--data-root",
                str(data_root),
                "--exec-root",
                str(run_dir / "exec"),
                "--pidfile",
                str(pidfile),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    state = {
        "kind": "dockerd",
        "host": f"unix://{sock}",
        "pid": proc.pid,
        "start_time": processes.start_time(proc.pid),
        "binary": binary,
        "data_root": str(data_root),
        "run_dir": str(run_dir),
        "netns": netns,
        "log": str(log),
        "started_at": time.time(),
    }
    client = _wait_ready(state, proc)
    write_json(_state_path(), state)
    _copy_images(main_client, client, copy_images, progress, image_map)
    return state


DIND_NAME = "docklab-sandbox"
DIND_VOLUME = "docklab-sandbox-data"
# docker:dind's entrypoint makes certificates here and serves TLS on 2376. It is the
# image's default, set anyway: docklab relies on it, and an empty value means plain 2375.
DIND_CERTDIR = "/certs"
DIND_PORT = "2376/tcp"


def _start_dind(
    copy_images: list[str], main_client, image: str, progress: Callable[[str], None], image_map: ImageMap | None
) -> dict:
    """docker:dind (or its stand-in) on the learner's engine, reached with its client
    certificate on a loopback port; its engine data lives in a named volume that
    `stop --purge` removes."""
    import docker

    if missing_images(main_client, [image]):
        raise SandboxError(
            f"the sandbox image {image} is missing: `docker pull {image}`, or "
            "`docklab images build dind` and `--images offline`"
        )
    try:
        old = main_client.containers.get(DIND_NAME)
        if old.labels.get("org.docklab.sandbox") != "1":
            raise SandboxError(f"a container named {DIND_NAME} exists and is not docklab's: rename or remove it")
        old.remove(force=True)  # docklab's own, stopped or stale
    except docker.errors.NotFound:
        pass
    try:
        main_client.volumes.get(DIND_VOLUME)
        new_volume = False
    except docker.errors.NotFound:
        new_volume = True
    progress(f"starting a private engine in a container ({image}) on your engine")
    box = main_client.containers.run(
        image,
        name=DIND_NAME,
        detach=True,
        privileged=True,
        labels={"org.docklab.sandbox": "1"},
        environment={"DOCKER_TLS_CERTDIR": DIND_CERTDIR},
        ports={DIND_PORT: ("127.0.0.1", None)},
        volumes={DIND_VOLUME: {"bind": "/var/lib/docker", "mode": "rw"}},
    )
    box.reload()
    port = box.attrs["NetworkSettings"]["Ports"][DIND_PORT][0]["HostPort"]
    state = {
        "kind": "dind",
        "host": f"tcp://127.0.0.1:{port}",
        "tls": str(_tls_dir()),
        "container": box.id,
        "volume": DIND_VOLUME,
        "main_host": own_engine()[0],
        "started_at": time.time(),
    }
    deadline = time.monotonic() + 90  # the real image makes three 4096-bit RSA keys first
    while True:
        try:
            _copy_client_certs(box, _tls_dir())
            client, _ = make_client(state["host"], tls=_tls_config(_tls_dir()), timeout=30)
            client.ping()
            break
        except Exception as err:
            box.reload()
            if box.status != "running" or time.monotonic() > deadline:
                logs = box.logs(tail=5).decode(errors="replace")
                box.remove(force=True)
                shutil.rmtree(_tls_dir(), ignore_errors=True)
                if new_volume:  # made by this start: nothing of a sandbox's earlier data is in it
                    main_client.volumes.get(DIND_VOLUME).remove(force=True)
                ssl = re.search(r"\[SSL[^\]]*\][^()']*", str(err))  # a certificate problem, said plainly
                reason = ssl.group(0).strip() if ssl else brief(err)
                raise SandboxError(
                    f"the sandbox container did not start an engine that docklab can reach over "
                    f"TLS on {DIND_PORT} ({reason}); its last log lines:\n{logs}"
                ) from None
            time.sleep(0.3)
    write_json(_state_path(), state)
    _copy_images(main_client, client, copy_images, progress, image_map)
    return state


def _copy_client_certs(box, dest: Path) -> None:
    """The client's ca.pem, cert.pem and key.pem, out of the container into `dest`
    (private to this user). Raises until the entrypoint has written all three."""
    stream, _ = box.get_archive(f"{DIND_CERTDIR}/client")
    files = {}
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        for member in tar.getmembers():
            name = Path(member.name).name
            if member.isfile() and name in ("ca.pem", "cert.pem", "key.pem"):
                files[name] = tar.extractfile(member).read()
    if len(files) < 3 or not all(files.values()):
        raise SandboxError(f"the sandbox container has not written its client certificate yet ({sorted(files)})")
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(dest, 0o700)
    for name, data in files.items():
        fd = os.open(dest / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)


def _tls_config(folder: Path):
    from docker.tls import TLSConfig

    return TLSConfig(
        client_cert=(str(folder / "cert.pem"), str(folder / "key.pem")), ca_cert=str(folder / "ca.pem"), verify=True
    )


def _stop_dind(state: dict, purge: bool) -> None:
    import docker

    main = docker.DockerClient(base_url=state.get("main_host") or "unix:///var/run/docker.sock")
    try:
        main.containers.get(state["container"]).remove(force=True)
    except docker.errors.NotFound:
        pass
    shutil.rmtree(_tls_dir(), ignore_errors=True)  # docklab's own folder, never a path read from the state
    if purge:
        try:
            main.volumes.get(state["volume"]).remove(force=True)
        except docker.errors.NotFound:
            pass


def _ensure_netns(netns: str) -> None:
    if netns in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split():
        return
    for cmd in (["ip", "netns", "add", netns], ["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"]):
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise SandboxError(f"cannot make the sandbox's network namespace: {done.stderr.strip()}")


def _wait_ready(state: dict, proc: subprocess.Popen, limit: float = 60):
    import docker

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = Path(state["log"]).read_text(errors="replace").splitlines()[-5:]
            raise SandboxError("the sandbox engine stopped at start:\n  " + "\n  ".join(tail))
        try:
            client = docker.DockerClient(base_url=state["host"], timeout=30)
            client.ping()
            return client
        except Exception:
            time.sleep(0.3)
    proc.terminate()
    raise SandboxError(f"the sandbox engine did not answer within {limit:.0f} s (log: {state['log']})")


def _copy_images(
    main_client, client, images: list[str], progress: Callable[[str], None], image_map: ImageMap | None = None
) -> None:
    """Stream `docker save` from the main engine into `docker load` on the sandbox; then the
    map's substitutes answer to the real names too (`ubuntu`), the sandbox being docklab's."""
    have = {r["image"] for r in bundle.rows(client, images) if r["present"]}
    todo = [r["image"] for r in bundle.rows(main_client, images) if r["present"] and r["image"] not in have]
    if todo:
        progress(f"copying {len(todo)} images into the sandbox: {', '.join(todo)}")
        for status_ in client.api.load_image(bundle.export(main_client, todo), quiet=True):
            if "error" in status_:
                raise SandboxError(f"copying images into the sandbox failed: {status_['error']}")
    if image_map is not None and (tagged := tag_real_names(client, image_map)):
        progress(f"in the sandbox, the lessons' own names answer too: {', '.join(tagged)}")


def stop(purge: bool = False, timeout: float = 30) -> str:
    """Stop the sandbox engine (its containers stop with it) and unmount what it left
    mounted; `purge` also deletes its data root. Returns "stopped"; "stale" when the recorded pid is no longer the sandbox's
    dockerd (it is left alone, the record removed); "none" when none was started."""
    state = read_json(_state_path(), None)
    if not isinstance(state, dict) or not state:
        return "none"
    if state.get("kind") == "dind":
        _stop_dind(state, purge)
        _state_path().unlink(missing_ok=True)
        return "stopped"
    pid = state.get("pid")
    outcome = "stopped" if _is_ours(state) else "stale"
    try:
        if outcome == "stopped":
            os.kill(pid, signal.SIGTERM)
            if not _wait_gone(pid, timeout) and _is_ours(state):
                os.kill(pid, signal.SIGKILL)
                _wait_gone(pid, 10)
    except ProcessLookupError:
        pass  # it ended by itself meanwhile
    _state_path().unlink(missing_ok=True)
    subprocess.run(["ip", "netns", "delete", state.get("netns", NETNS)], capture_output=True, check=False)
    folders = [state[key] for key in ("data_root", "run_dir") if state.get(key)]
    if _dockerd_using(folders):
        if purge:
            raise SandboxError(f"not deleting {state['data_root']}: a running dockerd keeps its data in or around it")
        return outcome
    _unmount_under(folders)
    if purge and state.get("data_root"):
        subprocess.run(["rm", "-rf", "--one-file-system", state["data_root"]], check=False)
    return outcome


def _mounts_under(folders: list[str]) -> list[str]:
    """The mount points at or under these folders, once per mount (/proc/self/mountinfo)."""
    found = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4])
            if any(point == folder or point.startswith(folder.rstrip("/") + "/") for folder in folders):
                found.append(point)
    return found


def _unmount_under(folders: list[str]) -> None:
    """Unmount, the deepest first, what dockerd left mounted in the sandbox's folders. It
    bind-mounts its data root on itself and undoes that only at a clean shutdown; after a
    crash the mount stays, a start on it keeps it at every stop, and `rm` finds it busy."""
    for point in sorted(_mounts_under(folders), key=len, reverse=True):
        subprocess.run(["umount", "--lazy", point], capture_output=True, check=False)


def _dockerd_using(folders: list[str]) -> bool:
    """Does a running dockerd keep its data or exec root at, in or above one of these
    folders? Then they are not an ended sandbox's to unmount or delete (a stale record)."""
    mine = [os.path.realpath(f) for f in folders]
    for root in _dockerd_roots():
        if any(root == f or root.startswith(f + "/") or f.startswith(root + "/") for f in mine):
            return True
    return False


def _dockerd_roots() -> set[str]:
    """The data and exec roots of the dockerd processes running now (defaults where not given)."""
    roots = set()
    for pid in processes.running():
        args = processes.command_line(pid)
        if not args or Path(args[0]).name != "dockerd":
            continue
        given = {"--data-root": "/var/lib/docker", "--exec-root": "/var/run/docker"}
        for i, arg in enumerate(args):
            flag, eq, value = arg.partition("=")
            if flag in given:
                given[flag] = value if eq else (args[i + 1] if i + 1 < len(args) else "")
        roots |= {os.path.realpath(v) for v in given.values() if v}
    return roots


def _drop_dead_pidfile(pidfile: Path) -> None:
    """A killed sandbox leaves its pid file, and while nothing reaps it (no init that does,
    in some containers) its zombie makes a new dockerd refuse to start. A pid file whose
    process has ended, zombie or gone, is stale: remove it. A live process is left alone."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return
    if processes.ended(pid):
        pidfile.unlink(missing_ok=True)


def _wait_gone(pid: int, timeout: float) -> bool:
    """Wait for a process to end (reaping it when it is our own child); True if it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return True
        except ChildProcessError:
            pass
        if processes.ended(pid):  # gone, or a zombie of another parent
            return True
        time.sleep(0.2)
    return False
