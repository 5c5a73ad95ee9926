"""Stopping safely (reference §15): a proportional taper from the dose actually taken.

The taper starts from the case's `current_daily_mg` when the patient already takes baclofen,
otherwise from the top of the titration. Each step lowers the daily dose by a fixed fraction of
the starting dose (rounded down to the form), then one dose a day fewer; every step interval
or slower, for at least the minimum number of days. After long-term or high-dose use the
interval is multiplied and the minimum is longer (`slow_taper`).
"""

from __future__ import annotations

import math

import msgspec

from baclofen_cds.logic.alerts import from_template
from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.dispense import Level, amount, choose_tablet_strength, dispense, fit_daily
from baclofen_cds.logic.formatting import format_mg, format_number
from baclofen_cds.logic.knowledge import FormulationInfo, KnowledgeBase
from baclofen_cds.logic.result import Alert, BasisEntry, Regimen, TaperStep

_EPS = 1e-9


class TaperPlan(msgspec.Struct, frozen=True):
    steps: tuple[TaperStep, ...]
    basis: tuple[BasisEntry, ...]
    alerts: tuple[Alert, ...] = ()


def step_levels(start: Level, form: FormulationInfo, kb: KnowledgeBase) -> list[Level]:
    """Dispensable levels below `start`, falling by a fixed fraction of it, then fewer doses."""
    fraction = kb.taper.taper.step_down_fraction
    out: list[Level] = []
    k = 1
    while start.daily_mg * (1 - k * fraction) > _EPS:
        lv = fit_daily(start.daily_mg * (1 - k * fraction), start.times_per_day, form)
        if lv is not None and lv.daily_mg < (out[-1] if out else start).daily_mg - _EPS:
            out.append(lv)
        k += 1
    lowest = out[-1] if out else start
    for times in range(lowest.times_per_day - 1, 0, -1):
        got = dispense(Level(lowest.dose_mg, times), form)
        if got is not None and got.daily_mg < (out[-1] if out else start).daily_mg - _EPS:
            out.append(got)
    return out


def is_slow(from_daily_mg: float, months: float | None, kb: KnowledgeBase) -> bool:
    slow = kb.taper.slow_taper
    return from_daily_mg > slow.above_daily_mg + _EPS or (
        months is not None and months >= slow.min_months
    )


def taper_steps(
    start: Level,
    form: FormulationInfo,
    kb: KnowledgeBase,
    *,
    slow: bool = False,
    also_doses: tuple[float, ...] = (),
) -> tuple[TaperStep, ...]:
    """The dated-by-day taper from `start`; () when `start` is already the smallest dose."""
    levels = step_levels(start, form, kb)
    if not levels:
        return ()
    rule, slow_rule = kb.taper.taper, kb.taper.slow_taper
    interval = rule.step_interval_days * (slow_rule.interval_factor if slow else 1)
    minimum = slow_rule.min_total_days if slow else rule.min_total_days
    interval = max(interval, math.ceil(minimum / len(levels)))
    # one tablet strength measures the taper and the titration it follows
    strength = (
        choose_tablet_strength([*(lv.dose_mg for lv in levels), *also_doses], form)
        if form.kind == "tablet"
        else None
    )
    steps: list[TaperStep] = []
    for i, lv in enumerate(levels):
        text, ml = amount(lv.dose_mg, form, strength)
        steps.append(
            TaperStep(
                from_day=1 + i * interval,
                to_day=(i + 1) * interval,
                dose_mg=lv.dose_mg,
                times_per_day=lv.times_per_day,
                daily_mg=lv.daily_mg,
                amount=text,
                volume_ml=ml,
            )
        )
    return tuple(steps)


def taper_from_dose(
    dose_mg: float, times_per_day: int, formulation: str, kb: KnowledgeBase, *, slow: bool = False
) -> tuple[TaperStep, ...]:
    """A taper from any current dose (e.g. a patient already on baclofen)."""
    return taper_steps(Level(dose_mg, times_per_day), kb.formulations[formulation], kb, slow=slow)


def plan_taper(
    case: CaseInput,
    regimen: Regimen | None,
    levels: tuple[Level, ...],
    form: FormulationInfo,
    kb: KnowledgeBase,
) -> TaperPlan:
    """The taper for this case: from the current dose if given, else from the titration top."""
    rule = kb.taper.taper
    if case.current_daily_mg is not None:
        start = Level(round(case.current_daily_mg / rule.times_per_day, 4), rule.times_per_day)
        also: tuple[float, ...] = ()
        origin = f"the current dose of {format_mg(case.current_daily_mg)} a day"
    elif regimen is not None and levels:
        start = levels[-1]
        also = tuple(lv.dose_mg for lv in levels)
        origin = f"the top of the titration, {format_mg(start.daily_mg)} a day"
    else:
        return TaperPlan((), ())
    slow = is_slow(start.daily_mg, case.months_on_treatment, kb)
    steps = taper_steps(start, form, kb, slow=slow, also_doses=also)
    used = kb.taper.slow_taper if slow else rule
    months = case.months_on_treatment
    alerts: tuple[Alert, ...] = ()
    if steps:
        note = (
            f"from {origin}: {len(steps)} steps over {steps[-1].to_day} days, each about "
            f"{format_number(rule.step_down_fraction * 100)}% of the starting dose"
        )
    elif dispense(start, form) is None:
        # the dose taken now cannot be measured in this form: no taper can be shown in it,
        # and an empty taper must never read as "no taper needed"
        alerts = (
            from_template(
                kb,
                "taper.not_measurable",
                triggered_by=["current_daily_mg", "formulation"],
                current=format_mg(start.daily_mg),
                times=str(start.times_per_day),
                form=form.patient_label,
            ),
        )
        note = f"from {origin}: it cannot be measured as {form.patient_label}; no taper shown"
    else:
        note = f"from {origin}: already the smallest dose that can be given; stop under supervision"
    if slow:
        note += (
            f"; slower after long-term or high-dose use (months on treatment "
            f"{'not given' if months is None else format_number(months)})"
        )
    entry = BasisEntry(
        output="taper",
        rule=used.id,
        inputs=(
            ("from_daily_mg", start.daily_mg),
            ("current_daily_mg", case.current_daily_mg),
            ("months_on_treatment", months),
            ("formulation", form.code),
        ),
        sources=used.sources,
        note=f"{note}. {used.rationale}",
        derived=used.derived,
    )
    return TaperPlan(steps, (entry,), alerts)
