"""Images for workshops: which images the lessons need under the active map, and
carrying them in on a USB stick (`docker save` format), or pulling them with progress.

An archive is checked completely before anything is sent to the engine, so a truncated
or foreign file loads nothing at all."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path
from typing import Callable, Iterator

from tutor.core.engine.images import ImageError, ImageMap
from tutor.core.model import Lesson

CHUNK = 1 << 20


def needed(lessons: list[Lesson], image_map: ImageMap) -> list[str]:
    """Every image the lessons use, as the active map resolves it, in lesson order."""
    seen: dict[str, None] = {}
    for lesson in lessons:
        for image in lesson.images:
            seen.setdefault(image_map.resolve(image), None)
    return list(seen)


def rows(client, images: list[str]) -> list[dict]:
    """Each image: whether the engine has it, and its size in MB."""
    from docker.errors import ImageNotFound

    out = []
    for name in images:
        try:
            size = client.api.inspect_image(name).get("Size", 0)
            out.append({"image": name, "present": True, "size_mb": round(size / 1e6, 1)})
        except ImageNotFound:
            out.append({"image": name, "present": False, "size_mb": None})
    return out


def export(client, images: list[str]) -> Iterator[bytes]:
    """One `docker save` archive of several images as a stream (shared layers stored once):
    GET /images/get with several names, which the SDK offers only for one image."""
    resp = client.api.get(client.api._url("/images/get"), params=[("names", n) for n in images], stream=True)
    client.api._raise_for_status(resp)
    return resp.iter_content(CHUNK)


def save(client, images: list[str], path: Path, progress: Callable[[int], None] = lambda n: None) -> int:
    """Write one archive with all `images`; returns its size. Written to a temporary
    name first: an interrupted save never leaves a file that looks complete."""
    from docker.errors import APIError

    missing = [r["image"] for r in rows(client, images) if not r["present"]]
    if missing:
        raise ImageError(
            f"cannot bundle images that are not on this engine: {', '.join(missing)} "
            "(`docklab images pull` or `docklab images build` first)"
        )
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    written = 0
    try:
        with open(tmp, "wb") as fh:
            for chunk in export(client, images):
                fh.write(chunk)
                written += len(chunk)
                progress(written)
        os.replace(tmp, path)
    except APIError as err:
        raise ImageError(f"the engine could not save the images: {err.explanation or err}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return written


def inspect_archive(path: Path) -> list[str]:
    """The image names in a docker-save archive; ImageError if it is not one or is incomplete."""
    path = Path(path)
    if not path.is_file():
        raise ImageError(f"{path} does not exist")
    try:
        with tarfile.open(path) as tar:
            members = {}
            for member in tar:  # reading every member to the end finds a truncated file
                if member.isfile():
                    with tar.extractfile(member) as fh:  # type: ignore[union-attr]
                        while fh.read(CHUNK):
                            pass
                members[member.name] = member
            if "manifest.json" not in members:
                raise ImageError(f"{path} is not a docker-save archive (no manifest.json). Nothing was loaded.")
            manifest = json.load(tar.extractfile(members["manifest.json"]))  # type: ignore[arg-type]
    except (tarfile.TarError, EOFError, OSError, ValueError) as err:
        raise ImageError(f"{path} is not a complete docker-save archive ({err}). Nothing was loaded.") from None
    names = []
    for entry in manifest:
        for needed_file in [entry.get("Config"), *(entry.get("Layers") or [])]:
            if needed_file and needed_file not in members:
                raise ImageError(f"{path} is incomplete: {needed_file} is missing. Nothing was loaded.")
        names.extend(entry.get("RepoTags") or [])
    if not names:
        raise ImageError(f"{path} holds no tagged image: nothing to load.")
    return names


def load(client, path: Path) -> list[str]:
    """Check the archive, then load it; returns the image names loaded."""
    from docker.errors import APIError

    names = inspect_archive(path)
    try:
        with open(path, "rb") as fh:
            for status in client.api.load_image(fh, quiet=True):
                if "error" in status:
                    raise ImageError(f"the engine refused {path}: {status['error']}")
    except APIError as err:
        raise ImageError(f"the engine refused {path}: {err.explanation or err}") from None
    return names


def pull(client, image: str) -> Iterator[dict]:
    """The engine's pull progress, one event per layer update (id, status, current, total)."""
    from docker.errors import APIError

    repo, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "latest")
    try:
        for ev in client.api.pull(repo, tag=tag or "latest", stream=True, decode=True):
            if "error" in ev:
                raise ImageError(f"cannot pull {image}: {ev['error']}")
            detail = ev.get("progressDetail") or {}
            yield {
                "id": ev.get("id", ""),
                "status": ev.get("status", ""),
                "current": detail.get("current"),
                "total": detail.get("total"),
            }
    except APIError as err:
        raise ImageError(
            f"cannot pull {image}: {err.explanation or err}. Without a registry, load a workshop "
            "bundle (`docklab images load FILE`) or use the stand-ins (`docklab images build`, "
            "`--images offline`)."
        ) from None
