"""The hub's proxy: npm's configurable-http-proxy, the one JupyterHub deployments run (the
Zero to JupyterHub chart's). The Python configurable-http-proxy on PyPI (0.4.0) refused the
websocket extension every browser offers (permessage-deflate): no learner's TUI opened in a
browser. npm's also streams the hub's progress page as it comes, so a waiting learner sees
their place in the queue.

scripts/proxy (run by `scripts/venv classroom` and `scripts/venv test`) installs VERSION into
the checkout's .venv; an installed docklab finds one on PATH (`npm install -g
configurable-http-proxy@VERSION`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

NAME = "configurable-http-proxy"
# The newest 5.x that still runs on Debian 12's Node.js 18 (5.2 needs Node 20): one version
# everywhere, CI's fresh Debian included. scripts/proxy reads it from this line.
VERSION = "5.1.0"
MAJOR = VERSION.split(".")[0]
INSTALL = (
    f"the classroom's proxy is npm's {NAME} {MAJOR}.x: in a checkout, scripts/venv classroom; "
    f"otherwise Node.js 18+ and `npm install -g {NAME}@{VERSION}`"
)


class ProxyMissing(RuntimeError):
    """No usable configurable-http-proxy; the message says how to install it."""


def find() -> str | None:
    """The proxy beside this Python (a venv's bin, where scripts/proxy puts it), else on PATH."""
    beside = Path(sys.executable).parent / NAME
    if os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(NAME)


def command() -> list[str]:
    """The proxy's command for the hub (`ConfigurableHTTPProxy.command`), checked to run and to be
    a 5.x: an older one, or none, is said now, not found out from a browser."""
    path = find()
    if path is None:
        raise ProxyMissing(f"no {NAME}: {INSTALL}")
    try:
        version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ProxyMissing(f"{path} does not run ({err}): {INSTALL}") from None
    if version.split(".")[0] != MAJOR:
        raise ProxyMissing(f"{path} is version {version or 'unknown'}, not {MAJOR}.x: {INSTALL}")
    return [path]
