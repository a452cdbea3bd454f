"""docklab's classroom: JupyterHub gives every learner a server of their own (docklab's
browser TUI and a private Docker Engine), with the hub's login in front and a live
instructor view as a hub service. Nothing here is imported by `docklab --help` or by the
core: jupyterhub and its spawners come with the `classroom` extra."""

# A learner's server answers here, to its spawner only (the server's own hub token), once its
# learner has come (their TUI drawn at their browser's size), or after `wait` seconds, at
# most ARRIVAL_WAIT: until then the spawner weighs the server's CPU as a booting one's
# (learner_spawner.py, learner_app.py).
ARRIVED = "api/docklab-arrived"
ARRIVAL_WAIT = 60
