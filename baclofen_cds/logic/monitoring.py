"""The monitoring plan, with due dates counted from the start date."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.formatting import format_mg
from baclofen_cds.logic.knowledge import KnowledgeBase, MonitoringRule, MonitoringTrigger
from baclofen_cds.logic.policy import LocalPolicy
from baclofen_cds.logic.result import (
    BasisEntry,
    MonitoringItem,
    Regimen,
    RenalBand,
    TitrationStep,
)

#: Bands in which kidney function is impaired (every band but normal and unknown).
IMPAIRED_BANDS: frozenset[str] = frozenset(
    {"mild", "moderate", "severe", "kidney_failure", "dialysis"}
)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (Jan 31 + 1
    month = Feb 28 or 29)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    """`calendar.monthrange(year, month)[1]`, without importing calendar (and locale)."""
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (following - date(year, month, 1)).days


def triggered(trigger: MonitoringTrigger, case: CaseInput, band: RenalBand) -> bool:
    if case.indication in trigger.except_indications:
        return False
    return (
        trigger.always
        or bool(set(trigger.conditions) & set(case.conditions))
        or case.indication in trigger.indications
        or (trigger.hepatic_impairment and case.hepatic_impairment != "none")
        or (trigger.renal_impaired and band in IMPAIRED_BANDS)
        or band in trigger.renal_bands
        or (trigger.min_age_years is not None and case.age_years >= trigger.min_age_years)
        or (trigger.below_age_years is not None and case.age_years < trigger.below_age_years)
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
    for rule in kb.monitoring.items:
        if not triggered(rule.triggers, case, band):
            continue
        if rule.needs_regimen and regimen is None:
            continue
        items.extend(_SCHEDULES[rule.schedule](rule, case, regimen, months))
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


Schedule = Callable[[MonitoringRule, CaseInput, "Regimen | None", int], list[MonitoringItem]]


def _at_start(
    rule: MonitoringRule, case: CaseInput, regimen: Regimen | None, months: int
) -> list[MonitoringItem]:
    due = case.start_date + timedelta(days=rule.offset_days)
    return [MonitoringItem(rule.id, rule.what, rule.when, None, due, rule.sources)]


def _routine(
    rule: MonitoringRule, case: CaseInput, regimen: Regimen | None, months: int
) -> list[MonitoringItem]:
    due = add_months(case.start_date, months)
    when = rule.when.replace("{months}", str(months))
    return [MonitoringItem(rule.id, rule.what, when, months, due, rule.sources, True)]


def _per_step(
    rule: MonitoringRule, steps: Sequence[TitrationStep], first_number: int
) -> list[MonitoringItem]:
    out = []
    for n, step in enumerate(steps, start=first_number):
        what = "first dose" if n == 1 else "dose raised"
        out.append(
            MonitoringItem(
                f"{rule.id}.step{n}",
                rule.what,
                f"{rule.when} ({what}: {format_mg(step.daily_mg)} a day "
                f"from {step.from_date.isoformat()})",
                None,
                step.from_date + timedelta(days=rule.offset_days),
                rule.sources,
            )
        )
    return out


def _after_each_step(
    rule: MonitoringRule, case: CaseInput, regimen: Regimen | None, months: int
) -> list[MonitoringItem]:
    steps = regimen.steps if regimen is not None else ()
    return _per_step(rule, steps[1:], 2)


def _from_first_dose(
    rule: MonitoringRule, case: CaseInput, regimen: Regimen | None, months: int
) -> list[MonitoringItem]:
    steps = regimen.steps if regimen is not None else ()
    return _per_step(rule, steps, 1)


def _end_of_each_step(
    rule: MonitoringRule, case: CaseInput, regimen: Regimen | None, months: int
) -> list[MonitoringItem]:
    """One review before each increase, and one step interval after the last step starts.

    A single item (due at the first review) lists every date, so the patient's table has one
    row for it.
    """
    if regimen is None or not regimen.steps:
        return []
    steps = regimen.steps
    dues = [nxt.from_date - timedelta(days=1) for nxt in steps[1:]]
    dues.append(steps[-1].from_date + timedelta(days=regimen.step_interval_days - 1))
    when = f"{rule.when}: {', '.join(d.isoformat() for d in dues)}"
    return [MonitoringItem(rule.id, rule.what, when, None, dues[0], rule.sources)]


def _after_target(
    rule: MonitoringRule, case: CaseInput, regimen: Regimen | None, months: int
) -> list[MonitoringItem]:
    if regimen is None or not regimen.steps:
        return []
    due = regimen.steps[-1].from_date + timedelta(days=rule.offset_days)
    return [MonitoringItem(rule.id, rule.what, rule.when, None, due, rule.sources)]


def _course_end(
    rule: MonitoringRule, case: CaseInput, regimen: Regimen | None, months: int
) -> list[MonitoringItem]:
    if regimen is None or regimen.course_days is None:
        return []
    due = case.start_date + timedelta(days=regimen.course_days - 1)
    when = f"{rule.when} (day {regimen.course_days})"
    return [MonitoringItem(rule.id, rule.what, when, None, due, rule.sources)]


_SCHEDULES: dict[str, Schedule] = {
    "at_start": _at_start,
    "routine_policy": _routine,
    "after_each_step": _after_each_step,
    "from_first_dose": _from_first_dose,
    "end_of_each_step": _end_of_each_step,
    "after_target": _after_target,
    "course_end": _course_end,
}
