"""Turning knowledge-base templates into this patient's alerts."""

from __future__ import annotations

from collections.abc import Iterable

from baclofen_cds.logic.knowledge import AlertTemplate, KnowledgeBase, KnowledgeBaseError
from baclofen_cds.logic.result import Alert, Indicator

#: CDS Hooks: a card's summary is one sentence under 140 characters.
SUMMARY_LIMIT = 140


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise KnowledgeBaseError(f"alerts.yaml: placeholder {{{key}}} has no value")


def fill(text: str, values: dict[str, str]) -> str:
    return text.format_map(_Values(values)) if "{" in text else text


def from_template(
    kb: KnowledgeBase,
    template_id: str,
    *,
    triggered_by: Iterable[str] = (),
    indicator: Indicator | None = None,
    values: dict[str, str] | None = None,
    **more: str,
) -> Alert:
    """The alert `template_id` of alerts.yaml, with `{placeholders}` filled in."""
    template: AlertTemplate | None = kb.alerts.get(template_id)
    if template is None:
        raise KnowledgeBaseError(f"alerts.yaml: alert {template_id!r} is missing")
    v = {**(values or {}), **more}
    summary = fill(template.summary, v)
    if len(summary) >= SUMMARY_LIMIT:  # long names in a placeholder; the detail keeps them whole
        summary = summary[: SUMMARY_LIMIT - 2].rstrip() + "…"
    return Alert(
        id=template.id,
        indicator=indicator or template.indicator,
        category=template.category,
        summary=summary,
        detail=fill(template.detail, v),
        action=fill(template.action, v),
        triggered_by=tuple(triggered_by),
        sources=template.sources,
        evidence=_evidence(template.evidence, template.derived, template.unverified),
        patient_text=fill(template.patient_text, v),
        tier_basis=template.tier_basis or template.evidence.strip("—- "),
    )


def _evidence(text: str, derived: bool, unverified: bool) -> str:
    marks = [m for m, on in (("DERIVED", derived), ("UNVERIFIED", unverified)) if on]
    marks = [m for m in marks if m not in text]
    return "; ".join([text, *marks]) if text else "; ".join(marks)
