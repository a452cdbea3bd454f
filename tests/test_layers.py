"""The layering rules of the design: the core never imports Textual, the UI or the CLI;
its groups import only downwards; no module-level import cycle anywhere in tutor/; and
`--help` and the TUI's first paint stay light (no Textual, no docker SDK, no parser);
only the engine group speaks the docker SDK.

The direction between the core's groups, lowest first (a module may import its own
group and any lower one, never a higher one):

  shared vocabulary (model, outcome, paths, store, settings, errors)
  ← engine ← checks ← lessons ← learner ← grading, and doctor on top of them all.

Checks read the engine; the lesson parser validates check kinds; the learner's
session runs lessons through checks on the engine; grading reports on learners.

Around the core, each package imports only the ones named in PACKAGES: the web server
(`docklab serve`'s, shared with the classroom) and the TUI stand on the core, the classroom
on the core and the web server, and the CLI on all of them; so no cycle between packages.
"""

import ast
import subprocess
import sys
from pathlib import Path

TUTOR = Path(__file__).resolve().parents[1] / "tutor"
CORE = TUTOR / "core"
ROOT_MODULES = {"model", "outcome", "paths", "store", "settings", "errors"}
LAYERS = ["", "engine", "checks", "lessons", "learner", "grading", "doctor"]  # "": the shared vocabulary
PACKAGES = {  # what each package of tutor may import besides itself and tutor's own __init__
    "core": set(),
    "web": {"core"},
    "ui": {"core"},
    "classroom": {"core", "web"},
    "cli": {"core", "web", "ui", "classroom"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(TUTOR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def module_level_imports(path: Path, known: set[str]) -> set[str]:
    """The tutor modules the file imports when it is itself imported (not inside a function)."""
    found = set()

    def visit(nodes):
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    found.add(sub if sub in known else node.module)
            elif isinstance(node, (ast.If, ast.Try)):
                visit(
                    node.body
                    + node.orelse
                    + getattr(node, "finalbody", [])
                    + [n for h in getattr(node, "handlers", []) for n in h.body]
                )

    visit(ast.parse(path.read_text()).body)
    return {m for m in found if m in known}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in TUTOR.rglob("*.py")}
    return {name: module_level_imports(path, set(files)) - {name} for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def layer(module: str) -> int | None:
    """The rank of a tutor.core module in LAYERS; None for a module placed in none."""
    rest = module.removeprefix("tutor.core").lstrip(".").split(".")
    if rest[0] in ROOT_MODULES or rest == [""]:
        return 0
    return LAYERS.index(rest[0]) if rest[0] in LAYERS else None


def test_no_module_level_import_cycle_in_tutor():
    assert cycles(import_graph()) == []


def package(module: str) -> str | None:
    """The package of tutor a module belongs to; None for tutor's own __init__ and __main__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in PACKAGES else None


def package_graph() -> dict[str, set[str]]:
    """Which package imports which, by every import of every module (in functions too)."""
    graph: dict[str, set[str]] = {name: set() for name in PACKAGES}
    for path in TUTOR.rglob("*.py"):
        me = package(module_name(path))
        if me:
            graph[me] |= {p for m in imported_modules(path) if m.startswith("tutor.") and (p := package(m))} - {me}
    return graph


def test_every_package_of_tutor_has_a_place_in_the_order():
    found = {p.name for p in TUTOR.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert found == set(PACKAGES)


def test_packages_import_only_what_the_order_allows():
    bad = {me: sorted(uses - PACKAGES[me]) for me, uses in package_graph().items() if uses - PACKAGES[me]}
    assert not bad


def test_no_import_cycle_between_packages():
    assert cycles(package_graph()) == []


def test_the_cycle_finder_sees_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_core_module_has_a_layer():
    """A new top-level module or group must be placed in ROOT_MODULES or LAYERS."""
    unplaced = sorted(m for m in map(module_name, CORE.rglob("*.py")) if layer(m) is None)
    assert unplaced == []


def test_core_groups_import_only_their_own_or_lower_groups():
    bad = []
    for path in CORE.rglob("*.py"):
        me = module_name(path)
        for other in imported_modules(path):
            if other.startswith("tutor.core.") and layer(other) > layer(me):
                bad.append(f"{me} imports {other}")
    assert not bad, "\n".join(sorted(set(bad)))


def test_core_sources_never_import_textual_the_ui_or_the_cli():
    for path in CORE.rglob("*.py"):
        bad = {
            m
            for m in imported_modules(path)
            if m.split(".")[0] == "textual" or m.startswith("tutor.ui") or m.startswith("tutor.cli")
        }
        assert not bad, f"{path} imports {bad}"


def sdk_importers() -> list[str]:
    """The modules of core, ui and cli outside core/engine that import the docker SDK."""
    outside = [p for pkg in ("core", "ui", "cli") for p in (TUTOR / pkg).rglob("*.py")]
    return sorted(
        module_name(p)
        for p in outside
        if not p.is_relative_to(CORE / "engine") and any(m.split(".")[0] == "docker" for m in imported_modules(p))
    )


def test_only_the_engine_group_speaks_the_docker_sdk():
    """Checks, roles, ownership, the guard, the panel and the CLI ask the engine through
    its port (tutor/core/engine/port.py); the classroom's hub and spawner may keep the SDK."""
    assert sdk_importers() == []


def test_importing_every_core_module_loads_no_textual():
    mods = [module_name(p) for p in CORE.rglob("*.py")]
    code = "import sys\n" + "".join(f"import {m}\n" for m in mods) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_help_imports_neither_textual_nor_the_docker_sdk():
    code = (
        "import sys\nfrom tutor.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('textual', 'docker', 'pexpect', 'markdown_it') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_tui_paints_its_picker_before_loading_the_sdk_pyte_or_the_lesson_parser():
    """Those load in a worker after the first frame (bench/tui_startup.py measures why)."""
    code = (
        "import sys\nfrom tutor.cli.tui import open_tui\nfrom tutor.ui.app import create_app\ncreate_app('offline')\n"
        "print(sorted(m for m in ('docker', 'pyte', 'pexpect', 'markdown_it', 'yaml', 'tutor.core.lessons.lessonfile',"
        " 'tutor.ui.lesson') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
