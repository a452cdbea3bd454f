"""The grade roll-up written out: a plain-text table for the terminal, CSV for a
spreadsheet, one self-contained HTML file for a browser, JUnit XML for CI autograders.
Every format names the flagged and unreadable reports; none of them is counted."""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ET

from tutor.core import report as rpt
from tutor.core.rollup import Cell, Rollup

STATUSES = ((rpt.LESSON_DONE, "done"), (rpt.PARTIAL, "partial"), (rpt.NOT_STARTED, "not started"))


def _header(r: Rollup) -> str:
    files = sum(len(x.files) for x in r.learners.values()) + len(r.flagged) + len(r.unreadable)
    how = "signatures verified" if r.verified else "signatures NOT verified (no key given)"
    return f"docklab roll-up: {len(r.learners)} learner(s) counted from {files} report(s); {how}"


def _problems(r: Rollup) -> list[str]:
    out = [f"FLAGGED, not counted: {p.file}" + (f" (learner {p.learner})" if p.learner else "") + f": {p.reason}"
           for p in r.flagged]
    return out + [f"UNREADABLE: {p.file}: {p.reason}" for p in r.unreadable]


def table(r: Rollup) -> str:
    def short(c: Cell) -> str:
        return {rpt.LESSON_DONE: "done", rpt.NOT_STARTED: "-"}.get(c.status) or \
            f"{','.join(map(str, c.done))}/{c.total}"

    ids = list(r.lessons)
    rows = [["learner", *ids]]
    rows += [[x.name, *(short(x.cell(i, r.lessons[i][1])) for i in ids)] for x in r.rows()]
    rows += [[label, *(str(r.totals(i)[key]) for i in ids)] for key, label in STATUSES]
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(len(lines) - len(STATUSES), "-" * len(lines[0]))
    legend = "cells: done | steps done/steps (partial) | - not started; totals per lesson below the line"
    return "\n".join([_header(r), legend, "", *lines, *([""] + _problems(r) if not r.clean else [])]) + "\n"


def _csv_safe(text: str) -> str:
    """A spreadsheet must not run a learner-chosen name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def csv_text(r: Rollup) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    ids = list(r.lessons)
    w.writerow(["learner", "reports", "note", *ids])
    note = "" if r.verified else "unverified"
    for x in r.rows():
        w.writerow([_csv_safe(x.name), ";".join(x.files), note,
                    *(x.cell(i, r.lessons[i][1]).text for i in ids)])
    for key, label in STATUSES:
        w.writerow([f"(total {label})", "", "", *(r.totals(i)[key] for i in ids)])
    for p in r.flagged:
        w.writerow([_csv_safe(p.learner or ""), p.file, f"flagged, not counted: {p.reason}", *[""] * len(ids)])
    for p in r.unreadable:
        w.writerow(["", p.file, f"unreadable: {p.reason}", *[""] * len(ids)])
    return buf.getvalue()


STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.3rem .6rem;text-align:left}
thead th{background:#eee}td.done{background:#d9f2d9}td.partial{background:#fff2c2}
td.not_started{color:#666}tfoot{font-weight:bold}.bad{color:#a00000}
"""


def html_text(r: Rollup) -> str:
    e = html.escape
    ids = list(r.lessons)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           "<title>docklab roll-up</title>", f"<style>{STYLE}</style></head><body>",
           "<h1>docklab roll-up</h1>", f"<p>{e(_header(r))}</p>",
           '<table id="rollup"><thead><tr><th>learner</th>']
    out += [f'<th title="{e(r.lessons[i][0])}">{e(i)}</th>' for i in ids]
    out.append("</tr></thead><tbody>")
    for x in r.rows():
        cells = [x.cell(i, r.lessons[i][1]) for i in ids]
        out.append(f'<tr><th scope="row">{e(x.name)}</th>'
                   + "".join(f'<td class="{c.status}">{e(c.text)}</td>' for c in cells) + "</tr>")
    out.append("</tbody><tfoot>")
    for key, label in STATUSES:
        out.append(f'<tr><th scope="row">total {label}</th>' + "".join(f"<td>{r.totals(i)[key]}</td>" for i in ids)
                   + "</tr>")
    out.append("</tfoot></table>")
    for title, items in (("Flagged, not counted", r.flagged), ("Unreadable", r.unreadable)):
        if items:
            out.append(f'<h2 class="bad">{title}</h2><ul id="{title.split(",")[0].lower()}">')
            out += [f"<li><code>{e(p.file)}</code>" + (f" (learner {e(p.learner)})" if p.learner else "")
                    + f": {e(p.reason)}</li>" for p in items]
            out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """Only characters XML 1.0 allows (a learner name could hold anything)."""
    return _XML_BAD.sub("?", text)


def junit_text(r: Rollup) -> str:
    ids = list(r.lessons)
    root = ET.Element("testsuites", name="docklab grade")
    failures = errors = tests = 0
    for x in r.rows():
        suite = ET.SubElement(root, "testsuite", name=_x(x.name), tests=str(len(ids)))
        failed = 0
        for i in ids:
            cell = x.cell(i, r.lessons[i][1])
            case = ET.SubElement(suite, "testcase", classname=_x(x.name), name=i)
            if cell.status != rpt.LESSON_DONE:
                failed += 1
                ET.SubElement(case, "failure", type=cell.status, message=cell.text)
        suite.set("failures", str(failed))
        suite.set("errors", "0")
        failures, tests = failures + failed, tests + len(ids)
    bad = [("flagged", p) for p in r.flagged] + [("unreadable", p) for p in r.unreadable]
    if bad:
        suite = ET.SubElement(root, "testsuite", name="reports", tests=str(len(bad)), failures="0",
                              errors=str(len(bad)))
        for kind, p in bad:
            case = ET.SubElement(suite, "testcase", classname="reports", name=_x(p.file))
            ET.SubElement(case, "error", type=kind, message=_x(p.reason))
        errors, tests = len(bad), tests + len(bad)
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


FORMATS = {"table": table, "csv": csv_text, "html": html_text, "junit": junit_text}
