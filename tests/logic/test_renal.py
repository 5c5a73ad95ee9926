"""Kidney equations against hand-computed published examples, and every band cut-off."""

from __future__ import annotations

import math

import pytest

from tests.logic.conftest import Run


def ckd_epi_2021_by_hand(age: float, scr: float, female: bool) -> float:
    # Inker et al., NEJM 2021 (race-free), written out independently of the knowledge base.
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    r = scr / kappa
    return 142 * min(r, 1) ** alpha * max(r, 1) ** -1.200 * 0.9938**age * (1.012 if female else 1)


@pytest.mark.parametrize(
    ("age", "scr", "sex", "expected"),
    [
        (45, 0.9, "female", 80.3),  # the DESIGN.md contract example
        (50, 1.0, "female", 68.6),  # 142 × 1.4286^-1.2 × 0.9938^50 × 1.012
        (60, 1.2, "male", 69.2),  # 142 × 1.3333^-1.2 × 0.9938^60
        (40, 0.7, "male", 119.5),  # below kappa: 142 × 0.7778^-0.302 × 0.9938^40
        (80, 2.5, "female", 19.0),  # 142 × 3.5714^-1.2 × 0.9938^80 × 1.012
    ],
)
def test_ckd_epi_2021_golden(run: Run, age: float, scr: float, sex: str, expected: float) -> None:
    rec = run(
        age_years=age, sex=sex, weight_kg=None, serum_creatinine={"value": scr, "unit": "mg/dL"}
    )
    assert rec.renal.egfr_ml_min_1_73m2 == expected
    assert math.isclose(ckd_epi_2021_by_hand(age, scr, sex == "female"), expected, abs_tol=0.05)
    assert rec.renal.creatinine_clearance_ml_min is None  # no weight: no Cockcroft-Gault


@pytest.mark.parametrize(
    ("age", "weight", "height", "scr", "sex", "expected", "weight_used"),
    [
        (45, 70, 168, 0.9, "female", 87.2, "total"),  # DESIGN.md example
        (60, 80, 180, 1.2, "male", 74.1, "total"),  # (140−60)×80/(72×1.2)
        (60, 80, None, 1.2, "male", 74.1, "total"),  # no height: total weight
        # obese: IBW(165 cm, male) = 50 + 2.3×(64.96−60) = 61.4; AdjBW = 61.4 + 0.4×(150−61.4) = 96.8
        (50, 150, 165, 1.0, "male", 121.0, "adjusted"),
    ],
)
def test_cockcroft_gault_golden(
    run: Run,
    age: float,
    weight: float,
    height: float | None,
    scr: float,
    sex: str,
    expected: float,
    weight_used: str,
) -> None:
    rec = run(
        age_years=age,
        sex=sex,
        weight_kg=weight,
        height_cm=height,
        serum_creatinine={"value": scr, "unit": "mg/dL"},
    )
    assert rec.renal.creatinine_clearance_ml_min == pytest.approx(expected, abs=0.15)
    assert rec.renal.weight_used == weight_used


def test_adjusted_weight_is_reported_in_kg(run: Run) -> None:
    rec = run(
        age_years=50,
        sex="male",
        weight_kg=150,
        height_cm=165,
        serum_creatinine={"value": 1.0, "unit": "mg/dL"},
    )
    ibw = 50 + 2.3 * (165 / 2.54 - 60)
    assert rec.renal.weight_used_kg == pytest.approx(round(ibw + 0.4 * (150 - ibw), 1))


def test_micromoles_give_the_same_result_as_milligrams(run: Run) -> None:
    a = run(serum_creatinine={"value": 1.2, "unit": "mg/dL"})
    b = run(serum_creatinine={"value": 1.2 * 88.42, "unit": "umol/L"})
    assert a.renal == b.renal


def test_bedside_schwartz_for_children(run: Run) -> None:
    rec = run(
        age_years=6, weight_kg=20, height_cm=115, serum_creatinine={"value": 0.4, "unit": "mg/dL"}
    )
    assert rec.renal.egfr_ml_min_1_73m2 == 118.7  # 0.413 × 115 / 0.4
    assert rec.renal.driven_by == "schwartz_bedside"
    assert rec.renal.creatinine_clearance_ml_min is None  # Cockcroft-Gault is for adults


def test_child_without_height_has_unknown_band(run: Run) -> None:
    rec = run(
        age_years=6, weight_kg=20, height_cm=None, serum_creatinine={"value": 0.4, "unit": "mg/dL"}
    )
    assert rec.renal.band == "unknown"
    alert = next(a for a in rec.alerts if a.id == "renal.unknown")
    assert "height" in alert.detail


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (250, "normal"),
        (80, "normal"),
        (79.9, "mild"),
        (79.96, "normal"),  # shown as 80.0: the band follows what the clinician sees
        (50, "mild"),
        (49.9, "moderate"),
        (30, "moderate"),
        (29.9, "severe"),
        (15, "severe"),
        (14.9, "kidney_failure"),
        (1, "kidney_failure"),
    ],
)
def test_band_cut_offs_on_both_sides(run: Run, value: float, band: str) -> None:
    rec = run(serum_creatinine=None, creatinine_clearance_ml_min=value)
    assert rec.renal.band == band
    assert rec.renal.driven_by == "measured_crcl"
    egfr = run(serum_creatinine=None, egfr_ml_min_1_73m2=value)
    assert egfr.renal.band == band


def test_lower_estimate_drives_and_disagreement_is_flagged(run: Run) -> None:
    rec = run(serum_creatinine=None, creatinine_clearance_ml_min=85, egfr_ml_min_1_73m2=55)
    assert rec.renal.band == "mild"
    assert rec.renal.driven_by == "reported_egfr"
    alert = next(a for a in rec.alerts if a.id == "renal.estimates_disagree")
    assert "eGFR" in alert.detail and "85" in alert.detail


def test_same_band_estimates_raise_no_disagreement(run: Run) -> None:
    rec = run()
    assert {e.band for e in rec.renal.estimates} == {"normal"}
    assert all(a.id != "renal.estimates_disagree" for a in rec.alerts)


def test_measured_values_override_the_estimates(run: Run) -> None:
    rec = run(creatinine_clearance_ml_min=40, egfr_ml_min_1_73m2=42)
    methods = {e.method for e in rec.renal.estimates}
    assert methods == {"measured_crcl", "reported_egfr"}
    assert rec.renal.band == "moderate"


def test_dialysis_overrides_every_number(run: Run) -> None:
    rec = run(dialysis="peritoneal", creatinine_clearance_ml_min=95)
    assert rec.renal.band == "dialysis"
    assert rec.renal.driven_by == "dialysis"
    assert rec.status == "avoid"


def test_no_creatinine_means_unknown_never_normal(run: Run) -> None:
    rec = run(serum_creatinine=None)
    assert rec.renal.band == "unknown"
    assert rec.renal.creatinine_clearance_ml_min is None
    assert any(a.id == "renal.unknown" for a in rec.alerts)
    assert rec.regimen is not None and len(rec.regimen.steps) == 1  # no titration until known
    assert rec.monitoring[0].what.startswith("Kidney function")


def test_equation_shown_with_the_patients_numbers(run: Run) -> None:
    rec = run()
    cg = next(e for e in rec.renal.estimates if e.method == "cockcroft_gault")
    assert cg.equation == "(140 − 45) × 70 kg / (72 × 0.9 mg/dL) × 0.85 = 87.2 mL/min"
