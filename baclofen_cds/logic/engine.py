"""The engine: one pure function from a case to a recommendation.

Same case + same knowledge base + same policy = the same result, to the byte. The engine
never reads the clock, the disk or the environment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from baclofen_cds.logic.alerts import from_template
from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.dosing import StatusVote, plan_dose
from baclofen_cds.logic.formatting import format_number
from baclofen_cds.logic.interactions import check_interactions
from baclofen_cds.logic.knowledge import ENGINE_ALERTS, FormulationInfo, KnowledgeBase
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
    RenalAssessment,
    SourceRef,
    Status,
)
from baclofen_cds.logic.safety import (
    beers_alert,
    decide,
    formulation_alert,
    implausible_values,
    safety_notes,
)
from baclofen_cds.logic.taper import plan_taper

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
#: The alert ids this code raises by name: the knowledge base checks them at load.
REQUIRED_ALERTS: tuple[str, ...] = ENGINE_ALERTS


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

    values = {
        "age": format_number(case.age_years, 1),
        "indication": kb.indications[case.indication].label,
        "value": display_value(renal.assessment, kb),
        "band_label": band_label(band, kb),
        "why": renal.why_unknown,
        "origin": kb.spasticity_origins.get(case.spasticity_origin or "", "").lower(),
    }
    # co-medications first: a critical hazard slows the schedule (dose rules `applies.hazards`)
    inter = check_interactions(case, band, kb)
    critical = frozenset(a.id for a in inter.alerts if a.indicator == "critical")
    plan = plan_dose(case, kb, band, form, values, critical_hazards=critical)
    alerts.extend(plan.alerts)
    basis.extend(plan.basis)
    votes: list[StatusVote] = [StatusVote(plan.status, plan.status_reason, None), *plan.votes]
    more_alerts, more_votes = _case_alerts(case, kb, renal.assessment, form, policy)
    alerts.extend(more_alerts)
    votes.extend(more_votes)

    # --- co-medications: one card per hazard; a condition adding to a hazard is folded into it
    folded = {f"condition.{c}" for c in inter.folded_conditions}
    alerts = [a for a in alerts if a.id not in folded]
    alerts.extend(inter.alerts)
    implied = dict(inter.statuses)
    for alert in inter.alerts:
        votes.append(StatusVote(implied[alert.id], alert.summary, alert.id))

    # --- plausibility, then the hard stop: "avoid" withholds the regimen until an override
    implausible = implausible_values(case, renal.assessment, kb)
    alerts.extend(a for a, _ in implausible)
    if implausible:
        votes.append(StatusVote("use_with_caution", implausible[0][0].summary, None))
    status, reason = _worst(votes)
    decision = decide(
        case, kb, status=status, votes=votes, plan=plan, implausible=implausible, alerts=alerts
    )
    regimen = decision.regimen
    basis.extend(decision.basis)

    # --- taper and missed dose
    taper = plan_taper(case, regimen, plan.levels if regimen is not None else (), form, kb)
    basis.extend(taper.basis)
    alerts.extend(taper.alerts)
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
    summary_of = {a.id: a.summary for a in alerts}
    statuses = [(v.status, summary_of.get(v.alert_id or "", v.reason)) for v in votes]
    alerts.sort(key=_alert_order(statuses))
    reason = status_reason(alerts, status, reason, statuses)
    notes = safety_notes(kb)
    cited = _cited(alerts, basis, monitoring, missed, notes)
    sources = tuple(
        _source_refs(kb)[sid] for sid in sorted(cited, key=_register_order(kb).__getitem__)
    )
    return Recommendation(
        status=status,
        status_reason=reason,
        case=case.to_dict(),
        renal=renal.assessment,
        regimen=regimen,
        taper=taper.steps,
        missed_dose=missed,
        monitoring=monitoring,
        alerts=tuple(alerts),
        comedications=inter.matches,
        basis=tuple(basis),
        knowledge_base=KnowledgeBaseStamp(kb.version, kb.sha256, kb.reviewed),
        sources=sources,
        policy=policy.to_dict(),
        regimen_withheld=decision.withheld,
        override=decision.override,
        safety_notes=notes,
    )


def _case_alerts(
    case: CaseInput,
    kb: KnowledgeBase,
    renal: RenalAssessment,
    form: FormulationInfo,
    policy: LocalPolicy,
) -> tuple[list[Alert], list[StatusVote]]:
    """Conditions, liver, stale creatinine, Beers and the chosen form: alerts and status votes."""
    alerts: list[Alert] = []
    votes: list[StatusVote] = []
    tiers = kb.meta.tiers
    for code in case.conditions:
        info = kb.conditions_by_id[code]
        alert = Alert(
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
        alerts.append(alert)
        votes.append(StatusVote(tiers.condition_status[info.tier], info.summary, alert.id))
    if case.hepatic_impairment != "none":
        alert = from_template(
            kb,
            "hepatic.impairment",
            triggered_by=["hepatic_impairment"],
            grade=case.hepatic_impairment,
        )
        alerts.append(alert)
        votes.append(StatusVote("use_with_caution", alert.summary, None))
    stale = _creatinine_dates(case, kb, policy)
    if stale is not None:
        alerts.append(stale)
        if stale.id == "renal.creatinine_stale":
            votes.append(StatusVote("use_with_caution", stale.summary, None))
    beers = beers_alert(case, renal, kb)
    if beers is not None:
        alerts.append(beers)
        votes.append(StatusVote(kb.dosing.beers.status, beers.summary, beers.id))
    concentrate = formulation_alert(form, kb)
    if concentrate is not None:
        alerts.append(concentrate)
    return alerts, votes


def _creatinine_dates(case: CaseInput, kb: KnowledgeBase, policy: LocalPolicy) -> Alert | None:
    """A creatinine older than the clinic's limit, or dated after the start."""
    scr = case.serum_creatinine
    if scr is None or scr.measured_on is None:
        return None
    age_days = (case.start_date - scr.measured_on).days
    dates = {"measured_on": scr.measured_on.isoformat(), "start": case.start_date.isoformat()}
    if age_days > policy.creatinine_max_age_days:
        return from_template(
            kb,
            "renal.creatinine_stale",
            triggered_by=["serum_creatinine.measured_on"],
            days=str(age_days),
            limit=str(policy.creatinine_max_age_days),
            values=dates,
        )
    if age_days < 0:
        return from_template(
            kb,
            "renal.creatinine_after_start",
            triggered_by=["serum_creatinine.measured_on"],
            values=dates,
        )
    return None


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


def _worst(votes: Iterable[StatusVote]) -> tuple[Status, str]:
    status: Status = "recommended"
    reason = "no rule raises a concern"
    for vote in votes:
        if STATUS_ORDER[vote.status] > STATUS_ORDER[status]:
            status, reason = vote.status, vote.reason
    return status, reason


def _cited(*groups: Iterable[object] | object) -> set[str]:
    out: set[str] = set()
    for group in groups:
        items = group if isinstance(group, list | tuple) else [group]
        for item in items:
            out.update(getattr(item, "sources", ()))
    return out
