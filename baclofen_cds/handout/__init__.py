"""PDF rendering of the patient handout and the clinician summary (reportlab).

Import-light on purpose: reportlab is loaded by the functions below on first use, so
importing this package costs nothing on the window's start-up path.

    from baclofen_cds.logic.handout_content import build_handout
    from baclofen_cds.handout import render_handout
    pdf = render_handout(build_handout(recommendation, printed_on=today, ...))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baclofen_cds.logic.handout_content import HandoutContent
    from baclofen_cds.logic.handout_summary import ClinicianSummary


#: The paper sizes the window's print dialog offers (issue 10). The languages are one per
#: handout text file present (`logic.resource_files.handout_languages`); a language is
#: printable only when the clinic's policy lists it in `languages_enabled`.
PAPERS: tuple[str, ...] = ("a4", "letter")


def render_handout(
    content: HandoutContent,
    *,
    large_print: bool = False,
    paper: str = "a4",
    diary: bool = True,
) -> bytes:
    """The patient handout as PDF bytes.

    `large_print`: 18 pt text, tables reflowed to stacked rows; `paper`: "a4" or "letter";
    `diary`: add the dose diary (once, after the two pages). The language is the content's
    (`build_handout(..., language=...)`, default the case's `handout_language`).
    """
    from baclofen_cds.handout.pdf import render_handout as _render

    return _render(content, large_print=large_print, paper=paper, diary=diary)


def render_clinician_summary(summary: ClinicianSummary, *, paper: str = "a4") -> bytes:
    """The clinician summary for the chart as PDF bytes."""
    from baclofen_cds.handout.summary_pdf import render_clinician_summary as _render

    return _render(summary, paper=paper)


__all__ = ["PAPERS", "render_clinician_summary", "render_handout"]
