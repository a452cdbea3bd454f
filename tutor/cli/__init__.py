"""`docklab`: the command line. Parsing stays import-light so `--help` answers fast:
the SDK, Textual and the lesson parser are imported only by the command that needs them.

Exit codes (a stable contract): 0 success, 1 checks failed, 2 usage or content error,
3 no usable engine (down, too old, an image missing, or a name the lesson needs taken).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from tutor import __version__
from tutor.core.errors import FAILED, INTERRUPTED, NO_ENGINE, OK, USAGE  # noqa: F401  (the commands' codes)

# Where each command's handler lives (default: tutor.cli.commands), imported only when used.
HANDLERS = {
    "doctor": "tutor.cli.workshop",
    "images": "tutor.cli.workshop",
    "serve": "tutor.cli.workshop",
    "sandbox": "tutor.cli.workshop",
    "report": "tutor.cli.grading",
    "grade": "tutor.cli.grading",
    "classroom": "tutor.cli.classroom",
}


def build_parser() -> argparse.ArgumentParser:
    images = argparse.ArgumentParser(add_help=False)
    images.add_argument(
        "--images",
        metavar="MAP",
        default=None,
        help="image map: 'offline' for the local stand-ins, 'real', or a TOML file "
        "(default: $DOCKLAB_IMAGES, else `docklab config images`, else real)",
    )
    p = argparse.ArgumentParser(
        prog="docklab",
        description="Learn Docker volumes by doing: real commands on a real engine, checked step by step. "
        "With no command, opens the lessons in the terminal UI.",
        epilog="Exit codes: 0 ok, 1 checks failed, 2 usage or content error, 3 no usable engine.",
    )
    p.add_argument("--version", action="version", version=f"docklab {__version__}")
    p.add_argument("--images", metavar="MAP", default=None, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("list", parents=[images], help="list the lessons, your progress and what each needs")
    s.add_argument("--json", action="store_true", help="machine-readable output")

    s = sub.add_parser("run", parents=[images], help="work through a lesson (--auto: run every step for real)")
    s.add_argument("lesson", help="lesson id (see `docklab list`) or a lesson file")
    s.add_argument("--auto", action="store_true", help="run each step's commands and checks, no typing")
    s.add_argument(
        "--from",
        dest="from_step",
        type=int,
        metavar="N",
        help="catch up to step N first: reset the lesson, then docklab does steps 1 to N-1 (recorded as caught up)",
    )
    s.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="NAME=NEW",
        help="use NEW instead of the lesson's NAME (when NAME is already yours); repeatable",
    )
    s.add_argument(
        "--plain",
        action="store_true",
        help="the lesson as plain text (screen readers, dumb terminals); the default off a terminal",
    )

    s = sub.add_parser("start", parents=[images], help="begin a lesson you do in your own shell: shows its first step")
    s.add_argument("lesson", help="lesson id (see `docklab list`) or a lesson file")
    s.add_argument(
        "--rename", action="append", default=[], metavar="NAME=NEW", help="use NEW instead of the lesson's NAME"
    )

    s = sub.add_parser("check", parents=[images], help="check the engine's state for a lesson you did yourself")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("lesson", nargs="?")
    g.add_argument("--all", action="store_true", help="every lesson, live, in one call (for graders); records nothing")
    s.add_argument("--step", type=int, metavar="N", help="check only step N (and record it when it passes)")
    s.add_argument("--json", action="store_true", help="machine-readable output")

    s = sub.add_parser("reset", help="remove exactly what a lesson created (your progress is kept)")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("lesson", nargs="?")
    g.add_argument("--all", action="store_true", help="every lesson docklab started on this engine")

    s = sub.add_parser(
        "validate", help="check lesson files for problems (file:line: message); content/'s for the course's too"
    )
    s.add_argument("files", nargs="*", help="lesson files (default: every lesson in content/)")

    s = sub.add_parser("images", help="the images the lessons need: list, build, pull, bundle, load")
    isub = s.add_subparsers(dest="images_command", metavar="ACTION", required=True)
    b = isub.add_parser("build", help="build the local stand-in images from labs/ (no registry needed)")
    b.add_argument("names", nargs="*", help="stand-ins to build (default: all that are missing)")
    b.add_argument("--force", action="store_true", help="rebuild even when the tag exists")
    b = isub.add_parser("list", parents=[images], help="each image the lessons need, present or not, and its size")
    b.add_argument("--json", action="store_true", help="machine-readable output")
    isub.add_parser("pull", parents=[images], help="pull the missing images, a progress bar per layer")
    b = isub.add_parser("bundle", parents=[images], help="save every image the lessons need into one file")
    b.add_argument("file", help="the archive to write (docker save format), e.g. for a USB stick")
    b = isub.add_parser("load", help="load a bundle made by `docklab images bundle`")
    b.add_argument("file")

    s = sub.add_parser("doctor", parents=[images], help="is this machine ready for the lessons?")
    s.add_argument("--json", action="store_true", help="machine-readable findings (docs/doctor.md)")

    s = sub.add_parser("sandbox", parents=[images], help="run the lessons on a private engine (Linux, root)")
    s.add_argument("action", choices=["start", "stop", "status"])
    s.add_argument("--purge", action="store_true", help="with stop: also delete the sandbox's data (its images)")
    s.add_argument(
        "--dind",
        action="store_true",
        help="with start: run the engine in a docker:dind container (the default with Docker Desktop)",
    )

    s = sub.add_parser("serve", parents=[images], help="the TUI in a browser (textual-serve), for workshops")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument(
        "--token-file",
        metavar="FILE",
        help="the token visitors must present (default: "
        "$DOCKLAB_SERVE_TOKEN, else docklab makes one and prints the address with it once)",
    )

    key = argparse.ArgumentParser(add_help=False)
    key.add_argument("--key-file", metavar="F", help="the workshop key (default: $DOCKLAB_WORKSHOP_KEY)")
    s = sub.add_parser(
        "report", parents=[images, key], help="write your completion report (signed with a workshop key)"
    )
    s.add_argument(
        "--learner",
        metavar="NAME",
        help="your name as the instructor knows it (default: $DOCKLAB_LEARNER, else your login)",
    )
    s.add_argument("--out", metavar="FILE", help="where to write it (default: docklab-report-NAME.json)")
    s.add_argument("--json", action="store_true", help="print the report (writes a file only with --out)")
    s = sub.add_parser("grade", parents=[key], help="instructors: verify reports and roll them up, learner x lesson")
    s.add_argument("reports", nargs="+", metavar="REPORT", help="report files, or folders of *.json")
    s.add_argument("--format", choices=["table", "csv", "html", "junit"], default="table")

    s = sub.add_parser(
        "classroom", help="instructors: a JupyterHub where every learner gets a browser TUI and an engine"
    )
    s.add_argument("action", choices=["up", "status", "down"])
    s.add_argument(
        "--name",
        default="docklab-class",
        help="the classroom's name, the prefix of all it makes (default docklab-class)",
    )
    s.add_argument("--port", type=int, default=8000, help="with up: the port learners open (default 8000)")
    s.add_argument("--host", default="0.0.0.0", help="with up: the address to listen on (default: all)")
    s.add_argument(
        "--learners",
        metavar="FILE",
        help="with up: login names, one a line (default: any name with the workshop password)",
    )
    s.add_argument("--image", help="with up: the learner server image (default: built here when missing)")
    s.add_argument(
        "--lessons", metavar="ID,ID", help="with up: preload only these lessons' images (default: every lesson's)"
    )
    s.add_argument(
        "--cull-after",
        type=int,
        default=3600,
        metavar="S",
        help="with up: stop a learner's server idle this long (progress is kept; default 3600)",
    )
    s.add_argument(
        "--mem-limit",
        metavar="SIZE",
        default="1G",
        help="with up: memory per learner's server (default 1G: a server uses 130-170 MiB, "
        "MySQL lessons more; 0 for none)",
    )
    s.add_argument(
        "--pids-limit",
        type=int,
        default=1024,
        metavar="N",
        help="with up: processes and threads per learner's server (default 1024; 0 for none)",
    )
    s.add_argument(
        "--start-at-once",
        type=int,
        metavar="N",
        help="with up: learners' servers that boot at the same time; the rest wait their turn "
        "(default: twice this machine's cores)",
    )
    s.add_argument(
        "--prestart",
        action="store_true",
        help="with up and --learners: start every learner's server now, so the class finds them ready "
        "(they wait --cull-after seconds for their learner)",
    )
    s.add_argument(
        "--egress",
        choices=["internet", "lan", "none"],
        default="internet",
        help="with up: what learners' servers reach besides the hub: the internet but not the private "
        "networks (default), those too (lan), or nothing; never the cloud's metadata address or this "
        "machine's other ports",
    )
    s.add_argument(
        "--subdomain-host",
        metavar="HOST",
        help="with up: each learner's server at NAME.HOST (HOST and *.HOST must lead to this machine), "
        "so a page one learner serves cannot reach another's; https://HOST when TLS ends in a proxy in front",
    )
    s.add_argument("--json", action="store_true", help="with status: machine-readable output")
    s.add_argument(
        "--purge",
        action="store_true",
        help="with down: also remove the learners' volumes (progress, engines) and the hub's folder",
    )

    s = sub.add_parser("config", help="show or change a lasting setting (images: real, offline or a map file)")
    s.add_argument("key", nargs="?", choices=["images"])
    s.add_argument("value", nargs="?", help="new value ('-' to unset)")
    return p


def main(argv: list[str] | None = None) -> int:
    if not (sys.argv[1:] if argv is None else argv):  # bare `docklab`: the TUI, first paint first
        from tutor.cli.tui import open_tui

        return open_tui()
    args = build_parser().parse_args(argv)
    if args.command is None:
        from tutor.cli.tui import open_tui

        return open_tui(args.images)
    module = importlib.import_module(HANDLERS.get(args.command, "tutor.cli.commands"))
    from tutor.cli.common import run  # with the core: after parsing, not for --help

    return run(getattr(module, "cmd_" + args.command), args)
