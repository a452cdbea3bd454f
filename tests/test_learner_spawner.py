"""The classroom's spawner lets a class's servers boot `start_at_once` at a time, first come
first served, and tells the waiting learners their place (tutor/classroom/learner_spawner.py).
DockerSpawner's own start is replaced here by a stand-in that only takes time; the whole
path, with real containers, is tests/engine/test_classroom.py's (`--start-at-once 1`)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

pytest.importorskip("dockerspawner")

from dockerspawner import DockerSpawner  # noqa: E402

from tutor.classroom.learner_spawner import LearnerSpawner  # noqa: E402


def test_servers_boot_k_at_a_time_in_the_order_they_came_and_waiting_ones_see_their_place(monkeypatch):
    booting: list[str] = []
    log: list[tuple[str, str, int]] = []

    async def boot(self):
        assert self.extra_host_config["cpu_shares"] == 32 * 1024  # weighs more while it boots
        self.object_id = f"id-{self.who}"
        booting.append(self.who)
        log.append(("start", self.who, len(booting)))
        await asyncio.sleep(0.3)
        booting.remove(self.who)
        log.append(("up", self.who, len(booting)))
        return "127.0.0.1", 9000

    async def answering(self, url):
        assert url == f"http://127.0.0.1:9000/user/{self.who}/api"

    async def docker(self, method, *args, **kw):
        log.append((method, args[0], kw["cpu_shares"]))  # ...and as any container once its learner came

    async def once_come(self, url, container):
        assert url == f"http://127.0.0.1:9000/user/{self.who}/"  # its server says when (engine tests)
        await self._ordinary(container)

    monkeypatch.setattr(DockerSpawner, "start", boot)
    monkeypatch.setattr(LearnerSpawner, "_answering", answering)
    monkeypatch.setattr(LearnerSpawner, "docker", docker)
    monkeypatch.setattr(LearnerSpawner, "_ordinary_once_come", once_come)
    monkeypatch.setattr(LearnerSpawner, "_slots", None)
    monkeypatch.setattr(LearnerSpawner, "_queue", [])

    async def main():
        spawners = []
        for name in ["ann", "ben", "cat", "dan", "eve"]:
            spawner = LearnerSpawner(start_at_once=2)
            spawner.who = name
            spawner.server = SimpleNamespace(base_url=f"/user/{name}/")
            spawners.append(spawner)
        tasks = []
        for spawner in spawners:
            tasks.append(asyncio.ensure_future(spawner.start()))
            await asyncio.sleep(0)  # they arrive in this order
        await asyncio.sleep(0.05)
        places = {s.who: s._place() for s in spawners}
        assert await asyncio.gather(*tasks) == [("127.0.0.1", 9000)] * 5
        await asyncio.gather(*(s._weighing for s in spawners))
        return places

    places = asyncio.run(main())
    assert max(n for what, _, n in log if what in ("start", "up")) == 2  # never more than two at once
    assert [(name, shares) for what, name, shares in log if what == "update_container"] == [
        (f"id-{name}", 1024) for name in ["ann", "ben", "cat", "dan", "eve"]
    ]
    assert [name for what, name, _ in log if what == "start"] == ["ann", "ben", "cat", "dan", "eve"]
    assert places["ann"] == places["ben"] == "Starting your server and your own Docker Engine"
    assert places["cat"] == "Waiting for a free slot: 2 learners' servers start before yours"
    assert places["eve"] == "Waiting for a free slot: 4 learners' servers start before yours"
    assert LearnerSpawner._queue == [] and LearnerSpawner._booting == 0


def test_a_server_up_is_lowered_once_it_says_its_learner_came_or_cannot_say(monkeypatch):
    from aiohttp import web

    from tutor.classroom import ARRIVAL_WAIT, ARRIVED

    asked, lowered = [], []

    async def arrived(request):
        asked.append((request.headers.get("Authorization"), request.query.get("wait")))
        return web.json_response({"arrived": True})

    async def docker(self, method, *args, **kw):
        lowered.append((method, args[0], kw["cpu_shares"]))

    monkeypatch.setattr(LearnerSpawner, "docker", docker)

    async def main():
        app = web.Application()
        app.router.add_get(f"/user/ann/{ARRIVED}", arrived)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        spawner = LearnerSpawner()
        spawner.api_token = "the-servers-own"
        try:
            await spawner._ordinary_once_come(f"http://127.0.0.1:{port}/user/ann/", "id-ann")
        finally:
            await runner.cleanup()
        # a server gone (or never answering that question): lowered all the same
        await spawner._ordinary_once_come(f"http://127.0.0.1:{port}/user/ann/", "id-gone")

    asyncio.run(main())
    assert asked == [("token the-servers-own", str(ARRIVAL_WAIT))]
    assert lowered == [("update_container", "id-ann", 1024), ("update_container", "id-gone", 1024)]


def test_a_server_an_earlier_hub_started_is_weighed_as_any_other_at_the_first_look(monkeypatch):
    lowered = []

    async def docker(self, method, *args, **kw):
        lowered.append((method, args[0], kw["cpu_shares"]))

    async def running(self):
        return None

    monkeypatch.setattr(LearnerSpawner, "docker", docker)
    monkeypatch.setattr(DockerSpawner, "poll", running)

    async def main():
        spawner = LearnerSpawner(user=SimpleNamespace(name="ann"))
        spawner.load_state({"object_id": "id-ann", "object_name": "class-ann"})  # the hub restarted
        assert await spawner.poll() is None and await spawner.poll() is None
        fresh = LearnerSpawner(user=SimpleNamespace(name="ben"))
        fresh.load_state({})  # nothing running: nothing to weigh
        assert await fresh.poll() is None

    asyncio.run(main())
    assert lowered == [("update_container", "id-ann", 1024)]  # once, at the first look
