"""Prune safety: before docklab runs a command, what would it remove that is not the
lesson's?

A prune removes by rule, not by name: `docker volume prune` takes every unused
anonymous volume on the engine, the learner's too. So before any prune runs, docklab
asks the engine what that prune would take (the same rules the engine applies, for
this API version and these filters) and compares with what the lesson owns
(tutor.core.learner.ownership). The CLI refuses a prune that would take anything else; the
TUI calls the same `assess` and asks.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from tutor.core.engine.describe import ANON_LABEL
from tutor.core.engine.events import PROBE_LABEL
from tutor.core.engine.port import Image, Port
from tutor.core.engine.connection import parse_version

SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", "|&", ";;", "\n"}
PREFIXES = {"sudo", "command", "exec", "time", "nohup", "env"}
SHELLS = {"sh", "bash", "dash", "zsh"}
GLOBAL_WITH_VALUE = {
    "-H",
    "--host",
    "-c",
    "--context",
    "--config",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
}
PRUNABLE = {"volume", "container", "network", "image", "system", "builder"}


@dataclass
class Prune:
    """One `docker ... prune` found in a command line."""

    what: str  # volume, container, network, image, system, builder
    text: str  # as written
    all: bool = False
    volumes: bool = False  # system prune --volumes
    filters: list[tuple[str, str]] = field(default_factory=list)  # (key, value) as given
    elsewhere: str = ""  # -H / --context / DOCKER_HOST=: an engine docklab does not watch
    api: str = ""  # DOCKER_API_VERSION=... in front of it: the API the CLI will speak


@dataclass
class PruneVerdict:
    """What the prunes of one command would remove, and which of that is not the lesson's."""

    command: str
    removes: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        """Does the command remove nothing but the lesson's own?"""
        return not self.foreign

    def message(self, refusing: bool = True) -> str:
        """In words: what goes; when unsafe, a refusal (or, for a learner about to type
        it in their own shell, a warning)."""
        if self.safe:
            return (
                "docklab checked this prune first: it removes "
                + (", ".join(self.removes) or "nothing")
                + (" (all of it this lesson's)." if self.removes else ".")
            )
        head = f"docklab will not run `{self.command}`" if refusing else f"Careful: `{self.command}`"
        lines = [head + ": it would also remove what is not this lesson's:"]
        lines += [f"  - {item}" for item in self.foreign]
        lines += self.notes
        lines.append(
            ("Nothing was removed. " if refusing else "")
            + "Remove the lesson's things by name, or prune only them with a filter "
            "(`--filter label=...`); `docklab reset LESSON` removes exactly what the lesson created."
        )
        return "\n".join(lines)


def prunes(command: str) -> list[Prune]:
    """Every prune in a shell command line, in any spelling the docker CLI accepts."""
    try:
        lex = shlex.shlex(command, posix=True, punctuation_chars=";&|()")
        lex.whitespace_split = True
        words = list(lex)
    except ValueError:  # unbalanced quotes: the shell would refuse it too
        return []
    found, segment = [], []
    for word in words + [";"]:
        if word in SEPARATORS:
            inner = _shell_c(segment)
            p = _prune(segment) if inner is None else None
            found += prunes(inner) if inner is not None else [p] if p else []
            segment = []
        else:
            segment.append(word)
    return found


def _shell_c(words: list[str]) -> str | None:
    """The script of `bash -c 'SCRIPT'` (and sh, dash, zsh), which may prune too."""
    for i, word in enumerate(words):
        if word.rsplit("/", 1)[-1] in SHELLS:
            rest = words[i + 1 :]
            return rest[rest.index("-c") + 1] if "-c" in rest[:-1] else None
        if not ("=" in word and not word.startswith("-") or word in PREFIXES):
            return None
    return None


def _prune(words: list[str]) -> Prune | None:
    i, env = 0, {}
    while i < len(words) and ("=" in words[i] and not words[i].startswith("-") or words[i] in PREFIXES):
        key, _, value = words[i].partition("=")
        env[key] = value
        i += 1
    if i >= len(words) or words[i].rsplit("/", 1)[-1] != "docker":
        return None
    i += 1
    elsewhere = env.get("DOCKER_HOST") or env.get("DOCKER_CONTEXT") or ""
    while i < len(words) and words[i].startswith("-"):  # the CLI's global options
        name, eq, value = words[i].partition("=")
        if name in GLOBAL_WITH_VALUE and not eq:
            i += 1
            value = words[i] if i < len(words) else ""
        if name in {"-H", "--host", "-c", "--context"}:
            elsewhere = value
        i += 1
    rest = words[i:]
    if rest[:1] == ["buildx"]:
        rest = ["builder"] + rest[1:]
    if len(rest) < 2 or rest[0] not in PRUNABLE or rest[1] != "prune":
        return None
    p = Prune(rest[0], shlex.join(words), elsewhere=elsewhere, api=env.get("DOCKER_API_VERSION", ""))
    args = iter(rest[2:])
    for arg in args:
        name, eq, value = arg.partition("=")
        if name == "--filter":
            value = value if eq else next(args, "")
            key, _, val = value.partition("=")
            p.filters.append((key, val))
        elif name == "--all":
            p.all = True
        elif name == "--volumes":
            p.volumes = True
        elif arg.startswith("-") and not arg.startswith("--") and "a" in arg[1:]:
            p.all = True  # -a, -af, -fa
    if any(k == "all" and v.lower() in {"true", "1"} for k, v in p.filters):
        p.all = True
    return p


def _labels_match(labels: dict, filters: list[tuple[str, str]]) -> bool:
    """The engine's label filters: every `label=` must match, no `label!=` may."""

    def has(spec: str) -> bool:
        key, eq, value = spec.partition("=")
        return key in labels and (not eq or labels[key] == value)

    wanted = [v for k, v in filters if k == "label"]
    unwanted = [v for k, v in filters if k == "label!"]
    return all(has(s) for s in wanted) and not any(has(s) for s in unwanted)


def assess(command: str, engine, ownership) -> PruneVerdict | None:
    """None when the command prunes nothing; else what it would remove and what of that
    the lesson does not own. Asks the engine now, so run it right before the command."""
    found = prunes(command)
    if not found:
        return None
    ownership.observe()
    state = ownership.state or {}
    owned_volumes = set(state.get("volumes", []))
    owned_containers = set(state.get("containers", {}))
    owned_networks = set(state.get("networks", []))
    port = engine.port
    verdict = PruneVerdict(command)

    def judge(item: str, mine: bool, why: str) -> None:
        verdict.removes.append(item)
        if not mine:
            verdict.foreign.append(f"{item}: {why}")

    for p in found:
        if p.elsewhere:
            verdict.foreign.append(f"whatever it prunes on {p.elsewhere}, an engine docklab does not watch")
            continue
        if p.what == "volume" or (p.what == "system" and p.volumes):
            _volumes(port, engine, p, owned_volumes, judge, verdict)
        if p.what in ("container", "system"):
            for c in port.containers(status=("created", "exited", "dead")):
                if PROBE_LABEL in c.labels:  # a check's helper, gone once its step's checks are done
                    continue
                if _labels_match(c.labels, p.filters):
                    judge(
                        f"container {c.name}",
                        c.id in owned_containers,
                        "a stopped container the lesson did not create",
                    )
        if p.what in ("network", "system"):
            for n in port.networks():
                if n.name in ("bridge", "host", "none") or not _labels_match(n.labels, p.filters):
                    continue
                if not port.network_used(n.id):
                    judge(
                        f"network {n.name}",
                        n.name in owned_networks,
                        "an unused network the lesson did not create",
                    )
        if p.what in ("image", "system"):
            images = port.images(dangling=True) if not p.all else _unused_images(port)
            for image in images:
                judge(
                    f"image {image.tags[0] if image.tags else image.id[7:19]}",
                    False,
                    "lessons never create images",
                )
        if p.what in ("builder", "system"):
            cache = port.unused_build_cache()
            if cache:
                judge(f"build cache ({cache} records)", False, "lessons never create build cache")
    return verdict


def _volumes(port: Port, engine, p: Prune, owned: set[str], judge, verdict: PruneVerdict) -> None:
    api = p.api or engine.api_version
    old_api = parse_version(api) < (1, 42)
    if old_api:
        verdict.notes.append(
            f"This client speaks API {api} (before 1.42): a volume prune removes every unused volume, named ones too."
        )
    for v in port.volumes(dangling=True):
        anonymous = ANON_LABEL in v.labels
        if v.driver != "local" or not _labels_match(v.labels, p.filters):
            continue
        if not (old_api or p.all or anonymous):
            continue
        kind = "anonymous" if anonymous else "named"
        judge(f"volume {v.name}", v.name in owned, f"an unused {kind} volume that this lesson did not create")


def _unused_images(port: Port) -> list[Image]:
    used = {c.image_id for c in port.containers()}
    return [i for i in port.images() if i.id not in used]
