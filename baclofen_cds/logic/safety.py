"""Hard stops: "avoid" withholds the regimen until a documented override; plausibility checks.

- `beers_alert`: AGS Beers 2023 (older adult with a low eGFR, or on dialysis) is an "avoid".
- `implausible_values`: possible but implausible values (a very light adult, a child's weight
  far outside the age's range, an implausibly high computed clearance) stop the regimen with a
  critical "check this value" alert until the case lists the fields in `confirmed`.
- `decide`: whether the regimen is shown, withheld, or shown under an override. An override
  lifts only an "avoid"; never "contraindicated", "not indicated", a plausibility stop or a dose
  that cannot be built; it never removes an alert and never changes the status.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from baclofen_cds.logic.alerts import from_template
from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.dosing import DosePlan, StatusVote
from baclofen_cds.logic.formatting import format_number
from baclofen_cds.logic.knowledge import FormulationInfo, KnowledgeBase, PlausibilityRule
from baclofen_cds.logic.result import (
    Alert,
    BasisEntry,
    OverrideReasonRef,
    OverrideRecord,
    Regimen,
    RegimenWithheld,
    RenalAssessment,
    SafetyNote,
    Status,
)

_COMPUTED = frozenset({"cockcroft_gault", "ckd_epi_2021", "schwartz_bedside"})
_FIELD_WORDS = {
    "weight_kg": "the weight",
    "age_years": "the age",
    "serum_creatinine": "the serum creatinine",
}


class Decision(msgspec.Struct, frozen=True):
    regimen: Regimen | None
    withheld: RegimenWithheld | None
    override: OverrideRecord | None
    basis: tuple[BasisEntry, ...]


# ------------------------------------------------------------------ Beers
def beers_alert(case: CaseInput, renal: RenalAssessment, kb: KnowledgeBase) -> Alert | None:
    """Beers: older age with eGFR (the CrCl stands in) below the cut-off, or on dialysis."""
    rule = kb.dosing.beers
    if case.age_years < rule.min_age_years:
        return None
    kidney = renal.egfr_ml_min_1_73m2
    if kidney is None:
        kidney = renal.creatinine_clearance_ml_min
    if rule.on_dialysis and renal.band == "dialysis":
        words = "dialysis"
    elif kidney is not None and kidney < rule.egfr_below:
        words = f"eGFR {format_number(kidney, kb.renal.display_decimals)}"
    else:
        return None
    return from_template(
        kb,
        kb.dosing.beers.alert,
        triggered_by=["age_years", renal.driven_by or "renal"],
        age=format_number(case.age_years, 1),
        kidney=words,
    )


# ------------------------------------------------------------------ plausibility
def implausible_values(
    case: CaseInput, renal: RenalAssessment, kb: KnowledgeBase
) -> tuple[tuple[Alert, PlausibilityRule], ...]:
    """Critical "check this value" alerts for every unconfirmed implausible value."""
    out: list[tuple[Alert, PlausibilityRule]] = []
    for rule in kb.dosing.plausibility:
        if set(rule.fields) <= set(case.confirmed):
            continue
        alert = _check(rule, case, renal, kb)
        if alert is not None:
            out.append((alert, rule))
    return tuple(out)


def _check(
    rule: PlausibilityRule, case: CaseInput, renal: RenalAssessment, kb: KnowledgeBase
) -> Alert | None:
    if rule.check == "computed_clearance":
        return _clearance(rule, renal, kb)
    weight = case.weight_kg
    if weight is None:
        return None
    adult = case.age_years >= kb.meta.adult_age_years
    if rule.check == "adult_weight":
        if not adult or rule.min_value is None or weight >= rule.min_value:
            return None
        low, high = rule.min_value, None
    else:
        band = next((b for b in rule.bands if case.age_years < b.below_age_years), None)
        if adult or band is None or band.min_kg <= weight <= band.max_kg:
            return None
        low, high = band.min_kg, band.max_kg
    return from_template(
        kb,
        rule.alert,
        triggered_by=list(rule.fields),
        weight=format_number(weight, 1),
        age=format_number(case.age_years, 1),
        low=format_number(low),
        high="" if high is None else format_number(high),
    )


def _clearance(rule: PlausibilityRule, renal: RenalAssessment, kb: KnowledgeBase) -> Alert | None:
    high = rule.max_value
    found = [e for e in renal.estimates if e.method in _COMPUTED and high and e.value > high]
    if not found or high is None:
        return None
    e = found[0]
    return from_template(
        kb,
        rule.alert,
        triggered_by=[*rule.fields, e.method],
        value=f"{format_number(e.value, kb.renal.display_decimals)} {e.unit}",
        high=format_number(high),
    )


# ------------------------------------------------------------------ the formulation
def formulation_alert(form: FormulationInfo, kb: KnowledgeBase) -> Alert | None:
    if form.alert is None:
        return None
    return from_template(kb, form.alert, triggered_by=["formulation"])


def safety_notes(kb: KnowledgeBase) -> tuple[SafetyNote, ...]:
    return tuple(SafetyNote(n.id, n.title, n.text, n.sources) for n in kb.taper.safety_notes)


# ------------------------------------------------------------------ the decision
def decide(
    case: CaseInput,
    kb: KnowledgeBase,
    *,
    status: Status,
    votes: Sequence[StatusVote],
    plan: DosePlan,
    implausible: Sequence[tuple[Alert, PlausibilityRule]],
    alerts: Sequence[Alert],
) -> Decision:
    """Show, withhold, or show under a documented override."""
    stop = kb.dosing.hard_stop
    summaries = {a.id: a.summary for a in alerts}
    stopping = [v for v in votes if v.status == status and v.alert_id in summaries]
    stop_ids = tuple(dict.fromkeys(v.alert_id for v in stopping if v.alert_id))
    reasons = _sentences(summaries.get(i, "") for i in stop_ids) or _sentences([plan.status_reason])
    blocked = status in stop.withheld_statuses
    overridable = status in stop.overridable_statuses and plan.stop is None and not implausible
    override = _override_record(case, kb, applied=blocked and overridable)
    withheld: RegimenWithheld | None = None
    if blocked and status not in stop.overridable_statuses:
        withheld = _withheld(stop.contraindicated_text.format(reasons=reasons), stop_ids, False, kb)
    elif implausible:
        fields = sorted({f for _, rule in implausible for f in rule.fields})
        words = " and ".join(_FIELD_WORDS.get(f, f.replace("_", " ")) for f in fields)
        withheld = _withheld(
            stop.plausibility_text.format(
                fields=words, reasons=_sentences(a.summary for a, _ in implausible)
            ),
            tuple(a.id for a, _ in implausible) + (stop_ids if blocked else ()),
            False,
            kb,
        )
    elif plan.stop is not None:
        # a dose-rule stop under an "avoid" still names why the patient is at risk at all
        stop_reasons = (
            [plan.stop.reason, *(summaries.get(i, "") for i in stop_ids)]
            if blocked
            else [plan.stop.reason]
        )
        withheld = _withheld(
            stop.not_overridable_text.format(reasons=_sentences(stop_reasons)),
            tuple(dict.fromkeys(plan.stop.alert_ids + (stop_ids if blocked else ()))) or stop_ids,
            False,
            kb,
        )
    elif blocked:
        withheld = _withheld(stop.avoid_text.format(reasons=reasons), stop_ids, True, kb)
    show = withheld is None or (override is not None and override.applied)
    regimen = plan.regimen if show else None
    basis: tuple[BasisEntry, ...] = ()
    if withheld is not None or override is not None:
        basis = (
            _basis(
                case,
                rule_id=stop.id,
                sources=stop.sources,
                withheld=withheld,
                override=override,
                regimen=regimen,
                kb=kb,
            ),
        )
    return Decision(regimen, withheld, override, basis)


def _sentences(texts: object) -> str:
    parts = [str(t).strip() for t in texts if str(t).strip()]  # type: ignore[attr-defined]
    return " ".join(p if p.endswith((".", "!", "?", "…")) else p + "." for p in parts)


def _withheld(
    reason: str, ids: tuple[str, ...], allowed: bool, kb: KnowledgeBase
) -> RegimenWithheld:
    refs = tuple(OverrideReasonRef(r.code, r.label) for r in kb.override_reasons.values())
    return RegimenWithheld(" ".join(reason.split()), ids, allowed, refs if allowed else ())


def _override_record(case: CaseInput, kb: KnowledgeBase, *, applied: bool) -> OverrideRecord | None:
    o = case.override
    if o is None:
        return None
    label = kb.override_reasons[o.reason].label
    return OverrideRecord(o.reason, label, o.clinician, o.note, applied)


def _basis(
    case: CaseInput,
    *,
    rule_id: str,
    sources: tuple[str, ...],
    withheld: RegimenWithheld | None,
    override: OverrideRecord | None,
    regimen: Regimen | None,
    kb: KnowledgeBase,
) -> BasisEntry:
    stop = kb.dosing.hard_stop
    if override is not None and override.applied:
        note = " ".join(
            stop.override_note.format(label=override.label, clinician=override.clinician).split()
        )
        output = "override"
    elif override is not None:
        note = "an override was documented, but there is no stop it can lift here"
        output = "override"
    else:
        note = "regimen withheld" + (
            "; a documented override with a coded reason can lift this stop"
            if withheld is not None and withheld.override_allowed
            else "; no override can lift this stop"
        )
        output = "regimen_withheld"
    return BasisEntry(
        output=output,
        rule=rule_id,
        inputs=(
            ("override", None if case.override is None else case.override.to_dict()),
            ("confirmed", list(case.confirmed)),
            ("stopped_by", [] if withheld is None else list(withheld.alert_ids)),
            ("regimen_shown", regimen is not None),
        ),
        sources=sources,
        note=note,
        derived=stop.derived,
    )
