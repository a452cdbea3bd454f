"""The core of docklab: lessons, checks, the engine, the runner, ownership and progress.

Never imports Textual (tests/test_layers.py enforces it); the TUI and CLI sit on top.
"""
