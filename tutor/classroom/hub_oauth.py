"""The learner server's side of JupyterHub's OAuth, on aiohttp: where to send a browser to
log in, the code traded for a token, the token's owner and whether they may use this server.

JupyterHub's own client (jupyterhub.services.auth.HubOAuth) does the same, but importing it
loads the hub's database layer (SQLAlchemy, Alembic): 0.3 CPU-s in every learner's server,
paid by all of a class at once when they log in together. This follows it request for
request (the same environment variables, URLs, PKCE and 60 s cache); `granted` resolves
scope filters as its check_scopes does without a database, and a test compares the two.
The instructor view, a tornado service on the hub's machine, keeps JupyterHub's client."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from urllib.parse import urlencode

from aiohttp import ClientError, ClientSession, ClientTimeout

CACHE_SECONDS = 60  # a token's owner is asked again after this, as HubOAuth(cache_max_age=60)


class HubUnavailable(Exception):
    """The hub did not answer as it should (restarting, overloaded): try again later."""


def granted(required: Iterable[str], have: Iterable[str]) -> bool:
    """Whether scopes `have` (a token's, expanded by the hub) grant any `required` one. A
    scope without a filter grants every filter of its kind; `!user=U` grants U's servers.
    Group filters are not resolved (JupyterHub's check_scopes without a database neither)."""
    have = set(have)
    for scope in required:
        base, _, filter_ = scope.partition("!")
        if scope in have or base in have:
            return True
        kind, _, value = filter_.partition("=")
        if kind == "server" and f"{base}!user={value.partition('/')[0]}" in have:
            return True
    return False


def _join(*parts: str) -> str:
    """URL path parts joined by single slashes, keeping the first's start and the last's end."""
    out = parts[0]
    for part in parts[1:]:
        out = out.rstrip("/") + "/" + part.lstrip("/")
    return out


class HubOAuth:
    """This server's OAuth client at the hub, configured as JupyterHub configures a spawned
    server: from JUPYTERHUB_* environment variables."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.api_token = env["JUPYTERHUB_API_TOKEN"]
        self.client_id = env["JUPYTERHUB_CLIENT_ID"]
        self.api_url = env.get("JUPYTERHUB_API_URL") or "http://127.0.0.1:8081/hub/api"
        self.prefix = env.get("JUPYTERHUB_SERVICE_PREFIX") or "/"
        self.redirect_uri = env.get("JUPYTERHUB_OAUTH_CALLBACK_URL") or _join(self.prefix, "oauth_callback")
        hub_prefix = _join(env.get("JUPYTERHUB_BASE_URL") or "/", "hub") + "/"
        authorize = env.get("JUPYTERHUB_HOST", "") + _join(hub_prefix, "api/oauth2/authorize")
        self.login_url = (
            authorize
            + "?"
            + urlencode({"client_id": self.client_id, "redirect_uri": self.redirect_uri, "response_type": "code"})
        )
        scopes = env.get("JUPYTERHUB_OAUTH_ACCESS_SCOPES") or env.get("JUPYTERHUB_OAUTH_SCOPES")
        self.access_scopes: set[str] = set(json.loads(scopes)) if scopes else set()
        self._cache: dict[str, tuple[float, dict | None]] = {}

    async def _request(self, method: str, url: str, token: str, **kw) -> tuple[int, dict | None]:
        async with ClientSession(timeout=ClientTimeout(total=30)) as session:
            try:
                async with session.request(method, url, headers={"Authorization": f"token {token}"}, **kw) as response:
                    if response.status >= 500:
                        raise HubUnavailable(f"the hub answered {response.status} at {url}")
                    body = await response.json(content_type=None) if response.status < 400 else None
                    return response.status, body
            except (ClientError, OSError, TimeoutError, ValueError) as err:  # ValueError: not JSON
                raise HubUnavailable(f"the hub did not answer at {url} ({err})") from err

    async def user_for_token(self, token: str) -> dict | None:
        """The hub's model of the token's user (its `scopes` included), or None for a token
        the hub does not know; asked again after CACHE_SECONDS."""
        key = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        status, user = await self._request("GET", _join(self.api_url, "user"), token)
        if status not in (200, 403):  # HubOAuth's: 403 is "not a token I know", the rest trouble
            raise HubUnavailable(f"the hub answered {status} about a token")
        user = user if status == 200 and isinstance(user, dict) else None
        self._cache = {k: v for k, v in self._cache.items() if now - v[0] < CACHE_SECONDS}
        self._cache[key] = (now, user)
        return user

    async def token_for_code(self, code: str, code_verifier: str) -> str:
        """The last step of a login: the code the hub sent the browser back with, for a token."""
        form = {
            "client_id": self.client_id,
            "client_secret": self.api_token,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": code_verifier,
        }
        status, reply = await self._request("POST", _join(self.api_url, "oauth2/token"), self.api_token, data=form)
        if status != 200 or not reply or "access_token" not in reply:
            raise HubUnavailable(f"the hub refused the login code ({status})")
        return reply["access_token"]

    def allows(self, user: dict | None) -> bool:
        """Whether the hub's user model carries a scope for this server."""
        return user is not None and granted(self.access_scopes, user.get("scopes") or ())
