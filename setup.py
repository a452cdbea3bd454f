"""Build hook: the wheel carries the lessons (content/) and the lab assets (labs/) inside the
`tutor` package, where an installed docklab finds them with importlib.resources. The
repository keeps both folders at the top, where authors edit them; an editable install reads
them there, live. Everything else about the package is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("content", "labs")


class BuildWithLessons(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # tutor/core/paths.py falls back to the top-level folders
            return
        for name in BUNDLED:
            target = Path(self.build_lib, "tutor", name)
            shutil.rmtree(target, ignore_errors=True)  # a lesson removed since the last build goes too
            shutil.copytree(HERE / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithLessons})
