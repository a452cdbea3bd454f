"""The grade roll-up written out: a plain-text table for the terminal, CSV for a
spreadsheet, one self-contained HTML file for a browser, JUnit XML for CI autograders.
Every format names the flagged and unreadable reports (none of them is counted), shows
beside each step done what the live re-check at report time found, and marks a lesson
the re-check contradicts. Names come from learners' files: each format escapes them."""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
import xml.etree.ElementTree as ET

from tutor.core.grading import report as rpt
from tutor.core.grading.rollup import (
    AT,
    CAUGHT_UP,
    CONTRADICTED,
    DONE,
    HELD,
    NOT_HELD,
    TODO,
    UNCHECKED,
    Cell,
    Rollup,
    StepFigures,
)

STATUSES = ((rpt.LESSON_DONE, "done"), (rpt.PARTIAL, "partial"), (rpt.NOT_STARTED, "not started"))
MARKS = {HELD: "✓", NOT_HELD: "✗", UNCHECKED: "?"}
RECHECK_LEGEND = (
    "re-check at report time, one mark per step done: ✓ held, ✗ did not hold, ? not re-checked; "
    "! contradicted: nothing from the furthest step done onwards held"
)


def _header(r: Rollup) -> str:
    files = sum(len(x.files) for x in r.learners.values()) + len(r.flagged) + len(r.unreadable)
    how = "signatures verified" if r.verified else "signatures NOT verified (no key given)"
    return f"docklab roll-up: {len(r.learners)} learner(s) counted from {files} report(s); {how}"


def _problems(r: Rollup) -> list[str]:
    out = [
        f"FLAGGED, not counted: {p.file}" + (f" (learner {p.learner})" if p.learner else "") + f": {p.reason}"
        for p in r.flagged
    ]
    return out + [f"UNREADABLE: {p.file}: {p.reason}" for p in r.unreadable]


THOUGHT_LEGEND = (
    "after the marks: qR/T quiz answers right of questions (a: answered by auto mode), "
    "pR/N predictions right of those made, hN hints taken, sN solutions revealed, "
    "cN steps caught up (done by docklab, not the learner)"
)
PLACES = {DONE: "✓", CAUGHT_UP: "↷", AT: "▶", TODO: "·"}
PLACES_LEGEND = "✓ done, ↷ caught up (done by docklab), ▶ at this step now, · not reached"
FIGURES = (
    "step",
    "at it now",
    "time p50",
    "time p90",
    "failed checks",
    "hints",
    "solutions revealed",
    "wrong predictions",
    "caught up",
)


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f} min"


def figure_row(f: StepFigures) -> list[str]:
    """One step's figures as words, in FIGURES' order."""
    return [
        str(f.number),
        str(f.at),
        _minutes(f.median) + (f" (of {f.timed})" if f.timed else ""),
        _minutes(f.p90),
        str(f.failed),
        str(f.hints),
        str(f.revealed),
        str(f.wrong),
        str(f.caught_up),
    ]


def marks(c: Cell) -> str:
    """What the live re-check found for a step done, one mark each, and ! where it contradicts."""
    return "".join(MARKS[found] for found in c.recheck) + ("!" if c.contradicted else "")


def thought_marks(c: Cell) -> str:
    """The compact form for the table: q5/7 p2/3 h2 s1."""
    right, picked, _ = c.predictions
    out = []
    if c.quiz is not None:
        out.append(f"q{c.quiz[0]}/{c.quiz[1]}" + ("a" if "auto" in c.quiz_text else ""))
    if picked:
        out.append(f"p{right}/{picked}")
    if c.hints:
        out.append(f"h{c.hints}")
    if c.revealed:
        out.append(f"s{len(c.revealed)}")
    if c.caught_up:
        out.append(f"c{len(c.caught_up)}")
    return " ".join(out)


_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _t(text: str) -> str:
    """Text fit for a terminal: a control character (an escape sequence) or a direction
    override in a learner-chosen name must not reach it."""
    return "".join("?" if ch in _BIDI or unicodedata.category(ch) == "Cc" else ch for ch in text)


def table(r: Rollup) -> str:
    """The plain-text table for a terminal: a row per learner, a column per lesson."""

    def short(c: Cell) -> str:
        status = {rpt.LESSON_DONE: "done", rpt.NOT_STARTED: "-"}.get(
            c.status
        ) or f"{','.join(map(str, c.done))}/{c.total}"
        return " ".join(x for x in (status, marks(c) if c.done else "", thought_marks(c)) if x)

    ids = list(r.lessons)
    rows = [["learner", *map(_t, ids)]]
    rows += [[_t(x.name), *(short(x.cell(i, r.lessons[i][1])) for i in ids)] for x in r.rows()]
    sums = [r.totals(i) for i in ids]
    rows += [[label, *(str(n[key]) for n in sums)] for key, label in (*STATUSES, (CONTRADICTED, "contradicted"))]
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(len(lines) - len(STATUSES) - 1, "-" * len(lines[0]))
    legend = [
        "cells: done | steps done/steps (partial) | - not started; totals per lesson below the line",
        RECHECK_LEGEND,
        THOUGHT_LEGEND,
    ]
    contradicted = [
        f"CONTRADICTED by the re-check: {_t(x.name)}, {_t(i)}: steps {c.recheck_text}"
        for x in r.rows()
        for i in ids
        if (c := x.cell(i, r.lessons[i][1])).contradicted
    ]
    notes = ([""] + contradicted if contradicted else []) + ([""] + list(map(_t, _problems(r))) if not r.clean else [])
    return "\n".join([_header(r), *legend, "", *lines, *notes, *_stuck_lines(r)]) + "\n"


def _stuck_lines(r: Rollup) -> list[str]:
    """Per lesson begun: each step's figures, and each learner's place on its steps."""
    out = []
    for i, (title, _) in r.lessons.items():
        figures = r.figures(i)
        if not any(f.at or f.timed or f.failed or f.caught_up for f in figures):
            continue
        rows = [list(FIGURES)] + [figure_row(f) for f in figures]
        widths = [max(len(row[c]) for row in rows) for c in range(len(FIGURES))]
        out += ["", f"Where the class is in {_t(i)} ({_t(title)}):"]
        out += ["  " + "  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows]
        out += [f"  places, one mark per step: {PLACES_LEGEND}"]
        out += [f"  {_t(name)}: {''.join(PLACES[p] for p in places)}" for name, places in r.places(i)]
    return out


def _csv_safe(text: str) -> str:
    """A spreadsheet must not run a learner-chosen name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS = ("", " re-check", " contradicted", " quiz", " thinking", " caught up")


def csv_text(r: Rollup) -> str:
    """Six columns per lesson: its status, each step done with what the re-check found,
    `contradicted` when the re-check contradicts it, the quiz score, the predictions,
    hints and solutions revealed, and the steps caught up; then, after an empty row, each
    lesson's steps with where the class is on them."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    ids = list(r.lessons)
    w.writerow(["learner", "reports", "note", *(_csv_safe(i + c) for i in ids for c in CSV_COLUMNS)])
    note = "" if r.verified else "unverified"
    blank = [""] * (len(CSV_COLUMNS) * len(ids))
    for x in r.rows():
        cells = [x.cell(i, r.lessons[i][1]) for i in ids]
        w.writerow(
            [
                _csv_safe(x.name),
                ";".join(map(_csv_safe, x.files)),
                note,
                *(
                    v
                    for c in cells
                    for v in (
                        c.text,
                        c.recheck_text,
                        "contradicted" if c.contradicted else "",
                        c.quiz_text,
                        c.thought_text,
                        ",".join(map(str, c.caught_up)),
                    )
                ),
            ]
        )
    sums = [r.totals(i) for i in ids]
    for key, label in STATUSES:
        w.writerow([f"(total {label})", "", "", *(v for n in sums for v in (n[key], "", "", "", "", ""))])
    w.writerow(["(total contradicted)", "", "", *(v for n in sums for v in ("", "", n[CONTRADICTED], "", "", ""))])
    for p in r.flagged:
        w.writerow([_csv_safe(p.learner or ""), _csv_safe(p.file), f"flagged, not counted: {p.reason}", *blank])
    for p in r.unreadable:
        w.writerow(["", _csv_safe(p.file), f"unreadable: {p.reason}", *blank])
    w.writerow([])
    w.writerow(["lesson", *FIGURES[:2], "time p50 (s)", "time p90 (s)", "timed learners", *FIGURES[4:]])
    for i in ids:
        for f in r.figures(i):
            seconds = ["" if v is None else f"{v:.0f}" for v in (f.median, f.p90)]
            w.writerow(
                [_csv_safe(i), f.number, f.at, *seconds, f.timed, f.failed, f.hints, f.revealed, f.wrong, f.caught_up]
            )
    return buf.getvalue()


STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.3rem .6rem;text-align:left}
thead th{background:#eee}td.done{background:#d9f2d9}td.partial{background:#fff2c2}
td.not_started{color:#666}tfoot{font-weight:bold}.bad{color:#a00000}
td.contradicted{outline:2px solid #a00000;outline-offset:-2px}.recheck{display:block;font-size:.85em}
.flag{display:block;color:#a00000;font-weight:bold}.quiz{display:block;font-weight:bold}
.thinking{display:block;font-size:.85em;color:#444}.caught{display:block;font-size:.85em;font-style:italic}
"""
STUCK_STYLE = """svg.places text{font:12px system-ui,sans-serif}svg.places .done{fill:#d9f2d9}
svg.places .caught{fill:#dde6ff}svg.places .at{fill:#ffd27a}svg.places .todo{fill:#f4f4f4}"""
_PLACE_CLASS = {DONE: "done", CAUGHT_UP: "caught", AT: "at", TODO: "todo"}


def _html_cell(c: Cell) -> str:
    e = html.escape
    out = f'<td class="{c.status}{" contradicted" if c.contradicted else ""}">{e(c.text)}'
    if c.done:
        out += (
            '<span class="recheck">'
            + " ".join(
                f'<span title="step {n}: {found}">{n}{MARKS[found]}</span>' for n, found in zip(c.done, c.recheck)
            )
            + "</span>"
        )
    if c.contradicted:
        out += '<span class="flag">contradicted</span>'
    for cls, text in (("quiz", c.quiz_text), ("thinking", c.thought_text)):
        if text:
            out += f'<span class="{cls}">{e(text)}</span>'
    if c.caught_up:
        out += f'<span class="caught">↷ caught up: steps {",".join(map(str, c.caught_up))}</span>'
    return out + "</td>"


def places_svg(r: Rollup, lesson: str) -> str:
    """The learner x step heat map: a cell per learner and step, its colour and its mark
    saying the same (done, caught up, at it, not reached), each with a title to read."""
    e = html.escape
    rows = r.places(lesson)
    steps = r.lessons[lesson][1]
    left, cw, ch = 140, 30, 22
    width, height = left + cw * steps, ch * (len(rows) + 1)
    parts = [
        f'<svg class="places" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="places-{e(lesson)}-title places-{e(lesson)}-desc">',
        f'<title id="places-{e(lesson)}-title">{e(lesson)}: each learner\'s place on each step</title>',
        f'<desc id="places-{e(lesson)}-desc">{e(PLACES_LEGEND)}. The same as a table follows the chart.</desc>',
    ]
    parts += [
        f'<text x="{left + cw * (n - 1) + cw / 2}" y="{ch - 6}" text-anchor="middle">{n}</text>'
        for n in range(1, steps + 1)
    ]
    for row, (name, places) in enumerate(rows, start=1):
        y = ch * row
        parts.append(f'<text x="4" y="{y + ch - 6}">{e(name[:18])}</text>')
        for n, place in enumerate(places, start=1):
            x = left + cw * (n - 1)
            parts.append(
                f"<g><title>{e(name)}, step {n}: {place}</title>"
                f'<rect class="{_PLACE_CLASS[place]}" x="{x + 1}" y="{y + 1}" width="{cw - 2}" height="{ch - 2}"/>'
                f'<text x="{x + cw / 2}" y="{y + ch - 6}" text-anchor="middle">{PLACES[place]}</text></g>'
            )
    return "".join(parts) + "</svg>"


def stuck_html(r: Rollup) -> str:
    """Where the class is stuck: for each lesson begun, its steps' figures and the heat map,
    each chart followed by the same as a table (the text alternative)."""
    e = html.escape
    out = [f"<style>{STUCK_STYLE}</style>"]  # its own: the instructor's live view embeds it too
    for i, (title, _) in r.lessons.items():
        figures = r.figures(i)
        if not any(f.at or f.timed or f.failed or f.caught_up for f in figures):
            continue
        out.append(f'<section class="stuck" data-lesson="{e(i)}"><h2>Where the class is in {e(i)}</h2>')
        out.append(f"<p>{e(title)}. Times run from reaching a step to proving it.</p>")
        out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in FIGURES) + "</tr></thead><tbody>")
        out += ["<tr>" + "".join(f"<td>{e(v)}</td>" for v in figure_row(f)) + "</tr>" for f in figures]
        out.append("</tbody></table>")
        out.append(places_svg(r, i))
        out.append(f"<details><summary>The places as a table</summary><p>{e(PLACES_LEGEND)}</p><table>")
        out += [
            f'<tr><th scope="row">{e(name)}</th>' + "".join(f"<td>{PLACES[p]} {p}</td>" for p in places) + "</tr>"
            for name, places in r.places(i)
        ]
        out.append("</table></details></section>")
    return "\n".join(out)


def html_text(r: Rollup) -> str:
    """One self-contained HTML page (no script, no outside asset): opens offline."""
    e = html.escape
    ids = list(r.lessons)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>docklab roll-up</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>docklab roll-up</h1>",
        f"<p>{e(_header(r))}</p>",
        f"<p>{e(RECHECK_LEGEND)}</p>",
        '<table id="rollup"><thead><tr><th>learner</th>',
    ]
    out += [f'<th title="{e(r.lessons[i][0])}">{e(i)}</th>' for i in ids]
    out.append("</tr></thead><tbody>")
    for x in r.rows():
        cells = [x.cell(i, r.lessons[i][1]) for i in ids]
        out.append(f'<tr><th scope="row">{e(x.name)}</th>' + "".join(map(_html_cell, cells)) + "</tr>")
    out.append("</tbody><tfoot>")
    sums = [r.totals(i) for i in ids]
    for key, label in (*STATUSES, (CONTRADICTED, "contradicted")):
        out.append(f'<tr><th scope="row">total {label}</th>' + "".join(f"<td>{n[key]}</td>" for n in sums) + "</tr>")
    out.append("</tfoot></table>")
    out.append(stuck_html(r))
    for title, items in (("Flagged, not counted", r.flagged), ("Unreadable", r.unreadable)):
        if items:
            out.append(f'<h2 class="bad">{title}</h2><ul id="{title.split(",")[0].lower()}">')
            out += [
                f"<li><code>{e(p.file)}</code>"
                + (f" (learner {e(p.learner)})" if p.learner else "")
                + f": {e(p.reason)}</li>"
                for p in items
            ]
            out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """Only characters XML 1.0 allows (a learner name could hold anything)."""
    return _XML_BAD.sub("?", text)


def junit_text(r: Rollup) -> str:
    """JUnit XML for CI autograders: a suite per learner, a case per lesson."""
    ids = list(r.lessons)
    root = ET.Element("testsuites", name="docklab grade")
    failures = errors = tests = 0
    for x in r.rows():
        suite = ET.SubElement(root, "testsuite", name=_x(x.name), tests=str(len(ids)))
        failed = 0
        for i in ids:
            cell = x.cell(i, r.lessons[i][1])
            case = ET.SubElement(suite, "testcase", classname=_x(x.name), name=_x(i))
            if cell.done:
                props = ET.SubElement(case, "properties")
                for n, found in zip(cell.done, cell.recheck):
                    ET.SubElement(props, "property", name=f"step {n} re-check", value=found)
                ET.SubElement(props, "property", name="contradicted", value=str(cell.contradicted).lower())
            if cell.quiz_text or cell.thought_text:
                props = case.find("properties")
                props = ET.SubElement(case, "properties") if props is None else props
                right, picked, skipped = cell.predictions
                for name, value in (
                    ("quiz", cell.quiz_text),
                    ("predictions right", f"{right}/{picked}"),
                    ("predictions skipped", str(skipped)),
                    ("hints taken", str(cell.hints)),
                    ("solutions revealed", ",".join(map(str, cell.revealed))),
                    ("caught up", ",".join(map(str, cell.caught_up))),
                ):
                    ET.SubElement(props, "property", name=name, value=value)
            if cell.status != rpt.LESSON_DONE:
                failed += 1
                ET.SubElement(case, "failure", type=cell.status, message=cell.text)
            if cell.done or cell.thought_text:
                ET.SubElement(case, "system-out").text = " ".join(
                    x
                    for x in (
                        "CONTRADICTED by the re-check." if cell.contradicted else "",
                        f"Re-check at report time: steps {cell.recheck_text}." if cell.done else "",
                        f"{cell.quiz_text.capitalize()}." if cell.quiz_text else "",
                        f"{cell.thought_text[0].upper()}{cell.thought_text[1:]}." if cell.thought_text else "",
                    )
                    if x
                )
        suite.set("failures", str(failed))
        suite.set("errors", "0")
        failures, tests = failures + failed, tests + len(ids)
    bad = [("flagged", p) for p in r.flagged] + [("unreadable", p) for p in r.unreadable]
    if bad:
        suite = ET.SubElement(
            root, "testsuite", name="reports", tests=str(len(bad)), failures="0", errors=str(len(bad))
        )
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
