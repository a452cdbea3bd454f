"""The classroom as people use it: in a real browser (tests/browserkit.py: Debian's Chromium
through playwright) through the hub's own proxy, npm's configurable-http-proxy. Two learners
log in with the hub's form at the same time and see their lessons; one passes step 1 of
mount-syntax with F3, the other types in their shell; the instructor sees the step in the
view, downloads the CSV, and brings the other learner to step 3 with the view's button (he
is told who asked, then caught up, and the view shows it); a learner is refused another's server and the view; a reload
comes back to the same lesson, step and shell. And the security model the README states: a
page one learner serves from their own server drives another's TUI when they share the hub's
origin, and is refused with `--subdomain-host` (Chromium told that docklab.test and its
subdomains are this machine). Screenshots of each stage are kept in the test's tmp_path.
(tests/engine/test_classroom.py covers the rest with the kit's own client.)"""

from __future__ import annotations

import csv
import io
import json
import random
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browserkit import Screen, chromium
from tests.classroomkit import LESSON_SHELL, PICKER_LISTED, learner_box, running_classroom
from tests.conftest import ROOT, engine_state

pytestmark = [pytest.mark.engine, pytest.mark.slow, pytest.mark.browser]
STEP_DONE = "✓ done  1."
VIEW_WAIT = 15  # seconds from a step shown done to the instructor's view showing it


DOMAIN = "docklab.test"  # a name no resolver knows: Chromium is told where it is


@pytest.fixture(scope="module")
def browser():
    yield from chromium(f"--host-resolver-rules=MAP *.{DOMAIN} 127.0.0.1, MAP {DOMAIN} 127.0.0.1")


OWN_PAGE = """<!doctype html><script>window.result = new Promise(done => {{
  const ws = new WebSocket({target});
  ws.onopen = () => done("opened"); ws.onerror = () => done("refused"); }});</script><p>bob's own page</p>"""


def serve_own_page(box, learner: str, target: str) -> str:
    """As the learner, root in their server: a web server of their own answers on the server's
    port (an iptables redirect), with a page at /user/NAME/x.html that opens `target`, a websocket."""
    html = OWN_PAGE.format(target=json.dumps(target))
    script = (
        f"mkdir -p /tmp/www/user/{learner} && cat > /tmp/www/user/{learner}/x.html <<'EOF'\n{html}\nEOF\n"
        "iptables -t nat -A PREROUTING -p tcp --dport 8888 -j REDIRECT --to-ports 9999 && "
        # the connections the hub's proxy keeps open to docklab are cut: its next ones are redirected
        "iptables -A INPUT -p tcp --dport 8888 -m conntrack --ctstate ESTABLISHED -j REJECT --reject-with tcp-reset"
    )
    code, out = box.exec_run(["sh", "-c", script])
    assert code == 0, out.decode(errors="replace")
    box.exec_run(["python3", "-m", "http.server", "9999", "--directory", "/tmp/www"], detach=True)
    return html


class Visitor:
    """One person in their own browser context (cookies of their own), on one page."""

    def __init__(self, browser, base: str, shots: Path, name: str) -> None:
        self.base, self.shots, self.name = base, shots, name
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.screen = Screen(self.page)

    def log_in(self, password: str) -> None:
        """The hub's login form, as a person fills it in."""
        self.page.goto(self.base + "/hub/login")
        self.page.fill("#username_input", self.name)
        self.page.fill("#password_input", password)
        self.page.click("#login_submit")
        self.page.wait_for_load_state()

    def shot(self, stage: str) -> None:
        self.page.screenshot(path=self.shots / f"{self.name}-{stage}.png")

    def keys(self, *keys: str) -> None:
        self.page.locator(".xterm-helper-textarea").focus()
        for key in keys:
            self.page.keyboard.press(key)

    def open_lesson(self, lesson: str) -> None:
        self.screen.wait_for(PICKER_LISTED, 120)  # the first login waits for the server's boot
        position = [p.stem.split("-", 1)[1] for p in sorted((ROOT / "content").glob("[0-9]*.md"))].index(lesson)
        self.keys(*["ArrowDown"] * position, "Enter")
        self.screen.wait_for(LESSON_SHELL)

    def step_with_f3(self, done: str, limit: float = 60) -> None:
        """F3 runs the step's command in the lesson's shell; again if the TUI says to try again
        (its check ran before the engine had the outcome)."""
        self.keys("F3")
        deadline, pressed = time.monotonic() + limit, time.monotonic()
        while done not in self.screen.text:
            assert time.monotonic() < deadline, f"{done!r} never showed; the screen:\n{self.screen.text}"
            if "try again" in self.screen.text and time.monotonic() - pressed > 2:
                self.keys("F3")
                pressed = time.monotonic()
            self.page.wait_for_timeout(200)

    def attack(self, url: str, limit: float = 60) -> str:
        """Open a page another learner serves (in a tab of this person's browser): what its
        websocket got, opened or refused. Opened again while the hub's proxy says the server
        is down (its kept connection was cut: the next one finds the learner's own page)."""
        tab = self.context.new_page()
        deadline = time.monotonic() + limit
        while "bob's own page" not in (tab.goto(url) and tab.content()):
            assert time.monotonic() < deadline, tab.content()[:500]
            tab.wait_for_timeout(1000)
        got = tab.evaluate("window.result")
        tab.screenshot(path=self.shots / f"{self.name}-opened-{urlsplit(url).hostname}.png")
        tab.close()
        return got

    def view_cell(self, learner: str, lesson: str) -> str | None:
        cell = self.page.locator(f'tr[data-learner="{learner}"] td[data-lesson="{lesson}"]')
        return cell.get_attribute("data-done") if cell.count() else None

    def view_cell_anew(self, learner: str, lesson: str) -> str | None:
        """The cell after the view is loaded again. The page also reloads itself every 5 s,
        and a load of ours that its own cuts short (ERR_ABORTED) is simply tried again."""
        from playwright.sync_api import Error as PlaywrightError

        for _ in range(5):
            try:
                self.page.reload()
                return self.view_cell(learner, lesson)
            except PlaywrightError as err:
                if "ERR_ABORTED" not in str(err) and "context was destroyed" not in str(err):
                    raise
        raise AssertionError("the view's page never loaded whole")


def test_learners_and_the_instructor_in_chromium(browser, client, home, tmp_path):
    before = engine_state(client)
    with running_classroom(home, ["ada", "bob"]) as room:
        password = room.secret("learner.password")
        ada, bob = (Visitor(browser, room.base, tmp_path, n) for n in ("ada", "bob"))
        ada.log_in(password)
        bob.log_in(password)  # both servers boot while both pages wait
        for learner in (ada, bob):
            learner.screen.wait_for(PICKER_LISTED, 120)
            assert learner.page.url == f"{room.base}/user/{learner.name}/"
            learner.shot("lessons")

        ada.open_lesson("mount-syntax")
        bob.open_lesson("mount-syntax")
        ada.step_with_f3(STEP_DONE)  # `docker volume create my-vol`, checked in ada's engine
        shown_done = time.monotonic()
        ada.shot("step-1-done")
        n = random.randrange(10**6, 10**7)
        bob.page.keyboard.type(f"echo bob-$(({n}+1))\n")  # bob's shell, at the same time
        bob.screen.wait_for(f"bob-{n + 1}")
        bob.shot("shell")

        teacher = Visitor(browser, room.base, tmp_path, "instructor")
        teacher.log_in(room.secret("admin.password"))
        teacher.page.goto(room.base + "/services/docklab-view/")
        while teacher.view_cell_anew("ada", "mount-syntax") != "1":
            assert time.monotonic() - shown_done < VIEW_WAIT, teacher.page.inner_text("body")
            teacher.page.wait_for_timeout(1000)
        teacher.shot("view")
        with teacher.page.expect_download() as download:
            teacher.page.click("text=CSV")
        assert download.value.suggested_filename == "docklab-class.csv"
        rows = {r["learner"]: r for r in csv.DictReader(io.StringIO(Path(download.value.path()).read_text()))}
        assert rows["ada"]["mount-syntax"] == "partial: steps 1 of 6", rows

        # bob fell behind: the instructor brings him to step 3; he is told who asked, then caught up
        form = teacher.page.locator('tr[data-learner="bob"] form')
        form.locator("select").select_option("mount-syntax")
        form.locator('input[name="step"]').fill("3")
        form.locator("button").click()
        teacher.page.wait_for_load_state()
        bob.screen.wait_for("Your instructor (instructor) brings you to step 3 of mount-syntax.", 30)
        bob.screen.wait_for("Caught up: you are at step 3.", 120)
        bob.shot("caught-up")
        bob.keys("Escape")
        bob.screen.wait_for("Step 3 of 6", 20)
        while teacher.view_cell_anew("bob", "mount-syntax") != "2":  # steps 1 and 2, caught up
            assert time.monotonic() - shown_done < 180, teacher.page.inner_text("body")
            teacher.page.wait_for_timeout(1000)
        assert "bob, step 1: caught up" in teacher.page.content()  # the heat map's title for that cell
        teacher.shot("view-caught-up")

        # ada, logged in, is refused bob's server (page and websocket) and the instructor's view
        probe = ada.context.new_page()
        for path, refusal in (
            (f"/user/{bob.name}/", "You do not have permission to access Server"),
            ("/services/docklab-view/", "You do not have permission to access JupyterHub service"),
            ("/services/docklab-view/export.csv", "You do not have permission to access JupyterHub service"),
        ):
            response = probe.goto(room.base + path)
            assert response.status == 403 and refusal in probe.inner_text("body"), (path, response.status)
        opened = probe.evaluate(
            """url => new Promise(done => { const ws = new WebSocket(url);
                ws.onopen = () => done("opened"); ws.onerror = () => done("refused"); })""",
            room.base.replace("http", "ws") + f"/user/{bob.name}/ws",
        )
        assert opened == "refused"
        probe.screenshot(path=tmp_path / "ada-refused.png")
        probe.close()

        # a reload (the websocket reconnects) comes back to the same lesson, step and shell
        sockets = len(ada.screen.sockets)
        ada.page.keyboard.type(f"echo ada-$(({n}+2))\n")
        ada.screen.wait_for(f"ada-{n + 2}")
        ada.page.reload()
        while len(ada.screen.sockets) == sockets:
            ada.page.wait_for_timeout(100)
        for seen in (f"ada-{n + 2}", "Step 1 of 6", STEP_DONE, LESSON_SHELL):
            ada.screen.wait_for(seen, 20)
        ada.shot("reloaded")

        # without --subdomain-host, learners must trust each other (README: the security model):
        # a page bob serves from his own server, opened by ada, drives her TUI
        serve_own_page(learner_box(client, room, bob.name), bob.name, f"{room.base.replace('http', 'ws')}/user/ada/ws")
        assert ada.attack(f"{room.base}/user/{bob.name}/x.html") == "opened"
        for visitor in (ada, bob, teacher):
            visitor.context.close()
    assert engine_state(client) == before


def test_with_subdomains_a_learners_own_page_cannot_reach_anothers_tui(browser, client, home, tmp_path):
    before = engine_state(client)
    with running_classroom(home, ["ada", "bob"], "--subdomain-host", DOMAIN) as room:
        port = room.base.rsplit(":", 1)[1]
        base, password = f"http://{DOMAIN}:{port}", room.secret("learner.password")
        ada, bob = (Visitor(browser, base, tmp_path, n) for n in ("ada", "bob"))
        ada.log_in(password)
        bob.log_in(password)
        for learner in (ada, bob):
            learner.screen.wait_for(PICKER_LISTED, 120)
            assert learner.page.url == f"http://{learner.name}.{DOMAIN}:{port}/user/{learner.name}/"
            learner.shot("lessons")
        own = {c["name"]: c["domain"] for c in ada.context.cookies() if c["name"] == "docklab-hub-token"}
        assert own == {"docklab-hub-token": f"ada.{DOMAIN}"}  # her server's cookie: for her host alone

        # bob, root in his server, serves a page of his own there; ada opens it
        serve_own_page(learner_box(client, room, "bob"), "bob", f"ws://ada.{DOMAIN}:{port}/user/ada/ws")
        assert ada.attack(f"http://bob.{DOMAIN}:{port}/user/bob/x.html") == "refused"
        ada.shot("attack-refused")
        for visitor in (ada, bob):
            visitor.context.close()
    assert engine_state(client) == before
