"""The connection to the Docker Engine: one SDK client, its versions, plain-worded errors."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache, cached_property

from tutor.core.engine import sandbox as private_engine
from tutor.core.engine.address import make_client, own_engine
from tutor.core.engine.port import Port
from tutor.core.errors import EngineError, brief
from tutor.core.model import Requirements
from tutor.core.paths import data_dir
from tutor.core.store import read_json, write_json

HOW_TO_START = (
    "Start Docker Desktop, or the Docker Engine (`sudo systemctl start docker`), "
    "then try again. `docklab doctor` tells more."
)


class EngineUnavailable(EngineError):
    """No usable engine: down, unreachable, or too old. The CLI exits 3 with this message."""


def parse_version(text: str | None) -> tuple[int, ...]:
    """'26.1.5+dfsg1' -> (26, 1, 5); unparseable parts stop the tuple."""
    out: list[int] = []
    for part in (text or "").replace("-", ".").replace("+", ".").split("."):
        if not part.isdigit():
            break
        out.append(int(part))
    return tuple(out)


# scripts/engine's docker CLI 26 (Debian 13's docker-cli), alone in its folder. Debian 12's
# own is 20.10, too old for two lessons; where the one on PATH is older, every command
# docklab starts gets this folder first on PATH, and the learner's own CLI stays untouched.
ENGINE_CLI_DIR = "/opt/docklab-engine/bin"
CLI_NEEDED = (26,)  # the newest CLI a lesson asks for (subpath)


CLI_VERSIONS = "cli-versions.json"  # in data_dir(): what each docker binary said its version was
BINARY_MAGIC = (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"MZ")  # ELF, Mach-O (thin, universal), PE


def cli_version(exe: str | None) -> str | None:
    """'20.10.24+dfsg1' from `docker --version`, which asks no daemon (None: no such CLI).
    Asked once per binary, not in every docklab process (it costs a process start, 15-20
    ms): the answer is kept in the data folder with the file's size, time and inode, and
    asked again when any of these changes (the CLI upgraded or replaced). Only a docker
    binary's: a wrapper script (podman-docker) or a launcher of another name (the snap's
    /usr/bin/snap) answers for a program that can change without it, so it is asked each time."""
    if not exe:
        return None
    try:
        real = os.path.realpath(exe)
        stat = os.stat(real)
        with open(real, "rb") as fh:
            keepable = os.path.basename(real).startswith("docker") and fh.read(4).startswith(BINARY_MAGIC)
    except OSError:
        return None
    file = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
    kept_at, kept = None, {}
    if keepable:
        try:
            kept_at = data_dir() / CLI_VERSIONS
            kept = read_json(kept_at, {})
        except OSError:  # a data folder that cannot be read or made: asked each time
            kept_at = None
    kept = kept if isinstance(kept, dict) else {}
    if isinstance(known := kept.get(real), dict) and known.get("file") == file:
        return known.get("version")
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"version ([0-9][^,\s]*)", out)
    if not found:
        return None
    if kept_at is not None:
        with contextlib.suppress(OSError):  # not kept where it cannot be written: asked again next time
            write_json(kept_at, {**kept, real: {"file": file, "version": found.group(1)}})
    return found.group(1)


def cli_env() -> dict[str, str]:
    """What the commands docklab starts add to their environment so that `docker` is a CLI
    26: PATH with ENGINE_CLI_DIR first when the docker on PATH is older or missing and
    that one is newer; else nothing."""
    return _cli_env_for(os.environ.get("PATH", os.defpath))


@cache
def _cli_env_for(path: str) -> dict[str, str]:
    theirs = cli_version(shutil.which("docker", path=path))
    if theirs and parse_version(theirs) >= CLI_NEEDED:
        return {}
    ours = cli_version(os.path.join(ENGINE_CLI_DIR, "docker"))
    if ours and parse_version(ours) > parse_version(theirs):
        return {"PATH": f"{ENGINE_CLI_DIR}{os.pathsep}{path}"}
    return {}


SANDBOX = "the docklab sandbox"  # how an Engine reached the private engine (`docklab sandbox start`)


@dataclass
class Engine:
    client: object  # docker.DockerClient: for building and loading images, within core/engine
    version: str
    api_version: str
    host: str = ""  # the address connected to
    how: str = ""  # why that one: DOCKER_HOST, SANDBOX, context NAME, default socket
    # What the commands docklab starts (the runner's, the TUI's shell) add to their
    # environment: the sandbox's DOCKER_* variables to reach the same engine, and PATH
    # when docklab's own CLI 26 must come first (cli_env); else nothing.
    env: dict[str, str] = field(default_factory=dict)
    # What checks, roles, ownership, the guard and the panel ask the engine through:
    # the SDK's client behind the port, unless given (the unit tests' recorded engine).
    port: Port = None  # type: ignore[assignment]

    def __post_init__(self):
        if self.port is None:
            from tutor.core.engine.sdk import SdkPort

            self.port = SdkPort(self.client)

    @property
    def sandboxed(self) -> bool:
        """Is this docklab's private engine rather than the learner's own?"""
        return self.how == SANDBOX

    @cached_property
    def cli_path(self) -> str | None:
        """The `docker` the learner's commands run (None if there is none)."""
        return shutil.which("docker", path=self.env.get("PATH", os.environ.get("PATH", os.defpath)))

    @cached_property
    def cli_version(self) -> str | None:
        """That CLI's version (None if there is none)."""
        return cli_version(self.cli_path)

    @cached_property
    def cli_note(self) -> str:
        """What to do in the learner's own shell when docklab's commands run its own CLI 26
        rather than the older one on PATH (empty when they run the one on PATH)."""
        if "PATH" not in self.env:
            return ""
        theirs = cli_version(shutil.which("docker"))
        found = f"the docker CLI on your PATH is {theirs}" if theirs else "there is no docker CLI on your PATH"
        return (
            f"{found}, so docklab's shells and checks run its own CLI {self.cli_version} ({self.cli_path}); "
            f"in your own shell, put it first: export PATH={ENGINE_CLI_DIR}:$PATH"
        )

    @cached_property
    def has_compose(self) -> bool:
        """Does `docker compose version` work here?"""
        out = _docker(self.cli_path, "compose", "version")
        return out is not None and out.returncode == 0

    def unmet(self, req: Requirements) -> list[str]:
        """Why this engine cannot run a lesson with these requirements (empty: it can)."""
        reasons = []
        if req.api and parse_version(self.api_version) < parse_version(req.api):
            reasons.append(f"needs Engine API {req.api} or newer; this client speaks API {self.api_version}")
        if req.engine and parse_version(self.version) < parse_version(req.engine):
            reasons.append(f"needs Docker Engine {req.engine} or newer; this engine is {self.version}")
        if req.cli:
            cli = self.cli_version
            if cli is None:
                reasons.append("needs the `docker` command, which is not on PATH")
            elif parse_version(cli) < parse_version(req.cli):
                reasons.append(f"needs the docker CLI {req.cli} or newer; yours is {cli}")
        if req.compose and not self.has_compose:
            reasons.append(
                "needs the Docker Compose v2 plugin (`docker compose version` fails): "
                "install docker-compose-plugin or Docker Desktop"
            )
        return reasons


def _docker(exe: str | None, *args: str) -> subprocess.CompletedProcess | None:
    """The learner's `docker` command, asked about itself (None: there is none, or it hung)."""
    if not exe:
        return None
    try:
        return subprocess.run([exe, *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None


def where(sandbox: bool = True) -> tuple[str, str]:
    """The engine address docklab uses, and how it was chosen: DOCKER_HOST, else the
    docklab sandbox (unless `sandbox` is False: the learner's own engine is wanted),
    else the current context (Docker Desktop on Linux uses its own)."""
    if sandbox and not os.environ.get("DOCKER_HOST"):
        private = private_engine.host()
        if private:
            return private, SANDBOX
    return own_engine()


def connect(timeout: int = 60, sandbox: bool = True) -> Engine:
    """Connect as the `docker` CLI would (DOCKER_HOST or the current context,
    DOCKER_API_VERSION), or to the docklab sandbox while one is started (unless
    `sandbox` is False); raise EngineUnavailable with what to do when that fails."""
    host, how = where(sandbox)
    # the sandbox's TLS files and all, for docklab's client and every command it starts
    env = (private_engine.client_env() or {"DOCKER_HOST": host}) if how == SANDBOX else {}
    version = os.environ.get("DOCKER_API_VERSION") or "auto"
    try:
        if how == "DOCKER_HOST" or env:
            client, info = make_client(version=version, timeout=timeout, env=env or None)
        else:
            client, info = make_client(host, version=version, timeout=timeout)
        info = info or client.version()  # asked already, unless DOCKER_API_VERSION fixed the API
    except Exception as err:  # DockerException, requests' connection errors, a half-open socket
        reason = _reason(err)
        todo = (
            "`docklab sandbox start` starts it again; `docklab sandbox stop` returns to your own engine."
            if how == SANDBOX
            else HOW_TO_START
        )
        raise EngineUnavailable(f"Cannot reach the Docker Engine at {host} ({how}): {reason}. {todo}") from None
    return Engine(client, info.get("Version", "?"), client.api.api_version, host, how, {**cli_env(), **env})


def _reason(err: Exception) -> str:
    from docker.errors import DockerException

    text = str(err)
    if "FileNotFoundError" in text or "No such file" in text:
        return "no engine is listening there"
    if "PermissionError" in text or "Permission denied" in text:
        return "permission denied (add yourself to the `docker` group, or use sudo)"
    if "Connection refused" in text:
        return "nothing answers there (connection refused)"
    return brief(err) if isinstance(err, DockerException) else text


def engine_lost(err: BaseException) -> bool:
    """Did the engine go away (or break) in the middle of a command? The SDK's errors,
    requests' and the port's are not docklab's own, so they are told apart by type here."""
    import requests  # with the SDK: only once something went wrong
    from docker.errors import DockerException

    from tutor.core.engine.port import Lost, Refused  # NotFound is a Refused

    return isinstance(err, (DockerException, requests.exceptions.RequestException, ConnectionError, Lost, Refused))
