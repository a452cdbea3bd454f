"""A classroom for tests and the benchmark: `docklab classroom up` with a unique name and
port, learners that log in over HTTP like a browser does (the hub's login form, its OAuth
redirects, the TUI's websocket), and a `down --purge` that runs whatever happened."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.conftest import ROOT
from tests.servekit import free_port


STYLE = re.compile(rb"\x1b\[[0-9;:]*m")  # a colour or weight: text on either side is one run
FORWARD = re.compile(rb"\x1b\[[0-9]*C")  # the cursor a few cells on, on the same line: a gap
MOVE = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[^\[]")  # a cursor move, or any other control
UNFINISHED = re.compile(rb"\x1b(\[[0-9;:?]*[ -/]*)?$")  # a control cut off at a message's end


def drawn_text(data: bytes) -> bytes:
    """The text a TUI drew: styles dropped, so a styled phrase reads whole; moves become a
    line break, so text from two places never joins into one."""
    return MOVE.sub(b"\n", FORWARD.sub(b" ", STYLE.sub(b"", data)))


def websocket(
    url: str, headers: dict, script: list[tuple], limit: float = 60, think: float = 0, marks: list | None = None
) -> tuple[int, str]:
    """textual-serve's websocket as its page uses it: keys to type, the text to wait for after
    them, and optionally a text that means "not yet" (the keys are typed again a moment later);
    `think`: seconds a person reads before each key they press; `marks` gets the time each
    wait ended. A text counts once the TUI draws it after the keys were typed (its drawing
    read as text, `drawn_text`); no terminal is emulated on the way, so this client, which
    shares the machine with the servers under test, costs little CPU. A wait that runs out
    says what it waited for and shows the screen (pyte, only then).
    (101, what the TUI drew) when accepted, else (the refusal's status, '')."""
    import asyncio

    import aiohttp

    def screen_of(got: bytes) -> str:
        import pyte

        screen = pyte.Screen(COLS, ROWS)
        pyte.ByteStream(screen).feed(got)
        return "\n".join(line.rstrip() for line in screen.display if line.strip())

    async def talk() -> tuple[int, str]:
        got = bytearray()
        async with aiohttp.ClientSession() as session:
            try:
                ws = await session.ws_connect(url, headers=headers)
            except aiohttp.WSServerHandshakeError as err:
                return err.status, ""
            async with ws:
                await ws.send_str(json.dumps(["resize", {"width": COLS, "height": ROWS}]))
                text = b""  # what was drawn since the keys, as text (the last stretch of it)
                held = b""  # the start of a control sequence the next message ends
                for keys, until, *again in script:
                    if keys:
                        await asyncio.sleep(think)
                        await ws.send_str(json.dumps(["stdin", keys]))
                        text = b""
                    deadline = time.monotonic() + limit
                    sent = time.monotonic()
                    if not until:  # no sign to wait for: let the command run a moment
                        deadline = sent + 2
                    wanted, retry = until.encode(), again[0].encode() if again else b""
                    said = b""  # what was drawn since the keys were last typed, for `retry`
                    while not (wanted in text if until else time.monotonic() > deadline):
                        if retry and retry in said and time.monotonic() - sent > 2:
                            said, sent = b"", time.monotonic()  # typed again only once it said so anew
                            await ws.send_str(json.dumps(["stdin", keys]))
                        try:
                            msg = await asyncio.wait_for(ws.receive(), max(0.1, deadline - time.monotonic()))
                        except asyncio.TimeoutError:
                            if not until:
                                break
                            raise AssertionError(
                                f"waited {limit} s for {until!r} after {keys!r}; the screen:\n{screen_of(bytes(got))}"
                            ) from None
                        if msg.type not in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                            raise AssertionError(f"the websocket ended before {until!r} showed: {msg}")
                        data = msg.data if isinstance(msg.data, bytes) else msg.data.encode()
                        got += data
                        if msg.type == aiohttp.WSMsgType.BINARY:
                            # a control cut off at the end waits for the rest, in the next message
                            data, held = held + data, b""
                            cut = UNFINISHED.search(data)
                            if cut:
                                data, held = data[: cut.start()], data[cut.start() :]
                            drawn = drawn_text(data)
                            text = (text[-len(wanted) :] if wanted else b"") + drawn
                            said = (said[-len(retry) :] if retry else b"") + drawn
                    if marks is not None:
                        marks.append(time.monotonic())
        return 101, bytes(got).decode("utf-8", "replace")

    return asyncio.run(talk())


COLS, ROWS = 140, 45  # the browser's terminal
PICKER_LISTED = "[data-loss]"
LESSON_SHELL = "F6 to leave"
F3 = "\x1bOR"  # run the step's next command in the lesson's shell
DOWN = "\x1b[B"


def classroom(*args: str, home: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "DOCKLAB_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "tutor", "classroom", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )


@dataclass
class Room:
    name: str
    home: Path
    base: str  # http://127.0.0.1:PORT
    folder: Path

    def secret(self, which: str) -> str:
        return (self.folder / which).read_text().strip()

    def learner(self, name: str, password: str | None = None) -> "Learner":
        return Learner(self, name, self.secret("learner.password") if password is None else password)

    def instructor(self) -> "Learner":
        return Learner(self, "instructor", self.secret("admin.password"))

    def status(self) -> dict:
        """`docklab classroom status --json` for this classroom."""
        done = classroom("status", "--json", "--name", self.name, home=self.home, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout)

    def store_digest(self) -> str:
        """The digest of the image store the classroom's learners link to now."""
        return json.loads((self.folder / "classroom.json").read_text())["store"]["digest"]


@contextlib.contextmanager
def running_classroom(home: Path, learners: list[str] | None, *args: str):
    """A classroom up for the block, down with --purge after it, passed or failed."""
    name = f"cl{uuid.uuid4().hex[:8]}"
    port = free_port()
    extra = list(args)
    if learners is not None:
        roster = home.parent / f"{name}-learners.txt"
        roster.write_text("".join(f"{n}\n" for n in learners))
        extra += ["--learners", str(roster)]
    try:
        up = classroom(
            "up",
            "--name",
            name,
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--lessons",
            "mount-syntax",
            *extra,
            home=home,
        )
        assert up.returncode == 0, up.stdout + up.stderr
        yield Room(name, home, f"http://127.0.0.1:{port}", home / "classroom" / name)
    finally:
        down = classroom("down", "--name", name, "--purge", home=home, timeout=300)
        if learners is not None:
            roster.unlink(missing_ok=True)
        assert down.returncode == 0, down.stdout + down.stderr


class Learner:
    """One person at a browser: a session with the hub's cookies."""

    def __init__(self, room: Room, name: str, password: str):
        self.room, self.name, self.password = room, name, password
        self.http = requests.Session()

    def login(self) -> requests.Response:
        self.http.get(self.room.base + "/hub/login", timeout=30)
        return self.http.post(
            self.room.base + "/hub/login",
            timeout=60,
            data={"username": self.name, "password": self.password, "_xsrf": self.http.cookies.get("_xsrf", "")},
        )

    def logged_in(self) -> bool:
        return any(c.name == "jupyterhub-hub-login" for c in self.http.cookies)

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.room.base + path, timeout=60, **kw)

    def wait_server(self, limit: float = 240) -> float:
        """Open /user/NAME/ (spawning the server) until the TUI's page comes, as a browser does:
        on the hub's "starting" page, follow its progress stream to the end, then open the
        page again (no polling, which would load the hub as no browser does). The seconds."""
        start = time.monotonic()
        while time.monotonic() - start < limit:
            r = self.get(f"/user/{self.name}/")
            if r.status_code == 200 and "textual" in r.text and r.url.endswith(f"/user/{self.name}/"):
                return time.monotonic() - start
            if r.status_code == 424:  # "server not running": the page's Launch button
                r = self.get(f"/hub/spawn/{self.name}")
            progress = re.search(r'new EventSource\("([^"]+)"\)', r.text)
            if progress:
                self._follow(self.room.base + html.unescape(progress.group(1)), limit - (time.monotonic() - start))
            else:
                time.sleep(0.5)
        raise AssertionError(f"{self.name}'s server was not ready in {limit} s: {r.status_code} {r.url}")

    def _follow(self, url: str, limit: float) -> None:
        """The hub's spawn progress (server-sent events) until it says ready, or failed."""
        with self.http.get(url, stream=True, timeout=(30, max(limit, 1))) as events:
            for line in events.iter_lines(decode_unicode=True):
                if not line or not line.startswith("data:"):
                    continue
                event = json.loads(line[5:])
                if event.get("failed"):
                    raise AssertionError(f"{self.name}'s server failed to start: {event.get('message')}")
                if event.get("ready"):
                    return

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def tui(self, script: list[tuple[str, str]], user: str | None = None, **kw) -> tuple[int, str]:
        """Talk to a server's TUI over its websocket, with this learner's cookies (websocket's
        keywords: think, marks)."""
        # textual-serve's page asks with the browser's size, and sends it again once open
        ws = self.room.base.replace("http://", "ws://") + f"/user/{user or self.name}/ws?width={COLS}&height={ROWS}"
        return websocket(ws, {"Cookie": self.cookie_header(), "Origin": self.room.base}, script=script, **kw)

    def do_first_step(self, lesson: str = "mount-syntax") -> str:
        """In the TUI: find the lesson, open it, run step 1's command, wait for its check."""
        position = [p.stem.split("-", 1)[1] for p in sorted((ROOT / "content").glob("[0-9]*.md"))].index(lesson)
        status, screen = self.tui(
            [("", PICKER_LISTED), (DOWN * position + "\r", LESSON_SHELL), (F3, "✓ done  1.", "try again")]
        )
        assert status == 101, status
        return screen

    def view(self, path: str = "") -> requests.Response:
        return self.get(f"/services/docklab-view/{path}")


def wait_for(what, limit: float = 60, every: float = 0.5):
    deadline = time.monotonic() + limit
    while True:
        got = what()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(every)


def learner_box(client, room: Room, learner: str):
    return client.containers.get(f"{room.name}-{learner}")


def summary(instructor: Learner) -> dict:
    r = instructor.view("api/summary")
    return json.loads(r.text) if r.status_code == 200 else {}


def forged_report(tmp: Path, learner: str) -> dict:
    """What a learner can post from their container: every step of data-loss done, 500 of them,
    and a lesson no catalog has, named like a spreadsheet formula."""
    from tests.reportkit import make_report

    data = make_report(tmp, learner, {"data-loss": list(range(1, 11)), "mount-syntax": list(range(1, 7))})
    lesson = next(x for x in data["lessons"] if x["id"] == "data-loss")
    lesson["steps"] += [{**lesson["steps"][-1], "number": n, "title": f"step {n}"} for n in range(11, 501)]
    formula = '=HYPERLINK("http://evil.example","x")'
    data["lessons"].append({**lesson, "id": formula, "title": formula})
    return data


FORGE = """
import json, os, time, urllib.error, urllib.request
lesson, body = os.environ["LESSON"], open("/tmp/forged.json", "rb").read()
progress = json.load(open("/data/progress.json"))
steps = {str(n): {"done_at": time.time(), "how": "now", "things": {}, "evidence": []} for n in range(1, 7)}
progress["lessons"].setdefault(lesson, {"steps": {}, "facts": {}})["steps"] = steps
json.dump(progress, open("/data/progress.json", "w"))
env = dict(v.split("=", 1) for v in open("/proc/1/environ").read().split("\\0") if "=" in v)
for _ in range(20):
    post = urllib.request.Request(env["DOCKLAB_CLASSROOM_REPORT"], data=body, method="POST",
                                  headers={"Authorization": "token " + env["JUPYTERHUB_API_TOKEN"]})
    try:
        print(urllib.request.urlopen(post, timeout=30).status)
        break
    except urllib.error.HTTPError as err:  # 429: the reporter's post came just before
        print(err.code)
        time.sleep(0.5)
"""


def forge(box, lesson: str, report: dict) -> str:
    """As the learner, root in their server's container: claim every step of `lesson` in their
    progress and post `report` with the server's own hub token. What the posts answered."""
    import io
    import tarfile

    data = json.dumps(report).encode()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        info = tarfile.TarInfo("forged.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    box.put_archive("/tmp", archive.getvalue())
    code, out = box.exec_run(["python3", "-c", FORGE], environment={"LESSON": lesson})
    assert code == 0, out.decode(errors="replace")
    return out.decode()


def listening(port: int) -> set[str]:
    """The addresses a socket of this network namespace listens on at this TCP port."""
    import ipaddress

    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, at = local.partition(":")
            if state != "0A" or int(at, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))  # each 32-bit word little-endian
            found.add(str(ipaddress.ip_address(words)))
    return found
