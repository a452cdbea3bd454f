"""Checks judged against engine answers recorded on a real engine (tests/recorded)."""

import copy

from tests.enginekit import RecordedEngine
from tutor.core.checks import evaluate


def ev(ctx, kind, **params):
    return evaluate(kind, params, ctx)


def anon_name(ctx):
    return ctx.port.container("rec-anon").attrs["Mounts"][0]["Name"]


def test_mount_any_syntax_passes_and_the_hint_names_what_was_found(recorded_ctx):
    ok = ev(
        recorded_ctx, "mount", container="rec-named", destination="/var/lib/mysql", type="volume", volume="rec-data"
    )
    assert ok.ok, ok
    bad = ev(recorded_ctx, "mount", container="rec-anon", destination="/var/lib/mysql", volume="rec-data")
    assert not bad.ok
    assert bad.found.startswith(
        f"rec-anon mounts an anonymous volume {anon_name(recorded_ctx)[:12]}… at /var/lib/mysql"
    )
    assert bad.found.endswith("not rec-data")
    assert "remove it and create it again" in bad.hint


def test_anonymous_is_recognised_by_label_or_by_a_64_hex_name(recorded_ctx):
    # the recorded anonymous volume was made through the API without the label (as
    # `--mount type=volume,dst=...` on engines before 27.4): the name still tells
    assert ev(recorded_ctx, "mount", container="rec-anon", destination="/var/lib/mysql", anonymous=True).ok
    assert not ev(recorded_ctx, "mount", container="rec-named", destination="/var/lib/mysql", anonymous=True).ok
    assert ev(recorded_ctx, "volume_exists", name="rec-data", anonymous=False).ok


def test_read_only_is_judged_by_RW_not_Mode(recorded_ctx):
    ro = recorded_ctx.port.container("rec-ro").attrs["Mounts"][0]
    assert ro["Mode"] != "ro" and ro["RW"] is False  # --mount ...,readonly: Mode "z"
    assert ev(recorded_ctx, "mount", container="rec-ro", destination="/app", read_only=True).ok
    out = ev(recorded_ctx, "mount", container="rec-named", destination="/var/lib/mysql", read_only=True)
    assert not out.ok and ":ro" in out.hint


def test_missing_mount_lists_the_mounts_there_are(recorded_ctx):
    out = ev(recorded_ctx, "mount", container="rec-named", destination="/data", volume="rec-data")
    assert not out.ok
    assert "no mount at /data (the volume rec-data at /var/lib/mysql)" in out.found


def test_containers(recorded_ctx):
    assert ev(recorded_ctx, "container_running", name="rec-anon").ok
    stopped = ev(recorded_ctx, "container_running", name="rec-ro")
    assert not stopped.ok and "exited" in stopped.found and "docker logs rec-ro" in stopped.hint
    assert ev(recorded_ctx, "container_exists", name="rec-ro").ok
    gone = ev(recorded_ctx, "container_exists", name="mydb")
    assert not gone.ok and gone.found == "no container named mydb"
    assert ev(recorded_ctx, "container_absent", name="mydb").ok
    present = ev(recorded_ctx, "container_absent", name="rec-anon")
    assert not present.ok and "docker rm -f rec-anon" in present.hint


def test_volumes_and_their_users(recorded_ctx):
    used = ev(recorded_ctx, "volume_unused", name="rec-data")
    assert not used.ok and "rec-named" in used.found and "rec-ro" in used.found
    assert not ev(recorded_ctx, "volume_absent", name="rec-data").ok
    assert ev(recorded_ctx, "volume_absent", name="nope").ok
    assert ev(recorded_ctx, "volume_exists", name="rec-data", driver="local", mountpoint="*/volumes/rec-data/_data").ok
    where = ev(recorded_ctx, "volume_exists", name="rec-data", mountpoint="/elsewhere/*")
    assert not where.ok and "/var/lib/docker/volumes/rec-data/_data" in where.found


def test_a_fact_not_yet_remembered_says_which_step_to_do(recorded_ctx):
    out = ev(recorded_ctx, "volume_unused", name="{old_volume}")
    assert not out.ok and "{old_volume}" in out.expected
    recorded_ctx.facts["old_volume"] = "rec-data"
    assert "rec-data" in ev(recorded_ctx, "volume_unused", name="{old_volume}").claim


def test_secrets_never_reach_an_outcome(recorded_ctx):
    plain = ev(recorded_ctx, "volume_unused", name="rec-data")
    assert "rec-data" in plain.claim and "rec-named" in plain.found and "rec-named" in plain.hint
    recorded_ctx.secrets = ("rec-data", "rec-named")
    out = ev(recorded_ctx, "volume_unused", name="rec-data")
    assert out.claim == "volume ******** exists and no container uses it"  # the outcome itself is kept
    assert out.found == "used by rec-missing, ********, rec-ro" and out.hint.startswith("Remove rec-missing, ********,")
    said = " ".join([out.claim, out.expected, out.found, out.hint, out.cause])
    assert "rec-data" not in said and "rec-named" not in said


# ---- secrets, failed starts, removals and prunes on recorded answers --------------------


def test_container_env_says_whether_inspect_shows_a_variable_but_never_its_value(recorded_ctx):
    shown = ev(recorded_ctx, "container_env", container="rec-env", variable="MYSQL_ROOT_PASSWORD")
    assert shown.ok and "13-character value" in shown.found
    assert "rec-secret-pw" not in " ".join([shown.claim, shown.expected, shown.found, shown.hint])
    assert not ev(recorded_ctx, "container_env", container="rec-env", variable="MYSQL_ROOT_PASSWORD", present=False).ok
    absent = ev(recorded_ctx, "container_env", container="rec-env", variable="MYSQL_ROOT_PASSWORD_FILE")
    assert not absent.ok and absent.found == "Config.Env has no MYSQL_ROOT_PASSWORD_FILE"


def test_a_container_whose_start_failed_is_created_with_the_engines_error(recorded_ctx):
    out = ev(recorded_ctx, "container_exists", name="rec-missing", status="created", error="no such file or directory")
    assert out.ok and "_data/nofolder" in out.found
    assert not ev(recorded_ctx, "container_exists", name="rec-anon", status="created").ok
    assert not ev(recorded_ctx, "container_exists", name="rec-missing", error="permission denied").ok


def test_volume_removed_needs_the_engines_evidence(recorded_ctx):
    gone = ev(recorded_ctx, "volume_removed", name="rec-gone")
    assert gone.ok and "removed it at" in gone.found
    still = ev(recorded_ctx, "volume_removed", name="rec-data")
    assert not still.ok and still.found == "it still exists"
    never = ev(recorded_ctx, "volume_removed", name="never-made")
    assert not never.ok and "no removal of never-made" in never.found and "restart" in never.found


def test_volume_prune_tells_what_a_prune_removed_kept_and_freed(recorded_ctx):
    # the recorded prune (--all, limited by a label) took rec-prune (1 MB, unused) and
    # left rec-kept (a container used it); rec-gone was removed by `rm` before it
    assert ev(recorded_ctx, "volume_prune", removed=["rec-prune"], kept=["rec-kept"], min_reclaimed=1000000).ok
    out = ev(recorded_ctx, "volume_prune", kept=["rec-prune"])
    assert not out.ok and "removed rec-prune and freed 1MB" in out.found
    assert "API 1.45: a prune takes only unused anonymous volumes without --all" in out.hint
    assert not ev(recorded_ctx, "volume_prune", removed=["rec-kept"]).ok
    assert not ev(recorded_ctx, "volume_prune", removed=["rec-gone"]).ok  # not by the prune
    assert not ev(recorded_ctx, "volume_prune", kept=["rec-gone"]).ok  # gone before it ran
    assert not ev(recorded_ctx, "volume_prune", removed=["rec-prune"], min_reclaimed=2000000).ok
    recorded_ctx.engine.port = copy.copy(recorded_ctx.port)  # another engine: no prune in its history
    recorded_ctx.port._events = []
    recorded_ctx._history = None  # a context reads the history once
    none = ev(recorded_ctx, "volume_prune", removed=["rec-prune"])
    assert not none.ok and "no volume prune" in none.found


def test_an_unlabelled_anonymous_volume_says_which_engine_case_applies(recorded_ctx):
    out = ev(recorded_ctx, "mount", container="rec-anon", destination="/var/lib/mysql", anonymous=True)
    assert out.ok
    assert "older than 27.4" in out.found and "plain `docker volume prune` will not remove it" in out.found
    recorded_ctx.engine.version = "27.4.0"
    assert (
        "older than 27.4"
        not in ev(recorded_ctx, "mount", container="rec-anon", destination="/var/lib/mysql", anonymous=True).found
    )


def test_volume_exists_checks_a_label(recorded_ctx):
    assert ev(recorded_ctx, "volume_exists", name="rec-data").ok
    out = ev(recorded_ctx, "volume_exists", name="rec-data", label="docklab.lesson=x")
    assert not out.ok and out.expected == "the label docklab.lesson=x"


def test_volume_differences_name_each_kind_of_change():
    from tutor.core.engine.volumefiles import Entry, differences

    a = {
        ".": Entry(".", "dir", 0o755, 0, 0, 0, ""),
        "f": Entry("f", "file", 0o600, 0, 0, 3, "x"),
        "only-a": Entry("only-a", "file", 0o644, 0, 0, 1, "y"),
    }
    b = {".": Entry(".", "dir", 0o755, 0, 0, 0, ""), "f": Entry("f", "file", 0o644, 33, 33, 3, "z")}
    assert differences(a, b) == ["only-a only in the first", "f: content, mode, owner differ"]
    assert differences(a, a) == []


def test_history_is_whole_while_the_engine_still_holds_an_event_from_before_the_start():
    """The engine keeps its last 256 events: a full buffer loses nothing of an attempt
    whose start is younger than the oldest event it still holds."""
    from tutor.core.engine.events import History
    from tutor.core.engine.journal import EVENTS_KEPT

    def engine(first: float):
        events = [
            {"Type": "volume", "Action": "create", "Actor": {"ID": f"v{i}"}, "timeNano": int((first + i) * 1e9)}
            for i in range(EVENTS_KEPT)
        ]
        return RecordedEngine(events=events)

    start = 1_000_000.0
    kept = History.read(engine(first=start - 10), start)
    assert kept.complete and len(kept.events) == EVENTS_KEPT - 10  # full, yet it holds all since the start
    lost = History.read(engine(first=start + 1), start)
    assert not lost.complete  # its oldest is after the start: what came between is gone
    assert History.read(engine(first=start - 10), start).after(start + 5).complete


class MobyBuffer(RecordedEngine):
    """The engine's events as moby keeps them: its last EVENTS_KEPT, in the order logged;
    asked from `since` to `until`, it scans back from the newest, leaves out those stamped
    after `until`, stops at the first older than `since`, and refuses `until` before `since`."""

    def __init__(self, at: int = 1_000_000 * 10**9):
        super().__init__()
        self.buffer, self.asked, self.at = [], [], at

    def log(self, n=1, at=None):
        from tutor.core.engine.journal import EVENTS_KEPT

        for _ in range(n):
            self.at += 10**6
            ev = {"Type": "volume", "Action": "create", "Actor": {"ID": f"v{self.at}"}, "timeNano": at or self.at}
            self.buffer = (self.buffer + [ev])[-EVENTS_KEPT:]

    def events(self, since, until, filters=None):
        from tutor.core.engine.port import Refused

        def ns(text):
            sec, _, frac = text.partition(".")
            return int(sec) * 10**9 + int(frac.ljust(9, "0"))

        self.asked.append(since)
        if ns(until) < ns(since):
            raise Refused(f"`since` time ({since}) cannot be after `until` time ({until})")
        out = []
        for ev in reversed(self.buffer):
            if ev["timeNano"] < ns(since):
                break
            if ev["timeNano"] <= ns(until):
                out.insert(0, ev)
        return out


def test_the_events_held_go_on_past_the_engines_buffer_while_nothing_came_between():
    """After a first read of the engine's whole buffer, each read asks only for the events
    from the last one held on and adds them, past the engine's own 256: what its buffer
    lost since, docklab read before it went. When the engine no longer holds the last
    event read (it overflowed between two reads, or restarted), what came between is lost:
    the buffer is read whole and the journal begins again from it, whole only from its
    oldest event. Events logged out of order bring a whole read too."""
    from tutor.core.engine import events as history
    from tutor.core.engine.journal import EVENTS_KEPT

    engine = MobyBuffer()
    engine.log(3)
    assert history.held(engine) == (engine.buffer, 0) and engine.asked == ["1"]
    kept = list(engine.buffer)

    def logged(n, at=None):  # read between: the journal holds them all
        engine.log(n, at)
        kept.extend(engine.buffer[-n:])

    def lost(change):  # what came between is lost: the journal begins again from the engine's buffer
        change()
        kept[:] = engine.buffer

    def oldest():
        return engine.buffer[0]["timeNano"]

    gap = [0]  # since when the journal was whole at the last read

    for change, whole, cover_from in (
        (lambda: None, False, lambda: 0),  # nothing new
        (lambda: logged(5), False, lambda: 0),
        (lambda: logged(EVENTS_KEPT - 10), False, lambda: 0),  # past the buffer, read in time
        (lambda: logged(7), False, lambda: 0),
        (lambda: lost(lambda: engine.log(EVENTS_KEPT + 3)), True, oldest),  # overflowed between two reads
        (lambda: logged(4), False, lambda: gap[0]),
        (lambda: logged(1, at=engine.at - 5 * 10**6), True, lambda: gap[0]),  # logged after the last, stamped before
        (lambda: lost(lambda: setattr(engine, "buffer", []) or engine.log(2)), True, lambda: 0),  # a restart
        (lambda: logged(1, at=engine.at - 5 * 10**6), True, lambda: gap[0]),
        (lambda: logged(4), False, lambda: gap[0]),
    ):
        change()
        engine.asked.clear()
        events, since = history.held(engine)
        assert events == kept and since == cover_from()
        gap[0] = since
        assert events[-len(engine.buffer) :] == engine.buffer  # never other than the engine's own
        assert (engine.asked[-1] == "1") == whole and engine.asked[0] != "1"


def test_the_journal_is_kept_for_the_next_docklab_and_answers_from_a_moment(tmp_path):
    """A second docklab process on the same engine begins from what the first read: the
    engine's buffer overflowed between them, yet the first events are still held. Asked
    from a moment, held() answers from a minute before it."""
    from tutor.core.engine import events as history
    from tutor.core.engine.journal import EVENTS_KEPT

    engine = MobyBuffer()
    engine.log(10)
    first = list(engine.buffer)
    history.keep_journal(engine, tmp_path)
    history.held(engine)
    engine.log(EVENTS_KEPT - 5)  # the learner's own commands; the first ten leave the buffer...
    history.held(engine)  # ...after docklab read them

    again = MobyBuffer()  # another process: the same engine, a new port and no memory
    again.buffer, again.at = engine.buffer, engine.at
    history.keep_journal(again, tmp_path)
    again.log(3)
    events, cover_from = history.held(again)
    assert events[:10] == first and events[-len(again.buffer) :] == again.buffer and cover_from == 0
    assert len(events) == 10 + EVENTS_KEPT - 5 + 3 and "1" not in again.asked  # no whole read needed
    at = events[100]["timeNano"] / 1e9
    assert history.held(again, at + 60)[0] == events[100:]


def test_the_journal_file_refuses_a_torn_line_and_takes_in_what_another_process_added(tmp_path):
    """A line cut by a crash or a full disk, with the next append glued on, is left out
    and the rest still read; a process whose journal another docklab process has added to
    since (the TUI, and a check in the learner's shell) reads the file again."""
    from tutor.core.engine import events as history
    from tutor.core.engine.journal import NAME, Journal

    engine = MobyBuffer()
    engine.log(5)
    history.keep_journal(engine, tmp_path)
    history.held(engine)
    path = tmp_path / NAME
    lines = path.read_text().splitlines(keepends=True)
    lines[4] = lines[4][:40] + lines[5]  # after the header and three events: the fourth cut, the fifth glued on
    path.write_text("".join(lines[:5]))
    assert [e["Actor"]["ID"] for e in Journal(path).events()] == [e["Actor"]["ID"] for e in engine.buffer[:3]]

    class Port:  # a process's own port on the one engine
        def __init__(self):
            self.asked = []

        def events(self, since, until, filters=None):
            self.asked.append(since)
            return engine.events(since, until, filters)

    tui, shell = Port(), Port()
    for port in (tui, shell):
        history.keep_journal(port, tmp_path)
    history.held(tui)
    engine.log(250)
    history.held(shell)  # the shell's check reads those
    engine.log(10)  # the TUI's copy no longer meets the engine: it reads the file again first
    tui.asked.clear()
    events, cover_from = history.held(tui)
    assert len(events) == 5 + 250 + 10 and cover_from == 0 and "1" not in tui.asked


def test_the_events_held_catch_one_stamped_late_and_a_clock_set_back(monkeypatch):
    """An event stamped after the `until` of a read, but logged before events stamped
    earlier (moby stamps, then takes its lock), is left out of that read; the next one
    still brings it. A clock set back since the last read (the engine refuses `until`
    before `since`) reads the whole buffer instead of failing."""
    from tutor.core.engine import events as history

    t = 2_000_000 * 10**9
    clock = [t]
    monkeypatch.setattr(history.time, "time_ns", lambda: clock[0])
    engine = MobyBuffer(at=t)
    a, late, e2, e3 = (
        {"Type": "volume", "Action": "create", "Actor": {"ID": n}, "timeNano": t + d}
        for n, d in (("a", -15 * 10**8), ("late", 5 * 10**8), ("e2", -2 * 10**8), ("e3", -(10**8)))
    )
    engine.buffer = [a, late, e2, e3]
    assert history.held(engine)[0] == [a, e2, e3]  # `late` is after this read's until
    clock[0] = t + 10**9
    assert history.held(engine)[0] == [a, late, e2, e3]
    clock[0] = t - 15 * 10**7  # set back: until before the last one held
    engine.asked.clear()
    assert history.held(engine)[0] == [a, e2] and engine.asked == ["1"]  # a whole read, as of that clock


def test_the_volume_mounts_of_a_copy_are_no_use_of_the_volume():
    """Reading a container's files (docklab's own reads of a volume, or `docker cp`) mounts
    its volumes around the copy's event: those mounts leave the history; a start's stay.
    The events as Engine 26 gave them for `docker run -d -v v:/z` and then `docker cp`."""
    from tutor.core.engine.events import History

    def ev(n, type_, action, actor, **attrs):
        return {"Type": type_, "Action": action, "Actor": {"ID": actor, "Attributes": attrs}, "timeNano": n * 10**8}

    raw = [
        ev(1, "container", "create", "c1", name="runr"),
        ev(2, "volume", "mount", "v", container="c1", destination="/z"),
        ev(3, "container", "start", "c1", name="runr"),
        ev(4, "volume", "mount", "v", container="c1", destination="/z"),
        ev(5, "container", "archive-path", "c1", name="runr"),
        ev(6, "volume", "unmount", "v", container="c1"),
        ev(7, "volume", "mount", "v", container="c1", destination="/z"),  # a read that found nothing
        ev(8, "volume", "unmount", "v", container="c1"),
        ev(9, "container", "die", "c1", name="runr"),
        ev(10, "volume", "unmount", "v", container="c1"),
        ev(11, "volume", "mount", "v", container="c2", destination="/y"),  # c2's start, just after a copy of c1
        ev(12, "container", "start", "c2", name="other"),
        ev(13, "volume", "mount", "w", container="c1", destination="/w"),  # copying into c1 (docker cp c1:...)
        ev(14, "volume", "mount", "v", container="c1", destination="/z"),
        ev(15, "container", "extract-to-dir", "c1", name="runr"),
        ev(16, "volume", "unmount", "v", container="c1"),
        ev(17, "volume", "unmount", "w", container="c1"),
    ]
    past = History.read(RecordedEngine(events=raw), 0.0)
    kept = [(e.action, e.attrs["container"], e.at // 10**8) for e in past.of("volume")]
    assert kept == [("mount", "c1", 2), ("unmount", "c1", 10), ("mount", "c2", 11)]
