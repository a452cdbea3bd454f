"""Which container a volume's files are read through (tutor/core/engine/volumefiles.py), on
recorded engine answers: one that already mounts the whole volume and whose read changes
nothing, else a helper docklab makes and removes. Engine 26's own answers to the same reads
are in tests/engine/test_volume_checks.py."""

from __future__ import annotations

import io
import tarfile

import pytest
from docker.errors import NotFound

from tutor.core.engine import volumefiles
from tutor.core.engine.volumefiles import NoPath, entries

STARTED = "2026-12-07T09:00:00Z"


def box(cid, state="exited", mounts=(("data", "/data"),), started=STARTED, host=None, labels=None):
    """A container as the list and inspect endpoints give it: `mounts` are (volume, destination),
    or (type, source, destination) for another kind of mount."""
    listed = []
    for m in mounts:
        if len(m) == 2:
            listed.append({"Type": "volume", "Name": m[0], "Destination": m[1], "Driver": "local"})
        else:
            listed.append({"Type": m[0], "Source": m[1], "Destination": m[2]})
    return {
        "Id": cid,
        "State": state,
        "Labels": labels or {},
        "Mounts": listed,
        "_inspect": {"State": {"Status": state, "StartedAt": started}, "HostConfig": host or {}},
    }


def tar_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        root = tarfile.TarInfo("data")
        root.type = tarfile.DIRTYPE
        tar.addfile(root)
        for name, body in files.items():
            info = tarfile.TarInfo(f"data/{name}")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return out.getvalue()


class Api:
    """The engine's low-level API as volumefiles uses it, holding these containers and volumes."""

    def __init__(self, boxes, volumes=("data",), files=None):
        self.boxes = {b["Id"]: b for b in boxes}
        self.volumes = set(volumes)
        self.files = files or {"note.txt": b"hello"}
        self.read_through: list[str] = []
        self.made: list[str] = []
        self.removed: list[str] = []

    def containers(self, all=False, filters=None):
        want = filters["volume"]
        return [b for b in self.boxes.values() if any(m.get("Name") == want for m in b["Mounts"])]

    def inspect_container(self, cid):
        if cid not in self.boxes:
            raise NotFound(f"No such container: {cid}")
        return self.boxes[cid]["_inspect"]

    def inspect_volume(self, name):
        if name not in self.volumes:
            raise NotFound(f"no such volume: {name}")
        return {"Name": name}

    def inspect_image(self, ref):
        return {"Id": "sha256:busybox"}

    def create_host_config(self, mounts):
        return {"Mounts": mounts}

    def create_container(self, image, **kw):
        cid = f"helper{len(self.made)}"
        self.made.append(cid)
        self.boxes[cid] = box(cid, "created", (), labels={volumefiles.PROBE_LABEL: "1"})
        return {"Id": cid}

    def remove_container(self, cid, force=False):
        self.removed.append(cid)
        self.boxes.pop(cid, None)

    def get_archive(self, cid, path, chunk_size=None):
        if cid not in self.boxes:
            raise NotFound(f"No such container: {cid}")
        self.read_through.append(f"{cid}:{path}")
        if not path.endswith("/."):
            raise NotFound(f"Could not find the file {path} in container {cid}")
        return (chunk for chunk in [tar_of(self.files)]), {}  # a generator, as the SDK streams it


class Client:
    def __init__(self, api):
        self.api = api


@pytest.mark.parametrize(
    "other, why",
    [
        (
            box("b", mounts=(("data", "/data"), ("bind", "/srv/x", "/x"))),
            "a bind: its missing host folder is made again",
        ),
        (box("b", started="0001-01-01T00:00:00Z"), "never started: its mount points would be made in its layer"),
        (box("b", host={"Mounts": [{"Source": "data", "VolumeOptions": {"Subpath": "sub"}}]}), "a subpath"),
        (box("b", host={"VolumesFrom": ["subpath-demo"]}), "--volumes-from, which carries the other's subpath"),
        (box("b", mounts=(("data", "/data"), ("cache", "/data/cache"))), "a volume mounted inside it"),
        (box("b", labels={volumefiles.PROBE_LABEL: "1"}), "docklab's own probe"),
        (box("b", state="dead"), "a state whose archive the engine does not read"),
    ],
)
def test_a_container_whose_read_could_change_or_hide_something_is_not_read_through(other, why):
    api = Api([other])
    assert sorted(entries(Client(api), "data")) == [".", "note.txt"]
    assert api.made == ["helper0"] and api.removed == ["helper0"], why
    assert api.read_through == ["helper0:/.docklab-probe/."]


def test_a_container_that_mounts_the_whole_volume_is_read_through_and_nothing_is_made():
    api = Api([box("run", "running"), box("old", "exited", (("data", "/srv/data/"),))])
    assert sorted(entries(Client(api), "data")) == [".", "note.txt"]
    assert api.made == [] and api.removed == []
    assert api.read_through == ["old:/srv/data/."]  # a stopped one first: a running one's lock is the learner's


def test_a_missing_path_is_no_path_and_a_container_gone_meanwhile_gives_way_to_a_helper():
    api = Api([box("old")])
    with pytest.raises(NoPath):
        entries(Client(api), "data", "nothing-here")
    assert api.made == []

    api = Api([box("old")])
    reads = api.get_archive

    def removed_first(cid, path, chunk_size=None):  # the learner removes it between the list and the read
        api.boxes.pop("old", None)
        api.get_archive = reads
        return reads(cid, path, chunk_size)

    api.get_archive = removed_first
    assert sorted(entries(Client(api), "data")) == [".", "note.txt"]
    assert api.made == ["helper0"] and api.removed == ["helper0"]
