"""`docklab serve` as a real process: a token always, foreign Origins refused token or not,
and the token in no log line, no process argument and no environment of the TUI it starts.
(The same in a real browser: tests/ui/test_serve_browser.py.)"""

from __future__ import annotations

import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import run_docklab
from tests.servekit import LISTED, PICKER, cookie_from, get, serving, websocket

pytestmark = pytest.mark.engine  # each websocket starts docklab, which asks the engine

LESSON_SHELL = "F6 to leave"  # the lesson screen's terminal title: its bash is up


def test_serve_makes_a_token_shows_it_once_and_trades_it_for_a_cookie(home):
    with serving(home) as s:
        token, port = s.printed_token(), urlsplit(s.base).port
        assert len(token) >= 40
        status, _, body = get(s.base + "/")
        assert status == 403 and "?token=" in body

        status, headers, body = get(f"{s.base}/?token={token}&fontsize=14")
        assert status == 200 and token not in body and 'location.replace("/?fontsize=14")' in body
        assert {"HttpOnly", "SameSite=Strict"} <= {part.strip() for part in headers["Set-Cookie"].split(";")}
        assert headers["Referrer-Policy"] == "no-referrer"
        cookie = cookie_from(headers)

        status, _, page = get(s.base + "/?fontsize=14", {"Cookie": cookie})
        assert status == 200 and f'"ws://127.0.0.1:{port}/ws"' in page
        page = get(s.base + "/", {"Cookie": cookie, "Host": f"localhost:{port}"})[2]
        assert f'"ws://localhost:{port}/ws"' in page  # the websocket goes where the browser went

        assert get(f"{s.base}/?token={token}x")[0] == 403
        assert get(f"{s.base}/?token=%C3%A9%00")[0] == 403  # non-ASCII: refused, not a traceback
        assert get(s.base + "/", {"Cookie": "docklab_token=\xe9\xe9"})[0] == 403
        assert get(s.base + "/static/js/textual.js")[0] == 403
        assert get(s.base + "/static/js/textual.js", {"Cookie": cookie})[0] == 200
    assert s.output.count(token) == 1, s.output  # the ready-to-click line, once
    assert "Traceback" not in s.output, s.output


def test_the_token_step_sends_the_browser_only_to_a_path_on_this_server(home):
    with serving(home) as s:
        token = s.printed_token()
        for sent, target in (
            ("//evil.example/x", "/evil.example/x"),
            ("/\\evil.example/x", "/evil.example/x"),
            ("///evil.example/x?a=1", "/evil.example/x?a=1"),
            ("/%2F%2Fevil.example/x", "/%2F%2Fevil.example/x"),  # encoded: a path, as the browser reads it
        ):
            sep = "&" if "?" in sent else "?"
            status, _, body = get(f"{s.base}{sent}{sep}token={token}")
            assert status == 200 and f'location.replace("{target}")' in body, (sent, body)
            assert f'href="{target}"' in body


def test_a_foreign_origin_is_refused_token_or_not(home):
    with serving(home) as s:
        token, port = s.printed_token(), urlsplit(s.base).port
        cookie = cookie_from(get(f"{s.base}/?token={token}")[1])
        for origin in (
            "https://evil.example",
            "null",
            f"http://localhost:{port}",
            f"https://127.0.0.1:{port}",
            f"http://127.0.0.1:{port + 1}",
        ):
            assert get(s.base + "/", {"Origin": origin})[0] == 403, origin
            assert get(s.base + "/", {"Origin": origin, "Cookie": cookie})[0] == 403, origin
            status, headers, body = get(f"{s.base}/?token={token}", {"Origin": origin})
            assert status == 403 and "Set-Cookie" not in headers and "another web page" in body, origin
        assert get(s.base + "/", {"Origin": s.base, "Cookie": cookie})[0] == 200  # a same-origin browser


def test_the_websocket_needs_the_token_and_its_own_origin(home):
    with serving(home) as s:
        token = s.printed_token()
        cookie = cookie_from(get(f"{s.base}/?token={token}")[1])
        ws = s.base.replace("http://", "ws://") + "/ws"
        wrong = "docklab_token=" + secrets.token_urlsafe(32)
        assert websocket(ws)[0] == 403
        assert websocket(ws, {"Cookie": wrong})[0] == 403
        assert websocket(ws, {"Origin": s.base, "Cookie": wrong})[0] == 403
        assert websocket(ws, {"Origin": "https://evil.example", "Cookie": cookie})[0] == 403
        assert websocket(f"{ws}?token={token}", {"Origin": "https://evil.example"})[0] == 403
        status, screen = websocket(ws, {"Origin": s.base, "Cookie": cookie})
        assert status == 101 and PICKER in screen


def descendants(pid: int) -> list[int]:
    parent = {}
    for d in Path("/proc").iterdir():
        try:
            parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (ValueError, OSError):
            continue
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += [c for c, pp in parent.items() if pp == p]
    return found


@pytest.mark.parametrize("source", ["file", "env"])
def test_the_token_is_in_no_log_line_argument_or_environment(home, source):
    token = secrets.token_urlsafe(24)
    guess = "guess" + secrets.token_urlsafe(16)
    if source == "file":
        path = home.parent / "serve.token"
        path.write_text(token + "\n")
        args, env = ["--token-file", str(path)], None
    else:
        args, env = [], {"DOCKLAB_SERVE_TOKEN": token}
    seen: dict[int, tuple[bytes, bytes]] = {}

    def look() -> None:
        for pid in descendants(s.proc.pid):
            try:
                seen[pid] = (Path(f"/proc/{pid}/cmdline").read_bytes(), Path(f"/proc/{pid}/environ").read_bytes())
            except OSError:
                pass

    with serving(home, *args, env=env) as s:
        host = urlsplit(s.base)
        assert get(f"{s.base}/?token={guess}")[0] == 403
        assert get(s.base + "/", {"Cookie": f"docklab_token={guess}"})[0] == 403
        status, headers, _ = get(f"{s.base}/?token={token}")
        assert status == 200
        cookie = cookie_from(headers)
        assert (
            get(s.base + "/static/js/textual.js", {"Cookie": cookie, "Referer": f"{s.base}/?token={token}"})[0] == 200
        )
        with socket.create_connection((host.hostname, host.port)) as raw:  # a request aiohttp cannot parse
            raw.sendall(f"GET /?token={guess} HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n".encode())
            raw.recv(4096)
        ws = s.base.replace("http://", "ws://") + "/ws"
        status, _ = websocket(ws, {"Cookie": cookie}, script=[("", LISTED), ("\r", LESSON_SHELL)], while_open=look)
        assert status == 101
    shells = [pid for pid, (argv, _) in seen.items() if argv.split(b"\0")[0].endswith(b"bash")]
    assert shells, "the lesson's shell never started"
    for pid, (argv, environ) in seen.items():
        assert token.encode() not in argv, argv
        # A variable stays in /proc/PID/environ of the process it was given to (readable by
        # that user alone); serve takes it out before it starts docklab and its shell.
        if source == "file" or pid != s.proc.pid:
            assert token.encode() not in environ, argv
    assert "/static/js/textual.js" in s.output, s.output  # the access log does write
    assert token not in s.output and guess not in s.output, s.output


@pytest.mark.parametrize("content", ["short-token", "a token with spaces in it", ""])
def test_a_token_that_cannot_guard_the_server_is_refused(home, content):
    path = home.parent / "serve.token"
    path.write_text(content)
    out = run_docklab("serve", "--token-file", str(path), "--port", "1", home=home, timeout=30)
    assert out.returncode == 2 and "at least 16 characters" in out.stderr, out.stderr
    out = run_docklab("serve", "--port", "1", home=home, env={"DOCKLAB_SERVE_TOKEN": content}, timeout=30)
    assert out.returncode == 2 and "$DOCKLAB_SERVE_TOKEN" in out.stderr, out.stderr
    out = run_docklab("serve", "--token-file", str(home / "missing"), "--port", "1", home=home, timeout=30)
    assert out.returncode == 2 and "cannot read the token file" in out.stderr, out.stderr


def test_a_port_already_taken_is_said_plainly(home):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        out = run_docklab("serve", "--port", str(taken.getsockname()[1]), home=home, timeout=30)
    assert out.returncode == 2 and "cannot listen on" in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_a_host_header_that_is_no_address_is_refused(home):
    with serving(home) as s:
        cookie = cookie_from(get(f"{s.base}/?token={s.printed_token()}")[1])
        assert get(s.base + "/", {"Cookie": cookie, "Host": 'x"><script>alert(1)</script>'})[0] == 400
