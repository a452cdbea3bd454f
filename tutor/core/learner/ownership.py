"""What a lesson created on the learner's engine, so that reset removes exactly that.

When a lesson begins, docklab records what exists (the baseline) and refuses to start
if a name the lesson will create already exists: that resource is the learner's, and
docklab never adopts or deletes it. Afterwards a resource is the lesson's when it
  - bears a name the lesson declares and was not in the baseline, or
  - is a volume (anonymous ones included) that one of the lesson's containers mounted,
    seen live or in the engine's event history since the lesson began, or
  - is an image tag the lesson declares that was not there when it began.
"""

from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from tutor.core.engine.describe import short
from tutor.core.engine import volumefiles
from tutor.core.engine.events import keep_journal, mark, mount_history
from tutor.core.engine.port import NotFound, Port, Refused
from tutor.core.errors import OwnershipError
from tutor.core.model import Lesson
from tutor.core.paths import data_dir
from tutor.core.store import read_json, write_json

if TYPE_CHECKING:
    from tutor.core.checks.base import Context


class Conflict(OwnershipError):
    """Names the lesson needs already exist: the learner's, or another lesson's."""

    def __init__(self, lesson: Lesson, names: list[str], lessons: dict[str, str]):
        self.names = names
        theirs = [n for n in names if n not in lessons]
        # the learner's names the lesson could use another name for (its original spelling)
        original = {new: old for old, new in lesson.renames.items()}
        renamable = set(lesson.renamable())
        self.renamable = [n.split(" ", 1)[1] for n in theirs if n.split(" ", 1)[1] in renamable]
        parts = []
        if theirs:
            one = len(theirs) == 1
            parts.append(
                f"{lesson.id} creates {', '.join(theirs)}, which already exist{'s' if one else ''} on this "
                f"engine and {'is' if one else 'are'} not docklab's. docklab will not use or remove "
                f"{'it' if one else 'them'}: rename or remove {'it' if one else 'them'} yourself "
                "(back up a volume first), then start the lesson again."
            )
            if self.renamable:
                flags = " ".join(f"--rename {original.get(n, n)}={n}-2" for n in self.renamable)
                parts.append(
                    f"Or let the lesson use another name: `docklab run {lesson.id} {flags}` (any free name will do)."
                )
        for other in sorted(set(lessons.values())):
            mine = [n for n, o in lessons.items() if o == other]
            parts.append(
                f"{', '.join(mine)} {'was' if len(mine) == 1 else 'were'} left by the lesson {other}: "
                f"`docklab reset {other}` removes what that lesson created, then start {lesson.id} again."
            )
        super().__init__("\n".join(parts))


@dataclass
class Plan:
    """What reset would remove: only resources that still exist."""

    containers: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    volumes: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  # tags

    def describe(self) -> list[str]:
        """What the plan removes, in words: "container mydb", "volume my-vol"."""
        return (
            [f"container {name}" for _, name in self.containers]
            + [f"volume {short(v)}" for v in self.volumes]
            + [f"network {n}" for n in self.networks]
            + [f"image {t}" for t in self.images]
        )


FOLLOWED = ("containers", "volumes", "networks")  # what observing adds to a lesson's record


class Ownership:
    def __init__(self, port: Port, lesson: Lesson, path: Path | None = None):
        if path is None:
            folder = owned_dir(port)
            if folder.name != "unknown":  # engines that give no ID would share one history
                keep_journal(port, folder)  # what is read of this engine's events, kept with its records
            path = folder / f"{lesson.id}.json"
        self.path = path
        self.state = read_json(self.path, None)
        stored = (self.state or {}).get("renames") or {}
        if stored and not lesson.renames:  # begun with other names: keep using them
            lesson = lesson.renamed(stored)
        self.port, self.lesson = port, lesson

    @property
    def started(self) -> bool:
        """Has docklab begun this lesson on this engine (and not reset it since)?"""
        return self.state is not None

    @property
    def started_at(self) -> float | None:
        """When docklab began it, or None."""
        return self.state["started_at"] if self.state else None

    # -- engine look-ups ------------------------------------------------------------------

    def _containers(self) -> dict[str, str]:
        return {c.id: c.name for c in self.port.containers()}

    def _volumes(self) -> set[str]:
        return {v.name for v in self.port.volumes()}

    def _networks(self) -> set[str]:
        return {n.name for n in self.port.networks()}

    def _images(self) -> set[str]:
        return {t for i in self.port.images() for t in i.tags}

    # -- the life of a lesson -------------------------------------------------------------

    def _present(self) -> dict:
        """What the engine holds now, by kind: containers (id -> name), volumes, networks and
        images (only the tags the lesson declares), each a set of names."""
        images = self._images() & set(self.lesson.resources.images) if self.lesson.resources.images else set()
        return {
            "containers": self._containers(),
            "volumes": self._volumes(),
            "networks": self._networks(),
            "images": images,
        }

    def _clashes(self, present: dict) -> list[str]:
        """Names the lesson declares that exist now (before it starts: none of them is its)."""
        res = self.lesson.resources
        clashes = [f"container {n}" for n in present["containers"].values() if n in res.containers]
        clashes += [f"volume {v}" for v in sorted(present["volumes"] & set(res.volumes))]
        clashes += [f"network {n}" for n in sorted(present["networks"] & set(res.networks))]
        clashes += [f"image {t}" for t in sorted(present["images"])]
        return clashes

    def _baseline(self, kind: str) -> set[str]:
        return set((self.state or {}).get("baseline", {}).get(kind, []))

    def _owned_elsewhere(self, clashes: list[str]) -> dict[str, str]:
        """Which of these names another started lesson owns (name -> lesson id)."""
        found = {}
        for other in self._started():
            if other == self.lesson.id:
                continue
            state = read_json(self.path.with_name(f"{other}.json"), None) or {}
            owned = {f"container {n}" for n in state.get("containers", {}).values()}
            owned |= {f"volume {v}" for v in state.get("volumes", [])} | {
                f"network {n}" for n in state.get("networks", [])
            }
            found.update({name: other for name in clashes if name in owned})
        return found

    def begin(self, taken_ok: bool = False) -> list[str]:
        """Record the baseline; raise Conflict if the lesson's names are taken, unless
        `taken_ok` (the learner types their own commands and picks other names): then
        return the taken names. What is in the baseline is never the lesson's either way."""
        if self.started:
            return []
        present = self._present()  # one look: what clashes now is in the baseline too
        clashes = self._clashes(present)
        if clashes and not taken_ok:
            raise Conflict(self.lesson, clashes, self._owned_elsewhere(clashes))
        self.state = {
            "lesson": self.lesson.id,
            "started_at": time.time(),
            "baseline": {
                "containers": sorted(present["containers"]),
                "volumes": sorted(present["volumes"]),
                "networks": sorted(present["networks"]),
                "images": sorted(present["images"]),
            },
            "containers": {},
            "volumes": [],
            "networks": [],
            "renames": dict(self.lesson.renames),
            "marked": True,
        }
        mark(self.port, "begin", self.lesson.id)  # its absence later means the engine lost the history
        self._save()
        return clashes

    def observe(self, seen: Context | None = None) -> None:
        """Add what the lesson has created since the last look (live state and events).
        `seen`: a check's context, whose look at the engine (taken after the step's commands)
        is used instead of asking again; what the learner makes during the check itself, the
        next look finds (the engine's events remember what is removed by then)."""
        if not self.started:
            return
        res = self.lesson.resources
        before = {k: copy.copy(self.state[k]) for k in FOLLOWED}  # not the baseline: observing never changes it
        base_c, base_v = self._baseline("containers"), self._baseline("volumes")
        owned: dict[str, str] = self.state["containers"]
        volumes: set[str] = set(self.state["volumes"])
        listed = seen.containers() if seen else self.port.containers()  # the list carries each container's mounts
        live = {c.id: c.name for c in listed}
        names, mounts = mount_history(self.port, self.started_at, seen.history if seen else None)
        for cid, name in {**names, **live}.items():  # events remember the removed; the list, all after a restart
            if name in res.containers and cid not in base_c:
                owned[cid] = name
        volumes |= {vol for cid, vol, _ in mounts if cid in owned and vol not in base_v}
        volumes |= {
            m.name for c in listed if c.id in owned for m in c.mounts if m.type == "volume" and m.name not in base_v
        }
        present = (
            ({v.name for v in seen.volumes()} if seen else self._volumes()) if res.volumes else set()
        )  # only a name the lesson declares is looked for
        volumes |= {v for v in res.volumes if v in present and v not in base_v}
        self.state["volumes"] = sorted(volumes)
        base_n = self._baseline("networks") | {"bridge", "host", "none"}
        joined = {n for c in listed if c.id in owned for n in c.networks if n not in base_n}
        declared = self._networks() & set(res.networks) if res.networks else set()
        nets = set(self.state["networks"]) | joined | {n for n in declared if n not in base_n}
        self.state["networks"] = sorted(nets)
        if any(self.state[k] != before[k] for k in FOLLOWED):  # nothing new: the record on disk says it already
            self._save()

    def adopt(self, containers: dict[str, str], volumes: list[str]) -> None:
        """Follow what the lesson's roles resolved to (things the learner made since the
        lesson began under names of their own); never anything in the baseline. The check
        that adopts them observes once it is done (Session.check_step, check_all), which
        follows their volumes: observing here too asked the engine the same a moment before."""
        if not self.started:
            return
        theirs = self._others()
        base_c, base_v = self._baseline("containers"), self._baseline("volumes")
        new_c = {
            cid: n
            for cid, n in containers.items()
            if cid not in base_c and cid not in self.state["containers"] and cid not in theirs
        }
        new_v = [v for v in volumes if v not in base_v and v not in self.state["volumes"] and v not in theirs]
        if new_c or new_v:
            self.state["containers"].update(new_c)
            self.state["volumes"] = sorted(set(self.state["volumes"]) | set(new_v))
            self._save()

    def _started(self) -> list[str]:
        """The lessons started on this engine (started_lessons), from this record's folder:
        the engine's ID that names it is asked once, not at every adopt."""
        return _lessons_in(self.path.parent)

    def _others(self) -> set[str]:
        """Container ids and volume names that another started lesson owns."""
        owned: set[str] = set()
        for other in self._started():
            if other != self.lesson.id:
                state = read_json(self.path.with_name(f"{other}.json"), None) or {}
                owned |= set(state.get("containers", {})) | set(state.get("volumes", []))
        return owned

    def plan(self) -> Plan:
        """What a reset would remove: what the lesson created that still exists."""
        if not self.started:
            return Plan()
        self.observe()
        containers = self._containers()
        return Plan(
            containers=[(cid, name) for cid, name in self.state["containers"].items() if cid in containers],
            volumes=[v for v in self.state["volumes"] if v in self._volumes()],
            networks=[n for n in self.state["networks"] if n in self._networks()],
            images=sorted((self._images() & set(self.lesson.resources.images)) - self._baseline("images"))
            if self.lesson.resources.images
            else [],
        )

    def reset(self) -> tuple[list[str], list[str]]:
        """Remove what the lesson created; return (removed, kept with the reason). The
        engine's history gets docklab's mark, so nothing before it proves a step again."""
        plan = self.plan()
        removed = [f"docklab's leftover helper {name}" for name in volumefiles.sweep(self.port)]  # before volumes
        kept: list[str] = []
        for cid, name in plan.containers:
            try:
                self.port.remove("container", cid)
                removed.append(f"container {name}")
            except NotFound:
                pass
            except Refused as err:
                kept.append(f"container {name}: {err.explanation}")
        for kind, items in (("volume", plan.volumes), ("network", plan.networks), ("image", plan.images)):
            for item in items:  # an image: the tag only
                try:
                    self.port.remove(kind, item)
                    removed.append(f"{kind} {item}")
                except NotFound:
                    pass
                except Refused as err:
                    kept.append(f"{kind} {item}: {err.explanation}")
        mark(self.port, "reset", self.lesson.id)  # after the removals: they are docklab's, not the learner's
        if not kept:
            self.path.unlink(missing_ok=True)
            self.state = None
        else:
            self._save()
        return removed, kept

    def _save(self) -> None:
        write_json(self.path, self.state)


def owned_dir(port: Port) -> Path:
    """Records are kept per engine (by its ID): a lesson begun on the sandbox is never
    reset against the learner's own engine, nor the other way round."""
    try:
        engine_id = port.info().get("ID") or "unknown"
    except Exception:  # no engine: nothing can be removed anyway
        engine_id = "unknown"
    return data_dir() / "owned" / re.sub(r"[^A-Za-z0-9_-]", "_", engine_id)


def started_lessons(port: Port) -> list[str]:
    """The lessons docklab started on this engine and has not reset."""
    return _lessons_in(owned_dir(port))


def _lessons_in(folder: Path) -> list[str]:
    """The lessons whose ownership records this folder holds."""
    return sorted(p.stem for p in folder.glob("*.json"))
