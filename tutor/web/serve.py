"""`docklab serve`: the TUI in a browser through textual-serve, for workshops where
learners only have a browser. Each browser tab runs `docklab` (a shell included) on
THIS machine as this user, so every request needs a token, even on 127.0.0.1 (Jupyter's
convention), and any request a web page of another origin makes is refused, token or not.

textual-serve has no auth hook, so an aiohttp middleware does it: `?token=...` once, then
a redirect to the same address without it and an HttpOnly, SameSite=Strict cookie for the
page's assets and websocket. The token never reaches `ps`, a log line, the TUI's
environment or a URL the browser keeps: it comes from a file, $DOCKLAB_SERVE_TOKEN or
`secrets`, and the server holds only its sha256."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import logging
import os
import re
import secrets
import shlex
import signal
import socket
import sys
from pathlib import Path

import aiohttp_jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from textual_serve.server import Server, to_int

from tutor.core.errors import UsageError

COOKIE = "docklab_token"
TOKEN_ENV = "DOCKLAB_SERVE_TOKEN"
MIN_LENGTH = 16
TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]+")  # unreserved in a URL: pasted as is after ?token=
SECRET_IN_URL = re.compile(r"(token=)[^\s&\"';]*", re.IGNORECASE)
HOST = re.compile(r"[A-Za-z0-9.:\[\]-]+")  # the Host header goes into the page: nothing else gets in

NEEDS_TOKEN = (
    "docklab: this server needs its token. Open the address `docklab serve` printed, or the "
    "one your instructor gave you: it ends in ?token=...\n"
)
FOREIGN = "docklab: refused: this request came from another web page ({origin}), not from docklab's own.\n"


class ServeProblem(UsageError):
    """serve cannot start (a token that cannot guard it, a port taken); the message says what to do."""


def read_token(token_file: str | None) -> tuple[str | None, str]:
    """The token from --token-file, else $DOCKLAB_SERVE_TOKEN (None: make one), and where it came
    from. The variable is removed from this process's environment, so that the docklab each
    browser tab starts (and the shell in it) does not inherit it."""
    env = os.environ.pop(TOKEN_ENV, None)
    if token_file:
        where = token_file
        try:
            token = Path(token_file).read_text().strip()
        except (OSError, UnicodeDecodeError) as err:
            raise ServeProblem(
                f"cannot read the token file {token_file}: {getattr(err, 'strerror', None) or err}"
            ) from None
    elif env is not None:
        where, token = f"${TOKEN_ENV}", env.strip()
    else:
        return None, ""
    if len(token) < MIN_LENGTH or not TOKEN_CHARS.fullmatch(token):
        raise ServeProblem(
            f"the token in {where} must be at least {MIN_LENGTH} characters of letters, digits and - _ . ~ "
            "(for example `python3 -c 'import secrets; print(secrets.token_urlsafe())' > serve.token`), "
            "or give none and docklab makes one."
        )
    return token, where


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "replace")).digest()


def _same_origin(origin: str, request: web.Request) -> bool:
    """The browser's Origin against the address it used for this server (scheme and Host)."""
    return origin.lower() == f"{request.scheme}://{request.host}".lower()


def _on_this_server(target) -> str:
    """The request's address as a path on this server: its leading slashes and backslashes taken
    as one, so no browser reads it as another host (`//evil.example/x`, `/\\evil.example/x`)."""
    query = target.raw_query_string
    return "/" + target.raw_path.lstrip("/\\") + (f"?{query}" if query else "")


def _bounce(target: str) -> web.Response:
    """The redirect that strips the token from the address bar and history. A page that navigates
    itself, not a 303: the cookie is SameSite=Strict, and a 303 answering a link clicked on another
    site (a chat, the workshop page) stays cross-site, so the browser would withhold the cookie."""
    js = json.dumps(str(target)).replace("<", "\\u003c")
    return web.Response(
        content_type="text/html",
        text=(
            f'<!doctype html><meta charset="utf-8"><title>docklab</title><script>location.replace({js})</script>'
            f'<p>docklab: <a href="{html.escape(str(target))}">continue</a></p>\n'
        ),
    )


class PathOnlyAccessLog(AbstractAccessLogger):
    """One line per request without its query string or Referer: either can carry a token."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %s %.3fs", request.remote, request.method, request.path, response.status, time)


class Redacting(logging.StreamHandler):
    """Any `token=...` left in a message or traceback is cut out before it is written."""

    def format(self, record: logging.LogRecord) -> str:
        return SECRET_IN_URL.sub(r"\1(hidden)", super().format(record))


class TokenServer(Server):
    def __init__(self, *args, token: str, **kw) -> None:
        super().__init__(*args, **kw)
        self.token_digest = _digest(token)

    def _valid(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(_digest(given), self.token_digest)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        app.on_response_prepare.append(self._no_referrer)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler):
        if not HOST.fullmatch(request.host):
            return web.Response(status=400, text="docklab: this Host header is not an address.\n")
        origin = request.headers.get("Origin")
        if origin is not None and not _same_origin(origin, request):
            return web.Response(status=403, text=FOREIGN.format(origin=origin[:100]))
        given = request.query.get("token")
        if given is not None:
            if not self._valid(given):
                return web.Response(status=403, text=NEEDS_TOKEN)
            response = _bounce(_on_this_server(request.rel_url.without_query_params("token")))
            response.set_cookie(COOKIE, given, httponly=True, samesite="Strict", secure=request.secure)
            return response
        if not self._valid(request.cookies.get(COOKIE)):
            return web.Response(status=403, text=NEEDS_TOKEN)
        return await handler(request)

    @staticmethod
    async def _no_referrer(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Referrer-Policy"] = "no-referrer"

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict:
        """textual-serve's page, with its asset and websocket addresses taken from the address the
        browser used (its own use the listening address: 0.0.0.0 is no address for a browser)."""
        ws = "wss" if request.secure else "ws"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{ws}://{request.host}/ws",
            "config": {"static": {"url": f"{request.scheme}://{request.host}/static/"}},
            "application": {"name": self.title},
        }

    def initialize_logging(self) -> None:
        handler = Redacting(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logging.basicConfig(level="INFO", handlers=[handler], force=True)

    async def on_startup(self, app: web.Application) -> None:
        """serve() already said where to go; textual-serve's banner would only repeat it."""

    def serve(self, debug: bool = False) -> None:
        run_quietly(self)


def run_quietly(server: Server) -> None:
    """Run a textual-serve server with paths-only access logs and no banner; SIGINT and
    SIGTERM end it the way textual-serve's own exit does."""
    server.initialize_logging()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.request_exit)
    web.run_app(
        server._make_app(),
        host=server.host,
        port=server.port,
        handle_signals=False,
        loop=loop,
        access_log_class=PathOnlyAccessLog,
        print=lambda *args: None,
    )


def serve(host: str, port: int, token_file: str | None, images: str | None) -> int:
    token, where = read_token(token_file)
    made = token is None
    if made:
        token = secrets.token_urlsafe(32)
    command = [sys.executable, "-m", "tutor"] + (["--images", images] if images else [])
    server = TokenServer(shlex.join(command), host=host, port=port, title="docklab", token=token)
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host  # everywhere: the machine's name
    url = f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"
    if made:
        # Shown once, as Jupyter does: the learner at this terminal clicks it.
        print(f"docklab: serving the TUI; open {url}?token={token}", file=sys.stderr)
    else:
        print(f"docklab: serving the TUI; open {url}?token=TOKEN, with the token from {where}", file=sys.stderr)
    print("Anyone who opens it gets docklab and a shell on this machine, as this user.", file=sys.stderr)
    try:
        server.serve()
    except OSError as err:
        raise ServeProblem(f"cannot listen on {url}: {err.strerror or err}. Choose another --port or --host.") from None
    return 0
