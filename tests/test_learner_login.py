"""The learner server's side of the hub's login (tutor/classroom/learner_app.py), its real aiohttp
app on a free port with no hub behind it: a callback whose state is not the one this server
sent (not ASCII, a cookie that is a list, one without its verifier, one without a state
matched by `state=None`) is a 400, never a 500 or a login; and a hub that does not answer is a
502 that names no internal address. The login with a real hub: tests/engine/test_classroom.py."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
from aiohttp import ClientSession, web

from tests.servekit import free_port

pytest.importorskip("textual_serve")

HUB_PORT = free_port()  # nothing listens there: the hub is down
ENV = {
    "JUPYTERHUB_API_TOKEN": "server-token",
    "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-alice",
    "JUPYTERHUB_API_URL": f"http://127.0.0.1:{HUB_PORT}/hub/api",
    "JUPYTERHUB_SERVICE_PREFIX": "/user/alice/",
    "JUPYTERHUB_BASE_URL": "/",
}


def cookie(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def ask(monkeypatch, requests: list[tuple[str, dict]]) -> list[tuple[int, str]]:
    """Each (path and query, cookies) asked of alice's server; (status, body) for each."""
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    from tutor.classroom.learner_app import HubLogin, LearnerServer

    async def main():
        server = LearnerServer("true", host="127.0.0.1", port=0, title="docklab", login=HubLogin())
        app = await server._make_app()
        app.on_startup.clear()  # no TUI ahead, no reports: only the guard and the login
        server.ready = True
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        got = []
        try:
            for path, cookies in requests:
                async with ClientSession(cookies=cookies) as session:
                    async with session.get(f"http://127.0.0.1:{port}{path}", allow_redirects=False) as resp:
                        got.append((resp.status, await resp.text()))
        finally:
            await runner.cleanup()
        return got

    return asyncio.run(main())


def test_a_callback_with_a_state_not_sent_here_is_a_400(monkeypatch):
    good = {"state": "abc", "verifier": "v" * 43, "next": "/user/alice/"}
    state = "docklab-oauth-state"
    callback = "/user/alice/oauth_callback?code=c&state="
    got = ask(
        monkeypatch,
        [
            (callback + "%C3%A9", {state: cookie(good)}),  # not ASCII
            (callback + "abc", {state: cookie(["abc", "v"])}),  # a list
            (callback + "abc", {state: cookie({"state": "abc", "next": "/user/alice/"})}),  # no verifier
            (callback + "None", {state: cookie({"verifier": "v", "next": "/user/alice/"})}),  # no state
            (callback + "abc", {state: "%%%"}),  # not base64
            (callback + "abd", {state: cookie(good)}),  # another login's state
        ],
    )
    assert [status for status, _ in got] == [400] * 6, got
    assert all("did not start here" in body for _, body in got)


def test_a_hub_that_does_not_answer_is_a_502_that_names_no_address(monkeypatch):
    good = {"state": "abc", "verifier": "v" * 43, "next": "/user/alice/"}
    got = ask(
        monkeypatch,
        [
            ("/user/alice/", {"docklab-hub-token": "a-token"}),  # whose token? the hub is asked
            ("/user/alice/oauth_callback?code=c&state=abc", {"docklab-oauth-state": cookie(good)}),  # the code traded
        ],
    )
    assert [status for status, _ in got] == [502, 502], got
    for _, body in got:
        assert str(HUB_PORT) not in body and "127.0.0.1" not in body and "hub/api" not in body, body
