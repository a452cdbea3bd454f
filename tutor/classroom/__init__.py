"""docklab's classroom: JupyterHub gives every learner a server of their own (docklab's
browser TUI and a private Docker Engine), with the hub's login in front and a live
instructor view as a hub service. Nothing here is imported by `docklab --help` or by the
core: jupyterhub and its spawners come with the `classroom` extra."""
