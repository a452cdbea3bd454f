"""The lesson images every learner's engine gets, without a pull over the room's network:
saved once as a bundle, then loaded once into a shared store (a volume holding an engine's
data root) that every learner's engine links its layers from."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tutor.classroom.room import ClassroomError
from tutor.classroom.spawner import LABEL
from tutor.core.engine.images import OnProgress


def bundle(client, target: Path, lessons: list[str] | None, progress: OnProgress) -> list[str]:
    """The lesson images (offline map) that this engine has, saved once for every learner's
    engine to load from: no learner pulls anything over the room's network. `lessons`
    narrows it to the images those lessons use (a class on a few lessons loads less)."""
    from tutor.core.engine import bundle as saved
    from tutor.core.engine.images import load_map
    from tutor.core.lessons.catalog import load_all

    target.mkdir(exist_ok=True)
    chosen = [x for x in load_all() if not lessons or x.id in lessons]
    unknown = sorted(set(lessons or []) - {x.id for x in chosen})
    if unknown:
        raise ClassroomError(f"no lesson {', '.join(unknown)} (`docklab list` names them)")
    wanted = saved.needed(chosen, load_map("offline"))
    present = [r["image"] for r in saved.rows(client, wanted) if r["present"]]
    missing = sorted(set(wanted) - set(present))
    if missing:
        progress(f"not in the learners' engines (missing here; `docklab images build`): {', '.join(missing)}")
    listing = target / "images.list"
    ids = [client.images.get(i).id for i in present]
    stamp = target / "images.ids"
    if not (listing.exists() and stamp.exists() and stamp.read_text().split() == ids):
        progress(f"saving {len(present)} lesson images for the learners' engines")
        saved.save(client, present, target / "images.tar")
        listing.write_text("\n".join(present) + "\n")
        stamp.write_text("\n".join(ids) + "\n")
    return present


def make_store(client, name: str, home: Path, tag: str, progress: OnProgress) -> dict:
    """The classroom's shared image store: one volume holding an engine's data root with the
    bundle loaded, made once per bundle by the learner image itself (`make-store`) and
    mounted read-only in every learner's server, whose engine then links its layers instead
    of loading 300 MB each (labs/images/classroom/learner-entrypoint.sh). Its name carries
    the bundle's digest, so a changed bundle gets a new store and the old one stays for the
    engines that link to it; `down --purge` removes them all (they carry the label)."""
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
