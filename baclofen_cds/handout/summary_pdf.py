"""The clinician summary for the chart: ClinicianSummary -> PDF bytes (one page, small print)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Spacer

from baclofen_cds.handout.layout import SUMMARY, Styles, build_pdf, esc
from baclofen_cds.logic.handout_summary import ClinicianSummary, SummaryLine

_PAGE = re.compile(rb"/Type /Page\b(?!s)")


def render_clinician_summary(summary: ClinicianSummary, *, paper: str = "a4") -> bytes:
    """The summary as PDF bytes, on one page; the same summary and paper give the same bytes.

    When it would run onto a second page, the sources are printed by id and grade only (their
    titles and links are in the JSON and the record), then the basis details are left out.
    """
    pdf = _render(summary, paper)
    for shorter in (_sources_by_id, _without_basis_details):
        if len(_PAGE.findall(pdf)) <= 1:
            break
        summary = replace(summary, lines=shorter(summary.lines))
        pdf = _render(summary, paper)
    return pdf


def _sources_by_id(lines: tuple[SummaryLine, ...]) -> tuple[SummaryLine, ...]:
    """The sources as one line of ids and grades: "S1 (grade A), S3 (grade A), ..."."""
    out: list[SummaryLine] = []
    ids: list[str] = []
    in_sources = False
    for line in lines:
        if line.kind == "heading":
            in_sources = line.text == "Sources:"
        if in_sources and line.kind == "item":
            if not ids:
                out.append(SummaryLine("", "item"))  # filled in below, in place
            ids.append(line.text.split("): ", 1)[0] + ")")
        else:
            out.append(line)
    if ids:
        at = next(k for k, x in enumerate(out) if x.kind == "item" and not x.text)
        out[at] = SummaryLine(", ".join(ids), "item")
    return tuple(out)


def _without_basis_details(lines: tuple[SummaryLine, ...]) -> tuple[SummaryLine, ...]:
    out: list[SummaryLine] = []
    in_basis = False
    for line in lines:
        if line.kind == "heading":
            in_basis = line.text == "Basis:"
        if not (in_basis and line.kind == "detail"):
            out.append(line)
    return tuple(out)


def _render(summary: ClinicianSummary, paper: str) -> bytes:
    styles = Styles(SUMMARY)
    detail = ParagraphStyle("detail", parent=styles.body, leftIndent=SUMMARY.body * 3, spaceAfter=0)
    item = ParagraphStyle("item", parent=styles.body, leftIndent=SUMMARY.body * 1.2, spaceAfter=0)
    line = ParagraphStyle("line", parent=styles.body, spaceAfter=0)
    heading = ParagraphStyle(
        "summary_heading", parent=styles.strong, spaceBefore=2, spaceAfter=1, keepWithNext=1
    )
    by_kind = {"line": line, "item": item, "detail": detail, "heading": heading}
    story: list[Any] = [Paragraph(esc(summary.title), styles.title)]
    for entry in summary.lines:
        if entry.kind == "gap":
            story.append(Spacer(1, SUMMARY.body * 0.5))
        else:
            story.append(Paragraph(esc(entry.text), by_kind[entry.kind]))
    return build_pdf(
        story,
        sizes=SUMMARY,
        paper=paper,
        title=summary.title,
        author=summary.author,
        subject=summary.subject,
        language=summary.language,
        footer=summary.footer,
        columns=2,
    )
