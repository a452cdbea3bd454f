"""How many learners one machine holds: N learners log in over HTTP at once, their servers
spawn, and each does the whole of `mount-syntax` in docklab's TUI through its own server.

    python bench/classroom.py [--learners 5,10,20] [--lesson mount-syntax] [--arrive-over S] [--prestart]
                              [--start-at-once K] [--think S] [--drop-caches] [--boots-only]

(`--arrive-over 60`: the N logins spread evenly over 60 s, as a room arrives;
`--prestart`: `classroom up --prestart`, every server started before the first login;
`--think 5`: each learner reads 5 s before each key they press in the lesson, as people do;
without it they press the next key as soon as the screen allows, the heaviest load;
`--drop-caches`: before each round, as root, write back and drop the kernel's page cache;
`--boots-only`: the learners log in and wait for their lesson list, no lesson work: what a
boot costs, below.)

Each round removes its learners' containers, but the kernel keeps their memory cgroups
while pages they charged stay cached, and hundreds of those slow every later container
start: back-to-back rounds of 20 went from 11 s p50 to 17 s. Each round prints how many
the kernel holds; `--drop-caches` releases them, so rounds compare fairly.

For each N: the time from login to a ready TUI (the hub's login posted -> the TUI's lesson
list drawn in the learner's websocket), p50 and p95; how many learners finished every
step; and memory: each learner's container as the engine counts it (its dockerd, its
lesson containers, docklab's server and TUI), and the machine's used memory before and
with the class running; and the share of the machine's CPU time its hypervisor gave to
other machines meanwhile (steal: on a shared host, the same run varies with it). Each N is
its own classroom (`docklab classroom up`, a unique name and port), taken down with
--purge after. The learner image is built on first use.

What a boot costs (every round, the figure of issue 23's goal): the machine's CPU time
(all but idle and iowait) from the first login to the last lesson list, per learner, all
included (their containers, the host's dockerd, containerd and shims, the hub and its
proxy, this script's client); of it, each learner's container as its cgroup counts it
(median); and, summed over the learners' containers, where that went by process name
(utime+stime of each process, and of its children it reaped), read from the host's /proc
once every learner's list is drawn. With --boots-only the window holds nothing else.
The machine's CPU time counts whatever else runs on it too (others' test suites on a shared
machine); "the class's own" counts only the class: its learners' containers (their cgroups),
the hub and every process it started (its proxy, the view), the host's engine (dockerd,
containerd, the shims: this script holds the engine's lock), and this script."""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.classroomkit import DOWN, F3, LESSON_SHELL, PICKER_LISTED, running_classroom  # noqa: E402

F12 = "\x1b[24~"  # a challenge's solution
PREDICT = "Predict before you run it"  # the prediction dialog's title
PREDICTED = "you predicted: "  # under the step's title once answered (its toast can pass unseen under load)


def used_mib() -> float:
    info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    kib = lambda key: int(info[key].split()[0])  # noqa: E731
    return (kib("MemTotal") - kib("MemAvailable")) / 1024


def script_for(lesson_id: str) -> list[tuple]:
    """Open the lesson and do it as a learner at the keyboard: on reaching a step, answer its
    predictions (1, the first choice), reveal a challenge's solution (F12), then F3 for each
    command, waiting for the step's ✓ after its last one; F3 on a step done moves on."""
    from tutor.core.lessons import lessonfile

    files = sorted((ROOT / "content").glob("[0-9]*.md"))
    ids = [p.stem.split("-", 1)[1] for p in files]
    lesson = lessonfile.load(files[ids.index(lesson_id)])
    total = len(lesson.steps)
    script: list[tuple] = [("", PICKER_LISTED), (DOWN * ids.index(lesson_id) + "\r", LESSON_SHELL)]
    for step in lesson.steps:
        arrived = PREDICT if step.predictions else f"Step {step.number} of {total}"
        script.append(("" if step.number == 1 else F3, arrived))
        for i, _ in enumerate(step.predictions):
            script.append(("1", PREDICTED if i == len(step.predictions) - 1 else PREDICT))
        commands = step.commands
        if step.challenge:
            script.append((F12, ""))  # the solution, shown; F3 then types it
            commands = step.solution
        for i, _ in enumerate(commands):
            last = i == len(commands) - 1
            script.append((F3, f"✓ done  {step.number}." if last else "", "try again"))
    return script


def _stat(pid: int) -> tuple[str, int, int, float] | None:
    """A process's name, parent, start (clock ticks since boot) and CPU-s (reaped children's too)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    return name, int(fields[1]), int(fields[19]), sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def cpu_by_process(client, boxes) -> dict[str, float]:
    """CPU-s each process name used in these containers, with the children it reaped."""
    spent: dict[str, float] = {}
    for box in boxes:
        for row in client.api.top(box.id, ps_args="-e -o pid")["Processes"] or []:
            if (st := _stat(int(row[0]))) is None:
                continue
            name, _, _, cpu = st
            if name.startswith("python"):  # which of docklab's: its module
                try:
                    argv = Path(f"/proc/{row[0]}/cmdline").read_bytes().split(b"\0")
                    name = argv[argv.index(b"-m") + 1].decode() if b"-m" in argv else name
                except (OSError, ValueError):
                    pass
            spent[name] = spent.get(name, 0.0) + cpu
    return dict(sorted(spent.items(), key=lambda kv: -kv[1]))


ENGINE = {"dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2", "docker-proxy"}


def classroom_host_cpu(hub_pid: int) -> dict[tuple[int, int], float]:
    """CPU-s so far of the class's processes on this machine, by (pid, start): the hub and all
    it started (its proxy, the view, their children), and the host's engine (dockerd,
    containerd, the shims; only this script uses it while it holds the engine's lock). Not
    the learners' own engines: they are in their containers' PID namespaces."""
    ours = os.readlink("/proc/self/ns/pid")
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))):
            stats[int(entry)] = st
    children: dict[int, list[int]] = {}
    for pid, (_, parent, _, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    tree, todo = set(), [hub_pid]
    while todo:
        pid = todo.pop()
        if pid in stats and pid not in tree:
            tree.add(pid)
            todo += children.get(pid, [])
    spent = {}
    for pid, (name, _, start, cpu) in stats.items():
        if pid in tree or name in ENGINE:
            try:
                if os.readlink(f"/proc/{pid}/ns/pid") != ours:
                    continue
            except OSError:
                continue
            spent[(pid, start)] = cpu
    return spent


def container_cpu(box) -> float:
    """CPU-s the container's cgroup has used since it started, read from the cgroup at once:
    the engine's stats take a second or two a container, and the containers of a class
    asked one after another went on spending (idle TUIs and engines) until theirs."""
    try:
        pid = box.attrs["State"]["Pid"]
        path = Path(f"/proc/{pid}/cgroup").read_text().splitlines()[0].split(":", 2)[2]
        for line in Path(f"/sys/fs/cgroup{path}/cpu.stat").read_text().splitlines():
            if line.startswith("usage_usec "):
                return int(line.split()[1]) / 1e6
    except (OSError, IndexError, KeyError, ValueError):
        pass
    return box.stats(stream=False)["cpu_stats"]["cpu_usage"]["total_usage"] / 1e9


def one(room, name: str, lesson: str, delay: float = 0.0, think: float = 0.0, boots_only: bool = False) -> dict:
    time.sleep(delay)  # a class arriving over some seconds, not all at once
    learner = room.learner(name)
    start = time.monotonic()
    learner.login()
    learner.wait_server(limit=600)
    marks: list[float] = []  # one websocket for the whole lesson, as a browser tab keeps it
    try:
        script = [("", PICKER_LISTED)] if boots_only else script_for(lesson)
        status, _ = learner.tui(script, think=think, marks=marks)
        passed = status == 101
    except AssertionError as err:
        print(f"  {name}: {err}", file=sys.stderr)
        passed = False
    ready = (marks[0] if marks else time.monotonic()) - start  # the lesson list drawn (or the failure)
    return {"name": name, "ready": ready, "passed": passed, "done_at": time.monotonic() - start}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def memory_cgroups() -> int:
    """How many memory cgroups the kernel holds, removed containers' included (/proc/cgroups)."""
    for line in Path("/proc/cgroups").read_text().splitlines():
        fields = line.split()
        if fields and fields[0] == "memory":
            return int(fields[2])
    return 0


def cpu_times() -> list[int]:
    """The machine's CPU time so far, by kind: user, nice, system, idle, iowait, irq, softirq,
    steal (/proc/stat). Steal is time the hypervisor gave this VM's CPUs to others."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def drop_caches() -> None:
    """Write back and drop the page cache, releasing removed containers' memory cgroups."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as err:
        sys.exit(f"--drop-caches needs root: {err}")
    time.sleep(2)


def stop(*_) -> None:
    """SIGTERM: end the run, and take the classroom down (the learners in flight end first);
    a second SIGTERM does not cut that short."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(143)


def round_of(
    n: int,
    lesson: str,
    home: Path,
    over: float = 0.0,
    up_args: tuple[str, ...] = (),
    think: float = 0.0,
    boots_only: bool = False,
) -> dict:
    import docker

    client = docker.from_env()
    before = used_mib()
    names = [f"l{i:02d}" for i in range(n)]
    with running_classroom(home, names, *up_args) as room:
        hub_pid = json.loads((room.folder / "state.json").read_text())["pid"]
        host_before, own_before = classroom_host_cpu(hub_pid), resource.getrusage(resource.RUSAGE_SELF)
        started, cpu = time.monotonic(), cpu_times()
        with ThreadPoolExecutor(max_workers=n) as pool:
            results = list(pool.map(lambda i: one(room, names[i], lesson, i * over / n, think, boots_only), range(n)))
        wall = time.monotonic() - started
        spent = [b - a for a, b in zip(cpu, cpu_times())]
        host_after, own_after = classroom_host_cpu(hub_pid), resource.getrusage(resource.RUSAGE_SELF)
        boxes = [client.containers.get(f"{room.name}-{name}") for name in names]
        boxes_cpu = [container_cpu(b) for b in boxes]
        by_process = cpu_by_process(client, boxes)
        per = [b.stats(stream=False)["memory_stats"].get("usage", 0) / 2**20 for b in boxes]
        during = used_mib()
    ready = [r["ready"] for r in results]
    return {
        "n": n,
        "passed": sum(r["passed"] for r in results),
        "p50": statistics.median(ready),
        "p95": pct(ready, 95),
        "wall": wall,
        "mem_per": statistics.median(per),
        "mem_machine": (during - before) / n,
        "stolen": 100 * spent[7] / max(1, sum(spent)),
        "cpu_per": (sum(spent) - spent[3] - spent[4]) / os.sysconf("SC_CLK_TCK") / n,
        "box_cpu": statistics.median(boxes_cpu),
        # the class alone, whatever else the machine runs: its containers, the hub and all it
        # started, the host's engine, this script
        "class_cpu": (
            sum(boxes_cpu)
            + sum(v - host_before.get(k, 0.0) for k, v in host_after.items())
            + (own_after.ru_utime + own_after.ru_stime - own_before.ru_utime - own_before.ru_stime)
        )
        / n,
        "by_process": {k: round(v / n, 2) for k, v in by_process.items() if v / n >= 0.01},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", default="5,10,20", help="class sizes to try, in order")
    parser.add_argument("--lesson", default="mount-syntax")
    parser.add_argument(
        "--prestart", action="store_true", help="`classroom up --prestart`: the servers start before the logins"
    )
    parser.add_argument("--start-at-once", type=int, metavar="K", help="`classroom up --start-at-once K`")
    parser.add_argument(
        "--think", type=float, default=0.0, metavar="S", help="seconds each learner reads before each key (0: none)"
    )
    parser.add_argument(
        "--arrive-over", type=float, default=0.0, help="seconds over which the learners log in, evenly (0: at once)"
    )
    parser.add_argument(
        "--drop-caches", action="store_true", help="before each round, drop the page cache (root; see above)"
    )
    parser.add_argument("--boots-only", action="store_true", help="log in and wait for the lesson list; no lesson")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, stop)  # a killed bench still takes its classroom down
    rows = []
    with tempfile.TemporaryDirectory(prefix="docklab-bench-classroom-") as tmp:
        for n in map(int, args.learners.split(",")):
            if args.drop_caches:
                drop_caches()
            print(f"classroom of {n} (the kernel holds {memory_cgroups()} memory cgroups)...", file=sys.stderr)
            up_args = (["--prestart"] if args.prestart else []) + (
                ["--start-at-once", str(args.start_at_once)] if args.start_at_once else []
            )
            row = round_of(n, args.lesson, Path(tmp), args.arrive_over, tuple(up_args), args.think, args.boots_only)
            rows.append(row)
            print(f"  {row}", file=sys.stderr)
            if row["passed"] < n:
                break
    print(
        "| learners | every step passed | login → ready TUI p50 | p95 | all done (wall) | memory per learner "
        "(container) | machine's used memory per learner | CPU stolen by the hypervisor | CPU-s per learner, "
        "all included | of it, the class's own | in their container (median) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['n']} | {r['passed']}/{r['n']} | {r['p50']:.1f} s | {r['p95']:.1f} s | {r['wall']:.0f} s | "
            f"{r['mem_per']:.0f} MiB | {r['mem_machine']:.0f} MiB | {r['stolen']:.0f} % | "
            f"{r['cpu_per']:.2f} | {r['class_cpu']:.2f} | {r['box_cpu']:.2f} |"
        )
    for r in rows:
        shares = ", ".join(f"{k} {v:.2f}" for k, v in r["by_process"].items())
        print(f"\n{r['n']} learners, CPU-s per learner in their container by process: {shares}")
    held = [r["n"] for r in rows if r["passed"] == r["n"]]
    print(f"\nLargest class with every learner's steps passing here: {max(held) if held else 0} learners.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
