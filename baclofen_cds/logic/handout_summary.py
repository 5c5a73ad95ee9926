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

from baclofen_cds.logic.handout_content import long_date, next_working_day
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


#: Source lines are cut to this many characters (id, grade and the start of the title; the
#: full titles and links are in the JSON and the record): the summary stays on one page.
_SOURCE_CHARS = 70


def _shorten(line: str, most: int) -> str:
    return line if len(line) <= most else line[: most - 1].rstrip() + "…"


def _working_day(line: str) -> str:
    """A monitoring line "2026-12-05: ..." due on a weekend: moved to the Monday, as on the
    patient's handout, saying so."""
    head, sep, rest = line.partition(": ")
    try:
        due = date.fromisoformat(head)
    except ValueError:
        return line
    moved = next_working_day(due)
    if moved == due:
        return line
    return f"{moved.isoformat()}{sep}{rest} (due {due.isoformat()}, a weekend)"


def _with_acknowledgements(
    lines: list[SummaryLine],
    recommendation: Recommendation,
    acks: Mapping[str, str],
    st: Any,
) -> list[SummaryLine]:
    """Each alert line of the summary says how it was acknowledged (or that it was not)."""
    by_line = {
        f"[{SIGNAL_WORDS[a.indicator]}] {a.summary}".strip(): a for a in recommendation.alerts
    }
    done: set[str] = set()
    out: list[SummaryLine] = []
    for line in lines:
        alert = by_line.get(line.text) if line.kind == "item" else None
        if alert is not None and alert.id not in done:
            done.add(alert.id)
            reason = " ".join(str(acks.get(alert.id, "")).split())
            state = st.acknowledged.format(reason=reason) if reason else st.not_acknowledged
            out.append(SummaryLine(f"{line.text} — {state}", "item"))
        else:
            out.append(line)
    missing = [a for a in recommendation.alerts if a.id not in done]
    if missing:
        out.append(SummaryLine("", "gap"))
        out.append(SummaryLine(f"{st.heading_alerts} ({st.heading_acknowledgements}):", "heading"))
        for alert in missing:
            reason = " ".join(str(acks.get(alert.id, "")).split())
            state = st.acknowledged.format(reason=reason) if reason else st.not_acknowledged
            out.append(
                SummaryLine(f"[{SIGNAL_WORDS[alert.indicator]}] {alert.summary} — {state}", "item")
            )
    return out


def _field(value: Any, name: str) -> str:
    found = value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)
    return " ".join(str(found or "").split())


def _with_override(
    lines: list[SummaryLine], recommendation: Recommendation, st: Any
) -> list[SummaryLine]:
    """A withheld regimen and the clinician's override, right after the status line."""
    extra: list[SummaryLine] = []
    withheld = getattr(recommendation, "regimen_withheld", None)
    if withheld:
        extra.append(SummaryLine(st.withheld_line.format(reason=_field(withheld, "reason"))))
    override = getattr(recommendation, "override", None)
    if override:
        note = _field(override, "note")
        extra.append(
            SummaryLine(
                f"{st.heading_override}: "
                + st.override_line.format(
                    label=_field(override, "label") or _field(override, "reason"),
                    clinician=_field(override, "clinician"),
                    note=f" — {note}" if note else "",
                )
            )
        )
    if not extra:
        return lines
    at = next((i + 1 for i, x in enumerate(lines) if x.text.startswith("Status:")), 0)
    return [*lines[:at], *extra, *lines[at:]]


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
    in_sources = in_monitoring = False
    for raw in note[1:]:
        kind = _kind(raw)
        if kind == "heading":
            in_sources = raw == "Sources:"
        line = raw.strip()
        if kind == "heading":
            in_monitoring = raw == "Monitoring:"
        if in_sources and kind == "item":
            for link in links:
                if line.endswith(link):
                    line = line[: -len(link)]
                    break
            line = _shorten(line, _SOURCE_CHARS)
        elif in_monitoring and kind == "item":
            line = _working_day(line)
        lines.append(SummaryLine(line, kind))
    acks = dict(acknowledgements or {})
    lines = _with_acknowledgements(lines, recommendation, acks, st)
    lines = _with_override(lines, recommendation, st)
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
