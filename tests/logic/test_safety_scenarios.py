"""Clinical-safety scenarios (issue 8): hard stops with a documented override, plausibility,
children, older adults, monitoring from the first dose, short courses and off-label use,
stopping safely, intrathecal pumps and the concentrated liquid.

Each row names its source (reference section and source ids) and is a change from the healthy
45-year-old woman with MS spasticity and normal kidneys (`HEALTHY_ADULT`). Rows marked "NOT"
must not trigger. `SAFETY_SCENARIOS` is also run through the command line
(tests/cli/test_safety_cli.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from baclofen_cds.logic import Recommendation
from tests.logic.conftest import Run, alert_ids

OVERRIDE = {"reason": "specialist_supervision", "clinician": "Dr N. Nephro", "note": "agreed"}
PALLIATIVE = {"reason": "palliative_care", "clinician": "Dr P. Care", "note": ""}
START = date(2026, 12, 1)
SEVERE = {"creatinine_clearance_ml_min": 20}
FAILURE = {"creatinine_clearance_ml_min": 10}
MODERATE = {"creatinine_clearance_ml_min": 40}
OLD_CKD = {"age_years": 70, "egfr_ml_min_1_73m2": 55, "serum_creatinine": None}
INFANT = {
    "age_years": 1,
    "weight_kg": 10,
    "height_cm": 75,
    "serum_creatinine": {"value": 0.3, "unit": "mg/dL"},
}
LIQUID = {"formulation": "oral_solution_1_mg_per_ml"}


def _days(rec: Recommendation) -> list[int]:
    assert rec.regimen is not None
    return [s.from_day for s in rec.regimen.steps]


def _watch_due(rec: Recommendation, prefix: str) -> list[date]:
    return [m.due_date for m in rec.monitoring if m.id.startswith(prefix) and m.due_date]


def _daily_on(rec: Recommendation, day: int) -> float:
    assert rec.regimen is not None
    return max(s.daily_mg for s in rec.regimen.steps if s.from_day <= day)


@dataclass
class C:
    name: str
    source: str  # reference section and source ids the expectation rests on
    changes: dict[str, Any]
    status: str
    present: set[str] = field(default_factory=set)
    absent: set[str] = field(default_factory=set)
    regimen: bool = True  # is a regimen shown?
    withheld: str | None = None  # None | "overridable" | "final"
    start: tuple[float, int] | None = None
    max_daily: float | None = None
    check: Callable[[Recommendation], Any] | None = None


def _override_applied(rec: Recommendation) -> None:
    assert rec.override is not None and rec.override.applied
    assert rec.override.label  # the reason's label is echoed
    assert any(b.output == "override" for b in rec.basis)
    assert rec.critical_alerts  # every critical alert is kept


def _override_not_applied(rec: Recommendation) -> None:
    assert rec.override is not None and not rec.override.applied


def _no_routine_tests(rec: Recommendation) -> None:
    """Beside a withheld dose there is no treatment to monitor: only what comes before a start."""
    ids = {m.id for m in rec.monitoring}
    assert "monitor.baseline_kidney" in ids
    assert not ids & {"monitor.routine_liver_kidney", "monitor.glucose", "monitor.liver_disease"}


def _one_held_step(rec: Recommendation) -> None:
    _override_applied(rec)
    assert rec.regimen is not None and len(rec.regimen.steps) == 1
    assert rec.regimen.steps[0].to_day is None and rec.regimen.start.daily_mg <= 5


def _weekly(rec: Recommendation) -> None:
    assert rec.regimen is not None and rec.regimen.step_interval_days >= 7
    days = _days(rec)
    assert all(b - a >= 7 for a, b in itertools.pairwise(days))


def _weekly_lower_target(rec: Recommendation) -> None:
    _weekly(rec)
    assert rec.regimen is not None and rec.regimen.target_daily_mg <= 30


def _no_faster_than_adult(rec: Recommendation) -> None:
    _weekly(rec)
    assert rec.regimen is not None and rec.regimen.target_daily_mg <= 30
    assert _daily_on(rec, 13) <= 15  # the 85-year-old reached 60 mg a day on day 13 before


def _watch_from_day_2(rec: Recommendation) -> None:
    assert START + timedelta(days=1) in _watch_due(rec, "monitor.encephalopathy")


def _watch_and_week1(rec: Recommendation) -> None:
    _watch_from_day_2(rec)
    assert START + timedelta(days=6) in _watch_due(rec, "monitor.week1_review")


def _no_watch(rec: Recommendation) -> None:
    assert not _watch_due(rec, "monitor.encephalopathy")


def _child_start_capped(rec: Recommendation, weight: float) -> None:
    assert rec.regimen is not None
    assert rec.regimen.start.daily_mg <= 0.3 * weight + 1e-9
    assert rec.regimen.start.daily_mg <= 15  # never above the adult start


def _per_step_weekly(rec: Recommendation) -> None:
    item = next(m for m in rec.monitoring if m.id == "monitor.each_step")
    dues = [date.fromisoformat(d) for d in re.findall(r"\d{4}-\d{2}-\d{2}", item.when)]
    assert rec.regimen is not None and len(dues) == len(rec.regimen.steps)
    assert dues and all((b - a).days >= 7 for a, b in itertools.pairwise(dues))


def _hiccups(rec: Recommendation) -> None:
    assert START + timedelta(days=2) in _watch_due(rec, "monitor.hiccups_day3")
    assert not _watch_due(rec, "monitor.efficacy_review")


def _course(rec: Recommendation) -> None:
    assert rec.regimen is not None and rec.regimen.course_days == 10
    last = rec.regimen.steps[-1]
    assert last.to_day == 10 and last.to_date == START + timedelta(days=9)
    assert START + timedelta(days=9) in _watch_due(rec, "monitor.course_end")
    assert not _watch_due(rec, "monitor.efficacy_review")


def _taper_from(current: float, min_days: int) -> Callable[[Recommendation], None]:
    def check(rec: Recommendation) -> None:
        assert rec.taper, "a patient already on baclofen needs a taper"
        dailies = [t.daily_mg for t in rec.taper]
        assert dailies[0] < current and dailies == sorted(dailies, reverse=True)
        assert rec.taper[-1].to_day >= min_days
        assert any(b.output == "taper" and "current dose" in b.note for b in rec.basis)

    return check


def _not_slow(rec: Recommendation) -> None:
    _taper_from(60, 14)(rec)
    assert rec.taper[-1].to_day < 28


def _schedule(interval: int, target: float) -> Callable[[Recommendation], None]:
    def check(rec: Recommendation) -> None:
        assert rec.regimen is not None
        assert rec.regimen.step_interval_days == interval
        assert rec.regimen.target_daily_mg == target

    return check


def _notes(rec: Recommendation) -> None:
    titles = " ".join(n.title for n in rec.safety_notes)
    assert "Never stop abruptly" in titles and "Overdose" in titles


SAFETY_SCENARIOS = [
    # ------------------------------------------------ 1. avoid means stop
    C("haemodialysis: regimen withheld, override allowed", "§5.2 hard stop; S8 S10 S19 S14",
      {"dialysis": "hemodialysis"}, "avoid", {"renal.dialysis"}, regimen=False,
      withheld="overridable", check=_no_routine_tests),
    C("peritoneal dialysis is dialysis: withheld", "§5.2 note (UNVERIFIED); S8 S10",
      {"dialysis": "peritoneal"}, "avoid", {"renal.dialysis"}, regimen=False,
      withheld="overridable"),
    C("haemodialysis with an override: one held 5 mg step, still avoid", "§5.2; S8 S10",
      {"dialysis": "hemodialysis", "override": OVERRIDE}, "avoid", {"renal.dialysis"},
      start=(5, 1), max_daily=5, withheld="overridable", check=_one_held_step),
    C("CrCl below 15: withheld", "§5.2; S8 S10", FAILURE, "avoid", {"renal.kidney_failure"},
      regimen=False, withheld="overridable"),
    C("CrCl 15–29: withheld", "§5.2; S20 S8", SEVERE, "avoid", {"renal.severe"}, regimen=False,
      withheld="overridable"),
    C("CrCl 15–29 with an override: 5 → 10 mg a day, weekly", "§5.2 DERIVED; S8 S13 S20",
      {**SEVERE, "override": PALLIATIVE}, "avoid", {"renal.severe"}, start=(5, 1),
      max_daily=10, withheld="overridable", check=_override_applied),
    C("acute kidney injury: withheld", "§5.2 AKI row; S8 S17",
      {"conditions": ["acute_kidney_injury"]}, "avoid", {"condition.acute_kidney_injury"},
      regimen=False, withheld="overridable"),
    C("acute kidney injury with an override: at most one held low step", "§5.2; S8 S17",
      {"conditions": ["acute_kidney_injury"], "override": OVERRIDE}, "avoid",
      {"condition.acute_kidney_injury"}, start=(5, 1), max_daily=5, withheld="overridable",
      check=_one_held_step),
    C("active peptic ulcer: withheld", "§11, §22.3; S8 S10 S46",
      {"conditions": ["peptic_ulcer_active"]}, "avoid", {"condition.peptic_ulcer_active"},
      regimen=False, withheld="overridable"),
    C("active peptic ulcer with an override: the usual ladder, still avoid", "§11; S8 S1",
      {"conditions": ["peptic_ulcer_active"], "override": OVERRIDE}, "avoid",
      {"condition.peptic_ulcer_active"}, start=(5, 3), withheld="overridable",
      check=_override_applied),
    C("Beers: 70 years with eGFR 55 is an avoid", "§5.1, §7; S21 S18", OLD_CKD, "avoid",
      {"age.beers"}, regimen=False, withheld="overridable"),
    C("Beers: 70 years on dialysis", "§5.1; S21 S19",
      {"age_years": 70, "dialysis": "hemodialysis"}, "avoid", {"age.beers", "renal.dialysis"},
      regimen=False, withheld="overridable"),
    C("hypersensitivity with an override: contraindicated, never a dose", "§11; S1 S3 S8",
      {"conditions": ["baclofen_hypersensitivity"], "override": OVERRIDE}, "contraindicated",
      {"condition.baclofen_hypersensitivity"}, regimen=False, withheld="final",
      check=_override_not_applied),
    C("not indicated with an override: never a dose", "§9.5; S1 S3",
      {"indication": "musculoskeletal_pain", "override": OVERRIDE}, "avoid",
      {"indication.musculoskeletal_pain"}, regimen=False, withheld="final",
      check=_override_not_applied),
    C("NOT: an override with nothing to lift changes nothing", "§5.2; S13",
      {**MODERATE, **LIQUID, "override": OVERRIDE}, "use_with_caution", {"renal.moderate"},
      start=(2.5, 3), max_daily=40, check=_override_not_applied),
    C("NOT: moderate kidney impairment is not a stop", "§5.2; S13 S20", {**MODERATE, **LIQUID},
      "use_with_caution", {"renal.moderate"}, {"age.beers"}, start=(2.5, 3)),
    C("NOT: a history of peptic ulcer is not a stop", "§11; S10 S46",
      {"conditions": ["peptic_ulcer_history"]}, "use_with_caution",
      {"condition.peptic_ulcer_history"}, start=(5, 3)),
    C("NOT: 64 years with eGFR 55 is not Beers", "§5.1; S21",
      {**OLD_CKD, "age_years": 64}, "use_with_caution", {"renal.mild"}, {"age.beers"}),
    C("NOT: 65 years with normal kidneys is not Beers", "§5.1; S21",
      {"age_years": 65, "egfr_ml_min_1_73m2": 85, "serum_creatinine": None}, "recommended",
      {"age.older_adult"}, {"age.beers"}, start=(5, 2)),
    # ------------------------------------------------ 9. plausibility
    C("adult weight 25 kg: check this value, no dose", "issue 8 §9; R6 (DERIVED)",
      {"weight_kg": 25}, "use_with_caution", {"input.implausible_adult_weight"},
      regimen=False, withheld="final"),
    C("adult weight 25 kg confirmed: dose shown", "issue 8 §9; R6",
      {"weight_kg": 25, "confirmed": ["weight_kg", "age_years"]}, "use_with_caution",
      set(), {"input.implausible_adult_weight"}),
    C("adult weight 25 kg, only the weight confirmed: still stopped", "issue 8 §9; R6",
      {"weight_kg": 25, "confirmed": ["weight_kg"]}, "use_with_caution",
      {"input.implausible_adult_weight"}, regimen=False, withheld="final"),
    C("an override does not lift a check-this-value stop", "issue 8 §9; R6",
      {"weight_kg": 25, "override": OVERRIDE}, "use_with_caution",
      {"input.implausible_adult_weight"}, regimen=False, withheld="final"),
    C("NOT: a light adult of 35 kg is plausible (dosed by her kidney band)", "issue 8 §9; R6",
      {"weight_kg": 35}, "use_with_caution", {"renal.moderate"},
      {"input.implausible_adult_weight"}),
    C("age 0 with 70 kg: check this value", "issue 8 §9; R6",
      {**INFANT, **LIQUID, "age_years": 0, "weight_kg": 70}, "use_with_caution",
      {"input.implausible_child_weight"}, regimen=False, withheld="final"),
    C("NOT: 6 years, 20 kg is plausible", "§8; R6",
      {**INFANT, **LIQUID, "age_years": 6, "weight_kg": 20, "height_cm": 115}, "recommended",
      {"age.child_off_label_us"}, {"input.implausible_child_weight"}),
    C("computed CrCl above 250: check the creatinine", "issue 8 §9; R1 R2",
      {"serum_creatinine": {"value": 0.2, "unit": "mg/dL"}}, "use_with_caution",
      {"input.implausible_clearance"}, regimen=False, withheld="final"),
    C("computed CrCl above 250, creatinine confirmed: dose shown", "issue 8 §9; R1",
      {"serum_creatinine": {"value": 0.2, "unit": "mg/dL"}, "confirmed": ["serum_creatinine"]},
      "recommended", set(), {"input.implausible_clearance"}, start=(5, 3)),
    # ------------------------------------------------ 3. children
    C("1-year-old on tablets: the start cannot be given, no dose", "§8, §3; S8",
      INFANT, "use_with_caution", {"dose.start_not_dispensable"}, regimen=False,
      withheld="final"),
    C("1-year-old on the 1 mg/mL liquid: 0.3 mg/kg a day, syringe doses", "§8; S8",
      {**INFANT, **LIQUID}, "recommended", {"age.child_off_label_us"},
      {"dose.start_not_dispensable"}, start=(0.7, 4), check=lambda r: _child_start_capped(r, 10)),
    C("80 kg 11-year-old: never above the adult start", "§8; S8 S44 S47",
      {"age_years": 11, "weight_kg": 80, "height_cm": 150,
       "serum_creatinine": {"value": 0.6, "unit": "mg/dL"}}, "recommended",
      {"age.child_off_label_us"}, check=lambda r: _child_start_capped(r, 80)),
    C("25 kg 15-year-old: the mg/kg ladder, not the adult one", "§8; S8 S1",
      {"age_years": 15, "weight_kg": 25, "height_cm": 140,
       "serum_creatinine": {"value": 0.5, "unit": "mg/dL"}, **LIQUID}, "recommended",
      set(), {"age.child_off_label_us"}, check=lambda r: (_child_start_capped(r, 25), _weekly(r))),
    C("NOT: 60 kg 15-year-old keeps the adult start", "§8; S1 S8",
      {"age_years": 15, "weight_kg": 60, "height_cm": 165,
       "serum_creatinine": {"value": 0.7, "unit": "mg/dL"}}, "recommended", set(),
      {"dose.start_not_dispensable"}, start=(5, 3), max_daily=60),
    C("child with cerebral palsy: weekly steps, cerebral-origin alert", "§8, §7; S8 S10",
      {**INFANT, **LIQUID, "age_years": 7, "weight_kg": 22, "height_cm": 120,
       "spasticity_origin": "cerebral_palsy"}, "use_with_caution",
      {"indication.cerebral_origin", "age.child_off_label_us"}, check=_per_step_weekly),
    # ------------------------------------------------ 4. older adults and cerebral origin
    C("85 years, normal kidneys: weekly steps, lower target", "§7; S9 S10 S18 (DERIVED)",
      {"age_years": 85, "egfr_ml_min_1_73m2": 82, "serum_creatinine": None}, "recommended",
      {"age.older_adult"}, {"age.beers"}, start=(5, 2), check=_no_faster_than_adult),
    C("stroke: weekly steps, lower target", "§7; S10 S1 (DERIVED)",
      {"spasticity_origin": "stroke"}, "use_with_caution", {"indication.cerebral_origin"},
      start=(5, 3), check=_weekly_lower_target),
    C("adult with cerebral palsy: weekly steps", "§7; S10",
      {"spasticity_origin": "cerebral_palsy"}, "use_with_caution",
      {"indication.cerebral_origin"}, check=_weekly),
    C("NOT: MS in a 45-year-old keeps 3-day steps", "§4; S1",
      {}, "recommended", set(), {"indication.cerebral_origin", "age.older_adult"},
      start=(5, 3), check=lambda r: _days(r) == [1, 4, 7, 10]),
    # ------------------------------------------------ 2 and 10. monitoring from the first dose
    C("70 years, normal kidneys: confusion watch from day 2", "§14; S14 S19 S18",
      {"age_years": 70, "egfr_ml_min_1_73m2": 85, "serum_creatinine": None}, "recommended",
      {"age.older_adult"}, check=_watch_from_day_2),
    C("dialysis with an override: watch from day 2 and a week-1 review", "§14; S19 S14",
      {"dialysis": "hemodialysis", "override": OVERRIDE}, "avoid", {"renal.dialysis"},
      withheld="overridable", check=_watch_and_week1),
    C("AKI with an override: watch from day 2 and a week-1 review", "§14; S8 S17",
      {"conditions": ["acute_kidney_injury"], "override": OVERRIDE}, "avoid",
      {"condition.acute_kidney_injury"}, withheld="overridable", check=_watch_and_week1),
    C("mild kidney impairment: watch from day 2", "§14; S18",
      {"creatinine_clearance_ml_min": 60}, "use_with_caution", {"renal.mild"},
      check=_watch_from_day_2),
    C("NOT: 45 years, normal kidneys: no encephalopathy watch", "§14; S14",
      {}, "recommended", check=_no_watch),
    C("child: per-step review weekly", "§14; S1 S8",
      {**INFANT, **LIQUID, "age_years": 6, "weight_kg": 20, "height_cm": 115}, "recommended",
      {"age.child_off_label_us"}, check=_per_step_weekly),
    # ------------------------------------------------ 8. short courses and off-label use
    C("hiccups: day-3 review, no 6–8-week review, never plainly recommended", "§9.3; S33 S29",
      {"indication": "hiccups"}, "use_with_caution", {"indication.hiccups"}, start=(5, 3),
      check=_hiccups),
    C("alcohol withdrawal: a dated 10-day course with its end and review", "§9.2; S24 S23",
      {"indication": "alcohol_withdrawal"}, "use_with_caution",
      {"indication.alcohol_withdrawal"}, start=(10, 3), max_daily=30, check=_course),
    C("trigeminal neuralgia: off-label, never plainly recommended", "§9.4; S34",
      {"indication": "trigeminal_neuralgia"}, "use_with_caution",
      {"indication.trigeminal_neuralgia"}),
    C("NOT: licensed spasticity stays recommended", "§2; S1 S8", {}, "recommended",
      set(), {"indication.hiccups", "indication.trigeminal_neuralgia"}),
    # ------------------------------------------------ critical sedation: the plan follows the card
    C("opioid with baclofen (critical card): weekly steps, dated target 30 mg a day",
      "§13 (DERIVED schedule); S10 S8 S11",
      {"comedications": ["oxycodone 5 mg q4h prn"]}, "use_with_caution",
      {"hazard.cns_depression"}, start=(5, 3), check=_schedule(7, 30)),
    C("gabapentin + diazepam + sleep apnoea: one critical card and the cautious schedule",
      "§13 (DERIVED schedule); S35 S1",
      {"comedications": ["gabapentin 300 mg TID", "diazepam"], "conditions": ["sleep_apnea"]},
      "use_with_caution", {"hazard.cns_depression"}, check=_schedule(7, 30)),
    C("NOT: one sedating antidepressant (warning only) keeps the labelled 3-day ladder",
      "§4, §13; S1", {"comedications": ["mirtazapine 15 mg nocte"]}, "use_with_caution",
      {"hazard.cns_depression"}, check=_schedule(3, 60)),
    C("NOT: a non-interacting medicine changes nothing", "§4; S1",
      {"comedications": ["omeprazole 20 mg od"]}, "recommended", set(),
      {"hazard.cns_depression"}, check=_schedule(3, 60)),
    # ------------------------------------------------ 5. stopping safely
    C("on 60 mg a day for 2 months: taper from 60 over at least 2 weeks", "§15; S8 S10 S37",
      {"current_daily_mg": 60, "months_on_treatment": 2}, "recommended", check=_not_slow),
    C("on 80 mg a day: high dose, slower taper over at least 4 weeks", "§15 (DERIVED); S8 S46",
      {"current_daily_mg": 80}, "recommended", check=_taper_from(80, 28)),
    C("on 30 mg a day for a year: long-term, slower taper", "§15 (DERIVED); S8 S46",
      {"current_daily_mg": 30, "months_on_treatment": 12}, "recommended",
      check=_taper_from(30, 28)),
    C("on dialysis and already on 30 mg a day: no new dose, but a taper", "§15, §5.2; S8 S1",
      {"dialysis": "hemodialysis", "current_daily_mg": 30}, "avoid",
      {"renal.dialysis", "dose.current_above_max"}, regimen=False, withheld="final",
      check=_taper_from(30, 14)),
    C("on dialysis on 30 mg a day, even with an override: no cut to 5 mg, the taper is the plan",
      "§15, §5.2 (DERIVED); S8 S1",
      {"dialysis": "hemodialysis", "current_daily_mg": 30, "override": OVERRIDE}, "avoid",
      {"renal.dialysis", "dose.current_above_max"}, regimen=False, withheld="final",
      check=_taper_from(30, 14)),
    C("already on 30 mg a day: the steps go on from 30, not from the 15 mg start",
      "§15 (DERIVED); S1 S8",
      {"current_daily_mg": 30}, "recommended", {"dose.continue_from_current"}, start=(10, 3)),
    C("NOT: already on 10 mg a day, below the first rung: the usual start",
      "§4; S1", {"current_daily_mg": 10}, "recommended", set(),
      {"dose.continue_from_current", "dose.current_above_max"}, start=(5, 3)),
    C("every result carries the stopping and overdose notes", "§15, §17; S1 S8 S11",
      {}, "recommended", check=_notes),
    # ------------------------------------------------ 6. intrathecal
    C("intrathecal pump in place: oral doses not interchangeable", "§10; S7 S37",
      {"intrathecal": "pump_in_situ"}, "use_with_caution", {"intrathecal.pump_in_situ"},
      start=(5, 3)),
    C("intrathecal pump failed, even with an override: emergency, no routine dose",
      "§10 boxed warning; S7 S37",
      {"intrathecal": "pump_removed_or_failed", "override": OVERRIDE}, "avoid",
      {"intrathecal.withdrawal_emergency"}, regimen=False, withheld="final"),
    C("NOT: no pump, no intrathecal alert", "§10; S7", {"intrathecal": "none"}, "recommended",
      set(), {"intrathecal.pump_in_situ", "intrathecal.withdrawal_emergency"}),
    # ------------------------------------------------ 7. the concentrated liquid
    C("5 mg/mL concentrate chosen: clinician alert", "§3; S41 S4",
      {"formulation": "oral_suspension_5_mg_per_ml"}, "recommended",
      {"dose.concentrate_5_mg_per_ml"}, start=(5, 3)),
    C("NOT: the 1 mg/mL solution raises no concentrate alert", "§3; S41", LIQUID,
      "recommended", set(), {"dose.concentrate_5_mg_per_ml"}),
]  # fmt: skip


def check_scenario(rec: Recommendation, s: C) -> None:
    ids = alert_ids(rec)
    assert rec.status == s.status, rec.status_reason
    assert s.present <= ids, f"missing {s.present - ids}; got {ids}"
    assert not (s.absent & ids), f"unexpected {s.absent & ids}"
    assert (rec.regimen is not None) == s.regimen, rec.regimen_withheld
    w = rec.regimen_withheld
    if s.withheld is None:
        assert w is None
    else:
        assert w is not None and w.reason and w.alert_ids
        assert set(w.alert_ids) <= ids
        assert w.override_allowed == (s.withheld == "overridable")
        assert bool(w.override_reasons) == w.override_allowed
    if s.start is not None:
        assert rec.regimen is not None
        assert (rec.regimen.start.dose_mg, rec.regimen.start.times_per_day) == s.start
    if s.max_daily is not None:
        assert rec.regimen is not None and rec.regimen.max_daily_mg == s.max_daily
    if s.check is not None:
        s.check(rec)


@pytest.mark.parametrize("s", SAFETY_SCENARIOS, ids=[s.name for s in SAFETY_SCENARIOS])
def test_safety_scenario(run: Run, s: C) -> None:
    check_scenario(run(**s.changes), s)


def test_forty_safety_scenarios_each_naming_a_source() -> None:
    assert len(SAFETY_SCENARIOS) >= 40
    assert all(s.source.strip() for s in SAFETY_SCENARIOS)
    assert sum(s.name.startswith("NOT") for s in SAFETY_SCENARIOS) >= 10


def test_withheld_text_speaks_to_a_clinician_without_internal_ids(run: Run) -> None:
    rec = run(dialysis="hemodialysis")
    w = rec.regimen_withheld
    assert w is not None
    assert "dialysis" in w.reason.lower() and "override" in w.reason
    for word in ("renal.", "dose.", "S8", "DERIVED", "_"):
        assert word not in w.reason
    assert {r.code for r in w.override_reasons} >= {
        "specialist_supervision",
        "benefit_outweighs_risk",
        "palliative_care",
    }


def test_the_override_is_echoed_in_the_json(run: Run) -> None:
    data = run(dialysis="hemodialysis", override=OVERRIDE).to_dict()
    assert data["override"] == {
        "reason": "specialist_supervision",
        "label": "Started and supervised by a specialist",
        "clinician": "Dr N. Nephro",
        "note": "agreed",
        "applied": True,
    }
    assert data["regimen_withheld"]["override_allowed"] is True
    assert data["regimen"]["steps"][0]["daily_mg"] == 5
    assert data["status"] == "avoid"


def test_liquid_doses_below_one_ml_use_tenths(run: Run) -> None:
    rec = run(**INFANT, **LIQUID)
    assert rec.regimen is not None
    first = rec.regimen.steps[0]
    assert first.volume_ml == 0.7 and first.amount.startswith("0.7 mL")
