"""The instructor view's grades (tutor/classroom/service.py, reports.py, verdict.py), with the
view's real web app on a free port and a stand-in for the hub's answer to "whose token is
this?": a learner's post cannot add lessons, steps or columns for anyone, is refused when
too large or too frequent, and is kept as received; the view counts a step only when the
learner's record claims it and their engine showed it. That the view looks at a learner's
real engine is tests/engine/test_classroom.py's."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.reportkit import LESSONS, make_report
from tutor.classroom import reports
from tutor.classroom.verdict import ENGINE, judge
from tutor.core.grading import report as rpt

pytest.importorskip("jupyterhub")

FORGED = '=HYPERLINK("http://evil.example","x")'


class Hub:
    """The hub's side of HubOAuth: each token's owner."""

    async def user_for_token(self, token, sync=True):
        return {"ada-token": {"name": "ada", "kind": "user"}, "bob-token": {"name": "bob", "kind": "user"}}.get(token)


def forged(tmp_path) -> dict:
    """Every step of data-loss claimed, 500 of them, and a lesson no catalog has."""
    data = make_report(tmp_path, "ada", {"data-loss": list(range(1, 11))})
    lesson = next(x for x in data["lessons"] if x["id"] == "data-loss")
    model = lesson["steps"][-1]
    lesson["steps"] += [{**model, "number": n, "title": f"step {n}"} for n in range(11, 501)]
    data["lessons"].append({**lesson, "id": FORGED, "title": FORGED})
    return data


@pytest.fixture
def view(tmp_path, monkeypatch):
    """The view's app listening on a free port; (its address, its folder)."""
    folder = tmp_path / "classroom"
    folder.mkdir()
    reports.key_file(folder).write_text("k" * 64 + "\n")
    monkeypatch.setenv("DOCKLAB_CLASSROOM_DIR", str(folder))
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/services/docklab-view/")
    return folder


def post_all(folder, posts: list[tuple[str, bytes]], pause: float = 0) -> list[int]:
    """Each (token, body) posted to the view's report address in turn; their statuses."""
    from aiohttp import ClientSession

    from tutor.classroom.service import make_app
    from tutor.classroom.verifier import Verifier

    async def main():
        verifier = Verifier(folder, None)  # no classroom on an engine: nothing to look at
        app = make_app(auth=Hub(), verifier=verifier)
        server = app.listen(0, "127.0.0.1", max_body_size=10_000_000)
        port = next(iter(server._sockets.values())).getsockname()[1]
        statuses = []
        async with ClientSession() as session:
            for token, body in posts:
                url = f"http://127.0.0.1:{port}/services/docklab-view/api/report"
                async with session.post(url, data=body, headers={"Authorization": f"token {token}"}) as resp:
                    statuses.append(resp.status)
                await asyncio.sleep(pause)
        while verifier._looking:
            await asyncio.sleep(0.05)
        server.stop()
        verifier.pool.shutdown()
        return statuses

    return asyncio.run(main())


def test_a_post_cannot_add_steps_or_lessons_and_page_status_and_exports_agree(view, tmp_path):
    from tutor.classroom.view_page import render
    from tutor.core.grading.formats import csv_text

    honest = make_report(tmp_path, "bob", {"data-loss": [1, 2]})
    assert post_all(
        view, [("ada-token", json.dumps(forged(tmp_path)).encode()), ("bob-token", json.dumps(honest).encode())]
    ) == [204, 204]
    seen = reports.summary(view)
    catalog = {x.id: len(x.steps) for x in LESSONS}
    for learner in ("ada", "bob"):
        assert {k: v["steps"] for k, v in seen[learner]["lessons"].items()} == catalog  # the catalog's, never a post's
        assert not seen[learner]["verified"]
    assert seen["ada"]["lessons"]["data-loss"]["claimed"] == 10
    assert seen["bob"]["lessons"]["data-loss"]["claimed"] == 2
    rolled = reports.rollup(view)
    assert {i: n for i, (_, n) in rolled.lessons.items()} == catalog and not rolled.flagged and not rolled.unreadable
    exported = csv_text(rolled)
    assert "HYPERLINK" not in exported and "of 500" not in exported
    assert [r for r in exported.splitlines() if r.startswith("bob,")][0].count("partial: steps 1,2 of 10") == 1
    page = render(seen, {"ada": "running"}, [(i, t, n) for i, (t, n) in rolled.lessons.items()])
    assert "HYPERLINK" not in page and 'data-lesson="data-loss" data-done="10" data-claimed="10">10/10' in page
    assert "not verified on their engine" in page


def test_posts_are_limited_in_size_and_rate_and_kept_as_received(view, tmp_path):
    from tutor.classroom.service import MAX_POST

    body = json.dumps(make_report(tmp_path, "ada", {"data-loss": [1]}), indent=4).encode()
    padded = json.loads(body)
    padded["padding"] = "x" * 4_900_000  # the 4.9 MB post that was saved as 7.0 MB
    too_large = json.dumps(padded).encode()
    assert MAX_POST < rpt.MAX_BYTES / 4
    statuses = post_all(view, [("ada-token", too_large), ("ada-token", body), ("ada-token", body), ("bob-token", b"{")])
    assert statuses == [413, 204, 429, 400]  # the second post within a second of the first: too soon
    assert reports.received_path(view, "ada").read_bytes() == body  # as received, not re-indented
    assert not reports.received_path(view, "bob").exists()
    stored = reports.report_path(view, "ada")
    kept = rpt.read(stored)  # written compact: never larger than its JSON, whatever the post's indent
    assert (
        kept["learner"] == "ada"
        and stored.read_bytes() == json.dumps(kept, separators=(",", ":"), sort_keys=True).encode()
    )
    assert post_all(view, [("ada-token", body)], pause=1.1) == [204]  # a second later: welcome


def test_a_step_counts_when_claimed_and_seen_holding_on_the_engine(tmp_path):
    def fresh(claimed: list[int], holds: list[int]) -> dict:
        data = make_report(tmp_path, "ada", {"mount-syntax": claimed})
        for lesson in data["lessons"]:
            for step in lesson["steps"]:
                if lesson["id"] == "mount-syntax":
                    step["now"] = {"holds": step["number"] in holds, "checks": []}
        return data

    def done(report: dict) -> list[int]:
        lesson = next(x for x in report["lessons"] if x["id"] == "mount-syntax")
        return [s["number"] for s in lesson["steps"] if s["status"] == rpt.DONE]

    first = judge(fresh(claimed=[1, 2, 3, 4, 5, 6], holds=[1, 2, 5]), None)  # 5: holds, say, on a clean engine
    assert done(first) == [1, 2, 5]
    assert all(s["proof"] == ENGINE for x in first["lessons"] for s in x["steps"] if s["status"] == rpt.DONE)
    rpt.validate(first)
    later = judge(fresh(claimed=[1, 2, 3, 4, 5, 6], holds=[3]), first)  # 1 and 2 undone since: still seen once
    assert done(later) == [1, 2, 3, 5]
    lesson = next(x for x in later["lessons"] if x["id"] == "mount-syntax")
    assert [s["claimed"] for s in lesson["steps"]] == [True] * 6
    assert done(judge(fresh(claimed=[], holds=[1, 2]), None)) == []  # holding, never claimed: not done


def test_the_instructor_asks_a_catch_up_and_only_that_learner_gets_it_once(view):
    """The view's "bring ada to step N of LESSON" (classroom/instructions.py): only steps the
    catalog has; fetched by ada's server with her token, once; bob's token gets nothing."""
    from aiohttp import ClientSession

    from tutor.classroom import instructions
    from tutor.classroom.service import make_app
    from tutor.classroom.verifier import Verifier
    from tutor.classroom.view_page import render

    with pytest.raises(ValueError, match="no lesson"):
        instructions.bring(view, "ada", FORGED, 1, "ann")
    with pytest.raises(ValueError, match="has steps 1 to"):
        instructions.bring(view, "ada", "data-loss", 99, "ann")
    instructions.bring(view, "ada", "data-loss", "5", "ann")

    async def ask(token: str) -> dict:
        verifier = Verifier(view, None)
        server = make_app(auth=Hub(), verifier=verifier).listen(0, "127.0.0.1")
        port = next(iter(server._sockets.values())).getsockname()[1]
        url = f"http://127.0.0.1:{port}/services/docklab-view/api/instructions"
        async with ClientSession() as session:
            async with session.get(url, headers={"Authorization": f"token {token}"}) as resp:
                assert resp.status == 200
                got = await resp.json()
        server.stop()
        verifier.pool.shutdown()
        return got

    assert asyncio.run(ask("bob-token")) == {}
    got = asyncio.run(ask("ada-token"))["catch_up"]
    assert (got["lesson"], got["step"], got["by"]) == ("data-loss", 5, "ann")
    assert asyncio.run(ask("ada-token")) == {}  # handed over once
    page = render({}, {"ada": "running"}, [("data-loss", "Data lost", 10)], xsrf='<input name="_xsrf" value="x">')
    assert 'action="catch-up"><input name="_xsrf" value="x"><input type="hidden" name="learner" value="ada">' in page
    assert "Bring ada to step</button>" in page
