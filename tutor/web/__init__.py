"""docklab's TUI on the web: textual-serve behind a token (`docklab serve`) and the pieces
the classroom's learner server shares with it (the Host check, the quiet runner)."""
