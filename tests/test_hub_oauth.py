"""The learner server's own client for the hub's OAuth (tutor/classroom/hub_oauth.py) against
JupyterHub's: the same scope decisions, the same configuration from the same environment.
Its talk with a real hub is proven end to end in tests/engine/test_classroom.py."""

from __future__ import annotations

import asyncio
import itertools
import warnings

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.classroom.hub_oauth import HubOAuth, HubUnavailable, granted

pytest.importorskip("jupyterhub")

SCOPES = [
    "access:servers",
    "access:servers!user=alice",
    "access:servers!user=bob",
    "access:servers!server=alice/",
    "access:servers!server=alice/other",
    "access:servers!server=bob/",
    "access:servers!group=class",
    "access:services",
    "access:services!service=docklab-view",
    "read:users!user=alice",
    "servers!user=alice",
]
ENV = {
    "JUPYTERHUB_API_TOKEN": "server-token",
    "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-alice",
    "JUPYTERHUB_API_URL": "http://10.0.0.1:8081/hub/api",
    "JUPYTERHUB_SERVICE_PREFIX": "/user/alice/",
    "JUPYTERHUB_BASE_URL": "/",
    "JUPYTERHUB_OAUTH_CALLBACK_URL": "/user/alice/oauth_callback",
    "JUPYTERHUB_OAUTH_ACCESS_SCOPES": '["access:servers!server=alice/", "access:servers!user=alice"]',
}


def jupyterhub_grants(required: set[str], have: set[str]) -> bool:
    from jupyterhub.services.auth import check_scopes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # group filters it cannot resolve without a database
        return bool(check_scopes(required, have))


# What a server requires is filtered, as the hub's access scopes for a server are.
# (JupyterHub folds a required `access:servers` together with `access:servers!...` ones
# and then grants neither to a filtered token: a quirk no server's scopes meet.)
REQUIRED = [scope for scope in SCOPES if "!" in scope]


@settings(max_examples=400, deadline=None)
@given(st.sets(st.sampled_from(REQUIRED), min_size=1, max_size=3), st.sets(st.sampled_from(SCOPES), max_size=4))
def test_scopes_are_granted_as_jupyterhub_grants_them(required, have):
    assert granted(required, have) == jupyterhub_grants(required, have)


def test_a_learners_server_admits_its_owner_and_those_the_hub_allows_only():
    required = {"access:servers!server=alice/", "access:servers!user=alice"}
    for have, expected in [
        ({"access:servers!server=alice/"}, True),  # alice's own login
        ({"access:servers!user=alice"}, True),
        ({"access:servers"}, True),  # an admin the hub gave access to every server
        ({"access:servers!server=bob/"}, False),  # bob
        ({"access:servers!user=bob", "read:users!user=alice"}, False),
        ({"access:servers!server=alice/other"}, False),  # another of alice's servers
        (set(), False),
    ]:
        assert granted(required, have) is expected, have
        assert jupyterhub_grants(required, have) is expected, have


def test_configured_from_the_environment_as_jupyterhubs_client_is(monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("JUPYTERHUB_HOST", raising=False)
    from jupyterhub.services.auth import HubOAuth as Theirs

    theirs, ours = Theirs(), HubOAuth()
    assert ours.login_url == theirs.login_url
    assert ours.redirect_uri == theirs.oauth_redirect_uri
    assert ours.access_scopes == theirs.access_scopes
    assert ours.client_id == theirs.oauth_client_id


def _hub(replies: list[tuple[int, dict]], seen: list):
    """A stand-in for the hub's API: the given replies in turn, every request recorded."""
    answers = itertools.chain(replies, itertools.repeat(replies[-1]))

    async def handle(request: web.Request) -> web.Response:
        seen.append((request.method, request.path, request.headers.get("Authorization"), dict(await request.post())))
        status, body = next(answers)
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


def _against(replies, calls):
    """Run `calls(client)` against a stand-in hub on a free port; the requests it saw."""
    seen: list = []

    async def main():
        runner = web.AppRunner(_hub(replies, seen))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            return await calls(HubOAuth({**ENV, "JUPYTERHUB_API_URL": f"http://127.0.0.1:{port}/hub/api"}))
        finally:
            await runner.cleanup()

    return asyncio.run(main()), seen


def test_a_tokens_user_is_asked_once_a_minute_and_an_unknown_token_is_nobody():
    user = {"name": "alice", "scopes": ["access:servers!server=alice/"]}

    async def calls(client):
        return [await client.user_for_token("t1"), await client.user_for_token("t1"), await client.user_for_token("t2")]

    got, seen = _against([(200, user), (403, {"status": 403})], calls)
    assert got == [user, user, None]
    assert [(m, p, a) for m, p, a, _ in seen] == [
        ("GET", "/hub/api/user", "token t1"),
        ("GET", "/hub/api/user", "token t2"),
    ]


def test_a_code_is_traded_for_a_token_with_the_servers_own_credentials():
    async def calls(client):
        return await client.token_for_code("the-code", "the-verifier")

    token, seen = _against([(200, {"access_token": "learner-token", "token_type": "Bearer"})], calls)
    assert token == "learner-token"
    method, path, auth, form = seen[0]
    assert (method, path, auth) == ("POST", "/hub/api/oauth2/token", "token server-token")
    assert form == {
        "client_id": "jupyterhub-user-alice",
        "client_secret": "server-token",
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "/user/alice/oauth_callback",
        "code_verifier": "the-verifier",
    }


def test_a_hub_in_trouble_or_a_refused_code_is_said_not_taken_for_nobody():
    async def user(client):
        return await client.user_for_token("t1")

    async def code(client):
        return await client.token_for_code("stale", "v")

    with pytest.raises(HubUnavailable, match="503"):
        _against([(503, {})], user)
    with pytest.raises(HubUnavailable, match="429"):  # only 403 means "no such token", as in HubOAuth
        _against([(429, {})], user)
    with pytest.raises(HubUnavailable, match="refused the login code"):
        _against([(400, {"error": "invalid_grant"})], code)
