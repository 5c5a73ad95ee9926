"""The monitoring plan, with due dates counted from the start date."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.formatting import format_mg
from baclofen_cds.logic.knowledge import KnowledgeBase, MonitoringTrigger
from baclofen_cds.logic.policy import LocalPolicy
from baclofen_cds.logic.result import BasisEntry, MonitoringItem, Regimen, RenalBand

#: Bands in which kidney function is impaired (every band but normal and unknown).
IMPAIRED_BANDS: frozenset[str] = frozenset(
    {"mild", "moderate", "severe", "kidney_failure", "dialysis"}
)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def triggered(trigger: MonitoringTrigger, case: CaseInput, band: RenalBand) -> bool:
    return (
        trigger.always
        or bool(set(trigger.conditions) & set(case.conditions))
        or case.indication in trigger.indications
        or (trigger.hepatic_impairment and case.hepatic_impairment != "none")
        or (trigger.renal_impaired and band in IMPAIRED_BANDS)
        or (trigger.min_age_years is not None and case.age_years >= trigger.min_age_years)
    )


def routine_interval(
    case: CaseInput, band: RenalBand, kb: KnowledgeBase, policy: LocalPolicy
) -> tuple[int, bool]:
    higher = triggered(kb.policy_defaults.higher_risk_if, case, band)
    months = (
        policy.routine_interval_months_higher_risk
        if higher
        else policy.routine_interval_months_standard
    )
    return months, higher


def plan_monitoring(
    case: CaseInput,
    band: RenalBand,
    regimen: Regimen | None,
    kb: KnowledgeBase,
    policy: LocalPolicy,
) -> tuple[tuple[MonitoringItem, ...], tuple[BasisEntry, ...]]:
    months, higher = routine_interval(case, band, kb, policy)
    items: list[MonitoringItem] = []
    steps = regimen.steps if regimen is not None else ()
    for rule in kb.monitoring.items:
        if not triggered(rule.triggers, case, band):
            continue
        local = rule.schedule == "routine_policy"
        when = rule.when.replace("{months}", str(months))
        if rule.schedule == "at_start":
            items.append(
                MonitoringItem(rule.id, rule.what, when, None, case.start_date, rule.sources)
            )
        elif rule.schedule == "routine_policy":
            due = add_months(case.start_date, months)
            items.append(MonitoringItem(rule.id, rule.what, when, months, due, rule.sources, local))
        elif rule.schedule == "after_each_step":
            for n, step in enumerate(steps[1:], start=2):
                due = step.from_date + timedelta(days=rule.offset_days)
                items.append(
                    MonitoringItem(
                        f"{rule.id}.step{n}",
                        rule.what,
                        f"{when} (dose raised to {format_mg(step.daily_mg)} a day "
                        f"on {step.from_date.isoformat()})",
                        None,
                        due,
                        rule.sources,
                    )
                )
        elif steps:  # after_target
            due = steps[-1].from_date + timedelta(days=rule.offset_days)
            items.append(MonitoringItem(rule.id, rule.what, when, None, due, rule.sources))
    items.sort(key=lambda m: (m.due_date or date.max, m.id))
    p = kb.policy_defaults
    basis = (
        BasisEntry(
            output="monitoring.routine_interval_months",
            rule=p.id,
            inputs=(
                ("higher_risk", higher),
                ("renal_band", band),
                ("hepatic_impairment", case.hepatic_impairment),
                ("indication", case.indication),
                ("age_years", case.age_years),
                ("conditions", list(case.conditions)),
            ),
            sources=p.sources,
            note=f"every {months} months: local clinic policy, not a label rule. {p.note}",
            unverified=p.unverified,
            local_policy=True,
        ),
    )
    return tuple(items), basis
