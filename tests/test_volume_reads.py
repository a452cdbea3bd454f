"""What checks ask the engine, on recorded answers: which container a volume's files are
read through (tutor/core/engine/volumefiles.py): one that already mounts the whole volume
and whose read changes nothing, else a helper docklab makes and removes; a volume's root
read once for its archives; and a question asked once for a whole lesson's checks. Engine
26's own answers to the same reads are in tests/engine/test_volume_checks.py."""

from __future__ import annotations

import pytest

from tests.enginekit import RecordedEngine
from tutor.core.engine import volumefiles
from tutor.core.engine.volumefiles import NoPath, entries

STARTED = "2026-12-07T09:00:00Z"


def box(cid, state="exited", mounts=(("data", "/data"),), started=STARTED, host=None, labels=None):
    """A container's inspect answer: `mounts` are (volume, destination), or (type, source,
    destination) for another kind of mount."""
    listed = []
    for m in mounts:
        if len(m) == 2:
            listed.append({"Type": "volume", "Name": m[0], "Destination": m[1], "Driver": "local"})
        else:
            listed.append({"Type": m[0], "Source": m[1], "Destination": m[2]})
    return {
        "Id": cid,
        "Name": "/" + cid,
        "State": {"Status": state, "StartedAt": started},
        "Config": {"Labels": labels or {}},
        "Mounts": listed,
        "HostConfig": host or {},
    }


def engine(*boxes) -> RecordedEngine:
    """An engine holding these containers, the volume `data` (note.txt) and the probe's image."""
    return RecordedEngine(
        {b["Id"]: b for b in boxes},
        {"data": {"Name": "data", "Driver": "local"}},
        images={volumefiles.PREFERRED_IMAGE: "sha256:busybox"},
        files={"note.txt": b"hello"},
    )


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
    port = engine(other)
    assert sorted(entries(port, "data")) == [".", "note.txt"]
    assert port.made == ["helper0"] and port.removed == ["helper0"], why
    assert port.read_through == ["helper0:/.docklab-probe/."]


def test_a_container_that_mounts_the_whole_volume_is_read_through_and_nothing_is_made():
    port = engine(box("run", "running"), box("old", "exited", (("data", "/srv/data/"),)))
    assert sorted(entries(port, "data")) == [".", "note.txt"]
    assert port.made == [] and port.removed == []
    assert port.read_through == ["old:/srv/data/."]  # a stopped one first: a running one's lock is the learner's


def test_a_missing_path_is_no_path_and_a_container_gone_meanwhile_gives_way_to_a_helper():
    port = engine(box("old"))
    with pytest.raises(NoPath):
        entries(port, "data", "nothing-here")
    assert port.made == []

    port = engine(box("old"))
    reads = port.archive

    def removed_first(cid, path):  # the learner removes it between the list and the read
        port.records.pop("old", None)
        port.archive = reads
        return reads(cid, path)

    port.archive = removed_first
    assert sorted(entries(port, "data")) == [".", "note.txt"]
    assert port.made == ["helper0"] and port.removed == ["helper0"]


def test_within_shared_the_reads_of_a_volume_share_one_helper_removed_as_the_block_ends():
    port = engine()
    for _ in range(3):  # outside it, every read makes its own
        entries(port, "data")
    assert port.made == ["helper0", "helper1", "helper2"] and port.removed == port.made
    port = engine()
    with volumefiles.shared():
        for _ in range(3):
            assert sorted(entries(port, "data")) == [".", "note.txt"]
        assert port.made == ["helper0"] and port.removed == []
        volumefiles.release()  # before a wait: nothing keeps the volume in use through it
        assert port.removed == ["helper0"]
        entries(port, "data")
    assert port.made == ["helper0", "helper1"] and port.removed == port.made
    entries(port, "data")  # the block is over: one a read again
    assert port.made[-1] == port.removed[-1] == "helper2"


def test_a_helper_that_cannot_be_removed_leaves_none_of_the_others_behind():
    port = engine()
    port.volume_records["more"] = {"Name": "more", "Driver": "local"}
    remove = port.remove

    def refused(kind, ref):
        if ref == "helper1":  # the last made, the first removed
            raise volumefiles.Refused("the engine is busy")
        remove(kind, ref)

    port.remove = refused
    with pytest.raises(volumefiles.Refused), volumefiles.shared():
        entries(port, "data")
        entries(port, "more")
    assert port.removed == ["helper0"]
    entries(port, "data")  # and the block is over despite the error
    assert port.removed[-1] == port.made[-1]


def test_a_check_never_sees_a_helper_among_the_containers():
    from tutor.core.checks import Context
    from tutor.core.engine.connection import Engine

    port = engine(box("app", "running"))
    port.create_probe(volumefiles.PREFERRED_IMAGE, "data", volumefiles.MOUNT_AT)
    ctx = Context(Engine(None, "26.1.5", "1.45", port=port), seen={})
    assert [c.name for c in ctx.containers()] == ["app"]


def test_a_helper_removed_meanwhile_is_gone_as_wanted_and_an_error_under_way_is_the_one_told():
    port = engine()
    with volumefiles.shared():
        entries(port, "data")
        port.records.pop("helper0")  # the learner's `docker container prune`
    assert port.removed == []  # nothing to remove, and no error for it
    remove = port.remove

    def refused(kind, ref):
        raise volumefiles.Refused("the engine is busy")

    port.remove = refused
    with pytest.raises(KeyError, match="the check's own"), volumefiles.shared():
        entries(port, "data")
        raise KeyError("the check's own")
    port.remove = remove


def test_a_check_that_runs_a_process_in_a_container_makes_the_next_check_look_again():
    from tutor.core.checks import Context, evaluate
    from tutor.core.engine.connection import Engine

    port = engine(box("app", "running"))

    def stops_it(container, argv, user="", environment=None):
        port.records["app"]["State"]["Status"] = "exited"
        return 0, b"bye"

    port.exec = stops_it
    ctx = Context(Engine(None, "26.1.5", "1.45", port=port), seen={})
    assert evaluate("container_running", {"name": "app"}, ctx).ok
    assert evaluate("exec", {"container": "app", "command": "kill 1"}, ctx).ok
    assert not evaluate("container_running", {"name": "app"}, ctx).ok


def test_a_helper_removed_during_the_read_is_gone_as_wanted():
    port = engine()
    remove = port.remove

    def pruned_first(kind, ref):  # the learner's `docker container prune` came first
        port.records.pop(ref, None)
        remove(kind, ref)

    port.remove = pruned_first
    assert sorted(entries(port, "data")) == [".", "note.txt"]


def _tar(files: dict[str, bytes], gz: bool = False) -> bytes:
    """A learner's backup: `tar -cf NAME -C /source .` (with -z, gzipped)."""
    import io
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz" if gz else "w") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(f"./{name}")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return out.getvalue()


BACKUPS = {
    "app.tar": _tar({"notes.txt": b"hi", "config/app.ini": b"debug=true"}),
    "db.tgz": _tar({"ibdata1": b"\0" * 4096, "customer_data/customers.ibd": b"\0" * 512}, gz=True),
    "dump.sql": b"CREATE TABLE customers (id INT);\n",
}


def test_the_archives_at_a_volumes_root_are_read_in_one_pass():
    port = engine(box("old"))
    port.files = BACKUPS
    archives, large = volumefiles.root_archives(port, "data")
    assert large == [] and port.read_through == ["old:/data/."]  # one read of the volume
    assert archives["dump.sql"] is None  # text, not a tar
    assert volumefiles.found_in(archives["app.tar"], {"notes.txt", "config", "config/app.ini"}) == {
        "notes.txt",
        "config",
        "config/app.ini",
    }
    assert volumefiles.found_in(archives["db.tgz"], {"customer_data", "notes.txt"}) == {"customer_data"}


def test_a_steps_archive_checks_read_the_volume_once():
    """Two steps' `volume_archive` on one backup volume, judged in one whole-lesson check:
    the volume is sent once, not once for a listing and once per archive, per check."""
    from tutor.core.checks import Context, evaluate
    from tutor.core.engine.connection import Engine

    port = engine(box("old"))
    port.files = BACKUPS
    ctx = Context(Engine(None, "26.1.5", "1.45", port=port), seen={})
    assert evaluate("volume_archive", {"volume": "data", "members": ["customer_data"]}, ctx).ok
    assert evaluate("volume_archive", {"volume": "data", "members": ["config/app.ini", "notes.txt"]}, ctx).ok
    missing = evaluate("volume_archive", {"volume": "data", "members": ["orders"]}, ctx)
    assert not missing.ok and "lacks orders" in missing.found
    assert port.read_through == ["old:/data/."]


def test_a_whole_lessons_checks_ask_one_mysql_server_each_question_once():
    """data-loss asks one server the same query in two steps, judged in one whole-lesson
    check (one look shared by every step's context); a poll's look again asks afresh."""
    from tutor.core.checks import Context, evaluate
    from tutor.core.engine.connection import Engine

    db = box("db", "running")
    db["Config"]["Env"] = ["MYSQL_ROOT_PASSWORD=pw"]
    port, asked = engine(db), []

    def mysql(container, argv, user="", environment=None):
        asked.append(argv[0])
        return 0, b"John Doe" if argv[0] == "mysql" else b"mysqld is alive"

    port.exec = mysql
    seen: dict = {}
    query = {"container": "db", "query": "SELECT name FROM customers", "contains": "John Doe"}
    for _ in range(2):  # two steps' contexts
        ctx = Context(Engine(None, "26.1.5", "1.45", port=port), seen=seen)
        assert evaluate("mysql", {"container": "db"}, ctx).ok
        assert evaluate("mysql", query, ctx).ok
    assert asked == ["mysqladmin", "mysql"]
    assert "pw" in ctx.secrets  # hidden in every context, asked or not
    ctx.look_again()
    assert evaluate("mysql", {"container": "db"}, ctx).ok and asked[-1] == "mysqladmin" and len(asked) == 3
