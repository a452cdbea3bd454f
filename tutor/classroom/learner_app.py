"""A learner's server: docklab's TUI (textual-serve) behind the hub's own login.

JupyterHub starts this as the learner's single-user server. Every request, the TUI's
websocket included, must carry a hub token for this server (OAuth with the hub, kept in an
HttpOnly cookie for this server's path); the hub decides who may use it (the server's owner,
and admins it allows), so no token is ever handed out by hand. jhsingle-native-proxy was
the first choice for this, but version 0.8.3 lets websockets through with no login at all
(its websocket path never checks one): another learner, or anyone, could open the TUI.

Activity (a request, or a TUI open in a browser) is reported to the hub, so the idle
culler stops only servers nobody is using."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import secrets
import shlex
import sys
import time
from datetime import datetime, timezone
from urllib.parse import urlencode, urlparse

import aiohttp_jinja2
from aiohttp import ClientSession, web
from textual_serve.server import Server, to_int

from tutor.classroom import ARRIVAL_WAIT, ARRIVED
from tutor.classroom.hub_oauth import HubOAuth, HubUnavailable
from tutor.classroom.warm_tui import WarmTUI
from tutor.web.serve import FOREIGN, HOST, run_quietly

TOKEN_COOKIE = "docklab-hub-token"
STATE_COOKIE = "docklab-oauth-state"
ACTIVITY_EVERY = 60  # seconds between activity reports to the hub
# The entry point writes this file once the learner's engine is up (or has failed to come
# up). The server starts before it, then starts a TUI ahead of the learner (warm_tui.py),
# and answers 503 until that TUI has drawn: the hub (or the spawner, learner_spawner.py)
# takes the server as up only then, so a learner's login finds their TUI drawn.
ENGINE_READY = "DOCKLAB_ENGINE_READY"
REDRAW_WAIT = 10  # seconds at most from a learner's first websocket to their TUI's redraw
QUIET = 0.3  # seconds a TUI draws nothing after a redraw: the learner's screen is up
DRAWING = 1.0  # seconds from a redraw's start at most: then it is up (a learner typing keeps it drawing)
ENGINE_WAIT = 120  # seconds at most; then the server serves, and the TUI says what it cannot reach
STARTING = "docklab: your server and Docker Engine are starting; open this page again in a moment.\n"
# The server's hub token, under both the names JupyterHub gives it: read once by HubLogin, then
# out of the environment, so the TUIs and their shells (which copy it) never hold it.
TOKEN_VARIABLES = ("JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN")


def _scheme(request: web.Request) -> str:
    """The browser's scheme: TLS may end at the hub's proxy or an ingress in front of it.
    The first value set counts (a proxy may append its own, as in "https,http")."""
    forwarded = next(
        (v.strip().lower() for v in request.headers.get("X-Forwarded-Proto", "").split(",") if v.strip()), ""
    )
    return forwarded if forwarded in ("http", "https") else request.scheme


async def _engine_settled() -> None:
    """Until the entry point says the engine is up, or failed, or ENGINE_WAIT has passed."""
    marker = os.environ.get(ENGINE_READY)
    deadline = time.monotonic() + ENGINE_WAIT
    while marker and not os.path.exists(marker) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


class HubLogin:
    """The hub's login in front of this server: cookies and redirects (hub_oauth.HubOAuth
    does the talking to the hub)."""

    def __init__(self) -> None:
        self.auth = HubOAuth()
        self.prefix = self.auth.prefix
        self.callback = self.prefix + "oauth_callback"

    async def user(self, request: web.Request) -> dict | None:
        """The hub's user for the request's token, if it may use this server."""
        token = request.cookies.get(TOKEN_COOKIE)
        if not token:
            return None
        user = await self.auth.user_for_token(token)
        return user if self.auth.allows(user) else None

    def to_hub(self, request: web.Request) -> web.Response:
        """Off to the hub's login and authorization, then back to where the browser was."""
        state = secrets.token_urlsafe(16)
        verifier = secrets.token_urlsafe(32)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        url = (
            self.auth.login_url
            + "&"
            + urlencode({"state": state, "code_challenge": challenge, "code_challenge_method": "S256"})
        )
        response = web.HTTPFound(url)
        kept = json.dumps({"state": state, "verifier": verifier, "next": request.path_qs})
        response.set_cookie(
            STATE_COOKIE,
            base64.urlsafe_b64encode(kept.encode()).decode(),
            path=self.prefix,
            httponly=True,
            samesite="Lax",
            secure=_scheme(request) == "https",
            max_age=600,
        )
        return response

    @staticmethod
    def _kept(request: web.Request) -> dict[str, str] | None:
        """What to_hub kept in the state cookie, if it is that and the query's state is its own:
        three strings, the state the same bytes. Anything else is no login that started here."""
        try:
            kept = json.loads(base64.urlsafe_b64decode(request.cookies.get(STATE_COOKIE, "")))
        except ValueError:  # not base64, not UTF-8, not JSON
            return None
        if not isinstance(kept, dict) or not all(isinstance(kept.get(k), str) for k in ("state", "verifier", "next")):
            return None
        given = request.query.get("state", "")
        if not kept["state"] or not given.isascii() or not secrets.compare_digest(kept["state"], given):
            return None
        return kept

    async def callback_handler(self, request: web.Request) -> web.StreamResponse:
        kept = self._kept(request)
        if kept is None:
            return web.Response(status=400, text="docklab: this login did not start here; open your server again.\n")
        try:
            token = await self.auth.token_for_code(request.query.get("code", ""), kept["verifier"])
        except HubUnavailable as err:
            print(f"docklab: a login did not finish: {err}", file=sys.stderr)  # the hub's address: in the log only
            return web.Response(status=502, text="docklab: the login did not finish; open your server again.\n")
        target = kept["next"] or self.prefix
        if not target.startswith(self.prefix):
            target = self.prefix
        response = web.HTTPFound(target)
        response.set_cookie(
            TOKEN_COOKIE, token, path=self.prefix, httponly=True, samesite="Lax", secure=_scheme(request) == "https"
        )
        response.del_cookie(STATE_COOKIE, path=self.prefix)
        return response


class LearnerServer(Server):
    def __init__(self, *args, login: HubLogin, **kw) -> None:
        super().__init__(*args, **kw)
        self.login = login
        self.prefix = login.prefix
        self.open_sockets = 0
        self.last_request = time.time()
        self.ready = False  # the engine settled and a warm TUI drawn (or failed to)
        self.warm: WarmTUI | None = None
        self.came = asyncio.Event()  # the learner's screen is drawn at their size (ARRIVED)
        self._coming: asyncio.Future | None = None

    async def _make_app(self) -> web.Application:
        inner = await super()._make_app()
        root = web.Application(middlewares=[self._guard])
        root.router.add_get(self.login.callback, self.login.callback_handler)
        root.router.add_get(self.prefix + ARRIVED, self.arrived)
        root.router.add_get(self.prefix.rstrip("/") or "/", lambda request: web.HTTPFound(self.prefix))
        root.add_subapp(self.prefix.rstrip("/"), inner)
        root.on_startup.append(self._start_reporting)
        root.on_startup.append(self._start_warming)
        root.on_response_prepare.append(self._no_referrer)
        return root

    @web.middleware
    async def _guard(self, request: web.Request, handler):
        if request.match_info.handler == self.arrived:  # the spawner's, with a check of its own
            return await handler(request)
        if not self.ready:
            return web.Response(status=503, text=STARTING, headers={"Retry-After": "1"})
        if not HOST.fullmatch(request.host):
            return web.Response(status=400, text="docklab: this Host header is not an address.\n")
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower() != f"{_scheme(request)}://{request.host}".lower():
            return web.Response(status=403, text=FOREIGN.format(origin=origin[:100]))
        if request.path == self.login.callback:
            return await handler(request)
        try:
            user = await self.login.user(request)
        except HubUnavailable as err:
            print(f"docklab: {err}", file=sys.stderr)  # the hub's address: in the log only
            return web.Response(status=502, text="docklab: the hub did not answer; try again in a moment.\n")
        if user is None:
            if request.headers.get("Upgrade", "").lower() == "websocket" or request.method != "GET":
                return web.Response(status=403, text="docklab: log in with the hub first (open your server's page).\n")
            return self.login.to_hub(request)
        self.last_request = time.time()
        return await handler(request)

    async def arrived(self, request: web.Request) -> web.Response:
        """Whether the learner has come (their screen drawn at their browser's size), answered
        once they have or after `wait` seconds (at most ARRIVAL_WAIT); only to the bearer of
        this server's own hub token, its spawner."""
        mine = self.login.auth.api_token
        given = request.headers.get("Authorization", "").removeprefix("token ").strip()
        if not mine or not secrets.compare_digest(given.encode(errors="surrogateescape"), mine.encode()):
            return web.Response(status=403, text="docklab: for this server's spawner only.\n")
        try:
            await asyncio.wait_for(self.came.wait(), min(to_int(request.query.get("wait", "0"), 0), ARRIVAL_WAIT))
        except asyncio.TimeoutError:
            pass
        return web.json_response({"arrived": self.came.is_set()})

    @staticmethod
    async def _no_referrer(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Referrer-Policy"] = "no-referrer"

    async def _start_warming(self, app: web.Application) -> None:
        app["warming"] = asyncio.ensure_future(self._warm_up())

    async def _warm_up(self) -> None:
        await _engine_settled()
        warm = WarmTUI(self.command, self.download_manager)
        try:
            await warm.start()
            self.warm = warm
        except Exception as err:  # the learner's websocket then starts its own, and says why
            print(f"docklab: could not start a TUI ahead ({err})", file=sys.stderr)
        self.ready = True

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        self.open_sockets += 1
        try:
            warm, self.warm = self.warm, None
            return await self._attach(request, warm if warm is not None and warm.alive else None)
        finally:
            self.open_sockets -= 1

    async def _attach(self, request: web.Request, warm: WarmTUI | None) -> web.WebSocketResponse:
        """textual-serve's websocket handling, with the TUI started ahead (or kept from the
        learner's last page), or (none, or it ended) one started now at the browser's size."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width, height = to_int(request.query.get("width", "80"), 80), to_int(request.query.get("height", "24"), 24)
        left = False  # the browser left: the TUI is kept for the learner's next page
        try:
            await websocket.prepare(request)
            if warm is None:
                warm = WarmTUI(self.command, self.download_manager, width, height)
                await warm.start()
            service = await warm.attach(websocket, width, height)
            self._coming = asyncio.ensure_future(self._came_once(warm))
            await self._process_messages(websocket, service)
            left = True
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as err:  # as textual-serve's: the browser's terminal closes
            print(f"docklab: the TUI's websocket failed ({err})", file=sys.stderr)
            left = True
        finally:
            if warm is not None:
                await self._keep(warm) if left and warm.alive else await warm.service.stop()
        return websocket

    async def _keep(self, warm: WarmTUI) -> None:
        """A reload or a dropped connection comes back to the same TUI: its lesson, its step,
        its shell. One is kept: the one left last (an older one, from a closed tab, goes)."""
        warm.detach()
        older, self.warm = self.warm, warm
        if older is not None:
            await older.service.stop()

    async def _came_once(self, warm: WarmTUI) -> None:
        """The learner has come once their TUI has drawn their screen at their browser's size."""
        await warm.settled(QUIET, DRAWING, REDRAW_WAIT)
        self.came.set()

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict:
        """textual-serve's page, its asset and websocket addresses under this server's prefix."""
        scheme = _scheme(request)
        ws = "wss" if scheme == "https" else "ws"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{ws}://{request.host}{self.prefix}ws",
            "config": {"static": {"url": f"{scheme}://{request.host}{self.prefix}static/"}},
            "application": {"name": self.title},
        }

    async def _start_reporting(self, app: web.Application) -> None:
        app["activity"] = asyncio.ensure_future(self._report_activity())

    async def _report_activity(self) -> None:
        """Tell the hub when this server was last used, as jupyterhub-singleuser does."""
        url = os.environ.get("JUPYTERHUB_ACTIVITY_URL")
        if not url:
            return
        headers = {"Authorization": f"token {self.login.auth.api_token}"}
        name = os.environ.get("JUPYTERHUB_SERVER_NAME", "")
        reported = 0.0
        async with ClientSession() as session:
            while True:
                await asyncio.sleep(ACTIVITY_EVERY)
                last = time.time() if self.open_sockets else self.last_request
                if last <= reported:
                    continue
                when = datetime.fromtimestamp(last, timezone.utc).isoformat().replace("+00:00", "Z")
                try:
                    async with session.post(
                        url, headers=headers, json={"servers": {name: {"last_activity": when}}, "last_activity": when}
                    ) as resp:
                        if resp.status < 400:
                            reported = last
                except Exception as err:  # the hub restarting: report at the next round
                    print(f"docklab: could not report activity to the hub ({err})", file=sys.stderr)

    async def on_startup(self, app: web.Application) -> None:
        """The hub says where the server is; textual-serve's banner would name 0.0.0.0."""

    def serve(self, debug: bool = False) -> None:
        run_quietly(self)


def main() -> int:
    """Listen where the hub said (JUPYTERHUB_SERVICE_URL), under its prefix."""
    where = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://0.0.0.0:8888/"))
    command = shlex.join([sys.executable, "-m", "tutor"])
    login = HubLogin()
    for name in TOKEN_VARIABLES:
        os.environ.pop(name, None)
    LearnerServer(
        command, host=where.hostname or "0.0.0.0", port=where.port or 8888, title="docklab", login=login
    ).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
