"""Preflight: is this machine ready for the lessons? Workshops fail on the environment
before they fail on the content, so each finding says ok / warning / problem and the
one thing to do about it. The JSON form is documented in docs/doctor.md."""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from tutor.core.engine.connection import Engine, parse_version, where
from tutor.core.engine.images import ImageMap
from tutor.core.learner.session import Session
from tutor.core.model import Lesson

SCHEMA = 1
MIN_FREE_GB = 3.0  # the MySQL image plus a few database volumes, with room to spare


@dataclass(frozen=True)
class Finding:
    status: str  # "ok" | "warning" | "problem"
    check: str  # what was looked at
    detail: str  # what was found
    todo: str = ""  # the one thing to do (empty when ok)


def engine_findings(engine: Engine) -> list[Finding]:
    """What the engine's versions, storage and features mean for the lessons."""
    info = engine.port.info()
    out = [
        Finding(
            "ok", "engine", f"Docker Engine {engine.version}, API {engine.api_version}, at {engine.host} ({engine.how})"
        )
    ]
    if parse_version(engine.api_version) < (1, 45):
        out.append(
            Finding(
                "warning",
                "api",
                f"API {engine.api_version} is older than 1.45",
                "Volume subpaths need Engine 26 (API 1.45): update Docker to use that lesson.",
            )
        )
    cli = engine.cli_version
    if cli is None:
        out.append(
            Finding(
                "problem",
                "cli",
                "no `docker` command on PATH",
                "Install the Docker CLI (it comes with Docker Desktop and Docker Engine).",
            )
        )
    elif parse_version(cli) < (26,):
        out.append(
            Finding(
                "warning",
                "cli",
                f"docker CLI {cli}",
                "`--mount ...,volume-subpath=` needs CLI 26 or newer: update the docker CLI.",
            )
        )
    elif engine.cli_note:  # scripts/engine's CLI 26, put first for docklab's own commands only
        out.append(
            Finding(
                "warning",
                "cli",
                f"docker CLI {cli} at {engine.cli_path}",
                engine.cli_note[0].upper() + engine.cli_note[1:],
            )
        )
    else:
        out.append(Finding("ok", "cli", f"docker CLI {cli}"))
    out.append(
        Finding("ok", "compose", "Compose v2 plugin present")
        if engine.has_compose
        else Finding(
            "warning",
            "compose",
            "`docker compose version` fails",
            "Install the Compose v2 plugin (docker-compose-plugin, or Docker Desktop).",
        )
    )
    out.append(Finding("ok", "storage", f"storage driver {info.get('Driver', '?')}"))
    security = " ".join(info.get("SecurityOptions") or [])
    osname = info.get("OperatingSystem", "")
    kind = "Docker Desktop" if "Docker Desktop" in osname else "Linux engine"
    rootless = "name=rootless" in security
    out.append(
        Finding(
            "ok",
            "kind",
            f"{kind} on {osname or '?'}"
            + (", rootless" if rootless else "")
            + (": volumes live under ~/.local/share/docker/volumes" if rootless else ""),
        )
    )
    out.append(_disk(info.get("DockerRootDir", ""), engine.host))
    return out


def _disk(root: str, host: str) -> Finding:
    if not root or not host.startswith("unix://") or not Path(root).exists():
        return Finding(
            "warning",
            "disk",
            f"the engine keeps its data in {root or '?'}, which is not visible here "
            "(Docker Desktop VM or a remote engine)",
            "Check the space the engine has with `docker system df` and Docker Desktop's settings.",
        )
    try:
        free = shutil.disk_usage(root).free / 1e9
    except OSError as err:
        return Finding(
            "warning",
            "disk",
            f"cannot read the free space of {root}: {err}",
            "Check it with `df -h` as a user who can read it.",
        )
    if free < MIN_FREE_GB:
        return Finding(
            "problem",
            "disk",
            f"{free:.1f} GB free in {root}",
            f"Free at least {MIN_FREE_GB:.0f} GB: `docker system df` shows what takes space.",
        )
    return Finding("ok", "disk", f"{free:.1f} GB free in {root}")


def lesson_findings(reasons_by_lesson: dict[str, list[str]]) -> list[Finding]:
    """One finding a lesson: ready, or why not and what to do."""
    return [
        Finding("problem" if reasons else "ok", f"lesson {lid}", "; ".join(reasons) or "ready", _todo(reasons))
        for lid, reasons in reasons_by_lesson.items()
    ]


def _todo(reasons: list[str]) -> str:
    if not reasons:
        return ""
    if any("image" in r for r in reasons):
        return (
            "Get the images: `docklab images pull` (online), `docklab images load FILE` (a workshop bundle), "
            "or `docklab images build` and `docklab config images offline`."
        )
    return "Update Docker (Engine and CLI 26 or newer, with the Compose v2 plugin), or skip this lesson."


def report(engine: Engine, image_map: ImageMap, lessons: list[Lesson]) -> dict:
    """Every finding, as the JSON that `docklab doctor --json` prints."""
    reasons = {lesson.id: Session(lesson, engine, image_map).unmet() for lesson in lessons}
    findings = engine_findings(engine) + lesson_findings(reasons)
    return {
        "schema": SCHEMA,
        "docker_host": engine.host,
        "sandbox": engine.sandboxed,
        "engine": {
            "version": engine.version,
            "api": engine.api_version,
            "cli": engine.cli_version,
            "compose": engine.has_compose,
        },
        "image_map": image_map.name,
        "findings": [asdict(f) for f in findings],
        "lessons": [{"id": lid, "ready": not r, "reasons": r} for lid, r in reasons.items()],
        "ready": not any(reasons.values()),
    }


def unreachable(message: str) -> dict:
    """The doctor's report when no engine answers: one problem, nothing ready."""
    return {
        "schema": SCHEMA,
        "docker_host": where()[0],
        "engine": None,
        "image_map": None,
        "findings": [asdict(Finding("problem", "engine", message, "Start Docker, then run `docklab doctor` again."))],
        "lessons": [],
        "ready": False,
    }
