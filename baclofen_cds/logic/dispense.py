"""From milligrams to what the patient measures: tablets (and halves), mL, or packets.

Doses are only ever rounded down to what the form can give. Tablets: one strength is
dispensed for the whole schedule, halves only of scored tablets.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import msgspec

from baclofen_cds.logic.formatting import format_mg, format_ml, format_number
from baclofen_cds.logic.knowledge import FormulationInfo
from baclofen_cds.logic.result import Formulation

_EPS = 1e-9


class Level(msgspec.Struct, frozen=True):
    """A dose level: `dose_mg` taken `times_per_day` times a day."""

    dose_mg: float
    times_per_day: int

    @property
    def daily_mg(self) -> float:
        return round(self.dose_mg * self.times_per_day, 4)


def round_down(value: float, step: float) -> float:
    return round(math.floor(value / step + _EPS) * step, 4)


def form_round_down(dose_mg: float, form: FormulationInfo) -> float:
    """`dose_mg` rounded down to what the form can measure.

    Liquids measure doses below `small_dose_below_ml` in `small_dose_step_ml` steps (a 1 mL oral
    syringe), finer than `dose_step_mg`.
    """
    conc = form.concentration_mg_per_ml
    fine, below = form.small_dose_step_ml, form.small_dose_below_ml
    if conc and fine and below and dose_mg < below * conc - _EPS:
        return max(round_down(dose_mg, fine * conc), round_down(dose_mg, form.dose_step_mg))
    return round_down(dose_mg, form.dose_step_mg)


def fit_daily(daily_mg: float, most_times: int, form: FormulationInfo) -> Level | None:
    """The largest dispensable level not above `daily_mg`, with at most `most_times` doses.

    Between equal daily totals the one with more doses a day wins (steadier levels).
    """
    best: Level | None = None
    for times in range(most_times, 0, -1):
        dose = form_round_down(daily_mg / times, form)
        if dose > 0 and (best is None or dose * times > best.daily_mg + _EPS):
            best = Level(dose, times)
    return best


def dispense(level: Level, form: FormulationInfo) -> Level | None:
    """`level` rounded down to the form; fewer doses a day if a dose would round to nothing."""
    dose = form_round_down(level.dose_mg, form)
    if dose > 0:
        return Level(dose, level.times_per_day)
    return fit_daily(level.daily_mg, level.times_per_day - 1, form)


def choose_tablet_strength(doses: Iterable[float], form: FormulationInfo) -> float:
    """One strength for the whole schedule.

    Whole tablets are preferred (splitting is error-prone) while no dose needs more than
    `whole_tablets_up_to` of them; otherwise the largest strength that gives every dose as
    whole or scored-half tablets.
    """
    wanted = sorted(set(doses))
    limit = form.whole_tablets_up_to
    for strength in sorted(form.strengths_mg, reverse=True):
        counts = [d / strength for d in wanted]
        if all(abs(c - round(c)) < _EPS and 1 <= round(c) <= limit for c in counts):
            return strength
    for strength in sorted(form.strengths_mg, reverse=True):
        unit = strength / 2 if strength in form.scored_strengths_mg else strength
        if all(abs(d / unit - round(d / unit)) < _EPS and d >= unit for d in wanted):
            return strength
    return min(form.strengths_mg)


def dispensed_formulation(form: FormulationInfo, strength: float | None) -> Formulation:
    if form.kind == "tablet" and strength is not None:
        return Formulation(
            code=form.code,
            label=f"baclofen {format_mg(strength)} tablets",
            patient_label=f"{format_mg(strength)} tablets",
            unit="tablet",
            strength_mg=strength,
            concentration_mg_per_ml=None,
            storage=form.storage,
        )
    return Formulation(
        code=form.code,
        label=form.label,
        patient_label=form.patient_label,
        unit="mL" if form.kind == "liquid" else "packet",
        strength_mg=None,
        concentration_mg_per_ml=form.concentration_mg_per_ml,
        storage=form.storage,
    )


def amount(
    dose_mg: float, form: FormulationInfo, strength: float | None
) -> tuple[str, float | None]:
    """What to measure for one dose, in words, and the volume in mL for liquids."""
    if form.kind == "liquid":
        conc = form.concentration_mg_per_ml
        assert conc is not None
        ml = round(dose_mg / conc, 3)
        return (
            f"{format_ml(ml)} of the {format_number(conc)} mg/mL liquid ({format_mg(dose_mg)})",
            ml,
        )
    if form.kind == "tablet":
        assert strength is not None
        return _tablets(dose_mg, strength), None
    return _packets(dose_mg, form), None


def _tablets(dose_mg: float, strength: float) -> str:
    count = dose_mg / strength
    whole = int(count + _EPS)
    half = abs(count - whole - 0.5) < _EPS
    s = format_mg(strength)
    if whole == 0 and half:
        return f"half of one {s} tablet"
    if whole == 1 and not half:
        return f"1 tablet of {s}"
    if half:
        return f"{whole} and a half tablets of {s}"
    return f"{whole} tablets of {s}"


def _packets(dose_mg: float, form: FormulationInfo) -> str:
    parts: list[str] = []
    left = dose_mg
    for strength in sorted(form.strengths_mg, reverse=True):
        n = int(left / strength + _EPS)
        if n:
            parts.append(f"{n} packet{'s' if n > 1 else ''} of {format_mg(strength)}")
            left = round(left - n * strength, 4)
    return " + ".join(parts) if parts else f"{format_mg(dose_mg)} (cannot be measured in packets)"
