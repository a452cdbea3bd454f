"""Commands that prepare a machine (or a room of them): `doctor`, `images ...`, `serve`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tutor.cli import FAILED, NO_ENGINE, OK
from tutor.cli.output import Printer
from tutor.core.lessons import catalog
from tutor.core.engine.connection import EngineUnavailable, connect
from tutor.core import doctor
from tutor.core.engine import bundle, sandbox
from tutor.core.engine.images import build_standins, load_map
from tutor.core.errors import EngineError, UsageError

MARK = {"ok": "ok      ", "warning": "warning ", "problem": "problem "}


def cmd_doctor(args) -> int:
    try:
        engine = connect(timeout=10)
    except EngineUnavailable as err:
        if args.json:
            print(json.dumps(doctor.unreachable(str(err)), indent=2))
        else:
            print(f"{MARK['problem']}engine: {err}", file=sys.stderr)
        return NO_ENGINE
    result = doctor.report(engine, load_map(args.images), catalog.load_all())
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for f in result["findings"]:
            print(f"{MARK[f['status']]}{f['check']}: {f['detail']}")
            if f["todo"]:
                print(f"{'':8}→ {f['todo']}")
        ready = sum(lesson["ready"] for lesson in result["lessons"])
        print(f"\n{ready} of {len(result['lessons'])} lessons can run here (images: {result['image_map']} map).")
    return OK if result["ready"] else FAILED


def cmd_images(args) -> int:
    return {"build": _build, "list": _list, "pull": _pull, "bundle": _bundle, "load": _load}[args.images_command](args)


def _build(args) -> int:
    engine = connect(timeout=900)
    start = time.monotonic()
    built = build_standins(engine.client, args.names or None, args.force, progress=Printer(()).progress)
    print(
        f"\nbuilt {len(built)} image{'s' if len(built) != 1 else ''} in {time.monotonic() - start:.0f} s"
        if built
        else "\nall stand-ins present"
    )
    return OK


def _needed(args) -> list[str]:
    return bundle.needed(catalog.load_all(), load_map(args.images))


def _list(args) -> int:
    engine = connect()
    table = bundle.rows(engine.client, _needed(args))
    if args.json:
        print(json.dumps(table, indent=2))
    else:
        for row in table:
            state = f"present  {row['size_mb']:>8.1f} MB" if row["present"] else "MISSING"
            print(f"{row['image']:<40} {state}")
    return OK if all(r["present"] for r in table) else FAILED


def _pull(args) -> int:
    """Pull what is missing, one progress bar per layer (rich, loaded only here)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    engine = connect(timeout=900)
    todo = [r["image"] for r in bundle.rows(engine.client, _needed(args)) if not r["present"]]
    if not todo:
        print("every image the lessons need is present")
        return OK
    for image in todo:
        print(f"pulling {image}")
        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn()) as bars:
            tasks: dict[str, int] = {}
            for ev in bundle.pull(engine.client, image):
                if not ev["id"]:
                    continue
                if ev["id"] not in tasks:
                    tasks[ev["id"]] = bars.add_task(ev["id"], total=None)
                bars.update(
                    tasks[ev["id"]],
                    description=f"{ev['id']} {ev['status']}",
                    completed=ev["current"] or 0,
                    total=ev["total"],
                )
    return OK


def _bundle(args) -> int:
    engine = connect(timeout=900)
    images = _needed(args)
    out = Printer(())
    size = bundle.save(
        engine.client,
        images,
        Path(args.file),
        progress=lambda n: out.progress(f"writing {args.file}: {n / 1e6:.0f} MB"),
    )
    out.line(f"wrote {args.file}: {len(images)} images, {size / 1e6:.0f} MB ({', '.join(images)})")
    return OK


def _load(args) -> int:
    engine = connect(timeout=900)
    print(f"checking {args.file} …")
    names = bundle.load(engine.client, Path(args.file))
    print(f"loaded {len(names)} images: {', '.join(names)}")
    return OK


def cmd_serve(args) -> int:
    from tutor.web.serve import ServeProblem, serve

    try:
        return serve(args.host, args.port, args.token_file, args.images)
    except ServeProblem as err:
        raise UsageError(f"docklab serve: {err}") from None


def cmd_sandbox(args) -> int:
    if args.action == "status":
        state = sandbox.status()
        if not state:
            print("no sandbox running: docklab uses your engine (`docklab sandbox start` for a private one)")
            return FAILED
        where = (
            f"container {sandbox.DIND_NAME} on your engine, data in volume {state['volume']}"
            if state.get("kind") == "dind"
            else f"pid {state['pid']}, data in {state['data_root']}"
        )
        print(f"sandbox running: {state['host']} ({where}); docklab's checks, commands and terminal use it")
        return OK
    if args.action == "stop":
        outcome = sandbox.stop(purge=args.purge)
        print(
            {
                "stopped": "sandbox stopped; docklab uses your engine again",
                "stale": "no sandbox was running: its record was stale (the process it named is not the "
                "sandbox's engine, and was left alone); removed it, docklab uses your engine again",
                "none": "no sandbox was running",
            }[outcome]
        )
        return OK
    main = connect(sandbox=False)  # the learner's engine, where the images are (and a dind sandbox runs)
    image_map = load_map(args.images)
    dind = args.dind or not sandbox.local_dockerd_possible(main.client)
    try:
        state = sandbox.start(
            bundle.needed(catalog.load_all(), image_map),
            main.client,
            progress=print,
            dind_image=image_map.resolve("docker:dind") if dind else None,
            image_map=image_map,
        )
    except sandbox.SandboxError as err:
        raise EngineError(f"cannot start the sandbox: {err}") from None
    print(
        f"sandbox running on {state['host']}: lessons, checks and the TUI's terminal now use it; "
        "`docklab sandbox stop` returns to your engine"
    )
    return OK
