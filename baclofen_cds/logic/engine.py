"""The engine: one pure function from a case to a recommendation.

Same case + same knowledge base + same policy = the same result, to the byte. The engine
never reads the clock, the disk or the environment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from baclofen_cds.logic.alerts import from_template
from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.dispense import choose_tablet_strength
from baclofen_cds.logic.dosing import plan_dose, taper_plan
from baclofen_cds.logic.formatting import format_mg, format_number
from baclofen_cds.logic.interactions import check_interactions
from baclofen_cds.logic.knowledge import KnowledgeBase
from baclofen_cds.logic.monitoring import plan_monitoring
from baclofen_cds.logic.policy import LocalPolicy, load_policy
from baclofen_cds.logic.renal import assess_renal, band_label, display_value
from baclofen_cds.logic.result import (
    INDICATOR_ORDER,
    STATUS_ORDER,
    Alert,
    BasisEntry,
    KnowledgeBaseStamp,
    MissedDoseRule,
    Recommendation,
    SourceRef,
    Status,
    TaperStep,
)

_CATEGORY_ORDER = (
    "condition",
    "renal",
    "interaction",
    "pregnancy",
    "age",
    "hepatic",
    "indication",
    "dose",
    "input",
)

#: Alert templates the engine raises by id: checked to exist when the engine is first used.
REQUIRED_ALERTS: tuple[str, ...] = (
    "renal.unknown",
    "renal.creatinine_stale",
    "renal.creatinine_after_start",
    "renal.estimates_disagree",
    "hepatic.impairment",
    "dose.not_dispensable",
    "dose.tablets_low_weight",
    "dose.choice_capped",
    "input.child_weight_missing",
)


def recommend(
    case: CaseInput, kb: KnowledgeBase, policy: LocalPolicy | None = None
) -> Recommendation:
    """Recommend a regimen, taper, monitoring plan and alerts for `case`, with the basis of each."""
    policy = policy or load_policy(kb)
    form = kb.formulations[case.formulation or policy.default_formulation]
    renal = assess_renal(case, kb)
    band = renal.assessment.band
    alerts: list[Alert] = list(renal.alerts)
    basis: list[BasisEntry] = list(renal.basis)
    statuses: list[tuple[Status, str]] = []

    values = {
        "age": format_number(case.age_years, 1),
        "indication": kb.indications[case.indication].label,
        "value": display_value(renal.assessment, kb),
        "band_label": band_label(band, kb),
        "why": renal.why_unknown,
    }
    plan = plan_dose(case, kb, band, form, values)
    alerts.extend(plan.alerts)
    basis.extend(plan.basis)
    statuses.append((plan.status, plan.status_reason))

    # --- conditions (pregnancy, breastfeeding and acute kidney injury included)
    tiers = kb.meta.tiers
    for code in case.conditions:
        info = kb.conditions_by_id[code]
        alerts.append(
            Alert(
                id=f"condition.{info.id}",
                indicator=tiers.condition_indicator[info.tier],
                category=info.category,
                summary=info.summary,
                detail=info.detail,
                action=info.action,
                triggered_by=(code,),
                sources=info.sources,
                evidence=info.evidence,
                patient_text=info.patient_text,
            )
        )
        statuses.append((tiers.condition_status[info.tier], info.summary))
    if case.hepatic_impairment != "none":
        alert = from_template(
            kb,
            "hepatic.impairment",
            triggered_by=["hepatic_impairment"],
            grade=case.hepatic_impairment,
        )
        alerts.append(alert)
        statuses.append(("use_with_caution", alert.summary))
    for oa in kb.dosing.origin_alerts:
        if case.indication == "spasticity" and case.spasticity_origin in oa.origins:
            origin = kb.spasticity_origins[case.spasticity_origin].lower()
            alert = from_template(
                kb, oa.alert, triggered_by=[case.spasticity_origin], origin=origin
            )
            alerts.append(alert)
            statuses.append(("use_with_caution", alert.summary))

    # --- stale creatinine (clinic policy)
    scr = case.serum_creatinine
    if scr is not None and scr.measured_on is not None:
        age_days = (case.start_date - scr.measured_on).days
        dates = {"measured_on": scr.measured_on.isoformat(), "start": case.start_date.isoformat()}
        if age_days > policy.creatinine_max_age_days:
            alert = from_template(
                kb,
                "renal.creatinine_stale",
                triggered_by=["serum_creatinine.measured_on"],
                days=str(age_days),
                limit=str(policy.creatinine_max_age_days),
                values=dates,
            )
            alerts.append(alert)
            statuses.append(("use_with_caution", alert.summary))
        elif age_days < 0:
            alerts.append(
                from_template(
                    kb,
                    "renal.creatinine_after_start",
                    triggered_by=["serum_creatinine.measured_on"],
                    values=dates,
                )
            )

    # --- Beers: age and eGFR (the CrCl stands in when no eGFR is known)
    beers = kb.dosing.beers
    kidney = renal.assessment.egfr_ml_min_1_73m2
    if kidney is None:
        kidney = renal.assessment.creatinine_clearance_ml_min
    if case.age_years >= beers.min_age_years and kidney is not None and kidney < beers.egfr_below:
        alert = from_template(
            kb,
            beers.alert,
            triggered_by=["age_years", renal.assessment.driven_by or "renal"],
            age=format_number(case.age_years, 1),
            egfr=format_number(kidney, kb.renal.display_decimals),
        )
        alerts.append(alert)
        statuses.append(("use_with_caution", alert.summary))

    # --- co-medications: one card per hazard; a condition adding to a hazard is folded into it
    inter = check_interactions(case, band, kb)
    folded = {f"condition.{c}" for c in inter.folded_conditions}
    alerts = [a for a in alerts if a.id not in folded]
    alerts.extend(inter.alerts)
    implied = dict(inter.statuses)
    for alert in inter.alerts:
        statuses.append((implied[alert.id], alert.summary))

    status, reason = _worst(statuses)
    regimen = plan.regimen
    if status == "contraindicated":
        regimen = None

    # --- taper and missed dose
    taper: tuple[TaperStep, ...] = ()
    if regimen is not None:
        strength = regimen.formulation.strength_mg
        top = plan.levels[-1]
        taper = taper_plan(top, plan.levels, form, strength, kb)
        if strength is not None and taper:
            # the taper must be measurable with the tablets already dispensed
            needed = choose_tablet_strength(
                [s.dose_mg for s in taper] + [lv.dose_mg for lv in plan.levels], form
            )
            if needed != strength:
                taper = taper_plan(top, plan.levels, form, needed, kb)
        rule = kb.taper.taper
        basis.append(
            BasisEntry(
                output="taper",
                rule=rule.id,
                inputs=(("from_daily_mg", top.daily_mg), ("formulation", form.code)),
                sources=rule.sources,
                note=(
                    f"from {format_mg(top.daily_mg)} a day, {len(taper)} steps over "
                    f"{taper[-1].to_day if taper else 0} days. {rule.rationale}"
                    if taper
                    else "already at the smallest dose that can be given: stop under supervision. "
                    + rule.rationale
                ),
                derived=rule.derived,
            )
        )
    population = "adult" if case.age_years >= kb.meta.adult_age_years else "child"
    md = next(m for m in kb.taper.missed_dose if m.population == population)
    missed = MissedDoseRule(md.id, md.population, md.text, md.sources)
    basis.append(
        BasisEntry(
            output="missed_dose",
            rule=md.id,
            inputs=(("age_years", case.age_years),),
            sources=md.sources,
            note="NHS rule for adults, Medicines for Children rule for children (reference §22.3).",
        )
    )

    monitoring, mbasis = plan_monitoring(case, band, regimen, kb, policy)
    basis.extend(mbasis)
    alerts.sort(key=_alert_order(statuses))
    reason = status_reason(alerts, status, reason, statuses)
    cited = _cited(alerts, basis, monitoring, missed)
    sources = tuple(
        _source_refs(kb)[sid] for sid in sorted(cited, key=_register_order(kb).__getitem__)
    )
    return Recommendation(
        status=status,
        status_reason=reason,
        case=case.to_dict(),
        renal=renal.assessment,
        regimen=regimen,
        taper=taper,
        missed_dose=missed,
        monitoring=monitoring,
        alerts=tuple(alerts),
        comedications=inter.matches,
        basis=tuple(basis),
        knowledge_base=KnowledgeBaseStamp(kb.version, kb.sha256, kb.reviewed),
        sources=sources,
        policy=policy.to_dict(),
    )


@lru_cache(maxsize=8)
def _source_refs(kb: KnowledgeBase) -> dict[str, SourceRef]:
    return {s.id: SourceRef(s.id, s.title, s.url, s.grade) for s in kb.sources_by_id.values()}


@lru_cache(maxsize=8)
def _register_order(kb: KnowledgeBase) -> dict[str, int]:
    return {sid: i for i, sid in enumerate(kb.sources_by_id)}


def _alert_order(
    statuses: list[tuple[Status, str]],
) -> Callable[[Alert], tuple[int, int, int, str]]:
    """Most severe first: by tier, then by the status the alert implies, then by category."""
    implies: dict[str, int] = {}
    for s, why in statuses:
        implies[why] = max(implies.get(why, 0), STATUS_ORDER[s])

    def key(a: Alert) -> tuple[int, int, int, str]:
        return (
            INDICATOR_ORDER[a.indicator],
            -implies.get(a.summary, 0),
            _CATEGORY_ORDER.index(a.category),
            a.id,
        )

    return key


def status_reason(
    alerts: list[Alert], status: Status, driver: str, statuses: list[tuple[Status, str]]
) -> str:
    """The status line: the most severe alert (alerts are sorted) and how many are critical.

    When the status is stricter than that alert implies (a warning-tier rule that withholds
    the regimen), the rule that set the status follows, so the status word and its reason agree.
    """
    if not alerts:
        return driver
    top = alerts[0].summary
    text = top.rstrip(". ")
    critical = sum(1 for a in alerts if a.indicator == "critical")
    if critical:
        text += f" ({critical} critical alert{'s' if critical > 1 else ''})"
    implied = max((STATUS_ORDER[s] for s, why in statuses if why == top), default=0)
    if STATUS_ORDER[status] > implied and driver != top:
        text += f"; {driver.rstrip('. ')}"
    return text


def _worst(statuses: Iterable[tuple[Status, str]]) -> tuple[Status, str]:
    status: Status = "recommended"
    reason = "no rule raises a concern"
    for s, why in statuses:
        if STATUS_ORDER[s] > STATUS_ORDER[status]:
            status, reason = s, why
    return status, reason


def _cited(*groups: Iterable[object] | object) -> set[str]:
    out: set[str] = set()
    for group in groups:
        items = group if isinstance(group, list | tuple) else [group]
        for item in items:
            out.update(getattr(item, "sources", ()))
    return out
