"""The rulebook as PDF (reportlab): the same content as the HTML, on numbered A4 or Letter pages.

Layout only: the content comes from `logic.rulebook.build_rulebook`. The sign-off page is
the last page, on a page of its own. Same rulebook, same bytes (`invariant=1`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from baclofen_cds.handout.layout import RULE, SHADE, Sizes, Styles, build_pdf, esc, frame_width
from baclofen_cds.handout.rulebook_html import GRADES, MARKS
from baclofen_cds.logic.rulebook import Rulebook, RuleEntry
from baclofen_cds.logic.rulebook import Table as DataTable

RULEBOOK = Sizes(
    body=8.5,
    small=7.5,
    heading=13,
    title=16,
    footer=7.5,
    box=9,
    margin=14 * mm,
    leading_factor=1.25,
)


def render_rulebook_pdf(book: Rulebook, *, paper: str = "a4") -> bytes:
    """The whole rulebook as PDF bytes."""
    styles = Styles(RULEBOOK)
    width = frame_width(RULEBOOK, paper)
    mono = ParagraphStyle("mono", parent=styles.note, fontSize=RULEBOOK.small)
    status = ParagraphStyle(
        "status", parent=styles.strong, borderWidth=1.5, borderColor=RULE, borderPadding=4
    )
    story: list[Any] = [
        Paragraph(
            esc(f"Baclofen CDS — rulebook of the knowledge base {book.version}"), styles.title
        ),
        Paragraph(esc(book.approval.text), status),
        Spacer(1, 6),
        _grid(
            [
                ("Version", book.version),
                ("Last reviewed", book.reviewed),
                ("Content hash (sha256)", book.sha256),
                ("Folder", book.folder),
                (
                    "Rules",
                    f"{book.rule_count} rules: {book.marked('derived')} DERIVED, "
                    f"{book.marked('unverified')} UNVERIFIED, "
                    f"{book.marked('local_policy')} local policy; {len(book.sources)} sources",
                ),
            ],
            styles,
            width,
            (0.25, 0.75),
        ),
        Paragraph(esc(GRADES), styles.note),
        *(Paragraph(f"<b>{esc(m)}</b>: {esc(t)}", styles.bullet, bulletText="•") for m, t in MARKS),
    ]
    if book.comparison is not None:
        comp = book.comparison
        story.append(Paragraph("Changes since the older knowledge base", styles.heading))
        story.append(
            Paragraph(
                esc(
                    f"From version {comp.old_version} ({comp.old_sha256}, {comp.old_folder}) "
                    f"to version {book.version}: {len(comp.changes)} change(s)."
                ),
                styles.note,
            )
        )
        if comp.changes:
            story.append(
                _grid(
                    [("file", "entry › field", "change", "before", "now")]
                    + [(c.file, c.where, c.kind, c.old, c.new) for c in comp.changes],
                    styles,
                    width,
                    (0.13, 0.27, 0.1, 0.25, 0.25),
                    header=True,
                )
            )
        else:
            story.append(Paragraph("No differences: the content is the same.", styles.body))
    for section in book.sections:
        story.append(Paragraph(esc(section.title), styles.heading))
        for rule in section.rules:
            story.extend(_rule(rule, styles, width))
    story.append(Paragraph("Vocabulary, limits and formulations", styles.heading))
    for table in book.tables:
        story.extend(_data_table(table, styles, width))
    story.append(Paragraph("Sources", styles.heading))
    story.append(
        _grid(
            [("id", "grade", "source")]
            + [(s.id, s.grade, f"{s.title} — {s.url}") for s in book.sources],
            styles,
            width,
            (0.08, 0.12, 0.8),
            header=True,
        )
    )
    story.extend(_signoff(book, styles, width, mono))
    return build_pdf(
        story,
        sizes=RULEBOOK,
        paper=paper,
        title=f"Baclofen CDS rulebook {book.version}",
        author="Baclofen CDS",
        subject=f"Knowledge base {book.version}, sha256 {book.sha256}",
        language="en",
        footer=f"Baclofen CDS rulebook {book.version} · sha256 {book.sha256[:16]}…",
    )


def _cell(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(esc(text), style)


def _grid(
    rows: Sequence[Sequence[str]],
    styles: Styles,
    width: float,
    fractions: tuple[float, ...],
    *,
    header: bool = False,
) -> Table:
    data = [
        [
            _cell(c, styles.small_cell_bold if (header and i == 0) or j == 0 else styles.small_cell)
            for j, c in enumerate(row)
        ]
        for i, row in enumerate(rows)
    ]
    table = Table(data, colWidths=[width * f for f in fractions], repeatRows=1 if header else 0)
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    table.setStyle(TableStyle(commands))
    return table


def _rule(rule: RuleEntry, styles: Styles, width: float) -> list[Any]:
    marks = [
        name
        for name, on in (
            ("DERIVED", rule.derived),
            ("UNVERIFIED", rule.unverified),
            ("LOCAL POLICY", rule.local_policy),
        )
        if on
    ]
    head = esc(rule.id) + (f" — {esc(rule.title)}" if rule.title else "")
    if marks:
        head += "  <b>[" + esc(", ".join(marks)) + "]</b>"
    parts: list[Any] = [Paragraph(head, styles.strong)]
    if rule.values:
        parts.append(_grid(list(rule.values), styles, width, (0.3, 0.7)))
    for key, text in rule.texts:
        parts.append(Paragraph(f"<b>{esc(key.replace('_', ' '))}:</b> {esc(text)}", styles.note))
    if rule.note:
        parts.append(Paragraph(f"<b>note:</b> {esc(rule.note)}", styles.note))
    sources = "; ".join(f"{s.id} (grade {s.grade}): {s.title}" for s in rule.sources)
    parts.append(Paragraph(f"<b>Sources:</b> {esc(sources)}", styles.note))
    parts.append(Paragraph(esc(f"Reviewed {rule.reviewed}"), styles.note))
    parts.append(Spacer(1, 4))
    return [KeepTogether(parts)] if len(rule.texts) < 4 else parts


def _data_table(table: DataTable, styles: Styles, width: float) -> list[Any]:
    n = len(table.header)
    fractions = tuple([1.0 / n] * n)
    if n == 4:
        fractions = (0.3, 0.24, 0.3, 0.16)
    return [
        Paragraph(esc(table.title), styles.strong),
        _grid([table.header, *table.rows], styles, width, fractions, header=True),
        Spacer(1, 4),
    ]


def _signoff(book: Rulebook, styles: Styles, width: float, mono: ParagraphStyle) -> list[Any]:
    lines = [
        Paragraph(f"<u>{'&nbsp;' * 90}</u>", styles.body),
    ]
    out: list[Any] = [
        PageBreak(),
        Paragraph("Sign-off", styles.heading),
        Paragraph(
            "I have reviewed every rule, number, source and mark in this rulebook and approve "
            "this knowledge base for clinical use in the clinic named below. The approval "
            "covers exactly the content with this hash; any later edit needs a new sign-off.",
            styles.body,
        ),
        _grid(
            [("Knowledge base version", book.version), ("Content hash (sha256)", book.sha256)],
            styles,
            width,
            (0.3, 0.7),
        ),
        Spacer(1, 10),
    ]
    for label in ("Clinic", "Name and role", "Signature", "Date"):
        out.append(Paragraph(esc(label), styles.strong))
        out.extend(lines)
        out.append(Spacer(1, 8))
    out.append(
        Paragraph("Once signed, the clinic records the approval in its policy file:", styles.body)
    )
    out.extend(Paragraph(esc(line), mono) for line in book.sign_off_record().splitlines())
    return out
