"""The instructor's live view: a JupyterHub service (run by the hub, reached at
/services/docklab-view/), in the hub's own terms.

- The instructor logs in with the hub (OAuth); only the hub's admins get in.
- Each learner's server POSTs its report (tutor/classroom/reporter.py) with its own hub
  token; the hub tells this service whose token it is, and the report is kept under that
  name, whatever name it claims, then signed with the classroom's key. So the roll-up
  counts only what a logged-in learner's own server sent, and `docklab grade --key-file
  KEY REPORTS` over the same folder gives the same roll-up as the exports here.
- The page shows learner x lesson (steps done, last step) as reports come in, and each
  learner's server, running or not, from the hub's API."""

from __future__ import annotations

import html
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

from tutor.classroom.reports import key_file, report_path, reports_dir, rollup, summary
from tutor.core.grading import report as rpt
from tutor.core.grading.signing import sign

NAME = "docklab-view"
MAX_BODY = rpt.MAX_BYTES
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
        servers = await hub_users()
        seen = summary(folder())
        lessons = [(i, t, n) for i, (t, n) in rollup(folder()).lessons.items()]
        names = sorted(set(seen) | set(servers), key=str.casefold)
        rows = []
        for name in names:
            cells = []
            for lesson_id, _, total in lessons:
                cell = seen.get(name, {}).get("lessons", {}).get(lesson_id)
                done = cell["done"] if cell else 0
                last = (cell or {}).get("last") or ""
                cells.append(
                    f'<td class="{"done" if done == total else "partial" if done else "none"}" '
                    f'data-lesson="{html.escape(lesson_id)}" data-done="{done}">{done}/{total}'
                    f"<small>{html.escape(last)}</small></td>"
                )
            state = servers.get(name, "no server")
            rows.append(
                f'<tr data-learner="{html.escape(name)}"><th>{html.escape(name)}</th>'
                f"<td>{html.escape(state)}</td>{''.join(cells)}</tr>"
            )
        head = "".join(f'<th title="{html.escape(t)}">{html.escape(i)}</th>' for i, t, _ in lessons)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(PAGE.format(rows="".join(rows), head=head, when=time.strftime("%H:%M:%S")))


class Export(Admin):
    @web.authenticated
    def get(self, kind: str):
        from tutor.cli.rollup_formats import FORMATS

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

    async def post(self):
        header = self.request.headers.get("Authorization", "")
        token = header[len("token ") :].strip() if header.lower().startswith("token ") else ""
        if not token:
            raise web.HTTPError(401, "a hub token is required")
        auth: HubOAuth = self.settings["hub_auth"]
        user = await auth.user_for_token(token, sync=False)
        if not user or user.get("kind", "user") != "user":
            raise web.HTTPError(403, "the hub does not know this token as a learner's")
        if len(self.request.body) > MAX_BODY:
            raise web.HTTPError(413)
        try:
            data = rpt.parse(self.request.body)
            rpt.validate(data)
        except rpt.Unreadable as err:
            raise web.HTTPError(400, str(err)) from None
        data = {**data, "learner": user["name"]}
        data.pop("signature", None)
        path = report_path(folder(), user["name"])
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(sign(data, key_file(folder()).read_bytes().strip()), indent=2, sort_keys=True))
        tmp.replace(path)
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


PAGE = """<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>docklab classroom</title><style>
body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse}}
th,td{{border:1px solid #bbb;padding:.3rem .6rem;text-align:left}}td.done{{background:#d9f2d9}}
td.partial{{background:#fff2c2}}td.none{{color:#666}}small{{display:block;color:#555}}
</style></head><body><h1>docklab classroom</h1>
<p>Steps proven per learner and lesson, with the time of the last one; refreshed every 5 s ({when}).
Export the roll-up as <a href="export.csv">CSV</a>, <a href="export.html">HTML</a> or
<a href="export.junit">JUnit</a> (the same as <code>docklab grade</code> gives).</p>
<table><thead><tr><th>learner</th><th>server</th>{head}</tr></thead><tbody>{rows}</tbody></table>
</body></html>
"""


def make_app() -> web.Application:
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    auth = HubOAuth(api_token=os.environ["JUPYTERHUB_API_TOKEN"], cache_max_age=60)
    return web.Application(
        [
            (prefix, Page),
            (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
            (url_path_join(prefix, r"export\.(csv|html|junit)"), Export),
            (url_path_join(prefix, "api/summary"), Summary),
            (url_path_join(prefix, "api/report"), Report),
        ],
        cookie_secret=os.urandom(32),
        hub_auth=auth,
        xsrf_cookies=False,
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
    # Every address, as the hub's API: the learners' network's gateway comes and goes with it.
    app.listen(url.port, "0.0.0.0", max_body_size=MAX_BODY)
    print(f"docklab view: listening on port {url.port}", file=sys.stderr)
    ioloop.IOLoop.current().start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
