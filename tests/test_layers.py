"""The layering rules of the design: the core never imports Textual, and `--help` stays
light (no Textual, no docker SDK)."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "tutor" / "core"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_sources_never_import_textual_or_the_ui():
    for path in CORE.rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] == "textual" or m.startswith("tutor.ui")
               or m.startswith("tutor.cli")}
        assert not bad, f"{path.name} imports {bad}"


def test_importing_every_core_module_loads_no_textual():
    mods = [f"tutor.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__"]
    code = "import sys\n" + "".join(f"import {m}\n" for m in mods) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_help_imports_neither_textual_nor_the_docker_sdk():
    code = ("import sys\nfrom tutor.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('textual', 'docker', 'pexpect', 'markdown_it') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_tui_paints_its_picker_before_loading_the_sdk_pyte_or_the_lesson_parser():
    """Those load in a worker after the first frame (bench/tui_startup.py measures why)."""
    code = ("import sys\nfrom tutor.cli.tui import open_tui\nfrom tutor.ui.app import create_app\ncreate_app('offline')\n"
            "print(sorted(m for m in ('docker', 'pyte', 'pexpect', 'markdown_it', 'yaml', 'tutor.core.lessons.lessonfile',"
            " 'tutor.ui.lesson') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
