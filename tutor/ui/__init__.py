"""The Textual TUI. `create_app()` builds it for the CLI, the tests and the benchmarks."""

from tutor.ui.app import create_app

__all__ = ["create_app"]
