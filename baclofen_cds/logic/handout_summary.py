"""The one-page clinician summary for the chart, as frozen data.

Its words are those of `logic.summary.clinician_note` (the plain-text note of the command
line and the EHR), line for line, so the chart copy and the screen cannot disagree; this
module only sorts those lines into headings, items and details, and adds how each alert was
acknowledged and when and by whom it was printed. The renderer
(`render_clinician_summary` of the `handout` package, one floor up) lays it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from baclofen_cds.logic.handout_content import long_date
from baclofen_cds.logic.handout_text import HandoutText, load_handout_text
from baclofen_cds.logic.result import Recommendation
from baclofen_cds.logic.summary import SIGNAL_WORDS, clinician_note

LineKind = Literal["heading", "line", "item", "detail", "gap"]


@dataclass(frozen=True, slots=True)
class SummaryLine:
    text: str
    kind: LineKind = "line"


@dataclass(frozen=True, slots=True)
class ClinicianSummary:
    title: str
    subject: str
    author: str
    language: str
    printed_on: date
    footer: str
    lines: tuple[SummaryLine, ...]

    def plain_text(self) -> str:
        return "\n".join([self.title, *(line.text for line in self.lines)])


def _kind(line: str) -> LineKind:
    if not line.strip():
        return "gap"
    if line.startswith("    "):
        return "detail"
    if line.startswith("  "):
        return "item"
    if line.endswith(":"):
        return "heading"
    return "line"


def build_clinician_summary(
    recommendation: Recommendation,
    *,
    printed_on: date,
    prescriber: str | None = None,
    acknowledgements: Mapping[str, str] | None = None,
    kb: Any | None = None,
    text: HandoutText | None = None,
) -> ClinicianSummary:
    """The chart summary of one recommendation.

    `acknowledgements`: alert id -> the clinician's reason (e.g. "benefit outweighs risk:
    watched closely"); an alert missing from it is printed as not acknowledged.
    """
    if text is None:
        text = load_handout_text(kb)
    st = text.summary
    note = clinician_note(recommendation).rstrip("\n").split("\n")
    # Sources by id, grade and title only (their links are in the JSON and the record):
    # that keeps the summary to one page.
    links = {f" — {ref.url}" for ref in recommendation.sources if ref.url}
    lines: list[SummaryLine] = []
    in_sources = False
    for raw in note[1:]:
        kind = _kind(raw)
        if kind == "heading":
            in_sources = raw == "Sources:"
        line = raw.strip()
        if in_sources and kind == "item":
            for link in links:
                if line.endswith(link):
                    line = line[: -len(link)]
                    break
        lines.append(SummaryLine(line, kind))
    acks = dict(acknowledgements or {})
    if recommendation.alerts:
        lines.append(SummaryLine("", "gap"))
        lines.append(
            SummaryLine(f"{st.heading_alerts} ({st.heading_acknowledgements}):", "heading")
        )
        for alert in recommendation.alerts:
            reason = " ".join(str(acks.get(alert.id, "")).split())
            state = st.acknowledged.format(reason=reason) if reason else st.not_acknowledged
            lines.append(
                SummaryLine(f"[{SIGNAL_WORDS[alert.indicator]}] {alert.summary} — {state}", "item")
            )
    who = " ".join((prescriber or "").split())
    printed = f"Printed {long_date(printed_on)}" + (f" for {who}" if who else "")
    lines.append(SummaryLine("", "gap"))
    lines.append(SummaryLine(printed, "line"))
    lines.append(SummaryLine(st.disclaimer, "line"))
    patient = recommendation.case.get("patient") or {}
    pid = " ".join(str(patient.get("id") or "").split())
    footer = f"{st.title}: {pid}" if pid else st.title
    return ClinicianSummary(
        title=note[0],
        subject=text.document.summary_subject,
        author=who or "Baclofen CDS",
        language=text.language,
        printed_on=printed_on,
        footer=footer,
        lines=tuple(lines),
    )
