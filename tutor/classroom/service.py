"""The instructor's live view: a JupyterHub service (run by the hub, reached at
/services/docklab-view/), in the hub's own terms.

- The instructor logs in with the hub (OAuth); only the hub's admins get in.
- Each learner's server POSTs its report (tutor/classroom/reporter.py) with its own hub
  token; the hub tells this service whose token it is. The post is kept as received, under
  that name whatever name it claims (at most one a second, MAX_POST bytes), and asks for a
  look at that learner's engine: the view's own report, from their engine and docklab's
  catalog (verifier.py, verdict.py), signed with the classroom's key, is what counts. So
  `docklab grade --key-file KEY REPORTS` over the same folder gives the exports' roll-up.
- The page shows learner x lesson (steps done, last step, and the steps the learner's own
  record claims where they differ) as reports come in, and each learner's server, running
  or not, from the hub's API; where the class is stuck; and, per learner, a button to catch
  them up to a step (instructions.py: logged, and said to the learner before it runs)."""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import httpclient, ioloop, web

from tutor.classroom import instructions
from tutor.classroom.reports import key_file, received_path, reports_dir, rollup, summary, write_atomically
from tutor.classroom.verifier import Verifier
from tutor.classroom.view_page import render
from tutor.core.grading import report as rpt

NAME = "docklab-view"
MAX_POST = 1_000_000  # bytes of a learner's post: a report of every lesson is far less, and grade reads 5 MB
POST_GAP = 1.0  # seconds at least between two posts of one learner
EXPORTS = {"csv": "text/csv", "html": "text/html", "junit": "application/xml"}


def folder() -> Path:
    return Path(os.environ["DOCKLAB_CLASSROOM_DIR"])


class Admin(HubOAuthenticated, web.RequestHandler):
    """Pages for the instructor: a hub login, and the hub's admin flag."""

    def prepare(self):
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")

    def admin(self) -> dict:
        user = self.current_user
        if not user:
            raise web.HTTPError(403)
        if not user.get("admin"):
            raise web.HTTPError(403, "only the hub's admins (the instructor) can open the instructor view")
        return user


class Page(Admin):
    @web.authenticated
    async def get(self):
        self.admin()
        from tutor.core.grading.formats import stuck_html

        servers = await hub_users()
        seen = summary(folder())
        roll = rollup(folder())
        lessons = [(i, t, n) for i, (t, n) in roll.lessons.items()]
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(render(seen, servers, lessons, stuck_html(roll), self.xsrf_form_html()))


class CatchUp(Admin):
    """The instructor's "bring this learner to step N of that lesson", queued for their TUI."""

    @web.authenticated
    def post(self):
        admin = self.admin()
        learner = self.get_body_argument("learner", "")
        try:
            asked = instructions.bring(
                folder(),
                learner,
                self.get_body_argument("lesson", ""),
                self.get_body_argument("step", ""),
                admin["name"],
            )
        except ValueError as err:
            raise web.HTTPError(400, str(err)) from None
        what = asked["catch_up"]
        print(
            f"docklab view: {admin['name']} asked to catch {learner} up to step {what['step']} of {what['lesson']}",
            file=sys.stderr,
        )
        self.redirect(self.settings["prefix"])


async def learner_of(handler: web.RequestHandler) -> str:
    """The learner the hub names for the request's token (in the Authorization header, never
    in a cookie, so no other web page can send one for them); 401 or 403 otherwise."""
    header = handler.request.headers.get("Authorization", "")
    token = header[len("token ") :].strip() if header.lower().startswith("token ") else ""
    if not token:
        raise web.HTTPError(401, "a hub token is required")
    auth: HubOAuth = handler.settings["hub_auth"]
    user = await auth.user_for_token(token, sync=False)
    if not user or user.get("kind", "user") != "user":
        raise web.HTTPError(403, "the hub does not know this token as a learner's")
    return user["name"]


class Instructions(web.RequestHandler):
    """A learner's server asking what the instructor asked of them (their token, as Report)."""

    def check_xsrf_cookie(self) -> None:
        """A token in a header, no cookie: nothing another page could forge."""

    async def get(self):
        learner = await learner_of(self)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(instructions.take(folder(), learner)))


class Export(Admin):
    @web.authenticated
    def get(self, kind: str):
        from tutor.core.grading.formats import FORMATS

        self.admin()
        self.set_header("Content-Type", f"{EXPORTS[kind]}; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="docklab-class.{kind}"')
        self.finish(FORMATS[kind](rollup(folder())))


class Summary(Admin):
    @web.authenticated
    def get(self):
        self.admin()
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(summary(folder())))


class Report(web.RequestHandler):
    """A learner's server reporting: the hub names the token's owner. The token comes in the
    Authorization header, never in a cookie, so no other web page can send one for them."""

    def check_xsrf_cookie(self) -> None:
        """A token in a header, no cookie: nothing another page could forge."""

    async def post(self):
        user = {"name": await learner_of(self)}
        if len(self.request.body) > MAX_POST:
            raise web.HTTPError(413, f"a report is at most {MAX_POST} bytes")
        now, posts = time.monotonic(), self.settings["posts"]
        if now - posts.get(user["name"], -POST_GAP) < POST_GAP:
            raise web.HTTPError(429, "at most one report a second")
        posts[user["name"]] = now
        try:
            data = rpt.parse(self.request.body)
            rpt.validate(data)
        except rpt.Unreadable as err:
            raise web.HTTPError(400, str(err)) from None
        write_atomically(received_path(folder(), user["name"]), self.request.body)
        data = {**data, "learner": user["name"]}
        data.pop("signature", None)
        self.settings["verifier"].request(user["name"], data)
        self.set_status(204)


async def hub_users() -> dict[str, str]:
    """Each learner's server state, from the hub's API with this service's own token."""
    url = url_path_join(os.environ["JUPYTERHUB_API_URL"], "users")
    resp = await httpclient.AsyncHTTPClient().fetch(
        url, headers={"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"}, raise_error=False
    )
    if resp.code != 200:
        return {}
    out = {}
    for user in json.loads(resp.body):
        if user.get("admin"):
            continue
        server = (user.get("servers") or {}).get("", {})
        out[user["name"]] = "running" if server.get("ready") else "starting" if server.get("pending") else "stopped"
    return out


def classroom_name() -> str | None:
    """The classroom's name on this machine's engine (none on Kubernetes: no `classroom up`)."""
    try:
        return json.loads((folder() / "classroom.json").read_text())["name"]
    except (OSError, ValueError, KeyError):
        return None


def listen_addresses() -> list[str]:
    try:
        return ["127.0.0.1", json.loads((folder() / "classroom.json").read_text())["hub_ip"]]
    except (OSError, ValueError, KeyError):
        return ["0.0.0.0"]


def make_app(auth=None, verifier: Verifier | None = None) -> web.Application:
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    auth = auth or HubOAuth(api_token=os.environ["JUPYTERHUB_API_TOKEN"], cache_max_age=60)
    return web.Application(
        [
            (prefix, Page),
            (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
            (url_path_join(prefix, r"export\.(csv|html|junit)"), Export),
            (url_path_join(prefix, "api/summary"), Summary),
            (url_path_join(prefix, "api/report"), Report),
            (url_path_join(prefix, "api/instructions"), Instructions),
            (url_path_join(prefix, "catch-up"), CatchUp),
        ],
        cookie_secret=os.urandom(32),
        hub_auth=auth,
        xsrf_cookies=True,  # the instructor's buttons post forms; learners' servers use a token, no cookie
        prefix=prefix,
        posts={},  # learner -> when their last post came (the loop's clock)
        verifier=verifier or Verifier(folder(), classroom_name()),
    )


def main() -> int:
    reports_dir(folder()).mkdir(parents=True, exist_ok=True)
    key = key_file(folder())
    if not key.exists():  # on Kubernetes nobody ran `docklab classroom up` to make one
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app = make_app()
    app.settings["verifier"].warm()
    # Loopback for the hub's proxy, the engine's bridge gateway for the learners' reports: not
    # the room's network (on Kubernetes, no classroom.json: the pod's every address).
    for address in listen_addresses():
        app.listen(url.port, address, max_body_size=2 * MAX_POST)  # over MAX_POST: a 413 that says so
    print(f"docklab view: listening on port {url.port}", file=sys.stderr)
    ioloop.IOLoop.current().start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
