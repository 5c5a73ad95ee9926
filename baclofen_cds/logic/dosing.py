"""Dose rules to a dated regimen: one small function per rule, in the order the rules apply.

`plan_dose` runs these steps in order; each returns its contribution (a value, its alerts and
its basis entries), so the next clinical change touches one function and one data entry:

1. `applicable_rules`  — every rule of `dosing.yaml` that applies (indication × population,
   age, spasticity origin, kidney band, condition, intrathecal pump).
2. `rule_status`       — the most severe status of those rules.
3. `indication_stop`   — no rule for this indication and age, or "not indicated": no regimen.
4. `choose_ladder`     — every ladder or mg/kg schedule; the lowest start wins (children: never
   above the mg/kg start, the adult start or the per-dose start cap).
5. `choose_maximum`    — the lowest maximum, the hard ceiling and a child's mg/kg ceiling
   included (also when another ladder, e.g. a kidney band's, wins the start).
6. `choose_interval`   — the slowest step interval.
7. `choose_target`     — the lowest target (a child's mg/kg target included, whichever
   ladder starts); only the first level when a rule forbids titration.
8. `apply_choice`      — the clinician's own choice, only ever slower or lower.
9. `dispense_levels`   — every level rounded down to the form; a start that cannot be given
   stops the regimen (it never silently moves up).
10. `child_pace`     — a child's dated steps never ahead of their own mg/kg schedule.
11. `continue_from_current` — someone already on baclofen goes on from their dose.
12. `low_weight_tablets` — tablets under the form's minimum weight.
13. `dated_regimen`    — the dated steps (a dated course ends on its last day).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Generic, TypeVar

import msgspec

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
from baclofen_cds.logic.knowledge import (
    DoseRule,
    FormulationInfo,
    KnowledgeBase,
    Population,
    WeightBased,
)
from baclofen_cds.logic.result import (
    STATUS_ORDER,
    Alert,
    BasisEntry,
    Dose,
    Regimen,
    RenalBand,
    Status,
    TitrationStep,
)

_EPS = 1e-9
T = TypeVar("T")


class Part(msgspec.Struct, Generic[T], frozen=True):
    """One step's contribution: its value, the alerts it raises and the basis of the value."""

    value: T
    alerts: tuple[Alert, ...] = ()
    basis: tuple[BasisEntry, ...] = ()


class Stop(msgspec.Struct, frozen=True):
    """No regimen can be built from the dose rules: why (no override can lift these)."""

    reason: str
    alert_ids: tuple[str, ...]


class StatusVote(msgspec.Struct, frozen=True):
    """One rule's say on the overall status, and the alert that explains it."""

    status: Status
    reason: str
    alert_id: str | None


class DosePlan(msgspec.Struct, frozen=True):
    regimen: Regimen | None
    levels: tuple[Level, ...]  # the dispensed titration levels (for the taper)
    status: Status
    status_reason: str
    alerts: tuple[Alert, ...]
    basis: tuple[BasisEntry, ...]
    rules: tuple[DoseRule, ...]
    votes: tuple[StatusVote, ...] = ()
    stop: Stop | None = None


class Ladder(msgspec.Struct, frozen=True):
    rule: DoseRule
    levels: tuple[Level, ...]  # wanted levels, not yet rounded to the form
    target: float | None  # mg/kg schedules: this patient's target
    maximum: float | None  # mg/kg schedules: this patient's maximum
    equation: str | None = None


class Limit(msgspec.Struct, frozen=True):
    value: float
    id: str
    label: str
    sources: tuple[str, ...]
    derived: bool
    unverified: bool


class Context(msgspec.Struct, frozen=True):
    case: CaseInput
    kb: KnowledgeBase
    band: RenalBand
    form: FormulationInfo
    values: dict[str, str]
    population: Population
    inputs: tuple[tuple[str, object], ...] = ()
    critical_hazards: frozenset[str] = frozenset()


# ------------------------------------------------------------------ entry point
def plan_dose(
    case: CaseInput,
    kb: KnowledgeBase,
    band: RenalBand,
    form: FormulationInfo,
    alert_values: dict[str, str],
    *,
    critical_hazards: frozenset[str] = frozenset(),
) -> DosePlan:
    population = population_of(case.age_years, kb)
    inputs: tuple[tuple[str, object], ...] = (
        ("indication", case.indication),
        ("population", population),
        ("age_years", case.age_years),
        ("renal_band", band),
    )
    if critical_hazards:
        inputs = (*inputs, ("critical_hazards", tuple(sorted(critical_hazards))))
    ctx = Context(case, kb, band, form, alert_values, population, inputs, critical_hazards)
    rules = applicable_rules(ctx)
    status = rule_status(ctx, rules)
    acc = _Acc(ctx, rules, status)
    stop = acc.take(indication_stop(ctx, rules))
    if stop is not None:
        return acc.stopped(stop)
    ladder = acc.take(choose_ladder(ctx, rules))
    if isinstance(ladder, Stop):
        return acc.stopped(ladder)
    maximum = acc.take(choose_maximum(ctx, rules))
    slowest = acc.take(choose_interval(ctx, rules))
    target = acc.take(choose_target(ctx, rules, ladder, maximum))
    interval, target_mg = acc.take(apply_choice(ctx, slowest, target, maximum, ladder))
    levels = acc.take(dispense_levels(ctx, ladder, target_mg, maximum))
    if isinstance(levels, Stop):
        return acc.stopped(levels)
    levels = acc.take(child_pace(ctx, rules, levels))
    levels = acc.take(continue_from_current(ctx, levels, maximum))
    if isinstance(levels, Stop):
        return acc.stopped(levels)
    acc.take(low_weight_tablets(ctx))
    regimen = acc.take(dated_regimen(ctx, rules, levels, maximum, interval))
    return acc.done(regimen, levels)


class _Acc:
    """Collects the alerts and basis of each step, in order."""

    def __init__(self, ctx: Context, rules: tuple[DoseRule, ...], status: Part[StatusVote]):
        self.ctx = ctx
        self.rules = rules
        self.status = status.value
        self.votes = tuple(
            StatusVote(r.status, r.label, r.alert) for r in rules if r.status != "recommended"
        )
        self.alerts: list[Alert] = list(status.alerts)
        self.basis: list[BasisEntry] = list(status.basis)

    def take(self, part: Part[T]) -> T:
        self.alerts.extend(part.alerts)
        self.basis.extend(part.basis)
        return part.value

    def stopped(self, stop: Stop) -> DosePlan:
        """No dose can be suggested: say why, and never rate that better than caution."""
        s = self.status
        no_regimen = any(r.no_regimen for r in self.rules)
        status: Status = s.status if no_regimen else _worse(s.status, "use_with_caution")
        reason = s.reason if no_regimen or not stop.reason else stop.reason
        return DosePlan(
            None, (), status, reason, tuple(self.alerts), tuple(self.basis), self.rules,
            self.votes, stop,
        )  # fmt: skip

    def done(self, regimen: Regimen, levels: tuple[Level, ...]) -> DosePlan:
        s = self.status
        return DosePlan(
            regimen, levels, s.status, s.reason, tuple(self.alerts), tuple(self.basis),
            self.rules, self.votes,
        )  # fmt: skip


# ------------------------------------------------------------------ 1. which rules apply
def population_of(age_years: float, kb: KnowledgeBase) -> Population:
    for band in kb.meta.populations:
        below = band.below_age_years
        if age_years >= band.min_age_years and (below is None or age_years < below):
            return band.id
    return kb.meta.populations[-1].id


def _applies(rule: DoseRule, ctx: Context) -> bool:
    a, case = rule.applies, ctx.case
    return (
        (a.indications is None or case.indication in a.indications)
        and (a.populations is None or ctx.population in a.populations)
        and (a.renal_bands is None or ctx.band in a.renal_bands)
        and (a.spasticity_origins is None or case.spasticity_origin in a.spasticity_origins)
        and (a.conditions is None or bool(set(a.conditions) & set(case.conditions)))
        and (a.intrathecal is None or case.intrathecal in a.intrathecal)
        and (a.hazards is None or bool(set(a.hazards) & ctx.critical_hazards))
    )


def applicable_rules(ctx: Context) -> tuple[DoseRule, ...]:
    return tuple(r for r in ctx.kb.dosing.rules if _applies(r, ctx))


# ------------------------------------------------------------------ 2. status
def rule_status(ctx: Context, rules: tuple[DoseRule, ...]) -> Part[StatusVote]:
    """The most severe status among the rules, with each rule's alert."""
    vote = StatusVote("recommended", "no dose rule raises a concern", None)
    for rule in rules:
        if STATUS_ORDER[rule.status] > STATUS_ORDER[vote.status]:
            vote = StatusVote(rule.status, rule.label, rule.alert)
    alerts = tuple(
        from_template(ctx.kb, r.alert, triggered_by=[r.id], values=ctx.values)
        for r in rules
        if r.alert is not None
    )
    considered = "; ".join(f"{r.id} ({r.label})" for r in rules)
    entry = BasisEntry(
        output="status",
        rule=next((r.id for r in rules if r.status == vote.status), "dose.none"),
        inputs=ctx.inputs,
        sources=_merge_sources(rules),
        note=f"rules that apply: {considered or 'none'}. The most severe status wins.",
    )
    return Part(vote, alerts, (entry,))


# ------------------------------------------------------------------ 3. indication
def indication_stop(ctx: Context, rules: tuple[DoseRule, ...]) -> Part[Stop | None]:
    """No dose rule for this indication at this age, or a rule that never yields a dose."""
    if not any(r.kind == "indication" for r in rules):
        alert = _no_rule_alert(ctx)
        return Part(Stop(alert.summary, (alert.id,)), (alert,))
    blocking = [r for r in rules if r.no_regimen]
    if blocking:
        ids = tuple(r.alert for r in blocking if r.alert is not None)
        return Part(Stop(blocking[0].label, ids))
    return Part(None)


def _no_rule_alert(ctx: Context) -> Alert:
    return from_template(
        ctx.kb,
        ctx.kb.dosing.no_rule_alert,
        triggered_by=[ctx.case.indication, ctx.population],
        indication=ctx.kb.indications[ctx.case.indication].label.lower(),
        population=_population_label(ctx.population, ctx.kb),
    )


# ------------------------------------------------------------------ 4. ladder
def choose_ladder(ctx: Context, rules: tuple[DoseRule, ...]) -> Part[Ladder | Stop]:
    """Every rule with a ladder or a mg/kg schedule; the lowest start wins."""
    ladders: list[Ladder] = []
    for rule in rules:
        if rule.weight_based is not None:
            if ctx.case.weight_kg is None:
                alert = from_template(
                    ctx.kb, "input.child_weight_missing", triggered_by=["weight_kg"]
                )
                return Part(Stop(alert.summary, (alert.id,)), (alert,))
            ladders.append(weight_ladder(rule, rule.weight_based, ctx.case))
        elif rule.ladder is not None:
            levels = tuple(Level(r.dose_mg, r.times_per_day) for r in rule.ladder)
            ladders.append(Ladder(rule, levels, None, None))
    if not ladders:
        alert = _no_rule_alert(ctx)
        return Part(Stop(alert.summary, (alert.id,)), (alert,))
    order = {id(lad): i for i, lad in enumerate(ladders)}

    def given(lad: Ladder) -> float:
        # compare what can actually be measured in this form: a mg/kg start that rounds down
        # below another rule's start is the lower one (the kidney ladder must never win with
        # a higher dose than the child's own rounded start)
        got = dispense(lad.levels[0], ctx.form)
        return lad.levels[0].daily_mg if got is None else got.daily_mg

    best = min(
        ladders,
        key=lambda lad: (
            given(lad),
            lad.maximum or lad.rule.max_daily_mg or math.inf,
            order[id(lad)],
        ),
    )
    rule = best.rule
    entry = BasisEntry(
        output="regimen.start",
        rule=rule.id,
        inputs=(*ctx.inputs, ("weight_kg", ctx.case.weight_kg)),
        sources=rule.sources,
        equation=best.equation,
        note=f"{rule.label}: lowest start among the rules that apply. {rule.rationale}",
        derived=rule.derived,
        unverified=rule.unverified,
    )
    return Part(best, (), (entry,))


def mg_per_kg_schedules(ctx: Context, rules: tuple[DoseRule, ...]) -> list[Ladder]:
    """This child's mg/kg schedules (the weight is known once `choose_ladder` has passed).

    Their targets and ceilings bind whichever ladder wins the start: a kidney-band ladder that
    starts lower must not take a child past their mg/kg target or ceiling.
    """
    return [weight_ladder(r, r.weight_based, ctx.case) for r in rules if r.weight_based]


def weight_ladder(rule: DoseRule, wb: WeightBased, case: CaseInput) -> Ladder:
    """A mg/kg schedule for this child: the more conservative of mg/kg and the start caps."""
    assert case.weight_kg is not None
    w = case.weight_kg
    maximum = wb.max_mg_per_kg_day * w
    for cap in sorted(wb.age_caps, key=lambda c: c.below_age_years):
        if case.age_years < cap.below_age_years:
            maximum = min(maximum, cap.max_daily_mg)
            break
    target = min(wb.target_mg_per_kg_day * w, maximum)
    starts = [wb.start_mg_per_kg_day * w]
    if wb.start_max_daily_mg is not None:
        starts.append(wb.start_max_daily_mg)
    if wb.start_max_mg_per_dose is not None:
        starts.append(wb.start_max_mg_per_dose * wb.times_per_day)
    start = min(starts)
    step = wb.step_mg_per_kg_day * w
    if wb.step_max_daily_mg is not None:
        step = min(step, wb.step_max_daily_mg)
    dailies = [start]
    while dailies[-1] + step <= target + _EPS:
        dailies.append(dailies[-1] + step)
    times = wb.times_per_day
    levels = tuple(Level(round(d / times, 4), times) for d in dailies)
    equation = (
        f"start min({format_number(wb.start_mg_per_kg_day)} mg/kg/day × {format_number(w, 1)} kg"
        f" = {format_mg(wb.start_mg_per_kg_day * w)}; caps "
        f"{', '.join(format_mg(s) for s in starts[1:]) or 'none'}) = {format_mg(start)} a day in "
        f"{times} doses; steps of {format_mg(step)} a day; target "
        f"{format_number(wb.target_mg_per_kg_day)} mg/kg/day = "
        f"{format_mg(wb.target_mg_per_kg_day * w)}; maximum "
        f"{format_number(wb.max_mg_per_kg_day)} mg/kg/day = {format_mg(wb.max_mg_per_kg_day * w)}"
        f" and the age cap → {format_mg(maximum)}"
    )
    return Ladder(rule, levels, target, maximum, equation)


# ------------------------------------------------------------------ 5–7. maximum, interval, target
def choose_maximum(ctx: Context, rules: tuple[DoseRule, ...]) -> Part[Limit]:
    c = ctx.kb.meta.hard_ceiling
    limits = [
        Limit(c.max_daily_mg, c.id, "hard ceiling for any oral regimen", c.sources, c.derived,
              c.unverified),
    ]  # fmt: skip
    for r in rules:
        if r.max_daily_mg is not None:
            limits.append(Limit(r.max_daily_mg, r.id, r.label, r.sources, r.derived, r.unverified))
    for lad in mg_per_kg_schedules(ctx, rules):  # a child's mg/kg ceiling binds any ladder
        r, m = lad.rule, lad.maximum
        assert m is not None
        limits.append(Limit(m, r.id, r.label, r.sources, r.derived, r.unverified))
    best = min(limits, key=lambda lim: lim.value)
    entry = BasisEntry(
        output="regimen.max_daily_mg",
        rule=best.id,
        inputs=ctx.inputs,
        sources=best.sources,
        note=f"lowest maximum among the rules that apply: {format_mg(best.value)} a day "
        f"({best.label}).",
        derived=best.derived,
        unverified=best.unverified,
    )
    return Part(best, (), (entry,))


def choose_interval(ctx: Context, rules: tuple[DoseRule, ...]) -> Part[tuple[int, DoseRule]]:
    timed = [(r.step_interval_days, r) for r in rules if r.step_interval_days is not None]
    days, rule = max(timed, key=lambda x: x[0])
    return Part((days, rule))


class Target(msgspec.Struct, frozen=True):
    daily_mg: float
    rule: DoseRule
    titrate: bool


def choose_target(
    ctx: Context, rules: tuple[DoseRule, ...], ladder: Ladder, maximum: Limit
) -> Part[Target]:
    """The lowest target; only the first level when any rule forbids titration."""
    targets = [(r.target_daily_mg, r) for r in rules if r.target_daily_mg is not None]
    for lad in mg_per_kg_schedules(ctx, rules):  # a child's mg/kg target binds any ladder
        assert lad.target is not None
        targets.append((lad.target, lad.rule))
    value, rule = min(targets, key=lambda t: t[0]) if targets else (maximum.value, ladder.rule)
    value = min(value, maximum.value)
    titrate = all(r.titrate for r in rules)
    if not titrate:
        value = min(value, ladder.levels[0].daily_mg)
        rule = next(r for r in rules if not r.titrate)
    return Part(Target(value, rule, titrate))


# ------------------------------------------------------------------ 8. the clinician's choice
def apply_choice(
    ctx: Context, interval: tuple[int, DoseRule], target: Target, maximum: Limit, ladder: Ladder
) -> Part[tuple[int, float]]:
    """The clinician's own choice: only ever a slower titration or a lower target.

    The schedule never goes past the ladder's last step (a child's mg/kg schedule ends at its
    target): the Basis says where the steps really stop, and that a higher choice is not reached.
    """
    days, interval_rule = interval
    value = target.daily_mg
    alerts: list[Alert] = []
    choice = ctx.case.regimen_choice
    if choice is not None and choice.step_interval_days is not None:
        days = max(days, choice.step_interval_days)
    if choice is not None and choice.target_daily_mg is not None and target.titrate:
        if choice.target_daily_mg > maximum.value + _EPS:
            alerts.append(
                from_template(
                    ctx.kb,
                    "dose.choice_capped",
                    triggered_by=["regimen_choice.target_daily_mg"],
                    chosen=format_mg(choice.target_daily_mg),
                    maximum=format_mg(maximum.value),
                )
            )
            value = maximum.value
        else:
            value = choice.target_daily_mg
    top = ladder.levels[-1].daily_mg
    stops = f"the dated titration stops at {format_mg(value)} a day at most"
    if value > top + _EPS:  # the ladder ends first (a child's mg/kg schedule ends at its target)
        stops = (
            f"the dated titration stops at {format_mg(top)} a day, its last step not above"
            f" {format_mg(value)}"
        )
        if choice is not None and choice.target_daily_mg is not None and target.titrate:
            stops += f" (the chosen {format_mg(choice.target_daily_mg)} a day is not reached)"
    chosen = None if choice is None else choice.to_dict()
    by_clinician = choice is not None and choice.step_interval_days == days
    basis = (
        BasisEntry(
            output="regimen.step_interval_days",
            rule=interval_rule.id,
            inputs=(*ctx.inputs, ("regimen_choice", chosen)),
            sources=interval_rule.sources,
            note=f"slowest step interval among the rules that apply: every {days} days"
            + (" (the clinician's choice)" if by_clinician else ""),
            derived=interval_rule.derived,
        ),
        BasisEntry(
            output="regimen.target_daily_mg",
            rule=target.rule.id,
            inputs=(*ctx.inputs, ("regimen_choice", chosen)),
            sources=target.rule.sources,
            note=stops
            + ("" if target.titrate else "; no titration while a rule says so (see status)"),
            derived=target.rule.derived,
        ),
    )
    return Part((days, value), tuple(alerts), basis)


# ------------------------------------------------------------------ 9. dispensing
def dispense_levels(
    ctx: Context, ladder: Ladder, target: float, maximum: Limit
) -> Part[tuple[Level, ...] | Stop]:
    """Round every level down to the form; a start that cannot be given stops the regimen."""
    form = ctx.form
    first = ladder.levels[0]
    wanted = [lv for lv in ladder.levels if lv.daily_mg <= target + _EPS]
    if not wanted:
        lowered = fit_daily(target, first.times_per_day, form)
        wanted = [lowered] if lowered is not None else [first]
    if dispense(wanted[0], form) is None:
        alert = from_template(
            ctx.kb,
            ctx.kb.dosing.start_not_dispensable_alert,
            triggered_by=["formulation", "weight_kg"],
            start=format_mg(wanted[0].daily_mg),
            form=form.patient_label,
        )
        return Part(Stop(alert.summary, (alert.id,)), (alert,))
    dispensed: list[Level] = []
    changes: list[str] = []
    for lv in wanted:
        got = dispense(lv, form)
        if got is None:
            changes.append(f"{_level_text(lv)} cannot be given")
            continue
        if (got.dose_mg, got.times_per_day) != (lv.dose_mg, lv.times_per_day):
            changes.append(f"{_level_text(lv)} became {_level_text(got)}")
        if got.daily_mg <= maximum.value + _EPS and (
            not dispensed or got.daily_mg > dispensed[-1].daily_mg + _EPS
        ):
            dispensed.append(got)
    alerts: tuple[Alert, ...] = ()
    if changes:
        alerts = (
            from_template(
                ctx.kb,
                "dose.not_dispensable",
                triggered_by=["formulation"],
                form=form.patient_label,
                changes="; ".join(changes),
            ),
        )
    entry = BasisEntry(
        output="regimen.steps",
        rule=f"formulation.{form.code}",
        inputs=(("formulation", form.code), ("dose_step_mg", form.dose_step_mg)),
        sources=form.sources,
        note=(
            f"doses rounded down to {format_mg(form.dose_step_mg)} steps of {form.label}"
            + (
                f" (below {format_number(form.small_dose_below_ml)} mL: "
                f"{format_number(form.small_dose_step_ml)} mL steps with an oral syringe)"
                if form.small_dose_below_ml and form.small_dose_step_ml
                else ""
            )
            + f". {form.note}"
        ).strip(),
    )
    return Part(tuple(dispensed), alerts, (entry,))


def _level_text(lv: Level) -> str:
    return f"{format_mg(lv.dose_mg)} {times_a_day(lv.times_per_day)}"


# ------------------------------------------------------------------ 9b. already on baclofen
def child_pace(
    ctx: Context, rules: tuple[DoseRule, ...], levels: tuple[Level, ...]
) -> Part[tuple[Level, ...]]:
    """A child is never ahead of their own mg/kg schedule, whichever ladder was chosen.

    Another ladder (a kidney band's) or the rounding of a form can make a step larger than the
    child's mg/kg step (a kidney ladder on tablets tripling the daily dose in one step, see
    tests/logic/test_dosing_children.py): the dated steps stop before the first step that would
    be ahead; higher only by response, at the prescriber's review.
    """
    schedules = mg_per_kg_schedules(ctx, rules)
    if not schedules or len(levels) < 2:
        return Part(levels)
    w = ctx.case.weight_kg
    assert w is not None  # a mg/kg schedule applies only with a weight

    def bound(k: int) -> float:
        out = math.inf
        for lad in schedules:
            wb = lad.rule.weight_based
            assert wb is not None
            step = wb.step_mg_per_kg_day * w
            if wb.step_max_daily_mg is not None:
                step = min(step, wb.step_max_daily_mg)
            out = min(out, lad.levels[0].daily_mg + k * step)
        return out

    kept = [levels[0]]
    for k, lv in enumerate(levels[1:], start=1):
        if lv.daily_mg > bound(k) + _EPS:
            break
        kept.append(lv)
    if len(kept) == len(levels):
        return Part(levels)
    cut = levels[len(kept)]
    lad = schedules[0]
    entry = BasisEntry(
        output="regimen.steps",
        rule=lad.rule.id,
        inputs=(*ctx.inputs, ("weight_kg", w)),
        sources=lad.rule.sources,
        note=(
            f"the step to {format_mg(cut.daily_mg)} a day would be ahead of this child's mg/kg"
            f" schedule (at most {format_mg(bound(len(kept)))} a day by then): the dated steps"
            f" stop at {format_mg(kept[-1].daily_mg)} a day; higher only by response, at review"
        ),
        derived=True,
    )
    return Part(tuple(kept), (), (entry,))


def continue_from_current(
    ctx: Context, levels: tuple[Level, ...], maximum: Limit
) -> Part[tuple[Level, ...] | Stop]:
    """A patient already on baclofen goes on from their dose, never from a new start.

    Restarting at the start dose would cut the dose at once (withdrawal); a first step above
    the current dose is a sudden rise (toxicity). Above this patient's maximum there is no new
    schedule at all: the taper from the current dose is the plan.
    """
    current = ctx.case.current_daily_mg
    if current is None or current <= 0:
        return Part(levels)
    if current > maximum.value + _EPS:
        alert = from_template(
            ctx.kb,
            "dose.current_above_max",
            triggered_by=["current_daily_mg"],
            current=format_mg(current),
            maximum=format_mg(maximum.value),
        )
        return Part(Stop(alert.summary, (alert.id,)), (alert,))
    below = [i for i, lv in enumerate(levels) if lv.daily_mg <= current + _EPS]
    if not below or (below[-1] == 0 and len(levels) > 1):
        return Part(levels)
    kept = levels[below[-1] :]
    if len(kept) == 1 and current > kept[0].daily_mg + _EPS:
        # at or past the dated target already: hold the current dose (rounded down to the
        # form) rather than cut it at once to the target
        times = kept[0].times_per_day
        held = dispense(Level(round(current / times, 4), times), ctx.form)
        if held is not None and held.daily_mg > kept[0].daily_mg + _EPS:
            kept = (held,)
    alert = from_template(
        ctx.kb,
        "dose.continue_from_current",
        triggered_by=["current_daily_mg"],
        current=format_mg(current),
        start=format_mg(kept[0].daily_mg),
    )
    entry = BasisEntry(
        output="regimen.start",
        rule="dose.continue_from_current",
        inputs=(("current_daily_mg", current),),
        sources=alert.sources,
        note=(
            f"already on {format_mg(current)} a day: the schedule starts at the highest step "
            f"not above it ({format_mg(kept[0].daily_mg)} a day)"
        ),
        derived=True,
    )
    return Part(kept, (alert,), (entry,))


# ------------------------------------------------------------------ 10. tablets for small children
def low_weight_tablets(ctx: Context) -> Part[None]:
    form, weight = ctx.form, ctx.case.weight_kg
    if form.min_weight_kg is None or weight is None or weight >= form.min_weight_kg:
        return Part(None)
    alert = from_template(
        ctx.kb,
        "dose.tablets_low_weight",
        triggered_by=["weight_kg", "formulation"],
        weight=format_number(weight, 1),
    )
    return Part(None, (alert,))


# ------------------------------------------------------------------ 11. dated steps
def dated_regimen(
    ctx: Context,
    rules: tuple[DoseRule, ...],
    levels: tuple[Level, ...],
    maximum: Limit,
    interval: int,
) -> Part[Regimen]:
    form, start = ctx.form, ctx.case.start_date
    strength = (
        choose_tablet_strength((lv.dose_mg for lv in levels), form)
        if form.kind == "tablet"
        else None
    )
    courses = [r for r in rules if r.course_days is not None]
    course = min((r.course_days for r in courses if r.course_days), default=None)
    steps: list[TitrationStep] = []
    for i, lv in enumerate(levels):
        first = 1 + i * interval
        last = None if i == len(levels) - 1 else first + interval - 1
        if last is None and course is not None and course >= first:
            last = course
        text, ml = amount(lv.dose_mg, form, strength)
        steps.append(
            TitrationStep(
                from_day=first,
                to_day=last,
                from_date=start + timedelta(days=first - 1),
                to_date=None if last is None else start + timedelta(days=last - 1),
                dose_mg=lv.dose_mg,
                times_per_day=lv.times_per_day,
                daily_mg=lv.daily_mg,
                amount=text,
                volume_ml=ml,
            )
        )
    regimen = Regimen(
        start=Dose(levels[0].dose_mg, levels[0].times_per_day, levels[0].daily_mg,
                   steps[0].amount, steps[0].volume_ml),
        target_daily_mg=levels[-1].daily_mg,
        max_daily_mg=maximum.value,
        step_interval_days=interval,
        steps=tuple(steps),
        formulation=dispensed_formulation(form, strength),
        derived=any(r.derived for r in rules),
        course_days=course,
    )  # fmt: skip
    basis: tuple[BasisEntry, ...] = ()
    if courses and course is not None:
        rule = courses[0]
        basis = (
            BasisEntry(
                output="regimen.course_days",
                rule=rule.id,
                inputs=ctx.inputs,
                sources=rule.sources,
                note=f"a dated course of {course} days, then stop and review. {rule.rationale}",
                derived=rule.derived,
            ),
        )
    return Part(regimen, (), basis)


# ------------------------------------------------------------------ helpers
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
