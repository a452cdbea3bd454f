"""Roles: the things a lesson works with, resolved to what the learner actually made.

A lesson says "the database: a container from the mysql image with /var/lib/mysql
mounted" and suggests a name (`mydb`). A role resolves, among what was made since the
lesson began, to
  1. the thing with the suggested name, when there is one;
  2. otherwise the one live thing that matches what identifies the role and that no
     other role holds (several: the role is ambiguous, and its checks fail naming them);
  3. otherwise the latest such thing that the engine's history shows was removed (of the
     suggested name first; when the engine has dropped events since, only of that name).
The most specific roles choose first. Roles that nothing but their order tells apart (two
containers of one image with one volume at one path, made one after the other) form a
series: they take the matching things, live or removed since, in the order they were
made. A `fixed` role is only ever its name: the name is what the lesson teaches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tutor.core.engine.describe import HEX64, short, syntax_of
from tutor.core.engine.port import Listed, Refused, Volume
from tutor.core.model import Role
from tutor.core.outcome import Outcome

if TYPE_CHECKING:  # pragma: no cover
    from tutor.core.checks.base import Context

_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass
class Resolution:
    role: Role
    name: str  # what `{key}` stands for: the resolved name, or the suggestion
    how: str = "unresolved"  # name, match, history, unresolved, ambiguous, old
    thing_id: str = ""  # a container's id or a volume's name
    candidates: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """Did the role resolve to a thing of this attempt (by name, match or history)?"""
        return self.how in ("name", "match", "history")

    def describe(self) -> str:
        """What docklab resolved, in words: "your database container: new_container"."""
        if self.how == "ambiguous":
            return f"{self.role.about}: one of {', '.join(map(short, self.candidates))}"
        if self.how == "history":
            return f"{self.role.about}: {short(self.name)} (removed since)"
        return f"{self.role.about}: {short(self.name)}"


class Roles:
    """The lesson's roles resolved once for one check run (see the module docstring)."""

    def __init__(
        self,
        roles: dict[str, Role],
        ctx: Context,
        images: dict[str, str],
        baseline: dict[str, set[str]] | None,
        resolve: bool = True,
    ):
        self.ctx, self.images, self.baseline = ctx, images, baseline
        self.specs = roles
        self.resolved: dict[str, Resolution] = {}
        self._ids: dict[str, str] = {}
        if roles and resolve:
            self._resolve()

    # -- what checks use ----------------------------------------------------------------------

    def names(self) -> dict[str, str]:
        """Each role's key -> the name `{key}` stands for."""
        return {k: r.name for k, r in self.resolved.items()}

    def shown(self, params: list[dict]) -> list[str]:
        """The resolutions these checks use that are worth telling the learner: another
        name than the suggested one, or an ambiguity."""
        used = self.used_by(params)
        return [
            r.describe()
            for k, r in self.resolved.items()
            if k in used and (r.how == "ambiguous" or (r.found and r.name != r.role.name))
        ]

    def explain(self, out: Outcome, params: dict) -> Outcome:
        """A check on an ambiguous role fails, naming the candidates; one on a role that only
        an older thing of the suggested name could fill fails too: it is not this attempt's."""
        for key in _REF.findall(str(params)):
            res = self.resolved.get(key)
            if res is None or res.how not in ("old", "ambiguous"):
                continue
            if res.how == "old":
                expected = f"{res.role.about}, made since the lesson began"
                found = f"{res.name} was made before the lesson began: it is not this attempt's"
                hint = f"Make it again as the step says (remove the old {res.name} first, if it is yours to remove)."
            else:
                expected = f"one {res.role.kind} as {res.role.about}"
                found = f"several {res.role.kind}s could be {res.role.about}: {', '.join(res.candidates)}"
                hint = f"Name the one you mean {res.role.name}, or remove the others."
            return Outcome(False, out.claim, expected=expected, found=found, hint=hint)
        return out

    def alternatives(self, key: str, limit: int = 4) -> list[Resolution]:
        """Other things of this attempt that fit the role and that no other role holds, live
        ones first (newest first), then removed ones: a step that the resolved thing does not
        meet passes with one of them that does (a wrong try kept, a right one made beside it)."""
        role, now = self.specs[key], self.resolved.get(key)
        if role.fixed or now is None or not hasattr(self, "_live"):
            return []
        if not _specificity(role) and now.how != "ambiguous":
            return []  # a role nothing identifies is its name, or the one new thing of its kind: no other
        held = {r.thing_id for k, r in self.resolved.items() if k != key} | {now.thing_id}
        new_c, new_v, mounted = self._live
        if role.kind == "container":
            live = [(c.id, c.name) for c in reversed(new_c) if self._container_ok(role, c)]
        else:
            live = [(v.name, v.name) for v in reversed(new_v) if self._volume_ok(role, v, mounted)]
        out = [Resolution(role, n, "match", i) for i, n in live if i not in held]
        past = self.removed(role)
        if self._partial():  # as in resolving: a removed thing whose traces may be gone counts by its name only
            past = [p for p in past if p[1] == role.name]
        out += [Resolution(role, n, "history", i) for i, n in reversed(past) if i not in held]
        return out[:limit]

    @contextmanager
    def pinned(self, key: str, other: Resolution) -> Iterator[None]:
        """The role played by `other` while the block runs."""
        before = self.resolved[key]
        self.resolved[key] = other
        try:
            yield
        finally:
            self.resolved[key] = before

    def owned(self) -> tuple[dict[str, str], list[str]]:
        """({container id: name}, volume names) that roles resolved to, live and made since
        the lesson began: ownership follows them, so reset removes what the learner made."""
        containers = {
            r.thing_id: r.name
            for r in self.resolved.values()
            if r.how in ("name", "match") and r.role.kind == "container"
        }
        volumes = [r.thing_id for r in self.resolved.values() if r.how in ("name", "match") and r.role.kind == "volume"]
        return containers, volumes

    def used_by(self, params: list[dict]) -> list[str]:
        """The keys of the roles these checks name, in the lesson's order."""
        text = str(params)
        used = set(_REF.findall(text)) | {p.get("role") for p in params if isinstance(p, dict)}
        return [k for k in self.specs if k in used]

    def made(self, keys: list[str]) -> list[tuple[int, str]]:
        """(when, what) of every thing made in the history's window that fits one of these
        roles, by its suggested name or by what identifies it, oldest first: where a lesson
        the learner began in their own shell, without `docklab start`, may have begun."""
        history, listed = self.ctx.history, self.ctx.containers()
        live_c = {c.id: c for c in listed}
        live_v = {v.name: v for v in self.ctx.volumes()}
        mounted = _mounted(listed)
        found: list[tuple[int, str]] = []
        for key in keys:
            role = self.specs[key]
            if role.kind == "container":
                for cid, c in history.containers().items():
                    live = live_c.get(cid)
                    if c["name"] == role.name or (
                        self._container_ok(role, live)
                        if live
                        else self._past_container_ok(role, cid, c, history.mounts())
                    ):
                        found.append((_made_with(history, cid, c["created"].at), f"container {c['name']} was made"))
            else:
                for made in history.of("volume", "create"):
                    name, live = made.actor, live_v.get(made.actor)
                    if name == role.name or (
                        self._volume_ok(role, live, mounted) if live else self._past_volume_ok(role, name)
                    ):
                        found.append((made.at, f"volume {short(name)} was made"))
        return sorted(set(found))

    def score(self) -> int:
        """How well these things play the lesson's roles: how many roles found one (an
        ambiguous role found none)."""
        return sum(r.found for r in self.resolved.values())

    def ambiguous(self, besides: list[str] = ()) -> int:
        """How many roles (but these) several things could play."""
        return sum(r.how == "ambiguous" for k, r in self.resolved.items() if k not in besides)

    # -- identity -----------------------------------------------------------------------------

    def _value(self, text: str | None) -> str | None:
        """A role field with `{ref}`s filled in (another role, or a fact); None if unknown yet."""
        if text is None:
            return None
        known = {**self.ctx.facts, **{k: r.name for k, r in self.resolved.items() if r.found}}
        missing = [m for m in _REF.findall(text) if m not in known]
        return None if missing else _REF.sub(lambda m: known[m.group(1)], text)

    def _image_ok(self, role: Role, image: str, image_id: str = "") -> bool:
        """Made from the role's image: the same reference however it was spelt (`ubuntu`,
        `ubuntu:latest`, `docker.io/library/ubuntu`), or the same image by its id."""
        if not role.image:
            return True
        want = self.images.get(role.image, role.image)
        if normal_ref(image) == normal_ref(want):
            return True
        wanted_id = self._image_id(want)
        if not wanted_id:
            return False
        if image_id == wanted_id or image == wanted_id or wanted_id.startswith("sha256:" + image):
            return True
        return not image_id and self._image_id(image) == wanted_id  # a past container: its image as typed

    def _image_id(self, ref: str) -> str:
        ids = self._ids if self.ctx.seen is None else self.ctx.seen.setdefault(("image ids",), {})
        if ref not in ids:
            try:
                ids[ref] = self.ctx.port.image_id(ref) or ""
            except Refused:
                ids[ref] = ""
        return ids[ref]

    def _container_ok(self, role: Role, c: Listed) -> bool | None:
        """Does this live container fit the role? None: cannot tell yet."""
        if not self._image_ok(role, c.image, c.image_id):
            return False
        if not _labelled(role.label, c.labels):
            return False
        if role.service and c.labels.get("com.docker.compose.service") != role.service:
            return False
        if role.mount:
            mount = c.mount_at(role.mount)
            if mount is None:
                return False
            if role.read_only is not None and mount.rw == role.read_only:
                return False
            if role.syntax:
                if syntax_of(self.ctx.container(c.id), role.mount) != role.syntax:
                    return False
            if role.volume:
                want = self._value(role.volume)
                if want is None:
                    return None
                return mount.name == want
        return True

    def _volume_ok(self, role: Role, v: Volume, mounted: dict[str, set[str]]) -> bool:
        if role.anonymous is not None and v.anonymous != role.anonymous:
            return False
        if role.anonymous is None and v.anonymous:
            return False  # a role that does not say so means a named volume
        if role.service and v.labels.get("com.docker.compose.volume") != role.service:
            return False
        if not _labelled(role.label, v.labels):
            return False
        if role.unused is not None and (v.name not in mounted and not self._mounted_since(v.name)) != role.unused:
            return False
        if not role.mount or role.mount in mounted.get(v.name, set()):
            return True
        return self._mounted_since(v.name, role.mount)

    def _new(self, kind: str, key: str, created: float) -> bool:
        """Made since the lesson began: not in its baseline; else (no start recorded) its
        create event is in the history since then, or, when the engine has lost events since,
        it was created then (to the second the listing gives)."""
        if self.baseline is not None:
            return key not in self.baseline.get(kind, set())
        history = self.ctx.history
        made = history.containers() if kind == "containers" else history.volumes_created()
        if key in made:
            return True
        return not history.complete and created >= (self.ctx.since or 0) - 1

    # -- resolution ---------------------------------------------------------------------------

    def _resolve(self) -> None:
        containers = self.ctx.containers()
        volumes = self.ctx.volumes()
        new_c = [c for c in containers if self._new("containers", c.id, c.created)]
        new_v = [v for v in volumes if self._new("volumes", v.name, v.created)]
        mounted = _mounted(containers)
        self._live = (new_c, new_v, mounted)

        def exists(role: Role) -> bool:
            """A thing of the role's suggested name is there, new or not."""
            if role.kind == "container":
                return any(c.name == role.name for c in containers)
            return any(v.name == role.name for v in volumes)

        pending = dict(self.specs)
        claimed: set[str] = set()
        for key, role in list(pending.items()):  # 1. by name
            if role.kind == "container":
                hit = next((c for c in new_c if c.name == role.name), None)
                thing = hit.id if hit else None
            else:
                hit = next((v for v in new_v if v.name == role.name), None)
                thing = hit.name if hit else None
            if thing:
                self.resolved[key] = Resolution(role, role.name, "name", thing)
                claimed.add(thing)
                del pending[key]
            elif role.fixed:
                past = self.removed(role)
                self.resolved[key] = (
                    Resolution(role, role.name, "history", past[-1][0])
                    if past
                    else Resolution(role, role.name, "old" if exists(role) else "unresolved")
                )
                del pending[key]

        def live_fits(role: Role) -> list[tuple[str, str]]:
            """(id, name) of the live things made since that fit the role and no role holds."""
            if role.kind == "container":
                return [(c.id, c.name) for c in new_c if c.id not in claimed and self._container_ok(role, c)]
            return [(v.name, v.name) for v in new_v if v.name not in claimed and self._volume_ok(role, v, mounted)]

        series = _series(self.specs)
        ambiguous: dict[str, list] = {}
        changed = True
        while changed and pending:  # 2. the one match no other role holds, until nothing changes
            changed = False
            for key in sorted(pending, key=lambda k: -_specificity(pending[k])):
                role = pending.get(key)
                if role is None or key in series:
                    continue
                ids = live_fits(role)
                if len(ids) == 1:
                    self.resolved[key] = Resolution(role, ids[0][1], "match", ids[0][0])
                    claimed.add(ids[0][0])
                    del pending[key]
                    ambiguous.pop(key, None)
                    changed = True
                elif len(ids) > 1:
                    ambiguous[key] = [n for _, n in ids]
                else:
                    ambiguous.pop(key, None)  # other roles took every candidate
            for keys in {tuple(v) for v in series.values()}:
                waiting = [k for k in keys if k in pending]
                if waiting and self._take_in_order(waiting, live_fits(pending[waiting[0]]), claimed, ambiguous):
                    for k in set(waiting) & set(self.resolved):
                        del pending[k]
                    changed = True
        for key in sorted(pending, key=lambda k: -_specificity(pending[k])):  # 3. removed since: the history
            role = pending[key]
            if key in ambiguous:
                self.resolved[key] = Resolution(role, role.name, "ambiguous", candidates=ambiguous[key])
                continue
            taken = {r.thing_id for r in self.resolved.values()}
            past = [p for p in self.removed(role) if p[0] not in taken]
            past = [p for p in past if p[1] == role.name] or ([] if self._partial() else past)
            if past:
                self.resolved[key] = Resolution(role, past[-1][1], "history", past[-1][0])
            elif exists(role):
                self.resolved[key] = Resolution(role, role.name, "old")
            else:
                self.resolved[key] = Resolution(role, role.name)

    def _take_in_order(
        self, keys: list[str], live: list[tuple[str, str]], claimed: set[str], ambiguous: dict[str, list]
    ) -> bool:
        """A series' waiting roles take the fitting things, live or removed since: a thing of
        a role's suggested name is that role's, the others go in the order they were made;
        more things than roles: each of them is ambiguous. True if any role resolved."""
        waiting, role = list(keys), self.specs[keys[0]]
        taken = claimed | {r.thing_id for r in self.resolved.values()}
        past = [p for p in self.removed(role) if p[0] not in taken]
        if self._partial():
            past = [p for p in past if p[1] in {self.specs[k].name for k in keys}]
        things = sorted(
            [(self._made_at(role.kind, i), i, n, "match") for i, n in live]
            + [(self._made_at(role.kind, i), i, n, "history") for i, n in past]
        )
        for key in list(keys):
            named = [t for t in things if t[2] == self.specs[key].name]
            if named:
                self.resolved[key] = Resolution(self.specs[key], named[-1][2], named[-1][3], named[-1][1])
                things = [t for t in things if t[1] != named[-1][1]]
                keys = [k for k in keys if k != key]
        if len(things) > len(keys):
            for k in keys:
                ambiguous[k] = [n for _, _, n, _ in things]
            return any(k in self.resolved for k in waiting)
        for key, (_, thing, name, how) in zip(keys, things):
            self.resolved[key] = Resolution(self.specs[key], name, how, thing)
            claimed.add(thing)
            ambiguous.pop(key, None)
        claimed.update(self.resolved[k].thing_id for k in waiting if k in self.resolved)
        return any(k in self.resolved for k in waiting)

    def _mounted_since(self, volume: str, destination: str | None = None) -> bool:
        """Has a container mounted this volume (at `destination`) since the lesson began?"""
        return any(
            m.actor == volume and destination in (None, m.attrs.get("destination")) for m in self.ctx.history.mounts()
        )

    def _partial(self) -> bool:
        """The engine has dropped events since the lesson began: a removed thing found by what
        identifies it could be one of many whose traces are gone, so only its name counts."""
        return not self.ctx.history.complete

    def _made_at(self, kind: str, thing: str) -> int:
        """When a container (by id) or a volume (by name) was made, in ns: from its create
        event, else from the engine's listing (to the second)."""
        history = self.ctx.history
        if kind == "container":
            c = history.containers().get(thing)
            if c is not None:
                return c["created"].at
            live = next((c for c in self.ctx.containers() if c.id == thing), None)
            return int((live.created if live else 0) * 1e9)
        made = history.volumes_created().get(thing)
        if made is not None:
            return made.at
        found = next((v for v in self.ctx.volumes() if v.name == thing), None)
        return int((found.created if found else 0) * 1e9)

    def removed(self, role: Role) -> list[tuple[str, str]]:
        """(id, name) of things that fit the role, made since the lesson began and removed
        since, oldest first, from the engine's history."""
        history = self.ctx.history
        if role.kind == "container":
            return [
                (cid, c["name"])
                for cid, c in history.containers().items()
                if c["destroyed"] is not None and self.fits_past_container(role.key, cid, c)
            ]
        created = history.volumes_created()
        return [
            (name, name)
            for name in created
            if history.destroyed("volume", name)
            and (name == role.name if role.fixed else self._past_volume_ok(role, name))
        ]

    def _past_container_ok(self, role: Role, cid: str, c: dict, mounts) -> bool:
        labels = c["attrs"]
        if not self._image_ok(role, c["image"]):
            return False
        if role.service and labels.get("com.docker.compose.service") != role.service:
            return False
        if role.mount:
            theirs = [
                m
                for m in mounts
                if m.attrs.get("container") == cid
                and m.attrs.get("destination") == role.mount
                and (role.read_only is None or (m.attrs.get("read/write") == "false") == role.read_only)
            ]
            if not theirs:
                return False
            if role.volume:
                want = self._value(role.volume)
                return want is not None and any(m.actor == want for m in theirs)
        return True

    def _past_volume_ok(self, role: Role, name: str) -> bool:
        if (role.anonymous is True) != bool(HEX64.match(name)):
            return False
        if role.service and not name.endswith("_" + role.service):  # Compose names it <project>_<key>
            return False
        if role.unused is not None and (not self._mounted_since(name)) != role.unused:
            return False
        return not role.mount or self._mounted_since(name, role.mount)

    def fits_past_container(self, key: str, cid: str, c: dict) -> bool:
        """Did this container from the history (History.containers()) play the role?"""
        role = self.specs[key]
        if role.fixed:
            return c["name"] == role.name
        if key in _series(self.specs) and key in self.resolved and self.resolved[key].thing_id:
            return cid == self.resolved[key].thing_id  # its place in the series decided which one
        return self._past_container_ok(role, cid, c, self.ctx.history.mounts())  # a name alone is not enough


IDENTITY = ("image", "mount", "volume", "anonymous", "service", "syntax", "read_only", "label", "unused")


def _specificity(role: Role) -> int:
    """How much identifies a role: the most specific roles choose first."""
    return sum(getattr(role, f) is not None for f in IDENTITY)


def _series(specs: dict[str, Role]) -> dict[str, list[str]]:
    """key -> the keys of every role that nothing but order tells apart from it (not fixed,
    same kind, same identity), in the lesson's order; only roles that have such twins."""
    groups: dict[tuple, list[str]] = {}
    for key, role in specs.items():
        if not role.fixed:
            groups.setdefault((role.kind,) + tuple(getattr(role, f) for f in IDENTITY), []).append(key)
    return {k: keys for keys in groups.values() if len(keys) > 1 for k in keys}


def _labelled(want: str | None, labels: dict) -> bool:
    """Labels hold `KEY` (any value) or `KEY=VALUE`; no wish holds always."""
    if not want:
        return True
    key, eq, value = want.partition("=")
    return key in labels and (not eq or labels[key] == value)


def normal_ref(ref: str) -> str:
    """An image reference in full: `ubuntu` -> `docker.io/library/ubuntu:latest`."""
    name, at, digest = ref.partition("@")
    first = name.split("/", 1)[0]
    if "/" not in name or not ("." in first or ":" in first or first == "localhost"):
        name = "docker.io/" + ("library/" + name if "/" not in name else name)
    if ":" not in name.rsplit("/", 1)[-1] and not at:
        name += ":latest"
    return name + at + digest


def _made_with(history, cid: str, at: int) -> int:
    """When a container was made, counting the anonymous volumes the engine made for it a
    moment before (their create events come first)."""
    mine = {m.actor for m in history.mounts() if m.attrs.get("container") == cid}
    made = [e.at for e in history.of("volume", "create") if e.actor in mine and at - 1_000_000_000 <= e.at <= at]
    return min([at, *made])


def _mounted(containers: list[Listed]) -> dict[str, set[str]]:
    """Volume name -> where the listed containers mount it."""
    mounted: dict[str, set[str]] = {}
    for c in containers:
        for m in c.mounts:
            if m.type == "volume":
                mounted.setdefault(m.name, set()).add(m.destination)
    return mounted
