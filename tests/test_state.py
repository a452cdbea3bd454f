"""What the engine panel says a command changed, from two pictures of the engine."""

from tutor.core.engine.port import Listed, Mount
from tutor.core.engine.state import Snapshot, Volume, changes

ANON = "3f2a" + "0" * 60


def container(name: str, state: str, mounts: tuple[Mount, ...] = ()) -> Listed:
    return Listed(f"id-{name}", name, "img", "sha256:img", state, 0.0, mounts=mounts)


def test_changes_in_the_learners_words():
    before = Snapshot(
        {ANON: Volume(ANON, "local", True, ("mydb",))},
        {"mydb": container("mydb", "running", (Mount("volume", ANON, "/var/lib/mysql", True),))},
    )
    after = Snapshot({ANON: Volume(ANON, "local", True, ()), "mysql_data": Volume("mysql_data", "local", False)}, {})
    assert changes(before, after) == [
        "+ volume mysql_data",
        "− container mydb",
        "anonymous volume 3f2a00000000… left dangling (no container uses it)",
    ]
    assert changes(after, after) == []


def test_status_changes_and_removed_volumes():
    a = Snapshot({"v": Volume("v", "local", False)}, {"c": container("c", "created")})
    b = Snapshot({}, {"c": container("c", "running")})
    assert changes(a, b) == ["~ container c: created → running", "− volume v"]
