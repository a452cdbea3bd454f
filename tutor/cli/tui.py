"""Opening the TUI, kept apart from the headless commands so that a bare `docklab`
imports only Textual and the picker before its first paint."""

from __future__ import annotations

import sys

from tutor.cli import OK, USAGE


def open_tui(images: str | None = None, lesson_id: str | None = None) -> int:
    from tutor.core.engine.images import ImageError
    from tutor.ui import create_app

    try:
        app = create_app(images, lesson_id)
    except ImageError as err:
        print(err, file=sys.stderr)
        return USAGE
    app.run()
    return OK
