"""`docklab classroom up/status/down`: the instructor's commands (tutor/classroom/hub.py
does the work; these only read arguments and print)."""

from __future__ import annotations

import json
import sys

from tutor.cli import FAILED, OK
from tutor.core.errors import UsageError


def _needs_extra() -> str | None:
    try:
        import dockerspawner  # noqa: F401
        import jupyterhub  # noqa: F401
    except ImportError:
        return (
            "docklab classroom needs JupyterHub and DockerSpawner: pip install 'docklab[classroom]' "
            "(in a checkout: scripts/venv classroom)"
        )
    return None


def cmd_classroom(args) -> int:
    """Errors (a ClassroomError, an image that cannot be built) go through cli/common.run."""
    from tutor.classroom import hub
    from tutor.classroom.room import read_learners

    if args.action == "up":
        missing = _needs_extra()
        if missing:
            raise UsageError(missing)
        if args.prestart and not args.learners:
            raise UsageError("--prestart needs --learners FILE: the servers to start are the learners'")
        if args.start_at_once is not None and args.start_at_once < 1:
            raise UsageError("--start-at-once needs a number of servers, 1 or more")
        learners = read_learners(args.learners) if args.learners else None
        got = hub.up(
            args.name,
            port=args.port,
            bind=args.host,
            learners=learners,
            image=args.image,
            lessons=args.lessons.split(",") if args.lessons else None,
            cull_after=args.cull_after,
            mem_limit=args.mem_limit,
            pids_limit=args.pids_limit,
            egress=args.egress,
            subdomain_host=args.subdomain_host,
            start_at_once=args.start_at_once,
            prestart=args.prestart,
            progress=lambda line: print(line, file=sys.stderr),
        )
        who = (
            f"{len(learners)} learners from {args.learners}"
            if learners
            else "anyone who knows the workshop password, under any name"
        )
        print(
            f"classroom {args.name} is up: {got['url']}  (on this machine: {got['local_url']})\n"
            f"  instructor: log in as {got['admin']} with {got['admin_password']}\n"
            f"  learners ({who}): their name and the workshop password {got['learner_password']}\n"
            f"  live view: {got['local_url']}services/docklab-view/ ; state and logs: {got['folder']}\n"
            f"  `docklab classroom status` lists the learners; `docklab classroom down` ends the class."
        )
        return OK
    if args.action == "status":
        got = hub.status(args.name)
        if args.json:
            print(json.dumps(got, indent=2))
        else:
            print(f"classroom {got['name']}: {'running on port ' + str(got['port']) if got['running'] else 'down'}")
            for learner, seen in got["learners"].items():
                lessons = seen.get("lessons") or {}
                steps = ", ".join(
                    f"{lid} {c['done']}/{c['steps']}"
                    + (f" (their record claims {c['claimed']})" if c["claimed"] != c["done"] else "")
                    for lid, c in lessons.items()
                    if c["done"] or c["claimed"]
                )
                print(f"  {learner:<20} {seen['server']:<14} {steps or 'no steps yet'}")
        return OK if got["running"] else FAILED
    removed = hub.down(args.name, purge=args.purge, progress=lambda line: print(line, file=sys.stderr))
    print(
        f"classroom {args.name} is down: removed {len(removed['containers'])} container(s), "
        f"{len(removed['networks'])} network(s), {len(removed['volumes'])} volume(s)"
        + ("" if args.purge else "; the learners' volumes and the hub's folder are kept (--purge removes them)")
    )
    return OK
