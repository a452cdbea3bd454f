"""Image maps (real image -> local substitute) and building the offline stand-ins.

Lessons name the images a learner really uses (`mysql:9.2.0`). A map substitutes
others, and the substitution happens in the command text itself, so the command the
learner sees is the command that runs.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tutor.core import settings
from tutor.core.errors import ContentError
from tutor.core.paths import labs_dir

OnProgress = Callable[[str], None]


class ImageError(ContentError):
    """A map that cannot be read, or a stand-in that cannot be built."""


# An image reference, after the grammar of github.com/distribution/reference:
# [domain "/"] path-component ("/" path-component)* [":" tag] ["@" digest]. Map entries
# are written into the commands a shell runs, so nothing else may pass.
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?"
_PATH_PART = r"[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
REFERENCE = re.compile(rf"(?:{_DOMAIN}/)?{_PATH_PART}(?:/{_PATH_PART})*(?::{_TAG})?(?:@{_DIGEST})?", re.ASCII)
NAME_MAX = 255
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)


def reference_problem(ref: str) -> str | None:
    """Why `ref` is not an image reference Docker would take (None: it is one)."""
    if not REFERENCE.fullmatch(ref):
        return (
            f"{ref!r} is not an image reference (name[:tag][@digest]: lowercase letters, digits and "
            "_ . - separators, an optional registry/ in front, e.g. registry.local/mysql:9)"
        )
    name = ref.partition("@")[0]
    if ":" in name.rpartition("/")[2]:  # a tag, not a registry's port
        name = name.rpartition(":")[0]
    if len(name) > NAME_MAX:
        return f"{name[:40]!r}... is longer than the {NAME_MAX} characters an image name may have"
    return None


@dataclass(frozen=True)
class ImageMap:
    name: str
    images: dict[str, str] = field(default_factory=dict)

    def resolve(self, image: str) -> str:
        """The image this map uses for `image` (itself when the map has none)."""
        return self.images.get(image, image)

    def apply(self, command: str, known: tuple[str, ...]) -> str:
        """Replace whole shell words that are one of the lesson's `known` images."""
        targets = {k: v for k, v in self.images.items() if k in known}
        if not targets:
            return command
        pattern = re.compile(
            r"(?<![\w./:@-])(" + "|".join(map(re.escape, sorted(targets, key=len, reverse=True))) + r")(?![\w./:@-])"
        )
        return pattern.sub(lambda m: targets[m.group(1)], command)

    def in_code(self, markdown: str) -> str:
        """The images this map replaces, replaced where a learner would copy them from text:
        in `code`, fenced blocks and a text that is a command line (a goal's "from `ubuntu`",
        a hint's command), not in the prose around them ("nginx runs no PHP")."""
        if not self.images:
            return markdown
        known = tuple(self.images)
        if markdown.startswith("docker "):  # a hint that is a command line
            return self.apply(markdown, known)
        return _CODE.sub(lambda m: self.apply(m.group(0), known), markdown)


def load_map(choice: str | None = None) -> ImageMap:
    """ "real" -> no substitution; "offline" -> the built-in stand-ins; else a TOML path.
    Default: $DOCKLAB_IMAGES, else `docklab config images`, else real."""
    if choice is None:
        choice = os.environ.get("DOCKLAB_IMAGES") or settings.get("images") or ""
    if not choice or choice == "real":
        return ImageMap("real")
    path = labs_dir() / "images" / "offline.toml" if choice == "offline" else Path(choice)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ImageError(f"image map {path} does not exist (use --images offline, or a path to a TOML map)") from None
    except tomllib.TOMLDecodeError as err:
        raise ImageError(f"image map {path} is not valid TOML: {err}") from None
    images = data.get("images")
    if not isinstance(images, dict) or not all(isinstance(v, str) for v in images.values()):
        raise ImageError(f'image map {path} needs an [images] table of "real" = "substitute" strings')
    problems = [
        f"{path}: {key}: {problem}"
        for key, value in images.items()
        for problem in (reference_problem(key), reference_problem(value))
        if problem
    ]
    if problems:
        raise ImageError("\n".join(problems) + "\nFix the map's entries; nothing was run.")
    return ImageMap(choice, dict(images))


def missing_images(client, images: list[str]) -> list[str]:
    """The images of `images` the engine does not have."""
    from docker.errors import ImageNotFound

    missing = []
    for image in images:
        try:
            client.images.get(image)
        except ImageNotFound:
            missing.append(image)
    return missing


def tag_real_names(client, image_map: ImageMap) -> list[str]:
    """In an engine of docklab's own (a sandbox, a classroom learner's): tag each substitute
    the map has with the real name it stands for, where that name is free, so that the names
    the lessons' text gives (`ubuntu`, `mysql:9.2.0`) answer as typed. Never on the learner's
    own engine, whose names are theirs. Returns the names tagged."""
    tagged = []
    for real, sub in image_map.images.items():
        if missing_images(client, [sub]) or not missing_images(client, [real]):
            continue
        repo, _, tag = real.rpartition(":") if ":" in real.rpartition("/")[2] else (real, "", "latest")
        client.api.tag(sub, repo, tag)
        tagged.append(real)
    return tagged


# ---- building the stand-ins ------------------------------------------------------------


def standins() -> dict[str, dict]:
    """The stand-in images' recipes from labs/images/standins.toml."""
    return tomllib.loads((labs_dir() / "images" / "standins.toml").read_text())


def build_standins(
    client, names: list[str] | None = None, force: bool = False, progress: OnProgress = print
) -> list[str]:
    """Build the stand-ins whose tags are missing (all, or `names`); return the tags built."""
    specs = standins()
    unknown = [n for n in names or [] if n not in specs]
    if unknown:
        raise ImageError(f"no stand-in named {', '.join(unknown)} (there are: {', '.join(specs)})")
    built = []
    wanted = names or [n for n, spec in specs.items() if not spec.get("optional")]
    for name in _with_bases(specs, wanted):
        spec = specs[name]
        rebuild = force and (not names or name in names)  # a base is rebuilt only when named
        if not rebuild and not missing_images(client, [spec["tag"]]):
            progress(f"{spec['tag']}: present")
            continue
        rootfs = spec.get("rootfs")
        buildargs = {}
        if rootfs:
            if rebuild or missing_images(client, [rootfs["tag"]]):
                import_rootfs(client, rootfs, progress)
            buildargs["BASE"] = rootfs["tag"]
            if "context" not in spec:  # the imported root is the image itself
                built.append(spec["tag"])
                continue
        if spec.get("base"):
            buildargs["BASE"] = specs[spec["base"]]["tag"]
        _build(client, name, spec, buildargs, progress)
        built.append(spec["tag"])
    return built


def _with_bases(specs: dict[str, dict], names: list[str]) -> list[str]:
    """`names` and the stand-ins they are built FROM, each base before its users:
    a FROM of a missing local tag would otherwise go to a registry and fail."""
    order: list[str] = []

    def add(name: str, seen: tuple[str, ...] = ()) -> None:
        if name in order:
            return
        if name in seen:
            raise ImageError(f"stand-ins {' -> '.join(seen + (name,))} are built from each other")
        base = specs[name].get("base")
        if base:
            if base not in specs:
                raise ImageError(f"{name}: its base {base!r} is not a stand-in")
            add(base, seen + (name,))
        order.append(name)

    for name in names:
        add(name)
    return order


def _build(client, name: str, spec: dict, buildargs: dict, progress: OnProgress) -> None:
    src = labs_dir() / "images" / spec["context"]
    with tempfile.TemporaryDirectory(prefix="docklab-build-") as tmp:
        ctx = Path(tmp) / "ctx"
        shutil.copytree(src, ctx)
        for dest, host in (spec.get("host_files") or {}).items():
            if not Path(host).exists():
                raise ImageError(f"{name}: needs {host} on this machine (Debian: apt-get install busybox-static)")
            shutil.copy2(host, ctx / dest)
        progress(f"{spec['tag']}: building from labs/images/{spec['context']}")
        build_context(client, ctx, spec["tag"], buildargs, {"org.docklab.stand-in": name}, name, progress)


def build_context(client, ctx: Path, tag: str, buildargs: dict, labels: dict, what: str, progress: OnProgress) -> None:
    """Build `ctx` into `tag` through the Engine API, its Dockerfile's steps as progress;
    any failure is an ImageError that starts with `what`."""
    from docker.errors import APIError, BuildError

    try:
        for chunk in client.api.build(
            path=str(ctx), tag=tag, buildargs=buildargs, rm=True, forcerm=True, decode=True, labels=labels
        ):
            if "error" in chunk:
                raise ImageError(f"{what}: {chunk['error'].strip()}")
            line = (chunk.get("stream") or "").strip()
            if line.startswith("Step "):
                progress(f"{tag}: {line}")
    except (APIError, BuildError) as err:
        raise ImageError(f"{what}: {err}") from None


def debian_mirror() -> str:
    """The archive this machine's apt already uses for Debian (no host is hard-coded)."""
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        uri = None
        for line in Path(path).read_text().splitlines():
            if line.startswith("URIs:"):
                uri = line.split()[1]
            elif line.startswith("Suites:") and uri and re.search(r"\b(bookworm|trixie)\b", line):
                return uri
    if Path("/etc/apt/sources.list").exists():
        for line in Path("/etc/apt/sources.list").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb" and "debian" in parts[1]:
                return parts[1]
    raise ImageError("no Debian archive found in apt's sources; the MySQL stand-in is built with debootstrap")


def import_rootfs(client, rootfs: dict, progress: OnProgress) -> None:
    """debootstrap a Debian root with the given packages and import it as an image.
    Folders listed in `empty` ship empty: the MySQL stand-in's /var/lib/mysql must, or
    copy-up would fill every new volume with Debian's install-time datadir and skip
    the password set-up."""
    if os.geteuid() != 0 or not shutil.which("debootstrap"):
        raise ImageError(
            "building the MySQL stand-in needs root and debootstrap on Debian "
            "(apt-get install debootstrap), or load a bundle made elsewhere"
        )
    tag = rootfs["tag"]
    with tempfile.TemporaryDirectory(prefix="docklab-rootfs-") as tmp:
        root = Path(tmp) / "root"
        cmd = [
            "debootstrap",
            "--variant=minbase",
            "--include=" + ",".join(rootfs["packages"]),
            rootfs.get("suite", "bookworm"),
            str(root),
            debian_mirror(),
        ]
        progress(
            f"{tag}: debootstrap {rootfs.get('suite', 'bookworm')} with {', '.join(rootfs['packages'])} "
            "(about 2 minutes)"
        )
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        last = ""
        for line in proc.stdout:  # type: ignore[union-attr]
            last = line.strip()
            m = re.match(r"I: (Retrieving|Validating|Unpacking|Configuring|Installing) (.*)", last)
            if m:
                progress(f"{tag}: {m.group(1).lower()} {m.group(2)}")
        if proc.wait() != 0:
            raise ImageError(f"debootstrap failed: {last}")
        empty = rootfs.get("empty", [])
        for junk in [
            *empty,
            "var/cache/apt",
            "var/lib/apt/lists",
            "usr/share/doc",
            "usr/share/man",
            "usr/share/locale",
            "usr/share/info",
        ]:
            shutil.rmtree(root / junk, ignore_errors=True)
        for folder in empty:
            (root / folder).mkdir(parents=True, exist_ok=True)
        progress(f"{tag}: importing the root file system")
        tar = subprocess.Popen(["tar", "-C", str(root), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
        repo, _, version = tag.partition(":")
        try:
            client.api.import_image_from_stream(tar.stdout, repository=repo, tag=version or "latest")
        finally:
            tar.wait()
        if tar.returncode != 0:
            raise ImageError("tar of the debootstrap root failed")
