"""`docklab serve`: the TUI in a browser through textual-serve, for workshops where
learners only have a browser. Each browser tab runs `docklab` (a shell included) on
THIS machine, so it listens on 127.0.0.1 unless told otherwise, and then only with a
token. textual-serve has no auth hook, so a small aiohttp middleware checks the token:
`?token=...` once, then an HttpOnly cookie for the page's assets and websocket."""

from __future__ import annotations

import hmac
import shlex
import sys

from aiohttp import web
from textual_serve.server import Server

COOKIE = "docklab_token"


class TokenServer(Server):
    def __init__(self, *args, token: str | None = None, **kw) -> None:
        super().__init__(*args, **kw)
        self.token = token

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        if self.token:
            app.middlewares.append(self._require_token)
        return app

    @web.middleware
    async def _require_token(self, request: web.Request, handler):
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return web.Response(status=403, text="docklab: this server needs its token: open the address "
                                                 "your instructor gave you, ending in ?token=...\n")
        response = await handler(request)
        if "token" in request.query and isinstance(response, web.Response):
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        return response


def serve(host: str, port: int, token: str | None, images: str | None) -> int:
    command = [sys.executable, "-m", "tutor"] + (["--images", images] if images else [])
    server = TokenServer(shlex.join(command), host=host, port=port, title="docklab", token=token)
    where = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    print(f"docklab: serving the TUI on {where}\n"
          "Anyone who opens it gets docklab and a shell on this machine, as this user.")
    server.serve()
    return 0
