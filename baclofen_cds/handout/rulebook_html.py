"""The rulebook as one self-contained HTML file (no scripts, no external files; prints on paper).

Layout only: the content comes from `logic.rulebook.build_rulebook`. Every text is escaped.
"""

from __future__ import annotations

from html import escape

from baclofen_cds.logic.rulebook import Change, Rulebook, RuleEntry, SourceRef, Table

GRADES = (
    "Grades of the sources: A product label or SmPC; B guideline, Cochrane review or large "
    "cohort; C single study, pharmacokinetic study or case series; D tertiary or third-party "
    "copy; U unverified."
)
MARKS = (
    ("DERIVED", "worked out from the sources (a reduction, a threshold), not written in them"),
    ("UNVERIFIED", "could not be checked against a primary source"),
    ("LOCAL POLICY", "set by the clinic, not by a product label"),
)

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:11pt;line-height:1.35;color:#000;
 max-width:60em;margin:1.5em auto;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:2px solid #444;margin-top:1.8em}
h3{font-size:1.05em;margin:1.2em 0 .3em}
table{border-collapse:collapse;width:100%;margin:.3em 0 .8em}
th,td{border:1px solid #888;padding:.2em .4em;text-align:left;vertical-align:top}
th{background:#e8e8e8}
.rule{border:1px solid #888;padding:.4em .7em;margin:.7em 0;page-break-inside:avoid}
.mark{font-weight:bold;border:1px solid #000;padding:0 .3em;margin-left:.4em;font-size:.85em}
.status{border:2px solid #000;padding:.5em .8em;font-weight:bold}
.not-approved{border-color:#b00020;background:#fdecec}
.changed{background:#fff4d6}.added{background:#e6f4e6}.removed{background:#fdecec}
.signoff{page-break-before:always}
.line{display:inline-block;min-width:24em;border-bottom:1px solid #000}
pre{background:#f4f4f4;padding:.5em;white-space:pre-wrap}
code{font-family:"DejaVu Sans Mono",monospace}
"""


def render_rulebook_html(book: Rulebook) -> str:
    """The whole rulebook as an HTML document (str)."""
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Baclofen CDS rulebook {escape(book.version)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Baclofen CDS — rulebook of the knowledge base {escape(book.version)}</h1>",
        _status(book),
        "<table>",
        _row("Version", book.version),
        _row("Last reviewed", book.reviewed),
        _row("Content hash (sha256)", book.sha256, code=True),
        _row("Folder", book.folder),
        _row(
            "Rules",
            f"{book.rule_count} rules: {book.marked('derived')} DERIVED, "
            f"{book.marked('unverified')} UNVERIFIED, {book.marked('local_policy')} local policy; "
            f"{len(book.sources)} sources",
        ),
        "</table>",
        "<p>" + escape(GRADES) + "</p><ul>",
        *(f"<li><b>{escape(m)}</b>: {escape(t)}</li>" for m, t in MARKS),
        "</ul>",
        "<h2>Contents</h2><ul>",
        *(
            f'<li><a href="#{escape(s.key)}">{escape(s.title)}</a> ({len(s.rules)})</li>'
            for s in book.sections
        ),
        '<li><a href="#vocabulary">Vocabulary, limits and formulations</a></li>',
        '<li><a href="#sources">Sources</a></li>',
    ]
    if book.comparison is not None:
        out.append('<li><a href="#changes">Changes since the older knowledge base</a></li>')
    out.append('<li><a href="#signoff">Sign-off</a></li></ul>')
    if book.comparison is not None:
        out.extend(_changes(book))
    for section in book.sections:
        out.append(f'<h2 id="{escape(section.key)}">{escape(section.title)}</h2>')
        out.extend(_rule(rule) for rule in section.rules)
    out.append('<h2 id="vocabulary">Vocabulary, limits and formulations</h2>')
    out.extend(_table(t) for t in book.tables)
    out.append('<h2 id="sources">Sources</h2>')
    out.append(_sources(book.sources))
    out.extend(_signoff(book))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _status(book: Rulebook) -> str:
    cls = "status" if book.approval.approved else "status not-approved"
    return f'<p class="{cls}">{escape(book.approval.text)}</p>'


def _row(label: str, value: str, *, code: bool = False) -> str:
    shown = f"<code>{escape(value)}</code>" if code else escape(value)
    return f"<tr><th>{escape(label)}</th><td>{shown}</td></tr>"


def _marks(rule: RuleEntry) -> str:
    marks = [
        name
        for name, on in (
            ("DERIVED", rule.derived),
            ("UNVERIFIED", rule.unverified),
            ("LOCAL POLICY", rule.local_policy),
        )
        if on
    ]
    return "".join(f'<span class="mark">{m}</span>' for m in marks)


def _source(ref: SourceRef) -> str:
    return f"{escape(ref.id)} (grade {escape(ref.grade)}): {escape(ref.title)}"


def _rule(rule: RuleEntry) -> str:
    title = f" — {escape(rule.title)}" if rule.title else ""
    parts = [
        f'<div class="rule" id="rule-{escape(rule.id)}">',
        f"<h3><code>{escape(rule.id)}</code>{title}{_marks(rule)}</h3>",
    ]
    if rule.values:
        parts.append("<table>")
        parts.extend(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rule.values)
        parts.append("</table>")
    parts.extend(f"<p><b>{escape(k.replace('_', ' '))}:</b> {escape(v)}</p>" for k, v in rule.texts)
    if rule.note:
        parts.append(f"<p><b>note:</b> {escape(rule.note)}</p>")
    parts.append("<p><b>Sources:</b></p><ul>")
    parts.extend(f"<li>{_source(s)}</li>" for s in rule.sources)
    parts.append(f"</ul><p>Reviewed {escape(rule.reviewed)}</p></div>")
    return "\n".join(parts)


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in table.rows
    )
    return f"<h3>{escape(table.title)}</h3><table><tr>{head}</tr>{rows}</table>"


def _sources(sources: tuple[SourceRef, ...]) -> str:
    rows = "".join(
        f'<tr id="source-{escape(s.id)}"><td>{escape(s.id)}</td><td>{escape(s.grade)}</td>'
        f"<td>{escape(s.title)}<br><small>{escape(s.url)}</small></td></tr>"
        for s in sources
    )
    return f"<table><tr><th>id</th><th>grade</th><th>source</th></tr>{rows}</table>"


def _change(change: Change) -> str:
    return (
        f'<tr class="{escape(change.kind)}"><td>{escape(change.file)}</td>'
        f"<td>{escape(change.where)}</td><td>{escape(change.kind)}</td>"
        f"<td>{escape(change.old)}</td><td>{escape(change.new)}</td></tr>"
    )


def _changes(book: Rulebook) -> list[str]:
    comp = book.comparison
    assert comp is not None
    out = [
        '<h2 id="changes">Changes since the older knowledge base</h2>',
        f"<p>From version {escape(comp.old_version)} (<code>{escape(comp.old_sha256)}</code>, "
        f"{escape(comp.old_folder)}) to version {escape(book.version)}: "
        f"{len(comp.changes)} change(s).</p>",
    ]
    if comp.changes:
        out.append(
            "<table><tr><th>file</th><th>entry › field</th><th>change</th>"
            "<th>before</th><th>now</th></tr>"
        )
        out.extend(_change(c) for c in comp.changes)
        out.append("</table>")
    else:
        out.append("<p>No differences: the content is the same.</p>")
    return out


def _signoff(book: Rulebook) -> list[str]:
    return [
        '<section class="signoff" id="signoff"><h2>Sign-off</h2>',
        "<p>I have reviewed every rule, number, source and mark in this rulebook and approve "
        "this knowledge base for clinical use in the clinic named below. The approval covers "
        "exactly the content with this hash; any later edit needs a new sign-off.</p>",
        "<table>",
        _row("Knowledge base version", book.version),
        _row("Content hash (sha256)", book.sha256, code=True),
        "</table>",
        *(
            f'<p>{label}: <span class="line">&nbsp;</span></p>'
            for label in ("Clinic", "Name and role", "Signature", "Date")
        ),
        "<p>Once signed, the clinic records the approval in its policy file:</p>",
        f"<pre>{escape(book.sign_off_record())}</pre>",
        "</section>",
    ]
