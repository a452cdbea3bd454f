"""docklab's TUI in a learner's server, behind jhsingle-native-proxy.

jhsingle-native-proxy answers the hub's port, lets only the server's owner through (the
hub's OAuth), strips the prefix (/user/NAME/) and passes the rest here. So this server
has no token of its own: it listens on the container's loopback only, where the proxy is
the one client, and it builds its page's asset and websocket addresses with the prefix
the browser sees (X-Forwarded-Context), which textual-serve's own page does not know.
A request that a page of another origin makes is refused, as `docklab serve` does."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

from tutor.cli.serve import FOREIGN, HOST, PathOnlyAccessLog


def _prefix(request: web.Request) -> str:
    prefix = request.headers.get("X-Forwarded-Context") or os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    return "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"


def _scheme(request: web.Request) -> str:
    """The browser's scheme: TLS may end at the hub's proxy or an ingress in front of it."""
    # the first value set (the Python configurable-http-proxy writes ",http")
    forwarded = next((v.strip().lower() for v in request.headers.get("X-Forwarded-Proto", "").split(",") if v.strip()), "")
    return forwarded if forwarded in ("http", "https") else request.scheme


class HubProxiedServer(Server):
    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        app.router.add_get("/health", self._health)
        return app

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    @web.middleware
    async def _guard(self, request: web.Request, handler):
        if not HOST.fullmatch(request.host):
            return web.Response(status=400, text="docklab: this Host header is not an address.\n")
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower() != f"{_scheme(request)}://{request.host}".lower():
            return web.Response(status=403, text=FOREIGN.format(origin=origin[:100]))
        return await handler(request)

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict:
        scheme, prefix = _scheme(request), _prefix(request)
        ws = "wss" if scheme == "https" else "ws"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{ws}://{request.host}{prefix}ws",
            "config": {"static": {"url": f"{scheme}://{request.host}{prefix}static/"}},
            "application": {"name": self.title},
        }

    async def on_startup(self, app: web.Application) -> None:
        """jhsingle-native-proxy logs where it listens; this port is private."""

    def serve(self, debug: bool = False) -> None:
        import asyncio
        import signal

        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_exit)
        web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                    access_log_class=PathOnlyAccessLog, print=lambda *args: None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.classroom.learner_app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="localhost", help="loopback only: the proxy in front is the one client")
    args = parser.parse_args(argv)
    command = shlex.join([sys.executable, "-m", "tutor"])
    HubProxiedServer(command, host=args.host, port=args.port, title="docklab").serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
