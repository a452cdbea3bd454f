"""JupyterHub's configuration for a docklab classroom (`jupyterhub -f` this file).
Everything specific to one classroom is in classroom.json in its folder
($DOCKLAB_CLASSROOM_DIR), written by `docklab classroom up` (tutor/classroom/hub.py)."""

# ruff: noqa: F821  (get_config is given by JupyterHub's config loader)
import json
import os
import sys
from pathlib import Path

from tutor.classroom import proxy
from tutor.classroom.spawner import configure

folder = Path(os.environ["DOCKLAB_CLASSROOM_DIR"])
conf = json.loads((folder / "classroom.json").read_text())
c = get_config()  # noqa: F821

c.JupyterHub.bind_url = f"http://{conf['bind']}:{conf['port']}"
# The hub's API only where the learners' servers reach it: the engine's bridge gateway
# (hub_connect_ip), an address of this machine that the room's network does not see. The
# proxy, the view and `classroom status` reach it there too.
c.JupyterHub.hub_ip = conf["hub_ip"]
c.JupyterHub.hub_port = conf["hub_port"]
c.JupyterHub.db_url = f"sqlite:///{folder / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(folder / "cookie_secret")
c.JupyterHub.pid_file = str(folder / "hub.pid")
c.JupyterHub.cleanup_servers = True  # the hub's end stops the learners' servers (their volumes stay)
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{conf['proxy_api_port']}"
c.ConfigurableHTTPProxy.pid_file = str(folder / "proxy.pid")
# npm's configurable-http-proxy, the one JupyterHub deployments run (tutor/classroom/proxy.py).
c.ConfigurableHTTPProxy.command = proxy.command()

# Logins: the learners' names (or anyone, without a list) with the workshop password; the
# instructor with the admin password. A real school plugs in its own (README: Classroom).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = (folder / "learner.password").read_text().strip()
c.SharedPasswordAuthenticator.admin_password = (folder / "admin.password").read_text().strip()
c.Authenticator.admin_users = {conf["admin"]}
if conf["learners"] is None:
    c.Authenticator.allow_all = True
else:
    c.Authenticator.allowed_users = set(conf["learners"])

if conf.get("subdomain_host"):
    # Each learner's server at NAME.HOST, the view at docklab-view.services.HOST: a page a learner
    # serves from their server is another origin, refused by the others (README: the security
    # model). The __Host- prefix on the hub's cookies needs HTTPS (a Secure cookie).
    c.JupyterHub.subdomain_host = conf["subdomain_host"]
    c.JupyterHub.cookie_host_prefix_enabled = conf["subdomain_host"].startswith("https://")

configure(c, conf, folder)

# The hub and its proxy reach the view on loopback; learners' servers at their gateway.
view_url = f"http://127.0.0.1:{conf['view_port']}"
c.JupyterHub.services = [
    {
        "name": "docklab-view",
        "url": view_url,
        "display": True,
        "oauth_no_confirm": True,
        "command": [sys.executable, "-m", "tutor.classroom.service"],
        # this machine's engine, where the view finds each learner's server to look at their engine
        "environment": {
            "DOCKLAB_CLASSROOM_DIR": str(folder),
            "PYTHONUNBUFFERED": "1",
            **({"DOCKER_HOST": os.environ["DOCKER_HOST"]} if os.environ.get("DOCKER_HOST") else {}),
        },
    },
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={conf['cull_after']}",
            f"--cull-every={conf['cull_every']}",
        ],
        "environment": {"DOCKLAB_CLASSROOM_DIR": str(folder)},  # `down` finds it by this after a crash
    },
    {"name": "docklab-cli", "api_token": (folder / "cli.token").read_text().strip()},
]
c.JupyterHub.load_roles = [
    {"name": "docklab-view", "services": ["docklab-view"], "scopes": ["list:users", "read:users", "read:servers"]},
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    },
    {  # `classroom status`, and `up --prestart` starting the learners' servers
        "name": "docklab-cli",
        "services": ["docklab-cli"],
        "scopes": ["list:users", "read:users", "read:servers", "servers"],
    },
]

# The instructor's own additions (another authenticator, say): classroom_config.py in this
# classroom's folder, read last, so it can change anything above.
extra = folder / "classroom_config.py"
if extra.exists():
    load_subconfig(str(extra))  # noqa: F821  (given by JupyterHub's config loader)
