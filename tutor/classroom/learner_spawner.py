"""DockerSpawner for a class that logs in at once: learners' servers boot a few at a time.

A server's boot (its container, its dockerd, docklab's server) is short work, but twenty
at once on a small machine share its cores and all finish late, slower still for the
sharing. In turns of `start_at_once`, the first learners are ready in seconds and the
median learner in about half the time. The hub's progress stream tells the waiting ones
their place (the proxy, npm's configurable-http-proxy, passes it on as it comes). A boot ends when the
server answers HTTP (503 until its engine is up and a TUI drawn, learner_app.py), asked
every 0.1 s here, not at the hub's ever longer intervals. From its boot until its learner
has seen their screen (their login's redirects, their websocket, the TUI drawn at their
browser's size), a server's container weighs BOOTING times an ordinary one for the CPU: learners already in, doing their lessons,
then delay the next learners' arrival little, and a learner whose server is up is not kept
at the door by the boots that follow. The server says when its learner came
(learner_app.py's ARRIVED, asked with the server's own hub token)."""

from __future__ import annotations

import asyncio
import os
import time

from aiohttp import ClientError, ClientSession, ClientTimeout
from dockerspawner import DockerSpawner
from traitlets import Integer, default

from tutor.classroom import ARRIVAL_WAIT, ARRIVED

SHARES = 1024  # Docker's CPU weight of a container
BOOTING = 32  # a booting server's weight, in ordinary containers


class LearnerSpawner(DockerSpawner):
    start_at_once = Integer(help="How many learners' servers boot at the same time.").tag(config=True)

    @default("start_at_once")
    def _twice_the_cores(self) -> int:
        return 2 * (os.cpu_count() or 1)

    _weighing: asyncio.Future | None = None  # lowers this server's weight once its learner came
    _slots: asyncio.Semaphore | None = None  # the hub's one queue, for all its spawners
    _queue: list[LearnerSpawner] = []  # waiting for a slot, first come first
    _booting = 0  # servers in a slot now

    async def start(self):
        cls = LearnerSpawner
        if cls._slots is None:
            cls._slots = asyncio.Semaphore(self.start_at_once)
        cls._queue.append(self)
        try:
            async with cls._slots:
                cls._queue.remove(self)
                cls._booting += 1
                self.extra_host_config = {**self.extra_host_config, "cpu_shares": BOOTING * SHARES}
                try:
                    ip, port = await super().start()
                    url = f"http://{ip}:{port}{self.server.base_url}"
                    await self._answering(url + "api")
                    if self._weighing is not None:
                        self._weighing.cancel()
                    self._weighing = asyncio.ensure_future(self._ordinary_once_come(url, self.container_id))
                finally:
                    cls._booting -= 1
                return ip, port
        finally:
            if self in cls._queue:  # cancelled while waiting
                cls._queue.remove(self)

    _restored = False  # a server an earlier hub started: weighed as any other at the first look

    def load_state(self, state):
        super().load_state(state)
        self._restored = bool(self.object_id)

    async def poll(self):
        """DockerSpawner's; a server found running after a hub stopped short (while its
        learner had not yet come, say) is weighed as any other from then on."""
        status = await super().poll()
        if status is None and self._restored:
            self._restored = False
            await self._ordinary(self.container_id)
        return status

    async def stop(self, now=False):
        if self._weighing is not None:
            self._weighing.cancel()
        return await super().stop(now=now)

    async def _ordinary_once_come(self, url: str, container: str) -> None:
        """Once the learner has come (or ARRIVAL_WAIT has passed), weigh the server as any other."""
        headers = {"Authorization": f"token {self.api_token}"}
        try:
            async with ClientSession(timeout=ClientTimeout(total=ARRIVAL_WAIT + 10)) as session:
                async with session.get(url + ARRIVED, headers=headers, params={"wait": ARRIVAL_WAIT}) as response:
                    if response.status != 200:  # an older image, or a token it refused
                        self.log.warning("%s answered %s about its learner", url, response.status)
        except (ClientError, OSError, asyncio.TimeoutError) as err:  # an older image, a server gone
            self.log.debug("could not ask %s whether its learner came: %s", url, err)
        await self._ordinary(container)

    async def _ordinary(self, container: str) -> None:
        """The container, up, weighs as any other."""
        try:
            await self.docker("update_container", container, cpu_shares=SHARES)
        except Exception as err:  # stopped meanwhile: nothing to weigh
            self.log.debug("could not reset %s's CPU weight: %s", container[:12], err)

    async def _answering(self, url: str) -> None:
        """Until the server answers with anything but a 5xx, as the hub's own check wants."""
        deadline = time.monotonic() + self.http_timeout
        async with ClientSession(timeout=ClientTimeout(total=5)) as session:
            while time.monotonic() < deadline:
                try:
                    async with session.get(url, allow_redirects=False) as response:
                        if response.status < 500:
                            return
                except (ClientError, OSError, asyncio.TimeoutError):
                    pass
                await asyncio.sleep(0.1)
        # the hub's own check follows, and reports a server that never answered

    def _place(self) -> str:
        """Where this learner's server is, in words for the hub's progress page."""
        if self in LearnerSpawner._queue:
            ahead = LearnerSpawner._queue.index(self) + LearnerSpawner._booting
            return f"Waiting for a free slot: {ahead} learners' servers start before yours"
        return "Starting your server and your own Docker Engine"

    async def progress(self):
        """The learner's place, each time it changes (the hub stops asking once started)."""
        said = ""
        while True:
            place = self._place()
            if place != said:
                yield {"message": place}
                said = place
            await asyncio.sleep(0.5)
