"""The children's mg/kg schedule, as a paediatric prescriber checks it: each named child's whole
dated ladder (dose, times a day, daily mg, days), the age-cap birthdays and each cap of the
start and of the steps. Written from the surviving mutants of `logic/dosing.py`
(docs/mutation.md): every number below is one a mutant changed without a test noticing.

The rules are `dose.child.spasticity` (under 12 years) and `dose.adolescent.spasticity_weight`
(12 to 17 years) in dosing.yaml, sources S8 (UK SmPC: about 0.3 mg/kg a day in divided doses,
raised at about 1-week intervals, maintenance 0.75–2 mg/kg a day, at most 40 mg a day under
8 years and 60 mg a day from 8 years), S47 (older Novartis start of 2.5 mg four times a day) and
S1 (the adult start and step of 15 mg a day). Every child here has normal kidneys (bedside
Schwartz from the height and a creatinine of 0.4 mg/dL) and takes the 1 mg/mL oral solution,
which measures 0.5 mg steps (0.1 mg below 1 mL).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from baclofen_cds.logic import KnowledgeBase, parse_case
from baclofen_cds.logic.dosing import DosePlan, plan_dose, weight_ladder
from baclofen_cds.logic.result import Recommendation
from tests.logic.conftest import TODAY, Run, alert_ids

CHILD: dict[str, Any] = {
    "spasticity_origin": "spinal_cord",
    "sex": "female",
    "height_cm": 120,
    "serum_creatinine": {"value": 0.4, "unit": "mg/dL"},
    "formulation": "oral_solution_1_mg_per_ml",
}


def child(run: Run, **changes: Any) -> Recommendation:
    return run(**{**CHILD, **changes})


def ladder(rec: Recommendation) -> list[tuple[float, int, float, int, int | None]]:
    """(mg a dose, times a day, mg a day, first day, last day) of each dated step."""
    assert rec.regimen is not None, rec.regimen_withheld
    return [
        (s.dose_mg, s.times_per_day, s.daily_mg, s.from_day, s.to_day) for s in rec.regimen.steps
    ]


def basis_of(rec: Recommendation, output: str) -> Any:
    return next(b for b in rec.basis if b.output == output)


# ------------------------------------------------------------------ whole dated ladders
def test_amira_6_years_20_kg_starts_at_0_3_mg_per_kg_and_stops_below_0_75(run: Run) -> None:
    """Amira, 6, 20 kg, spasticity after a spinal cord injury. S8: 0.3 mg/kg a day = 6 mg a
    day in 4 doses (1.5 mg four times a day) for a week; then +0.3 mg/kg a day = 12 mg a day
    (3 mg four times a day). The next step, 18 mg, is above 0.75 mg/kg a day (15 mg), so the
    dated schedule stops at 12 mg; her ceiling is 2 mg/kg a day = 40 mg, also the cap under 8."""
    rec = child(run, age_years=6, weight_kg=20)
    assert rec.status == "recommended"
    assert ladder(rec) == [(1.5, 4, 6, 1, 7), (3, 4, 12, 8, None)]
    assert rec.regimen is not None
    assert rec.regimen.target_daily_mg == 12
    assert rec.regimen.max_daily_mg == 40
    assert rec.regimen.step_interval_days == 7
    assert basis_of(rec, "regimen.start").rule == "dose.child.spasticity"
    # the Basis view says where the schedule stops: 0.75 mg/kg a day of 20 kg
    note = basis_of(rec, "regimen.target_daily_mg").note
    assert "stops at 12 mg a day, its last step not above 15 mg" in note
    assert "dose.not_dispensable" not in alert_ids(rec)  # 1.5 and 3 mg can be measured


def test_the_2_mg_per_kg_ceiling_is_below_the_age_cap_for_a_light_child(run: Run) -> None:
    """Noah, 6, 15 kg: 2 mg/kg a day is 30 mg, below the 40 mg cap under 8 (S8): 30 mg is his
    maximum. 0.3 mg/kg a day = 4.5 mg (1.125 mg a dose) and the 9 mg step (2.25 mg a dose)
    cannot be measured; both are rounded down, and the alert says so in words."""
    rec = child(run, age_years=6, weight_kg=15)
    assert rec.regimen is not None and rec.regimen.max_daily_mg == 30
    assert ladder(rec) == [(1, 4, 4, 1, 7), (2, 4, 8, 8, None)]
    card = next(a for a in rec.alerts if a.id == "dose.not_dispensable")
    assert "became 1 mg four times a day" in card.detail
    assert "became 2 mg four times a day" in card.detail


@pytest.mark.parametrize(
    ("age", "maximum"),
    [(7.9, 40), (8, 52)],
    ids=["a month before his 8th birthday: 40 mg cap", "on his 8th birthday: 2 mg/kg = 52 mg"],
)
def test_ben_26_kg_age_cap_changes_on_the_8th_birthday(run: Run, age: float, maximum: int) -> None:
    """Ben, 26 kg. S8: at most 40 mg a day under 8 years; from 8 the cap is 60 mg a day, so his
    own 2 mg/kg a day (52 mg) is the ceiling. The start and the weekly step do not change."""
    rec = child(run, age_years=age, weight_kg=26, height_cm=128)
    assert rec.regimen is not None and rec.regimen.max_daily_mg == maximum
    # 0.3 mg/kg a day = 7.8 mg (1.95 mg a dose, given as 1.5 mg); 15.6 mg (3.9 mg, given as 3.5)
    assert ladder(rec) == [(1.5, 4, 6, 1, 7), (3.5, 4, 14, 8, None)]


def test_chloe_40_kg_starts_at_2_5_mg_a_dose_not_at_0_3_mg_per_kg(run: Run) -> None:
    """Chloe, 10, 40 kg: 0.3 mg/kg a day would be 12 mg (3 mg a dose), but a child's start is
    never above 2.5 mg a dose (S47, older Novartis start; DERIVED): 2.5 mg four times a day.
    The step stays 0.3 mg/kg a day (12 mg, under the adult 15 mg step): 22 mg a day; the next,
    34 mg, is past 0.75 mg/kg a day (30 mg)."""
    rec = child(run, age_years=10, weight_kg=40, height_cm=140)
    assert ladder(rec) == [(2.5, 4, 10, 1, 7), (5.5, 4, 22, 8, None)]
    assert rec.regimen is not None and rec.regimen.max_daily_mg == 60  # 8 years or over


def test_dev_60_kg_steps_are_never_above_the_adult_15_mg_step(run: Run) -> None:
    """Dev, 10, 60 kg: 0.3 mg/kg a day is 18 mg, but a step is never above the adult step of
    15 mg a day (S1; DERIVED): 10 → 25 → 40 mg a day (25 mg is 6.25 mg a dose, given as 6 mg);
    the next, 55 mg, is past 0.75 mg/kg a day (45 mg). With 18 mg steps it would be 10 → 28."""
    rec = child(run, age_years=10, weight_kg=60, height_cm=145)
    assert ladder(rec) == [(2.5, 4, 10, 1, 7), (6, 4, 24, 8, 14), (10, 4, 40, 15, None)]


def test_ella_14_years_60_kg_start_never_above_the_adult_15_mg(run: Run) -> None:
    """Ella, 14, 60 kg: the UK mg/kg ladder (S8) would start at 0.3 mg/kg a day = 18 mg, but
    never above the adult start of 15 mg a day (S1): 15 mg in 4 doses, 3.75 mg a dose, given as
    3.5 mg. That is below the adolescent label ladder's 5 mg three times a day, so the mg/kg
    ladder is used; 15 mg weekly steps to 0.75 mg/kg a day (45 mg)."""
    rec = child(run, age_years=14, weight_kg=60, height_cm=160)
    assert basis_of(rec, "regimen.start").rule == "dose.adolescent.spasticity_weight"
    assert ladder(rec) == [
        (3.5, 4, 14, 1, 7),
        (7.5, 4, 30, 8, 14),
        (11, 4, 44, 15, None),
    ]
    assert rec.regimen is not None and rec.regimen.max_daily_mg == 60


def test_the_last_step_lands_on_the_target_exactly(run: Run) -> None:
    """Felix, 16, 82 kg: 0.75 mg/kg a day is 61.5 mg, capped at 60 mg under 18 (S8). 15 mg
    starts and 15 mg steps reach 60 mg exactly on day 22: that step is part of the schedule."""
    rec = child(run, age_years=16, weight_kg=82, height_cm=178, sex="male")
    steps = ladder(rec)
    assert [s[2] for s in steps] == [14, 30, 44, 60]
    assert steps[-1] == (15, 4, 60, 22, None)


def test_a_higher_target_chosen_does_not_extend_a_childs_mg_per_kg_schedule(run: Run) -> None:
    """Amira again, with the clinician asking for 30 mg a day (1.5 mg/kg, under her 40 mg
    ceiling): the choice may only slow or lower the schedule, so the dated steps still stop at
    the last 0.3 mg/kg step not above 0.75 mg/kg a day (12 mg); higher only by response."""
    rec = child(run, age_years=6, weight_kg=20, regimen_choice={"target_daily_mg": 30})
    assert ladder(rec) == [(1.5, 4, 6, 1, 7), (3, 4, 12, 8, None)]
    # and the Basis view says so: the steps stop at 12 mg, the chosen 30 mg is not reached
    note = basis_of(rec, "regimen.target_daily_mg").note
    assert note.startswith("the dated titration stops at 12 mg a day")
    assert "the chosen 30 mg a day is not reached" in note


# ------------------------------------------------------------------ the Basis view
def test_the_basis_shows_the_mg_per_kg_equation_with_the_childs_numbers(run: Run) -> None:
    """Zoe, 2, 12.36 kg on the clinic scale: the Basis view shows each number of her schedule
    (weight to 0.1 kg; both start caps; the step, the target, the ceiling and the age cap)."""
    rec = child(run, age_years=2, weight_kg=12.36, height_cm=88)
    assert basis_of(rec, "regimen.start").equation == (
        "start min(0.3 mg/kg/day × 12.4 kg = 3.71 mg; caps 15 mg, 10 mg) = 3.71 mg a day in "
        "4 doses; steps of 3.71 mg a day; target 0.75 mg/kg/day = 9.27 mg; maximum "
        "2 mg/kg/day = 24.72 mg and the age cap → 24.72 mg"
    )


def test_a_schedule_without_start_caps_says_none(kb: KnowledgeBase) -> None:
    """A local rulebook may drop the start caps: the equation then says "caps none", and the
    start and steps are plain mg/kg (here 0.3 mg/kg a day of 60 kg = 18 mg, 18 mg steps)."""
    rule = next(r for r in kb.dosing.rules if r.id == "dose.child.spasticity")
    assert rule.weight_based is not None
    wb = _rebuilt(
        rule.weight_based, start_max_daily_mg=None, start_max_mg_per_dose=None,
        step_max_daily_mg=None,
    )  # fmt: skip
    case = parse_case({**CHILD, "indication": "spasticity", "age_years": 10, "weight_kg": 60,
                       "start_date": "2026-12-01"}, kb, today=TODAY)  # fmt: skip
    lad = weight_ladder(rule, wb, case)
    assert lad.equation is not None and "; caps none) = 18 mg a day" in lad.equation
    assert [lv.daily_mg for lv in lad.levels] == [18, 36]  # 54 mg is past 0.75 mg/kg (45 mg)


def _rebuilt(obj: Any, **changes: Any) -> Any:
    """A copy of a knowledge-base record with some fields changed (pydantic or msgspec)."""
    names = getattr(type(obj), "model_fields", None) or obj.__struct_fields__
    return type(obj)(**{**{n: getattr(obj, n) for n in names}, **changes})


# ------------------------------------------------------------------ no rule for this age
def test_no_dose_rule_card_names_the_indication_and_the_age_group(run: Run) -> None:
    """Sam, 6, referred for alcohol use disorder: no source doses baclofen for that in a child.
    The card says so in words (indication and age group), and no regimen is shown."""
    rec = child(run, indication="alcohol_use_disorder", age_years=6, weight_kg=20)
    card = next(a for a in rec.alerts if a.id == "dose.no_rule_for_population")
    assert card.summary == (
        "No dose rule for alcohol use disorder (reducing drinking) at this age "
        "(child under 12 years): no dose is suggested."
    )
    assert card.triggered_by == ("alcohol_use_disorder", "child")
    assert rec.regimen is None


# ------------------------------------------------------------------ the plan when no dose is given
def _plan(kb: KnowledgeBase, band: str, **changes: Any) -> DosePlan:
    data = {**CHILD, "indication": "spasticity", "age_years": 6, "weight_kg": 20,
            "start_date": "2026-12-01", **changes}  # fmt: skip
    data = {k: v for k, v in data.items() if v is not None}
    case = parse_case(data, kb, today=date(2026, 11, 22))
    values = {"age": "6", "indication": "spasticity", "value": "", "band_label": band,
              "why": "", "origin": ""}  # fmt: skip
    return plan_dose(case, kb, band, kb.formulations[case.formulation], values)  # type: ignore[arg-type]


def test_a_child_without_a_weight_gets_no_plan_and_the_reason_is_the_weight(
    kb: KnowledgeBase,
) -> None:
    """Lily, 6, weight not recorded: a mg/kg schedule cannot be computed. The dose plan says
    why (the missing weight), is never rated better than "use with caution", and lists the
    rules it considered for the Basis view."""
    plan = _plan(kb, "normal", weight_kg=None)
    missing = next(a for a in plan.alerts if a.id == "input.child_weight_missing")
    assert plan.regimen is None and plan.levels == ()
    assert plan.status == "use_with_caution"
    assert plan.status_reason == missing.summary
    assert [r.id for r in plan.rules] == ["dose.child.spasticity"]


def test_a_stopped_plan_keeps_a_worse_status_than_caution(kb: KnowledgeBase) -> None:
    """Lily with kidney function 15–29 mL/min and no weight: the kidney rule says "avoid"; a
    missing weight must not soften that to "use with caution"."""
    plan = _plan(kb, "severe", weight_kg=None)
    assert plan.regimen is None
    assert plan.status == "avoid"


def test_a_rule_that_never_gives_a_dose_keeps_the_most_severe_rules_reason(
    kb: KnowledgeBase,
) -> None:
    """Lily's intrathecal pump has failed (no oral schedule: withdrawal emergency) and her kidney
    function is 15–29 mL/min. Both rules say "avoid"; the plan's reason is the rule that set
    the status first in the rulebook's order (the kidney band), as for any other plan."""
    plan = _plan(kb, "severe", intrathecal="pump_removed_or_failed")
    assert plan.regimen is None and plan.stop is not None
    assert plan.status == "avoid"
    assert plan.status_reason == "Kidney function 15–29 mL/min: avoid"
    assert plan.stop.reason == "Intrathecal pump removed or failed: withdrawal emergency"


# ------------------------------------------------------------------ a kidney ladder wins the start
def test_maya_mild_kidneys_a_kidney_ladder_never_takes_her_past_0_75_mg_per_kg(run: Run) -> None:
    """Maya, 9, 35 kg, kidney function 50–79 mL/min (bedside Schwartz about 56). Her mg/kg start
    is 10 mg a day (2.5 mg a dose cap); the kidney-band ladder also starts at 10 mg a day (5 mg
    twice a day) with the lower ceiling (50 mg), so it gives the start. Its later rungs must
    still stop at her own 0.75 mg/kg a day (26.25 mg): 10 → 15 mg a day, never the 30 and 45 mg
    of the adult kidney ladder (before the fix the dated schedule went to 45 mg a day, higher
    than with normal kidneys)."""
    rec = child(run, age_years=9, weight_kg=35, height_cm=135,
                serum_creatinine={"value": 1.0, "unit": "mg/dL"})  # fmt: skip
    assert rec.renal.band == "mild"
    assert basis_of(rec, "regimen.start").rule == "dose.renal.mild"
    assert ladder(rec) == [(5, 2, 10, 1, 7), (5, 3, 15, 8, None)]
    assert basis_of(rec, "regimen.target_daily_mg").rule == "dose.child.spasticity"
    normal = child(run, age_years=9, weight_kg=35, height_cm=135)
    assert normal.regimen is not None and rec.regimen is not None
    assert rec.regimen.target_daily_mg <= normal.regimen.target_daily_mg


def test_lea_tablets_and_moderate_kidneys_never_step_ahead_of_her_mg_per_kg_schedule(
    run: Run,
) -> None:
    """Lea, 8, 21 kg, kidney function 30–49 mL/min, on tablets (found by the children's
    property). The kidney ladder's 2.5 mg three times a day cannot be given as tablets and
    rounds down to 5 mg once a day; its next rung, 5 mg three times a day (15 mg a day), is a
    10 mg jump, ahead of her own mg/kg schedule (6.3 mg a day start + 6.3 mg a step = 12.6 mg
    a day by then; S8). The dated steps stop at 5 mg a day, and the Basis view says why."""
    rec = child(run, age_years=8, weight_kg=21, height_cm=150, formulation="tablet",
                serum_creatinine={"value": 2.0, "unit": "mg/dL"},
                confirmed=["weight_kg", "age_years", "serum_creatinine"])  # fmt: skip
    assert rec.renal.band == "moderate"
    assert ladder(rec) == [(5, 1, 5, 1, None)]
    notes = [b.note for b in rec.basis if b.output == "regimen.steps"]
    assert any(
        "the step to 15 mg a day would be ahead of this child's mg/kg schedule" in n
        and "at most 12.6 mg a day by then" in n
        for n in notes
    ), notes
    # on the 1 mg/mL liquid her own mg/kg schedule gives the start and the steps: 6 -> 12 mg
    liquid = child(run, age_years=8, weight_kg=21, height_cm=150,
                   serum_creatinine={"value": 2.0, "unit": "mg/dL"},
                   confirmed=["weight_kg", "age_years", "serum_creatinine"])  # fmt: skip
    assert [s[2] for s in ladder(liquid)] == [6, 12]
