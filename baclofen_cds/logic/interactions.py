"""Co-medications as a clinician types them: matching, pairwise alerts, cumulative sedation.

A name is matched only exactly (after case, spacing, salts, strengths and release words are
set aside) or by its parts ("oxycodone/acetaminophen"). A near miss is never matched
silently: it is reported as not checked, with a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from baclofen_cds.logic.alerts import from_template
from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.knowledge import InteractionClass, KnowledgeBase, normalise_name
from baclofen_cds.logic.result import Alert, ComedicationMatch, RenalBand


@dataclass(frozen=True, slots=True)
class InteractionResult:
    matches: tuple[ComedicationMatch, ...]
    alerts: tuple[Alert, ...]
    tiers: tuple[str, ...]  # tier of every class alert raised (for the status)


@lru_cache(maxsize=8)
def _display_names(kb: KnowledgeBase) -> dict[str, str]:
    vocab = kb.interactions.matching
    return {normalise_name(n, vocab): n for n in kb.comedication_names()}


def _split(text: str, separators: tuple[str, ...]) -> list[str]:
    parts = [text.casefold()]
    for sep in separators:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [p for p in (q.strip() for q in parts) if p]


@lru_cache(maxsize=4096)
def match_one(text: str, kb: KnowledgeBase) -> ComedicationMatch:
    """How one entry, as typed, reads against the knowledge base (cached: it is pure)."""
    return _match(text, kb)


def _match(text: str, kb: KnowledgeBase) -> ComedicationMatch:
    vocab = kb.interactions.matching
    key = normalise_name(text, vocab)
    drug = kb.names.get(key)
    if drug is not None:
        return ComedicationMatch(text, "matched", drug.generic, drug.classes, None)
    found: list[str] = []
    classes: list[str] = []
    for part in _split(text, vocab.separators):
        hit = kb.names.get(normalise_name(part, vocab))
        if hit is not None and hit.generic not in found:
            found.append(hit.generic)
            classes.extend(c for c in hit.classes if c not in classes)
    if found:
        return ComedicationMatch(text, "matched", " + ".join(found), tuple(classes), None)
    return ComedicationMatch(text, "unrecognized", None, (), suggest(key, kb))


@lru_cache(maxsize=4096)
def suggest(key: str, kb: KnowledgeBase) -> str | None:
    """The closest known name to an unknown one ("did you mean"), or None.

    Cached: the window re-runs the engine on every keystroke with the same unknown entries.
    Names whose length alone rules out the cut-off similarity are skipped before difflib.
    """
    if not key:
        return None
    names = _display_names(kb)
    cutoff = kb.interactions.matching.suggestion_cutoff
    n = len(key)
    # ratio = 2·matches/(n+m) ≤ 2·min(n, m)/(n+m): skip names that cannot reach the cut-off
    pool = [k for k in names if 2 * min(n, len(k)) / (n + len(k)) >= cutoff]
    close = difflib.get_close_matches(key, pool, n=1, cutoff=cutoff)
    return names[close[0]] if close else None


def check_interactions(case: CaseInput, band: RenalBand, kb: KnowledgeBase) -> InteractionResult:
    matches = tuple(match_one(text, kb) for text in case.comedications)
    alerts: list[Alert] = []
    tiers: list[str] = []
    by_class: dict[str, list[ComedicationMatch]] = {}
    for m in matches:
        for cid in m.classes:
            by_class.setdefault(cid, []).append(m)
    for cls in kb.interactions.classes:  # knowledge-base order: deterministic
        hits = by_class.get(cls.id)
        if not hits:
            continue
        tier, why = _tier(cls, case, band)
        tiers.append(tier)
        alert = from_template_class(cls, tier, why, hits, kb)
        alerts.append(alert)

    unknown = [m for m in matches if m.status == "unrecognized"]
    if unknown:
        hints = [f"{m.text!r}: did you mean {m.suggestion}?" for m in unknown if m.suggestion]
        alerts.append(
            from_template(
                kb,
                kb.interactions.unrecognized_alert,
                triggered_by=[m.text for m in unknown],
                names=", ".join(m.text for m in unknown),
                suggestions=(" (" + "; ".join(hints) + ")") if hints else "",
            )
        )
    sedation = _cumulative_sedation(matches, case, kb)
    if sedation is not None:
        alerts.append(sedation)
    return InteractionResult(matches, tuple(alerts), tuple(tiers))


def _tier(cls: InteractionClass, case: CaseInput, band: RenalBand) -> tuple[str, str]:
    for esc in cls.escalations:
        if band in esc.renal_bands or set(esc.conditions) & set(case.conditions):
            return esc.tier, esc.reason
    return cls.tier, ""


def from_template_class(
    cls: InteractionClass, tier: str, why: str, hits: list[ComedicationMatch], kb: KnowledgeBase
) -> Alert:
    indicator = kb.meta.tiers.interaction_indicator[tier]  # type: ignore[index]
    marks = [m for m, on in (("DERIVED", cls.derived), ("UNVERIFIED", cls.unverified)) if on]
    detail = cls.detail if not why else f"{cls.detail} Raised to {tier.lower()}: {why}."
    return Alert(
        id=cls.id,
        indicator=indicator,
        category="interaction",
        summary=cls.summary,
        detail=detail,
        action=cls.action,
        triggered_by=tuple(m.text for m in hits),
        sources=cls.sources,
        evidence="; ".join([f"{tier.lower()}, {cls.labeled}", *marks]),
        patient_text=cls.patient_text,
    )


def _cumulative_sedation(
    matches: tuple[ComedicationMatch, ...], case: CaseInput, kb: KnowledgeBase
) -> Alert | None:
    rule = kb.interactions.cumulative_sedation
    depressant_classes = {c.id for c in kb.interactions.classes if c.cns_depressant}
    members: list[str] = []
    for m in matches:
        if m.name and any(c in depressant_classes for c in m.classes) and m.name not in members:
            members.append(m.name)
    risks = [
        kb.conditions_by_id[c].label.lower() for c in case.conditions if c in rule.risk_conditions
    ]
    if case.indication in rule.risk_indications:
        risks.append(kb.indications[case.indication].label.lower())
    count = len(members)
    if not (count >= rule.min_depressants or (risks and count >= rule.min_depressants_with_risk)):
        return None
    critical = count >= rule.critical_if_at_least or (bool(risks) and rule.critical_with_risk)
    return from_template(
        kb,
        rule.alert,
        triggered_by=[*members, *risks],
        indicator="critical" if critical else None,
        count=str(count + len(risks) + 1),
        members="baclofen, " + ", ".join([*members, *risks]),
    )
