"""`docklab serve` in a real browser (tests/browserkit.py: Debian's Chromium through
playwright, the page's terminal read through pyte); screenshots of each stage are kept in the
test's tmp_path.

Opening a lesson only records the engine's baseline; the test types an echo into the lesson's
shell and nothing that creates containers or volumes."""

from __future__ import annotations

import contextlib
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from tests.browserkit import Screen, chromium
from tests.servekit import LISTED, PICKER, serving

pytestmark = [pytest.mark.browser, pytest.mark.engine]

LESSON_SHELL = "F6 to leave"


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def test_a_browser_with_the_token_gets_the_picker_a_lesson_and_its_shell(browser, home, tmp_path):
    with serving(home) as s:
        token = s.printed_token()
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        screen = Screen(page)
        page.goto(f"{s.base}/?token={token}")
        page.wait_for_url(s.base + "/")  # the token left the address bar ...
        assert token not in page.evaluate("location.href + history.length")
        assert page.evaluate("document.cookie") == ""  # ... and its cookie is out of scripts' reach
        screen.wait_for(PICKER)
        page.screenshot(path=tmp_path / "picker.png")

        screen.wait_for(LISTED)
        page.locator(".xterm-helper-textarea").focus()
        page.keyboard.press("Enter")  # the first lesson
        screen.wait_for(LESSON_SHELL)
        screen.wait_for("$ ")  # bash's prompt
        n = random.randrange(10**6, 10**7)
        page.keyboard.type(f"echo dl-$(({n}+1))-marker")
        page.keyboard.press("Enter")
        screen.wait_for(f"dl-{n + 1}-marker")  # bash's answer, not the typed line
        page.screenshot(path=tmp_path / "shell.png")
        page.close()
    assert s.output.count(token) == 1


def test_a_browser_without_the_token_is_refused(browser, home, tmp_path):
    with serving(home) as s:
        page = browser.new_page()
        screen = Screen(page)
        response = page.goto(s.base + "/")
        assert response.status == 403 and "needs its token" in page.inner_text("body")
        page.goto(f"{s.base}/?token={s.printed_token()}x")
        assert "needs its token" in page.inner_text("body") and not screen.sockets
        page.screenshot(path=tmp_path / "refused.png")
        page.close()


@contextlib.contextmanager
def another_server(pages: dict[str, str]):
    """Pages served by a real server on this machine (a page playwright made up would have no
    address, and Chromium's local network checks would stop it before docklab could)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_the_link_works_from_another_site_and_another_page_cannot_open_the_shell(browser, home):
    """A link on a workshop page (another site: localhost is not 127.0.0.1) still signs in,
    although the cookie is SameSite=Strict. A page of another origin on the same site
    (127.0.0.1, another port), which the browser does send the cookie from, cannot open the
    websocket: its Origin is refused."""
    with serving(home) as s:
        token, port = s.printed_token(), urlsplit(s.base).port
        attack = f"""<script>window.result = new Promise(done => {{
            const ws = new WebSocket("ws://127.0.0.1:{port}/ws");
            ws.onopen = () => done("opened"); ws.onerror = () => done("refused"); }});</script>"""
        with another_server(
            {"/link": f'<a id="go" href="{s.base}/?token={token}">docklab</a>', "/attack": attack}
        ) as other:
            context = browser.new_context()
            page = context.new_page()
            screen = Screen(page)
            page.goto(f"http://localhost:{other}/link")
            page.click("#go")
            page.wait_for_url(s.base + "/")
            screen.wait_for(PICKER)

            page.goto(f"http://127.0.0.1:{other}/attack")
            assert page.evaluate("window.result") == "refused"
            context.close()
