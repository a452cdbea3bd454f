"""The instructor view's page: learner x lesson, the steps the view found on each learner's
engine, and, marked, where the learner's own record claims otherwise. Every name on it
comes from a learner or a report: each is escaped."""

from __future__ import annotations

import html
import time

PAGE = """<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>docklab classroom</title><style>
body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse}}
th,td{{border:1px solid #bbb;padding:.3rem .6rem;text-align:left}}td.done{{background:#d9f2d9}}
td.partial{{background:#fff2c2}}td.none{{color:#666}}small{{display:block;color:#555}}
td.differs{{outline:2px solid #c00}}small.claim{{color:#c00}}
</style></head><body><h1>docklab classroom</h1>
<p>Steps proven per learner and lesson, as the view found them on each learner's own engine, with
the time of the last one; in red, where the learner's own record claims otherwise. Refreshed every
5 s ({when}).
Export the roll-up as <a href="export.csv">CSV</a>, <a href="export.html">HTML</a> or
<a href="export.junit">JUnit</a> (the same as <code>docklab grade</code> gives).</p>
<p>A learner who fell behind: "Bring to step" resets their lesson and has docklab do the steps
before that one in their TUI, recorded as caught up; they are told first that you asked.</p>
<table><thead><tr><th>learner</th><th>server</th>{head}<th>catch up</th></tr></thead><tbody>{rows}</tbody></table>
{stuck}
</body></html>
"""


def catch_up_form(name: str, lessons: list[tuple[str, str, int]], xsrf: str) -> str:
    """The instructor's "bring NAME to step N of LESSON": a plain form (the page runs no script)."""
    e = html.escape
    options = "".join(f'<option value="{e(i)}">{e(i)}</option>' for i, _, _ in lessons)
    return (
        f'<form method="post" action="catch-up">{xsrf}<input type="hidden" name="learner" value="{e(name)}">'
        f'<select name="lesson" aria-label="lesson for {e(name)}">{options}</select> '
        f'<input type="number" name="step" min="1" value="1" size="3" aria-label="step for {e(name)}"> '
        f'<button type="submit">Bring {e(name)} to step</button></form>'
    )


def render(
    seen: dict[str, dict],
    servers: dict[str, str],
    lessons: list[tuple[str, str, int]],
    stuck: str = "",
    xsrf: str = "",
) -> str:
    """The page from reports.summary's `seen`, each learner's server state, the lessons
    (id, title, steps) of the roll-up, where the class is stuck (formats.stuck_html:
    per step, and the heat map), and a catch-up form per learner (`xsrf`: its form field)."""
    names = sorted(set(seen) | set(servers), key=str.casefold)
    rows = []
    for name in names:
        cells = []
        verified = seen.get(name, {}).get("verified", False)
        for lesson_id, _, total in lessons:
            cell = seen.get(name, {}).get("lessons", {}).get(lesson_id) or {}
            done, claimed = cell.get("done", 0), cell.get("claimed", 0)
            kind = "done" if done == total else "partial" if done else "none"
            notes = f"<small>{html.escape(cell.get('last') or '')}</small>"
            if claimed != done:  # the learner's own record says otherwise: look at it
                kind += " differs"
                notes += f'<small class="claim">their record claims {claimed}</small>'
            if claimed and not verified:
                notes += "<small>not verified on their engine</small>"
            cells.append(
                f'<td class="{kind}" data-lesson="{html.escape(lesson_id)}" data-done="{done}" '
                f'data-claimed="{claimed}">{done}/{total}{notes}</td>'
            )
        state = servers.get(name, "no server")
        rows.append(
            f'<tr data-learner="{html.escape(name)}"><th>{html.escape(name)}</th>'
            f"<td>{html.escape(state)}</td>{''.join(cells)}<td>{catch_up_form(name, lessons, xsrf)}</td></tr>"
        )
    head = "".join(f'<th title="{html.escape(t)}">{html.escape(i)}</th>' for i, t, _ in lessons)
    return PAGE.format(rows="".join(rows), head=head, when=time.strftime("%H:%M:%S"), stuck=stuck)
