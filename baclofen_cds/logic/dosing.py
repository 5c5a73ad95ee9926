"""Dose rules to a dated regimen: the most restrictive applicable rule wins.

Every rule of `dosing.yaml` that applies to the case is collected (indication ×
population, age, kidney band). The ladder with the lowest start is used, the lowest maximum
and the slowest step interval apply, and the status is the most severe. The dated titration
never goes above the target, and the target never above the maximum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from baclofen_cds.logic.alerts import from_template
from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.dispense import (
    Level,
    amount,
    choose_tablet_strength,
    dispense,
    dispensed_formulation,
    fit_daily,
)
from baclofen_cds.logic.formatting import format_mg, format_number, times_a_day
from baclofen_cds.logic.knowledge import DoseRule, FormulationInfo, KnowledgeBase, Population
from baclofen_cds.logic.result import (
    STATUS_ORDER,
    Alert,
    BasisEntry,
    Dose,
    Regimen,
    RenalBand,
    Status,
    TaperStep,
    TitrationStep,
)


@dataclass(frozen=True, slots=True)
class _Limit:
    id: str
    sources: tuple[str, ...]
    label: str
    derived: bool
    unverified: bool


def _limit(rule: DoseRule) -> _Limit:
    return _Limit(rule.id, rule.sources, rule.label, rule.derived, rule.unverified)


@dataclass(frozen=True, slots=True)
class DosePlan:
    regimen: Regimen | None
    levels: tuple[Level, ...]  # the dispensed titration levels (for the taper)
    status: Status
    status_reason: str
    alerts: tuple[Alert, ...]
    basis: tuple[BasisEntry, ...]
    rules: tuple[DoseRule, ...]


def population_of(age_years: float, kb: KnowledgeBase) -> Population:
    for band in kb.meta.populations:
        below = band.below_age_years
        if age_years >= band.min_age_years and (below is None or age_years < below):
            return band.id
    return kb.meta.populations[-1].id


def _applies(rule: DoseRule, case: CaseInput, population: str, band: RenalBand) -> bool:
    a = rule.applies
    return (
        (a.indications is None or case.indication in a.indications)
        and (a.populations is None or population in a.populations)
        and (a.renal_bands is None or band in a.renal_bands)
        and (a.spasticity_origins is None or case.spasticity_origin in a.spasticity_origins)
    )


def _weight_ladder(
    rule: DoseRule, case: CaseInput, form: FormulationInfo
) -> tuple[list[Level], float, float]:
    """(levels, target mg/day, max mg/day) of a mg/kg rule for this child's weight and age."""
    wb = rule.weight_based
    assert wb is not None
    assert case.weight_kg is not None
    weight = case.weight_kg
    maximum = wb.max_mg_per_kg_day * weight
    for cap in sorted(wb.age_caps, key=lambda c: c.below_age_years):
        if case.age_years < cap.below_age_years:
            maximum = min(maximum, cap.max_daily_mg)
            break
    target = min(wb.target_mg_per_kg_day * weight, maximum)
    levels: list[Level] = []
    daily = wb.start_mg_per_kg_day * weight
    while daily <= target + 1e-9:
        level = fit_daily(daily, wb.times_per_day, form)
        if level is not None and (not levels or level.daily_mg > levels[-1].daily_mg):
            levels.append(level)
        daily += wb.step_mg_per_kg_day * weight
    if not levels:
        first = fit_daily(wb.start_mg_per_kg_day * weight, wb.times_per_day, form)
        if first is not None:
            levels.append(first)
    return levels, target, maximum


def plan_dose(
    case: CaseInput,
    kb: KnowledgeBase,
    band: RenalBand,
    form: FormulationInfo,
    alert_values: dict[str, str],
) -> DosePlan:
    population = population_of(case.age_years, kb)
    rules = tuple(r for r in kb.dosing.rules if _applies(r, case, population, band))
    alerts: list[Alert] = []
    basis: list[BasisEntry] = []
    for rule in rules:
        if rule.alert is not None:
            alerts.append(_rule_alert(rule, alert_values, kb))
    status, reason = _status(rules)
    considered = "; ".join(f"{r.id} ({r.label})" for r in rules)
    inputs = (
        ("indication", case.indication),
        ("population", population),
        ("age_years", case.age_years),
        ("renal_band", band),
    )
    basis.append(
        BasisEntry(
            output="status",
            rule=_status_rule(rules, status),
            inputs=inputs,
            sources=_merge_sources(rules),
            note=f"rules that apply: {considered or 'none'}. The most severe status wins.",
        )
    )

    def no_regimen(alert: Alert | None = None, why: str = "") -> DosePlan:
        """No dose can be suggested: say why, and never rate that better than caution."""
        if alert is not None:
            alerts.append(alert)
        return DosePlan(
            None,
            (),
            _worse(status, "use_with_caution"),
            alert.summary if alert is not None else why,
            tuple(alerts),
            tuple(basis),
            rules,
        )

    indication_rules = [r for r in rules if r.kind == "indication"]
    if not indication_rules:
        return no_regimen(
            from_template(
                kb,
                kb.dosing.no_rule_alert,
                triggered_by=[case.indication, population],
                indication=kb.indications[case.indication].label.lower(),
                population=_population_label(population, kb),
            )
        )
    if any(r.no_regimen for r in rules):
        return DosePlan(None, (), status, reason, tuple(alerts), tuple(basis), rules)

    # --- ladders: every rule with one; the lowest start wins
    candidates: list[tuple[float, float, int, DoseRule, list[Level]]] = []
    targets: list[tuple[float, DoseRule]] = []
    ceiling = kb.meta.hard_ceiling
    maxima: list[tuple[float, _Limit]] = [
        (
            ceiling.max_daily_mg,
            _Limit(
                ceiling.id,
                ceiling.sources,
                "hard ceiling for any oral regimen",
                ceiling.derived,
                ceiling.unverified,
            ),
        )
    ]
    for order, rule in enumerate(rules):
        if rule.weight_based is not None:
            if case.weight_kg is None:
                return no_regimen(
                    from_template(kb, "input.child_weight_missing", triggered_by=["weight_kg"])
                )
            levels, target, maximum = _weight_ladder(rule, case, form)
            targets.append((target, rule))
            maxima.append((maximum, _limit(rule)))
            if levels:
                candidates.append((levels[0].daily_mg, maximum, order, rule, levels))
        elif rule.ladder is not None:
            levels = [Level(r.dose_mg, r.times_per_day) for r in rule.ladder]
            candidates.append(
                (levels[0].daily_mg, rule.max_daily_mg or math.inf, order, rule, levels)
            )
        if rule.target_daily_mg is not None:
            targets.append((rule.target_daily_mg, rule))
        if rule.max_daily_mg is not None:
            maxima.append((rule.max_daily_mg, _limit(rule)))
    if not candidates:
        return no_regimen(
            from_template(
                kb,
                kb.dosing.no_rule_alert,
                triggered_by=[case.indication, population],
                indication=kb.indications[case.indication].label.lower(),
                population=_population_label(population, kb),
            )
        )
    _, _, _, ladder_rule, ladder = min(candidates, key=lambda c: (c[0], c[1], c[2]))
    max_daily, max_rule = min(maxima, key=lambda m: m[0])
    interval_rules = [(r.step_interval_days, r) for r in rules if r.step_interval_days is not None]
    interval, interval_rule = max(interval_rules, key=lambda x: x[0])
    target, target_rule = min(targets, key=lambda t: t[0]) if targets else (max_daily, ladder_rule)
    target = min(target, max_daily)
    titrate = all(r.titrate for r in rules)

    # --- the clinician's own, more cautious choice
    choice = case.regimen_choice
    if choice is not None:
        if choice.step_interval_days is not None and choice.step_interval_days > interval:
            interval = choice.step_interval_days
        if choice.target_daily_mg is not None:
            if choice.target_daily_mg > max_daily + 1e-9:
                alerts.append(
                    from_template(
                        kb,
                        "dose.choice_capped",
                        triggered_by=["regimen_choice.target_daily_mg"],
                        chosen=format_mg(choice.target_daily_mg),
                        maximum=format_mg(max_daily),
                    )
                )
                target = max_daily
            else:
                target = choice.target_daily_mg
    if not titrate:
        target = min(target, ladder[0].daily_mg)

    # --- dispense: round every level down to the chosen form, drop what does not rise
    dispensed: list[Level] = []
    changes: list[str] = []
    wanted = [lv for lv in ladder if lv.daily_mg <= target + 1e-9] or [ladder[0]]
    if wanted[0].daily_mg > target + 1e-9:
        wanted = [fit_daily(target, ladder[0].times_per_day, form) or ladder[0]]
    for lv in wanted:
        got = dispense(lv, form)
        if got is None:
            changes.append(
                f"{format_mg(lv.dose_mg)} {times_a_day(lv.times_per_day)} cannot be given"
            )
            continue
        if (got.dose_mg, got.times_per_day) != (lv.dose_mg, lv.times_per_day):
            changes.append(
                f"{format_mg(lv.dose_mg)} {times_a_day(lv.times_per_day)} became "
                f"{format_mg(got.dose_mg)} {times_a_day(got.times_per_day)}"
            )
        if got.daily_mg > max_daily + 1e-9:
            continue
        if not dispensed or got.daily_mg > dispensed[-1].daily_mg + 1e-9:
            dispensed.append(got)
    if changes:
        alerts.append(
            from_template(
                kb,
                "dose.not_dispensable",
                triggered_by=["formulation"],
                form=form.patient_label,
                changes="; ".join(changes),
            )
        )
    if not dispensed:
        return no_regimen(why="no dose can be given in this form")
    if (
        form.min_weight_kg is not None
        and case.weight_kg is not None
        and case.weight_kg < form.min_weight_kg
    ):
        alerts.append(
            from_template(
                kb,
                "dose.tablets_low_weight",
                triggered_by=["weight_kg", "formulation"],
                weight=format_number(case.weight_kg, 1),
            )
        )

    strength = (
        choose_tablet_strength((lv.dose_mg for lv in dispensed), form)
        if form.kind == "tablet"
        else None
    )
    steps: list[TitrationStep] = []
    for i, lv in enumerate(dispensed):
        first = 1 + i * interval
        last = None if i == len(dispensed) - 1 else first + interval - 1
        text, ml = amount(lv.dose_mg, form, strength)
        steps.append(
            TitrationStep(
                from_day=first,
                to_day=last,
                from_date=case.start_date + timedelta(days=first - 1),
                to_date=None if last is None else case.start_date + timedelta(days=last - 1),
                dose_mg=lv.dose_mg,
                times_per_day=lv.times_per_day,
                daily_mg=lv.daily_mg,
                amount=text,
                volume_ml=ml,
            )
        )
    start_text, start_ml = amount(dispensed[0].dose_mg, form, strength)
    regimen = Regimen(
        start=Dose(
            dispensed[0].dose_mg,
            dispensed[0].times_per_day,
            dispensed[0].daily_mg,
            start_text,
            start_ml,
        ),
        target_daily_mg=dispensed[-1].daily_mg,
        max_daily_mg=max_daily,
        step_interval_days=interval,
        steps=tuple(steps),
        formulation=dispensed_formulation(form, strength),
        derived=any(r.derived for r in rules),
    )

    basis.extend(
        [
            BasisEntry(
                output="regimen.start",
                rule=ladder_rule.id,
                inputs=(*inputs, ("weight_kg", case.weight_kg)),
                sources=ladder_rule.sources,
                equation=_weight_equation(ladder_rule, case),
                note=(
                    f"{ladder_rule.label}: lowest start among the rules that apply. "
                    f"{ladder_rule.rationale}"
                ),
                derived=ladder_rule.derived,
                unverified=ladder_rule.unverified,
            ),
            BasisEntry(
                output="regimen.max_daily_mg",
                rule=max_rule.id,
                inputs=inputs,
                sources=max_rule.sources,
                note=f"lowest maximum among the rules that apply: {format_mg(max_daily)} a day "
                f"({max_rule.label}).",
                derived=max_rule.derived,
                unverified=max_rule.unverified,
            ),
            BasisEntry(
                output="regimen.step_interval_days",
                rule=interval_rule.id,
                inputs=(
                    *inputs,
                    ("regimen_choice", None if choice is None else choice.model_dump()),
                ),
                sources=interval_rule.sources,
                note=f"slowest step interval among the rules that apply: every {interval} days"
                + (
                    " (the clinician's choice)"
                    if choice and choice.step_interval_days == interval
                    else ""
                ),
                derived=interval_rule.derived,
            ),
            BasisEntry(
                output="regimen.target_daily_mg",
                rule=target_rule.id,
                inputs=(
                    *inputs,
                    ("regimen_choice", None if choice is None else choice.model_dump()),
                ),
                sources=target_rule.sources,
                note=f"the dated titration stops at {format_mg(regimen.target_daily_mg)} a day"
                + ("" if titrate else "; no titration while a rule says so (see status)"),
                derived=target_rule.derived,
            ),
            BasisEntry(
                output="regimen.steps",
                rule=f"formulation.{form.code}",
                inputs=(("formulation", form.code), ("dose_step_mg", form.dose_step_mg)),
                sources=form.sources,
                note=(
                    f"doses rounded down to {format_mg(form.dose_step_mg)} steps of "
                    f"{form.label}. {form.note}"
                ).strip(),
            ),
        ]
    )
    return DosePlan(regimen, tuple(dispensed), status, reason, tuple(alerts), tuple(basis), rules)


def taper_plan(
    from_level: Level,
    below: Sequence[Level],
    form: FormulationInfo,
    strength: float | None,
    kb: KnowledgeBase,
) -> tuple[TaperStep, ...]:
    """Step down one level at a time from `from_level`, at least `min_total_days` in all.

    `below` are the titration levels (any order); the lowest level is then reduced one dose a
    day at a time. Returns () when `from_level` is already the smallest dose that can be given.
    """
    levels = sorted(
        {lv for lv in below if lv.daily_mg < from_level.daily_mg - 1e-9},
        key=lambda lv: -lv.daily_mg,
    )
    lowest = levels[-1] if levels else from_level
    for times in range(lowest.times_per_day - 1, 0, -1):
        levels.append(Level(lowest.dose_mg, times))
    out: list[Level] = []
    for lv in levels:
        got = dispense(lv, form)
        if (
            got is not None
            and got.daily_mg < (out[-1].daily_mg if out else from_level.daily_mg) - 1e-9
        ):
            out.append(got)
    if not out:
        return ()
    rule = kb.taper.taper
    interval = max(rule.step_interval_days, math.ceil(rule.min_total_days / len(out)))
    steps: list[TaperStep] = []
    for i, lv in enumerate(out):
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
    dose_mg: float, times_per_day: int, formulation: str, kb: KnowledgeBase
) -> tuple[TaperStep, ...]:
    """A taper from any current dose (e.g. a patient already on baclofen).

    Each level is `step_down_mg_per_dose` less per dose at the same times a day, then one dose
    a day fewer, at the taper interval, at least `min_total_days` in all.
    """
    form = kb.formulations[formulation]
    current = dispense(Level(dose_mg, times_per_day), form) or Level(dose_mg, times_per_day)
    step = kb.taper.taper.step_down_mg_per_dose
    n = int(current.dose_mg // step)
    below = [
        Level(round(current.dose_mg - k * step, 4), current.times_per_day) for k in range(1, n + 1)
    ]
    below = [lv for lv in below if lv.dose_mg > 0]
    if form.kind != "tablet":
        return taper_plan(current, below, form, None, kb)
    draft = taper_plan(current, below, form, min(form.strengths_mg), kb)
    strength = choose_tablet_strength([current.dose_mg, *(t.dose_mg for t in draft)], form)
    return taper_plan(current, below, form, strength, kb)


# ------------------------------------------------------------------ helpers
def _rule_alert(rule: DoseRule, values: dict[str, str], kb: KnowledgeBase) -> Alert:
    assert rule.alert is not None
    return from_template(kb, rule.alert, triggered_by=[rule.id], values=values)


def _status(rules: Sequence[DoseRule]) -> tuple[Status, str]:
    status: Status = "recommended"
    reason = "no dose rule raises a concern"
    for rule in rules:
        if STATUS_ORDER[rule.status] > STATUS_ORDER[status]:
            status, reason = rule.status, rule.label
    return status, reason


def _status_rule(rules: Sequence[DoseRule], status: Status) -> str:
    for rule in rules:
        if rule.status == status:
            return rule.id
    return rules[0].id if rules else "dose.none"


def _worse(a: Status, b: Status) -> Status:
    return a if STATUS_ORDER[a] >= STATUS_ORDER[b] else b


def _merge_sources(rules: Sequence[DoseRule]) -> tuple[str, ...]:
    out: list[str] = []
    for r in rules:
        out.extend(s for s in r.sources if s not in out)
    return tuple(out) or ("S1",)


def _population_label(population: str, kb: KnowledgeBase) -> str:
    for p in kb.meta.populations:
        if p.id == population:
            return p.label
    return population


def _weight_equation(rule: DoseRule, case: CaseInput) -> str | None:
    wb = rule.weight_based
    if wb is None or case.weight_kg is None:
        return None
    w = case.weight_kg
    return (
        f"start {format_number(wb.start_mg_per_kg_day)} mg/kg/day × {format_number(w, 1)} kg = "
        f"{format_mg(wb.start_mg_per_kg_day * w)} a day in up to {wb.times_per_day} doses; target "
        f"{format_number(wb.target_mg_per_kg_day)} mg/kg/day = "
        f"{format_mg(wb.target_mg_per_kg_day * w)}; maximum {format_number(wb.max_mg_per_kg_day)} "
        f"mg/kg/day = {format_mg(wb.max_mg_per_kg_day * w)} "
        f"and the age cap"
    )
