"""The checks that read a volume's files, on the real engine: they read through a container
that already mounts the whole volume where one can be read without a change, else through
a helper container that is never started and always removed, and they never change a
volume (no copy-up, no volume created by asking about a missing one)."""

from __future__ import annotations

import pytest

from tests.conftest import engine_state
from tutor.core.engine import volumefiles
from tutor.core.checks import Context, evaluate
from tutor.core.engine.connection import Engine
from tutor.core.engine.sdk import SdkPort

pytestmark = pytest.mark.engine
BUSYBOX = "docklab/busybox:stand-in"


@pytest.fixture
def ctx(client):
    return Context(Engine(client, client.version()["Version"], client.api.api_version))


def fill(client, volume: str, script: str) -> None:
    """Run a shell script in a throwaway busybox with the volume at /d."""
    client.containers.run(BUSYBOX, ["sh", "-c", script], volumes=[f"{volume}:/d"], remove=True)


def test_reading_leaves_no_helper_and_changes_nothing(client, ctx, prefix):
    before = engine_state(client)
    vol = client.volumes.create(f"{prefix}-data")
    try:
        fill(client, vol.name, "mkdir /d/sub && echo hello > /d/sub/a.txt && chmod 600 /d/sub/a.txt")
        assert evaluate("volume_file", {"volume": vol.name, "path": "sub/a.txt", "contains": "hello"}, ctx).ok
        assert evaluate("volume_files", {"volume": vol.name, "path": "sub", "include": ["a.txt"]}, ctx).ok
        missing = evaluate("volume_file", {"volume": vol.name, "path": "sub/nope.txt"}, ctx)
        assert not missing.ok and "nothing at sub/nope.txt" in missing.found
        tree = volumefiles.entries(SdkPort(client), vol.name)
        assert tree["sub/a.txt"].mode == 0o600 and tree["sub/a.txt"].kind == "file"
        assert not [c for c in client.api.containers(all=True, filters={"label": volumefiles.PROBE_LABEL})]
        # the helper mounts nocopy at a path no image has: an empty volume stays empty
        empty = client.volumes.create(f"{prefix}-empty")
        assert evaluate("volume_files", {"volume": empty.name, "empty": True}, ctx).ok
        assert volumefiles.listing(SdkPort(client), empty.name) == []
        empty.remove()
    finally:
        vol.remove()
    assert engine_state(client) == before


def test_a_read_through_the_learners_containers_shows_the_whole_volume_and_changes_nothing(client, prefix, tmp_path):
    """Their containers are read through only where that shows the whole volume and changes
    nothing: a subpath, one that took it --volumes-from, one with a bind whose host folder
    is gone, one never started are passed over (a helper reads instead); a plain one that
    ran is read through, and no event of that read remains in the history as a mount."""
    from tutor.core.engine.events import History

    vol = client.volumes.create(f"{prefix}-data")
    host_dir = tmp_path / "gone"
    host_dir.mkdir()
    made = []

    def box(name, command=("sleep", "300"), start=True, **kw):
        c = client.containers.create(BUSYBOX, list(command), name=f"{prefix}-{name}", **kw)
        made.append(c)
        if start:
            c.start()
        return c

    try:
        fill(client, vol.name, "mkdir /d/sub && echo deep > /d/sub/in.txt && echo top > /d/top.txt")
        sub = docker_mount(vol.name, "/x", subpath="sub")
        box("subpath", mounts=[sub])
        box("from", volumes_from=[f"{prefix}-subpath"])
        box("bind", ["true"], volumes=[f"{vol.name}:/d", f"{host_dir}:/b"]).wait(timeout=30)
        never = box("never", volumes=[f"{vol.name}:/fresh"], start=False)
        host_dir.rmdir()
        whole = {".", "sub", "sub/in.txt", "top.txt"}
        assert volumefiles._mounting(SdkPort(client), vol.name) is None
        assert set(volumefiles.entries(SdkPort(client), vol.name)) == whole  # through a helper
        assert not host_dir.exists() and client.api.diff(never.id) is None  # nothing made
        ran = box("ran", ["true"], volumes=[f"{vol.name}:/data"])
        ran.wait(timeout=30)
        since = __import__("time").time()
        assert volumefiles._mounting(SdkPort(client), vol.name) == (ran.id, "/data")
        assert set(volumefiles.entries(SdkPort(client), vol.name)) == whole
        assert volumefiles.text(SdkPort(client), vol.name, "top.txt") == "top\n"
        with pytest.raises(volumefiles.NoPath):
            volumefiles.text(SdkPort(client), vol.name, "nope.txt")
        assert not client.api.containers(all=True, filters={"label": volumefiles.PROBE_LABEL})
        assert not host_dir.exists() and client.api.diff(never.id) is None
        assert [e for e in History.read(SdkPort(client), since).mounts() if e.attrs.get("container") == ran.id] == []
    finally:
        for c in reversed(made):
            c.remove(force=True)
        vol.remove()


def docker_mount(volume, target, subpath):
    import docker

    mount = docker.types.Mount(target, volume, type="volume")
    mount["VolumeOptions"] = {"Subpath": subpath}
    return mount


def test_asking_about_a_missing_volume_never_creates_it(client, ctx, prefix):
    before = engine_state(client)
    out = evaluate("volume_files", {"volume": f"{prefix}-absent", "empty": True}, ctx)
    assert not out.ok and out.found == "no such volume"
    assert engine_state(client) == before


def test_volumes_equal_sees_a_mode_or_a_byte_changed(client, ctx, prefix):
    a, b = client.volumes.create(f"{prefix}-a"), client.volumes.create(f"{prefix}-b")
    try:
        for v in (a, b):
            fill(client, v.name, "echo same > /d/f && mkdir /d/dir")
        assert evaluate("volumes_equal", {"volume": a.name, "other": b.name}, ctx).ok
        fill(client, b.name, "chmod 700 /d/dir")
        out = evaluate("volumes_equal", {"volume": a.name, "other": b.name}, ctx)
        assert not out.ok and out.found == "dir: mode differs"
        fill(client, b.name, "chmod 755 /d/dir && echo sane > /d/f")
        assert evaluate("volumes_equal", {"volume": a.name, "other": b.name}, ctx).found == "f: content differs"
    finally:
        a.remove()
        b.remove()


def test_a_big_file_is_searched_whole_and_a_listing_by_name_reads_no_file(client, ctx, prefix):
    """A 3 MB file whose needle sits at its end (past any fixed prefix a reader might keep);
    `volume_files` asking for names answers from the names alone, and still says what is
    there when a name is missing."""
    vol = client.volumes.create(f"{prefix}-big")
    try:
        fill(
            client,
            vol.name,
            "head -c 3000000 /dev/zero | tr '\\0' x > /d/big.txt && echo NEEDLE >> /d/big.txt && mkdir /d/sub",
        )
        found = evaluate("volume_file", {"volume": vol.name, "path": "big.txt", "contains": "NEEDLE"}, ctx)
        assert found.ok and found.found.startswith("big.txt: xxx") and found.found.endswith("…")
        assert not evaluate("volume_file", {"volume": vol.name, "path": "big.txt", "not_contains": "NEEDLE"}, ctx).ok
        assert evaluate("volume_file", {"volume": vol.name, "path": "big.txt", "not_contains": "HAY"}, ctx).ok
        assert not evaluate("volume_file", {"volume": vol.name, "path": "big.txt", "contains": "HAY"}, ctx).ok
        assert volumefiles.present(SdkPort(client), vol.name, "", ["big.txt", "sub", "gone"]) == {
            "big.txt": True,
            "sub": True,
            "gone": False,
        }
        assert evaluate("volume_files", {"volume": vol.name, "include": ["big.txt"], "exclude": ["gone"]}, ctx).ok
        missing = evaluate("volume_files", {"volume": vol.name, "include": ["gone"]}, ctx)
        assert not missing.ok and missing.found.endswith("holds big.txt, sub")
        with pytest.raises(volumefiles.NoPath):
            volumefiles.listing(SdkPort(client), vol.name, "big.txt")
        assert not [c for c in client.api.containers(all=True, filters={"label": volumefiles.PROBE_LABEL})]
    finally:
        vol.remove()


def test_volume_seen_compares_bytes_whatever_the_text(client, ctx, prefix):
    """One file in two places: any text passes; a copy of the same bytes, a mount elsewhere,
    or a file changed beside the volume fails."""
    before = engine_state(client)
    vol = client.volumes.create(f"{prefix}-seen")
    made = []
    try:
        sharer = client.containers.run(
            BUSYBOX, ["sleep", "60"], name=f"{prefix}-sharer", volumes=[f"{vol.name}:/app"], detach=True
        )
        copier = client.containers.run(BUSYBOX, ["sleep", "60"], name=f"{prefix}-copier", detach=True)
        made += [sharer, copier]
        ask = {"container": sharer.name, "at": "/app", "volume": vol.name}
        empty = evaluate("volume_seen", ask, ctx)
        assert not empty.ok and "holds no file yet" in empty.found
        sharer.exec_run(["sh", "-c", "echo 'any words at all' > /app/mine.txt"])
        copier.exec_run(["sh", "-c", "mkdir /app && echo 'any words at all' > /app/mine.txt"])
        seen = evaluate("volume_seen", ask, ctx)
        assert seen.ok, seen
        own_copy = evaluate("volume_seen", {**ask, "container": copier.name}, ctx)  # the same bytes, no mount
        assert not own_copy.ok and f"{copier.name} does not mount" in own_copy.found
        elsewhere = evaluate("volume_seen", {**ask, "at": "/nowhere"}, ctx)
        assert not elsewhere.ok and "does not mount" in elsewhere.found
        below = evaluate("volume_seen", {**ask, "at": "/app/sub"}, ctx)  # below the mount: read there
        assert not below.ok and "no /app/sub/mine.txt" in below.found
    finally:
        for c in made:
            c.remove(force=True)
        vol.remove()
    assert engine_state(client) == before


def test_volume_seen_in_a_folder_and_exec_same_as_a_volume_file(client, ctx, prefix):
    """A subpath mount sees the folder's files; a command's output is judged against the
    volume's file byte for byte, so the learner's own words pass and another page fails."""
    before = engine_state(client)
    vol = client.volumes.create(f"{prefix}-site")
    made = []
    try:
        fill(client, vol.name, "mkdir /d/pub /d/priv && echo 'words of mine' > /d/pub/index.html && echo x > /d/priv/k")
        sub = client.api.create_host_config(
            mounts=[{"Type": "volume", "Source": vol.name, "Target": "/pub", "VolumeOptions": {"Subpath": "pub"}}]
        )
        box = client.api.create_container(BUSYBOX, ["sleep", "60"], name=f"{prefix}-pub", host_config=sub)
        client.api.start(box["Id"])
        made.append(box["Id"])
        ask = {"container": f"{prefix}-pub", "at": "/pub", "volume": vol.name, "path": "pub"}
        assert evaluate("volume_seen", ask, ctx).ok
        other = evaluate("volume_seen", {**ask, "path": "priv"}, ctx)
        assert not other.ok and "no /pub/k" in other.found
        page = {"volume": vol.name, "path": "pub/index.html"}
        same = evaluate("exec", {"container": f"{prefix}-pub", "command": "cat /pub/index.html", "same_as": page}, ctx)
        assert same.ok, same
        echo = evaluate("exec", {"container": f"{prefix}-pub", "command": "echo another page", "same_as": page}, ctx)
        assert not echo.ok and "(not pub/index.html of volume" in echo.found
    finally:
        for c in made:
            client.api.remove_container(c, force=True)
        vol.remove()
    assert engine_state(client) == before
