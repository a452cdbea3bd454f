"""The core of docklab: lessons, checks, the engine, the runner, ownership and progress.

Grouped by concern, each group importing only itself and those below it: the shared
vocabulary (model, outcome, paths, store, settings, errors) <- engine <- checks <- lessons
<- learner <- grading, with doctor on top. Never imports Textual, the TUI or the CLI,
which sit on top; tests/test_layers.py holds all of it (docs/architecture.md draws it).
"""
