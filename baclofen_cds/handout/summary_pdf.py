"""The clinician summary for the chart: ClinicianSummary -> PDF bytes (one page, small print)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Spacer

from baclofen_cds.handout.layout import SUMMARY, Styles, build_pdf, esc
from baclofen_cds.logic.handout_summary import ClinicianSummary


def render_clinician_summary(summary: ClinicianSummary, *, paper: str = "a4") -> bytes:
    """The summary as PDF bytes; the same summary and paper always give the same bytes."""
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
