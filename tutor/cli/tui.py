"""Opening the TUI, kept apart from the headless commands so that a bare `docklab`
imports only Textual and the picker before its first paint."""

from __future__ import annotations

import sys

from tutor.core.errors import OK, DocklabError


def open_tui(images: str | None = None, lesson_id: str | None = None) -> int:
    from tutor.ui import create_app

    try:
        app = create_app(images, lesson_id)
    except DocklabError as err:  # an image map that cannot be read
        print(err, file=sys.stderr)
        return err.exit_code
    app.run()
    return OK
