"""Clinical scenario suite (Leapfrog-style categories): what a clinician should see, and what
must NOT raise an alert. Each row: the change from a healthy 45-year-old woman with MS
spasticity and normal kidneys, then the expected status, alerts present and absent, start
(dose mg × times a day) and maximum mg a day (None: no regimen)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.logic.conftest import Run, alert_ids

CKD_MOD = {"serum_creatinine": {"value": 1.6, "unit": "mg/dL"}}  # eGFR ~40 at 45 y female
OVERRIDE = {
    "reason": "specialist_supervision",
    "clinician": "Dr A. Renal",
    "note": "nephrology agreed",
}
CHILD = {
    "age_years": 6,
    "weight_kg": 20,
    "height_cm": 115,
    "serum_creatinine": {"value": 0.4, "unit": "mg/dL"},
    "formulation": "oral_solution_1_mg_per_ml",
}


@dataclass
class S:
    name: str
    changes: dict[str, Any]
    status: str
    present: set[str] = field(default_factory=set)
    absent: set[str] = field(default_factory=set)
    start: tuple[float, int] | None = None
    max_daily: float | None = None
    no_regimen: bool = False


SCENARIOS = [
    # --- nuisance: must not alert
    S(
        "healthy adult, no co-medications: no alert at all",
        {},
        "recommended",
        start=(5, 3),
        max_daily=80,
    ),
    S(
        "healthy man, spinal cord origin",
        {"sex": "male", "spasticity_origin": "spinal_cord", "weight_kg": 82},
        "recommended",
        start=(5, 3),
        max_daily=80,
    ),
    S(
        "paracetamol-free list of non-interacting known drugs: none",
        {"comedications": []},
        "recommended",
    ),
    S(
        "SSRI: information only, no warning",
        {"comedications": ["sertraline"]},
        "recommended",
        {"hazard.cns_depression"},
        {"interaction.ssri_snri", "interaction.cumulative_sedation"},
    ),
    S(
        "one sedative alone: no cumulative alert",
        {"comedications": ["quetiapine"]},
        "use_with_caution",
        {"hazard.cns_depression"},
        {"interaction.antipsychotics", "interaction.cumulative_sedation"},
    ),
    S(
        "NSAID with normal kidneys stays moderate",
        {"comedications": ["ibuprofen"]},
        "use_with_caution",
        {"hazard.baclofen_accumulation"},
    ),
    S(
        "age 64: not yet an older adult",
        {"age_years": 64, "serum_creatinine": {"value": 0.6, "unit": "mg/dL"}},
        "recommended",
        set(),
        {"age.older_adult", "age.beers"},
        (5, 3),
    ),
    S(
        "age 65 with normal kidneys: lower start, no Beers",
        {"age_years": 65, "serum_creatinine": {"value": 0.7, "unit": "mg/dL"}},
        "recommended",
        {"age.older_adult"},
        {"age.beers"},
        (5, 2),
        80,
    ),
    # --- dose limits
    S(
        "ceiling never above 80 even if chosen",
        {"regimen_choice": {"target_daily_mg": 80}},
        "recommended",
        max_daily=80,
    ),
    S(
        "adolescent capped at 60",
        {
            "age_years": 15,
            "weight_kg": 50,
            "height_cm": 160,
            "serum_creatinine": {"value": 0.7, "unit": "mg/dL"},
        },
        "recommended",
        start=(5, 3),
        max_daily=60,
    ),
    S(
        "child under 8 capped at 40 and off-label note",
        CHILD,
        "recommended",
        {"age.child_off_label_us"},
        start=(1.5, 4),
        max_daily=40,
    ),
    S(
        "child 10 y, 30 kg: 2 mg/kg = 60 cap",
        {**CHILD, "age_years": 10, "weight_kg": 30, "height_cm": 140},
        "recommended",
        {"age.child_off_label_us"},
        max_daily=60,
    ),
    S(
        "child on tablets under 33 kg: use a liquid",
        {**CHILD, "formulation": "tablet"},
        "recommended",
        {"dose.tablets_low_weight"},
    ),
    S(
        "child without weight: no dose",
        {**CHILD, "weight_kg": None},
        "use_with_caution",
        {"input.child_weight_missing"},
        no_regimen=True,
    ),
    S(
        "granules cannot give 2.5 mg: rounded and flagged",
        {**CKD_MOD, "formulation": "oral_granules"},
        "use_with_caution",
        {"dose.not_dispensable", "renal.moderate"},
        start=(5, 1),
    ),
    # --- drug–kidney
    S(
        "mild kidney impairment",
        {"serum_creatinine": {"value": 1.1, "unit": "mg/dL"}},
        "use_with_caution",
        {"renal.mild"},
        {"age.beers"},
        (5, 2),
        50,
    ),
    S(
        "moderate kidney impairment, liquid",
        {**CKD_MOD, "formulation": "oral_solution_1_mg_per_ml"},
        "use_with_caution",
        {"renal.moderate"},
        start=(2.5, 3),
        max_daily=40,
    ),
    # "avoid" is a stop (issue 8): no regimen until a documented override (updated from the
    # earlier behaviour, which printed a ready regimen next to the "avoid" status)
    S(
        "severe kidney impairment: avoid, regimen withheld",
        {"serum_creatinine": {"value": 3.0, "unit": "mg/dL"}},
        "avoid",
        {"renal.severe"},
        no_regimen=True,
    ),
    S(
        "severe kidney impairment with an override: 5 mg a day, at most 10",
        {"serum_creatinine": {"value": 3.0, "unit": "mg/dL"}, "override": OVERRIDE},
        "avoid",
        {"renal.severe"},
        start=(5, 1),
        max_daily=10,
    ),
    S(
        "kidney failure: specialist only, regimen withheld",
        {"serum_creatinine": {"value": 7.0, "unit": "mg/dL"}},
        "avoid",
        {"renal.kidney_failure"},
        no_regimen=True,
    ),
    S(
        "kidney failure with an override: 5 mg a day",
        {"serum_creatinine": {"value": 7.0, "unit": "mg/dL"}, "override": OVERRIDE},
        "avoid",
        {"renal.kidney_failure"},
        start=(5, 1),
        max_daily=5,
    ),
    S(
        "haemodialysis: regimen withheld",
        {"dialysis": "hemodialysis"},
        "avoid",
        {"renal.dialysis"},
        no_regimen=True,
    ),
    S(
        "haemodialysis with an override: 5 mg a day at most",
        {"dialysis": "hemodialysis", "override": OVERRIDE},
        "avoid",
        {"renal.dialysis"},
        start=(5, 1),
        max_daily=5,
    ),
    S(
        "peritoneal dialysis treated as dialysis",
        {"dialysis": "peritoneal"},
        "avoid",
        {"renal.dialysis"},
        no_regimen=True,
    ),
    S(
        "acute kidney injury: avoid now, regimen withheld",
        {"conditions": ["acute_kidney_injury"]},
        "avoid",
        {"condition.acute_kidney_injury"},
        no_regimen=True,
    ),
    S(
        "NSAID with moderate CKD raised to critical",
        {**CKD_MOD, "comedications": ["Advil"]},
        "use_with_caution",
        {"hazard.baclofen_accumulation", "renal.moderate"},
    ),
    S(
        "no creatinine: unknown band, first step only",
        {"serum_creatinine": None},
        "use_with_caution",
        {"renal.unknown"},
        start=(5, 3),
    ),
    # --- drug–age
    S(
        "Beers: 70 y with eGFR < 60 is an avoid (was: caution)",
        {"age_years": 70, "serum_creatinine": {"value": 1.1, "unit": "mg/dL"}},
        "avoid",
        {"age.beers", "renal.mild"},
        no_regimen=True,
    ),
    S(
        "90 y, dialysis: avoid",
        {"age_years": 90, "dialysis": "hemodialysis"},
        "avoid",
        {"renal.dialysis", "age.older_adult", "age.beers"},
        no_regimen=True,
    ),
    # --- drug–condition
    S(
        "hypersensitivity: contraindicated, no regimen",
        {"conditions": ["baclofen_hypersensitivity"]},
        "contraindicated",
        {"condition.baclofen_hypersensitivity"},
        no_regimen=True,
    ),
    S(
        "active peptic ulcer: avoid, regimen withheld",
        {"conditions": ["peptic_ulcer_active"]},
        "avoid",
        {"condition.peptic_ulcer_active"},
        no_regimen=True,
    ),
    S(
        "ulcer history: caution only",
        {"conditions": ["peptic_ulcer_history"]},
        "use_with_caution",
        {"condition.peptic_ulcer_history"},
        {"condition.peptic_ulcer_active"},
    ),
    S("epilepsy", {"conditions": ["epilepsy"]}, "use_with_caution", {"condition.epilepsy"}),
    S(
        "diabetes adds glucose monitoring",
        {"conditions": ["diabetes"]},
        "use_with_caution",
        {"condition.diabetes"},
    ),
    S(
        "wheat allergy: information only",
        {"conditions": ["wheat_allergy"]},
        "recommended",
        {"condition.wheat_allergy"},
    ),
    S(
        "liver impairment: caution, no dose change",
        {"hepatic_impairment": "severe"},
        "use_with_caution",
        {"hepatic.impairment"},
        start=(5, 3),
        max_daily=80,
    ),
    S(
        "stroke origin: not recommended in US labels",
        {"spasticity_origin": "stroke"},
        "use_with_caution",
        {"indication.cerebral_origin"},
    ),
    # --- interactions
    S(
        "opioid: critical",
        {"comedications": ["OxyContin 10 mg"]},
        "use_with_caution",
        {"hazard.cns_depression"},
        {"interaction.opioids", "interaction.cumulative_sedation"},
    ),
    S(
        "opioid + benzodiazepine: cumulative sedation",
        {"comedications": ["oxycodone", "Xanax"]},
        "use_with_caution",
        {"hazard.cns_depression"},
        {"interaction.opioids", "interaction.benzodiazepines", "interaction.cumulative_sedation"},
    ),
    S(
        "gabapentin + respiratory impairment",
        {"comedications": ["gabapentin"], "conditions": ["respiratory_impairment"]},
        "use_with_caution",
        {"hazard.cns_depression"},
        {"interaction.gabapentinoids", "condition.respiratory_impairment"},
    ),
    S(
        "unknown name: not checked",
        {"comedications": ["foobarazole"]},
        "use_with_caution",
        {"interaction.not_checked"},
    ),
    S(
        "near miss: not checked, with suggestion",
        {"comedications": ["oxycodon"]},
        "use_with_caution",
        {"interaction.not_checked"},
        {"hazard.cns_depression"},
    ),
    S(
        "tricyclic: hypotonia",
        {"comedications": ["amitriptyline"]},
        "use_with_caution",
        {"hazard.cns_depression"},
    ),
    S(
        "antihypertensive",
        {"comedications": ["lisinopril"]},
        "use_with_caution",
        {"hazard.low_blood_pressure"},
    ),
    # --- pregnancy and breastfeeding
    S("pregnancy", {"conditions": ["pregnancy"]}, "use_with_caution", {"condition.pregnancy"}),
    S(
        "breastfeeding",
        {"conditions": ["breastfeeding"]},
        "use_with_caution",
        {"condition.breastfeeding"},
    ),
    # --- each indication
    S(
        "alcohol use disorder: BACLOCUR start 20 mg a day",
        {"indication": "alcohol_use_disorder"},
        "use_with_caution",
        {"indication.alcohol_use_disorder"},
        start=(5, 4),
        max_daily=80,
    ),
    S(
        "alcohol withdrawal: not first-line, 30 mg cap",
        {"indication": "alcohol_withdrawal"},
        "use_with_caution",
        {"indication.alcohol_withdrawal"},
        start=(10, 3),
        max_daily=30,
    ),
    S(
        "hiccups: 5 mg three times a day, off-label so never plainly recommended",
        {"indication": "hiccups"},
        "use_with_caution",
        {"indication.hiccups"},
        start=(5, 3),
        max_daily=60,
    ),
    S(
        "trigeminal neuralgia: off-label, never plainly recommended",
        {"indication": "trigeminal_neuralgia", "comedications": ["carbamazepine"]},
        "use_with_caution",
        {"indication.trigeminal_neuralgia", "hazard.cns_depression"},
        start=(5, 2),
        max_daily=80,
    ),
    S(
        "musculoskeletal pain: not indicated",
        {"indication": "musculoskeletal_pain"},
        "avoid",
        {"indication.musculoskeletal_pain"},
        no_regimen=True,
    ),
    S(
        "alcohol use disorder in a child: no rule",
        {"indication": "alcohol_use_disorder", **CHILD},
        "use_with_caution",
        {"dose.no_rule_for_population"},
        no_regimen=True,
    ),
    S(
        "AUD + zopiclone: critical sedation",
        {"indication": "alcohol_use_disorder", "comedications": ["zopiclone"]},
        "use_with_caution",
        {"hazard.cns_depression"},
        {"interaction.cumulative_sedation", "interaction.hypnotics"},
    ),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(run: Run, s: S) -> None:
    rec = run(**s.changes)
    ids = alert_ids(rec)
    assert rec.status == s.status, rec.status_reason
    assert s.present <= ids, f"missing {s.present - ids}; got {ids}"
    assert not (s.absent & ids), f"unexpected {s.absent & ids}"
    if s.no_regimen:
        assert rec.regimen is None
        return
    assert rec.regimen is not None
    if s.start is not None:
        assert (rec.regimen.start.dose_mg, rec.regimen.start.times_per_day) == s.start
    if s.max_daily is not None:
        assert rec.regimen.max_daily_mg == s.max_daily


def test_at_least_forty_scenarios() -> None:
    assert len(SCENARIOS) >= 40


def test_healthy_adult_has_no_alert_and_the_label_ladder(run: Run) -> None:
    rec = run()
    assert rec.alerts == ()
    assert rec.regimen is not None
    assert [(s.dose_mg, s.times_per_day, s.from_date.isoformat()) for s in rec.regimen.steps] == [
        (5, 3, "2026-12-01"),
        (10, 3, "2026-12-04"),
        (15, 3, "2026-12-07"),
        (20, 3, "2026-12-10"),
    ]
    assert rec.regimen.steps[-1].to_date is None  # continues to the review


def test_contraindicated_has_no_regimen_and_no_taper(run: Run) -> None:
    rec = run(conditions=["baclofen_hypersensitivity"], comedications=["oxycodone"])
    assert rec.regimen is None and rec.taper == ()
    assert rec.alerts[0].id == "condition.baclofen_hypersensitivity"  # critical first


def test_clinician_may_slow_titration_and_lower_target(run: Run) -> None:
    rec = run(regimen_choice={"target_daily_mg": 30, "step_interval_days": 7})
    assert rec.regimen is not None
    assert rec.regimen.target_daily_mg == 30
    assert rec.regimen.step_interval_days == 7
    assert [s.from_day for s in rec.regimen.steps] == [1, 8]


def test_clinician_cannot_speed_up_titration(run: Run) -> None:
    rec = run(
        serum_creatinine={"value": 1.6, "unit": "mg/dL"}, regimen_choice={"step_interval_days": 2}
    )
    assert rec.regimen is not None and rec.regimen.step_interval_days == 7


def test_target_above_patient_max_is_capped_with_alert(run: Run) -> None:
    rec = run(
        serum_creatinine={"value": 1.6, "unit": "mg/dL"}, regimen_choice={"target_daily_mg": 70}
    )
    assert rec.regimen is not None and rec.regimen.target_daily_mg <= 40
    assert "dose.choice_capped" in alert_ids(rec)


def test_liquid_doses_in_ml_with_concentration(run: Run) -> None:
    rec = run(formulation="oral_solution_2_mg_per_ml")
    assert rec.regimen is not None
    first = rec.regimen.steps[0]
    assert first.volume_ml == 2.5
    assert first.amount == "2.5 mL of the 2 mg/mL liquid (5 mg)"


def test_tablet_amounts_use_words_for_halves(run: Run) -> None:
    rec = run()
    assert rec.regimen is not None
    assert [s.amount for s in rec.regimen.steps] == [
        "half of one 10 mg tablet",
        "1 tablet of 10 mg",
        "1 and a half tablets of 10 mg",
        "2 tablets of 10 mg",
    ]


def test_monitoring_dates_from_start(run: Run) -> None:
    rec = run(
        age_years=70,
        serum_creatinine={"value": 1.2, "unit": "mg/dL"},
        conditions=["diabetes"],
        override=OVERRIDE,  # Beers: avoid, so only under a documented override
    )
    by_id = {m.id: m for m in rec.monitoring}
    assert by_id["monitor.baseline_kidney"].due_date.isoformat() == "2026-12-01"
    routine = by_id["monitor.routine_liver_kidney"]
    assert routine.every_months == 3 and routine.local_policy  # higher risk: 3 months
    assert routine.due_date.isoformat() == "2027-03-01"
    assert "monitor.glucose" in by_id
    confusion = [m for m in rec.monitoring if m.id.startswith("monitor.encephalopathy")]
    assert confusion and all("days 2–3" in m.when for m in confusion)
    assert confusion[0].due_date.isoformat() == "2026-12-02"  # from the first dose
    assert "monitor.efficacy_review" in by_id


def test_standard_risk_has_six_month_routine(run: Run) -> None:
    rec = run()
    routine = next(m for m in rec.monitoring if m.id == "monitor.routine_liver_kidney")
    assert routine.every_months == 6 and routine.due_date.isoformat() == "2027-06-01"
    assert not any(m.id.startswith("monitor.encephalopathy") for m in rec.monitoring)


def test_taper_lasts_at_least_two_weeks_and_only_goes_down(run: Run) -> None:
    rec = run()
    assert rec.taper[-1].to_day >= 14
    dailies = [t.daily_mg for t in rec.taper]
    assert dailies == sorted(dailies, reverse=True) and len(set(dailies)) == len(dailies)
    assert dailies[0] < rec.regimen.target_daily_mg  # type: ignore[union-attr]


def test_missed_dose_adult_and_child(run: Run) -> None:
    assert "2 hours" in run().missed_dose.text
    child = run(**CHILD)
    assert child.missed_dose.population == "child" and "4 hours" in child.missed_dose.text


def test_stale_creatinine_is_flagged_by_clinic_policy(run: Run) -> None:
    fresh = run(serum_creatinine={"value": 0.9, "unit": "mg/dL", "measured_on": "2026-10-01"})
    assert "renal.creatinine_stale" not in alert_ids(fresh) and fresh.status == "recommended"
    stale = run(serum_creatinine={"value": 0.9, "unit": "mg/dL", "measured_on": "2026-06-01"})
    alert = next(a for a in stale.alerts if a.id == "renal.creatinine_stale")
    assert "183 days" in alert.summary and stale.status == "use_with_caution"
    later = run(serum_creatinine={"value": 0.9, "unit": "mg/dL", "measured_on": "2026-12-05"})
    assert "renal.creatinine_after_start" in alert_ids(later)


def test_whole_tablets_preferred_when_few_are_needed(run: Run) -> None:
    dialysis = run(dialysis="hemodialysis", override=OVERRIDE)
    assert dialysis.regimen is not None
    assert dialysis.regimen.start.amount == "1 tablet of 5 mg"  # not half of a 10 mg tablet
    withdrawal = run(indication="alcohol_withdrawal")
    assert withdrawal.regimen is not None
    assert withdrawal.regimen.start.amount == "1 tablet of 10 mg"
