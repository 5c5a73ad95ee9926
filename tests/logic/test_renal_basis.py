"""Kidney function as the clinician reviews it: every basis entry, equation and explanation.

The golden numbers are in test_renal.py; here each path through `assess_renal` is checked for
what the Basis view shows (rule, inputs, sources, equation, note), written out by hand, so a
changed constant, branch or word is noticed (mutation testing, docs/mutation.md).
"""

from __future__ import annotations

from typing import Any

import pytest

from baclofen_cds.logic import KnowledgeBase, parse_case
from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.renal import (
    assess_renal,
    band_for,
    band_label,
    cockcroft_gault,
    cockcroft_gault_weight,
    creatinine_mg_dl,
    display_value,
    ideal_body_weight,
)
from baclofen_cds.logic.result import BasisEntry, RenalAssessment, RenalEstimate
from tests.logic.conftest import HEALTHY_ADULT, TODAY

MEASURED_NOTE = (
    "A measured creatinine clearance replaces the Cockcroft-Gault estimate, and a laboratory- "
    "reported eGFR replaces the CKD-EPI estimate; the lower figure still drives the band."
)
BAND_NOTE = (
    "Vlavonou used Cockcroft-Gault CrCl bands; Beers, Muanda and AJKD use eGFR. Where both "
    "exist the lower estimate drives the band (reference §5.2 notes), and the result says which."
)


def case(kb: KnowledgeBase, **changes: Any) -> CaseInput:
    data = {**HEALTHY_ADULT, **changes}
    return parse_case({k: v for k, v in data.items() if v is not None}, kb, today=TODAY)


def by_output(basis: tuple[BasisEntry, ...]) -> dict[str, list[BasisEntry]]:
    out: dict[str, list[BasisEntry]] = {}
    for entry in basis:
        out.setdefault(entry.output, []).append(entry)
    return out


# ------------------------------------------------------------------ small functions
def test_creatinine_units(kb: KnowledgeBase) -> None:
    assert creatinine_mg_dl(case(kb), kb) == 0.9
    micromol = case(kb, serum_creatinine={"value": 88.42, "unit": "umol/L"})
    assert creatinine_mg_dl(micromol, kb) == pytest.approx(1.0)
    assert creatinine_mg_dl(case(kb, serum_creatinine=None), kb) is None


@pytest.mark.parametrize(
    ("value", "band"),
    [(80.0, "normal"), (79.9, "mild"), (50.0, "mild"), (0.0, "kidney_failure")],
)
def test_band_for_direct(kb: KnowledgeBase, value: float, band: str) -> None:
    assert band_for(value, kb) == band


def test_band_for_below_every_cut_off_is_the_last_band(kb: KnowledgeBase) -> None:
    assert band_for(-1.0, kb) == "kidney_failure"


def test_band_labels(kb: KnowledgeBase) -> None:
    assert band_label("normal", kb) == "normal (80 or more)"
    assert band_label("kidney_failure", kb) == "kidney failure (below 15, not on dialysis)"
    assert band_label("not_a_band", kb) == "not a band"  # dialysis, unknown: their own words


def test_ideal_body_weight(kb: KnowledgeBase) -> None:
    # Devine: 50 kg (men) / 45.5 kg (women) + 2.3 kg per inch over 60 inches
    assert ideal_body_weight("male", 152.4, kb) == pytest.approx(50.0)  # exactly 60 inches
    assert ideal_body_weight("female", 152.4, kb) == pytest.approx(45.5)
    assert ideal_body_weight("male", 177.8, kb) == pytest.approx(50 + 2.3 * 10)
    assert ideal_body_weight("female", 177.8, kb) == pytest.approx(45.5 + 2.3 * 10)
    assert ideal_body_weight("male", 152.3, kb) is None  # below the formula's range


def test_cockcroft_gault_direct(kb: KnowledgeBase) -> None:
    assert cockcroft_gault(40, 72, 1.0, "male", kb) == pytest.approx(100.0)
    assert cockcroft_gault(40, 72, 1.0, "female", kb) == pytest.approx(85.0)
    assert cockcroft_gault(40, 72, 2.0, "male", kb) == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("weight", "height", "sex", "expected"),
    [
        (
            70,
            None,
            "female",
            (70, "total", "no height entered, so ideal weight is unknown: total weight used"),
        ),
        (
            40,
            140,
            "female",
            (40, "total", "height below the ideal-weight formula's range: total weight used"),
        ),
        (
            70,
            168,
            "female",
            (70, "total", "total 70 kg ≤ 1.2 × ideal 59.6 kg: total weight used"),
        ),
        (
            150,
            165,
            "male",
            (
                pytest.approx(96.8, abs=0.05),
                "adjusted",
                "total 150 kg > 1.2 × ideal 61.4 kg: adjusted weight = 61.4 + 0.4 × (150 − 61.4)"
                " = 96.8 kg",
            ),
        ),
    ],
)
def test_weight_policy_explains_itself(
    kb: KnowledgeBase, weight: float, height: float | None, sex: str, expected: tuple[Any, ...]
) -> None:
    got = cockcroft_gault_weight(case(kb, weight_kg=weight, height_cm=height, sex=sex), kb)
    assert got == expected


def test_weight_exactly_at_the_ratio_is_total(kb: KnowledgeBase) -> None:
    ibw = 50 + 2.3 * (177.8 / 2.54 - 60)  # 73 kg
    weight, used, _ = cockcroft_gault_weight(
        case(kb, sex="male", height_cm=177.8, weight_kg=round(1.2 * ibw, 6)), kb
    )
    assert used == "total" and weight == pytest.approx(1.2 * ibw)


# ------------------------------------------------------------------ assess_renal, path by path
def test_estimated_adult_basis_in_full(kb: KnowledgeBase) -> None:
    result = assess_renal(case(kb), kb)
    a = result.assessment
    assert a == RenalAssessment(
        creatinine_clearance_ml_min=87.2,
        egfr_ml_min_1_73m2=80.3,
        band="normal",
        driven_by="ckd_epi_2021",
        weight_used="total",
        weight_used_kg=70.0,
        estimates=(
            RenalEstimate(
                "cockcroft_gault",
                "Creatinine clearance (Cockcroft-Gault)",
                87.2,
                "mL/min",
                "normal",
                "(140 − 45) × 70 kg / (72 × 0.9 mg/dL) × 0.85 = 87.2 mL/min",
            ),
            RenalEstimate(
                "ckd_epi_2021",
                "eGFR (CKD-EPI 2021)",
                80.3,
                "mL/min/1.73 m²",
                "normal",
                "142 × min(0.9/0.7, 1)^-0.241 × max(0.9/0.7, 1)^-1.2 × 0.9938^45 × 1.012"
                " = 80.3 mL/min/1.73 m²",
            ),
        ),
    )
    basis = by_output(result.basis)
    assert list(basis) == [
        "renal.creatinine_clearance_ml_min",
        "renal.weight_used",
        "renal.egfr_ml_min_1_73m2",
        "renal.band",
    ]
    (cg,) = basis["renal.creatinine_clearance_ml_min"]
    assert cg.rule == "renal.cockcroft_gault"
    assert cg.inputs == (
        ("age_years", 45),
        ("sex", "female"),
        ("weight_used_kg", 70.0),
        ("serum_creatinine_mg_dl", 0.9),
    )
    assert cg.sources == ("R1",)
    assert cg.equation == a.estimates[0].equation
    assert cg.note.startswith("CrCl (mL/min) = (140 − age)")
    (weight,) = basis["renal.weight_used"]
    assert weight.rule == "renal.cockcroft_gault.weight_policy"
    assert weight.inputs == (("weight_kg", 70), ("height_cm", 168), ("sex", "female"))
    assert weight.sources == ("R4", "R5")
    assert weight.equation == "total 70 kg ≤ 1.2 × ideal 59.6 kg: total weight used"
    assert weight.note.startswith("Total body weight, unless")
    (egfr,) = basis["renal.egfr_ml_min_1_73m2"]
    assert egfr.rule == "renal.ckd_epi_2021"
    assert egfr.inputs == (("age_years", 45), ("sex", "female"), ("serum_creatinine_mg_dl", 0.9))
    assert egfr.sources == ("R2",)
    assert egfr.equation == a.estimates[1].equation
    assert egfr.note.startswith("eGFR = 142")
    (band,) = basis["renal.band"]
    assert band.rule == "renal.band.lowest_estimate"
    assert band.inputs == (("cockcroft_gault", 87.2), ("ckd_epi_2021", 80.3))
    assert band.sources == ("S13", "S21", "S20")
    assert band.note == (
        "lowest: eGFR (CKD-EPI 2021) 80.3 mL/min/1.73 m² → normal (80 or more). " + BAND_NOTE
    )
    assert result.alerts == () and result.why_unknown == ""


def test_male_equations_have_no_female_factor(kb: KnowledgeBase) -> None:
    result = assess_renal(
        case(kb, sex="male", serum_creatinine={"value": 1.2, "unit": "mg/dL"}), kb
    )
    cg, egfr = result.assessment.estimates
    assert cg.equation == "(140 − 45) × 70 kg / (72 × 1.2 mg/dL) = 77 mL/min"
    assert egfr.equation == (
        "142 × min(1.2/0.9, 1)^-0.302 × max(1.2/0.9, 1)^-1.2 × 0.9938^45 = 76 mL/min/1.73 m²"
    )
    assert result.assessment.band == "mild"
    assert result.assessment.driven_by == "ckd_epi_2021"


def test_measured_and_reported_values_basis(kb: KnowledgeBase) -> None:
    result = assess_renal(
        case(kb, serum_creatinine=None, creatinine_clearance_ml_min=42.25, egfr_ml_min_1_73m2=61),
        kb,
    )
    a = result.assessment
    assert a.creatinine_clearance_ml_min == 42.2 and a.egfr_ml_min_1_73m2 == 61.0
    assert a.weight_used is None and a.weight_used_kg is None
    assert [(e.method, e.label, e.unit, e.band, e.equation) for e in a.estimates] == [
        (
            "measured_crcl",
            "Creatinine clearance (measured)",
            "mL/min",
            "moderate",
            "measured value entered by the clinician",
        ),
        (
            "reported_egfr",
            "eGFR (reported by the laboratory)",
            "mL/min/1.73 m²",
            "mild",
            "laboratory-reported value entered by the clinician",
        ),
    ]
    basis = by_output(result.basis)
    (crcl,) = basis["renal.creatinine_clearance_ml_min"]
    assert (crcl.rule, crcl.inputs, crcl.sources, crcl.note, crcl.derived) == (
        "renal.measured_overrides_estimate",
        (("creatinine_clearance_ml_min", 42.25),),
        ("S13", "S21"),
        MEASURED_NOTE,
        True,
    )
    (egfr,) = basis["renal.egfr_ml_min_1_73m2"]
    assert (egfr.rule, egfr.inputs, egfr.sources, egfr.note, egfr.derived) == (
        "renal.measured_overrides_estimate",
        (("egfr_ml_min_1_73m2", 61),),
        ("S13", "S21"),
        MEASURED_NOTE,
        True,
    )
    assert "renal.weight_used" not in basis
    assert a.band == "moderate" and a.driven_by == "measured_crcl"
    (alert,) = result.alerts
    assert alert.id == "renal.estimates_disagree"
    assert alert.triggered_by == ("measured_crcl", "reported_egfr")
    assert "moderate vs mild" in alert.summary + alert.detail
    assert (
        "Creatinine clearance (measured): 42.2 mL/min (moderate impairment (30 to 49)); "
        "eGFR (reported by the laboratory): 61 mL/min/1.73 m² (mild impairment (50 to 79))"
    ) in alert.detail


def test_child_schwartz_basis(kb: KnowledgeBase) -> None:
    result = assess_renal(
        case(
            kb,
            age_years=6,
            weight_kg=20,
            height_cm=115,
            serum_creatinine={"value": 0.4, "unit": "mg/dL"},
        ),
        kb,
    )
    (estimate,) = result.assessment.estimates
    assert estimate == RenalEstimate(
        "schwartz_bedside",
        "eGFR (bedside Schwartz, child)",
        118.7,
        "mL/min/1.73 m²",
        "normal",
        "0.413 × 115 cm / 0.4 mg/dL = 118.7 mL/min/1.73 m²",
    )
    basis = by_output(result.basis)
    (egfr,) = basis["renal.egfr_ml_min_1_73m2"]
    assert egfr.rule == "renal.schwartz_bedside"
    assert egfr.inputs == (("height_cm", 115), ("serum_creatinine_mg_dl", 0.4))
    assert egfr.sources == ("R3",)
    assert egfr.equation == estimate.equation
    assert egfr.note == "Children: eGFR = 0.413 × height (cm) / serum creatinine (mg/dL)."
    assert "renal.creatinine_clearance_ml_min" not in basis


@pytest.mark.parametrize(
    ("age", "crcl", "egfr_method"),
    [(18, True, "ckd_epi_2021"), (17.9, False, "schwartz_bedside")],
)
def test_adult_equations_start_at_18(
    kb: KnowledgeBase, age: float, crcl: bool, egfr_method: str
) -> None:
    result = assess_renal(case(kb, age_years=age), kb)
    methods = [e.method for e in result.assessment.estimates]
    assert ("cockcroft_gault" in methods) is crcl
    assert methods[-1] == egfr_method


def test_unknown_band_says_why(kb: KnowledgeBase) -> None:
    no_weight = assess_renal(case(kb, weight_kg=None, serum_creatinine=None), kb)
    assert no_weight.assessment.band == "unknown" and no_weight.assessment.driven_by is None
    (band,) = [b for b in no_weight.basis if b.output == "renal.band"]
    assert band.rule == "renal.band.lowest_estimate"
    assert band.inputs == (("serum_creatinine", None), ("weight_kg", None), ("height_cm", 168))
    assert band.sources == ("S13", "S21", "S20")
    assert band.note == "no kidney figure could be computed"
    assert no_weight.why_unknown == ""

    child = assess_renal(
        case(
            kb,
            age_years=6,
            weight_kg=20,
            height_cm=None,
            serum_creatinine={"value": 0.4, "unit": "mg/dL"},
        ),
        kb,
    )
    assert child.assessment.band == "unknown"
    assert child.why_unknown == " (a child's eGFR needs a height (bedside Schwartz))"
    (band,) = [b for b in child.basis if b.output == "renal.band"]
    assert band.inputs == (("serum_creatinine", 0.4), ("weight_kg", 20), ("height_cm", None))
    assert band.note == (
        "no kidney figure could be computed (a child's eGFR needs a height (bedside Schwartz))"
    )


def test_adult_without_weight_still_has_an_egfr(kb: KnowledgeBase) -> None:
    result = assess_renal(case(kb, weight_kg=None), kb)
    assert [e.method for e in result.assessment.estimates] == ["ckd_epi_2021"]
    assert result.assessment.band == "normal"
    assert result.why_unknown == ""  # a band was found: the missing weight is not "why unknown"


def test_dialysis_basis(kb: KnowledgeBase) -> None:
    result = assess_renal(case(kb, dialysis="hemodialysis"), kb)
    assert result.assessment.band == "dialysis" and result.assessment.driven_by == "dialysis"
    assert len(result.assessment.estimates) == 2  # the figures are still shown
    (band,) = [b for b in result.basis if b.output == "renal.band"]
    assert band.rule == "renal.dialysis_overrides"
    assert band.inputs == (("dialysis", "hemodialysis"),)
    assert band.sources == ("S8", "S10", "S19", "S14", "S16")
    assert band.note.startswith("Dialysis overrides every number")
    assert result.alerts == ()


def test_display_value(kb: KnowledgeBase) -> None:
    egfr_driven = assess_renal(case(kb), kb).assessment
    assert display_value(egfr_driven, kb) == "eGFR 80.3 mL/min/1.73 m²"
    crcl_driven = assess_renal(
        case(kb, serum_creatinine=None, creatinine_clearance_ml_min=42), kb
    ).assessment
    assert display_value(crcl_driven, kb) == "CrCl 42 mL/min"
    unknown = assess_renal(case(kb, serum_creatinine=None), kb).assessment
    assert display_value(unknown, kb) == "not known"


def test_ckd_epi_female_below_kappa_uses_the_female_alpha(kb: KnowledgeBase) -> None:
    # 142 × (0.5/0.7)^-0.241 × 0.9938^30 × 1.012, by hand: 129.3 (the male alpha gives 132.0)
    result = assess_renal(
        case(kb, age_years=30, weight_kg=None, serum_creatinine={"value": 0.5, "unit": "mg/dL"}),
        kb,
    )
    assert result.assessment.egfr_ml_min_1_73m2 == 129.3


def test_equations_show_one_decimal_of_age_and_weight_and_two_of_creatinine(
    kb: KnowledgeBase,
) -> None:
    result = assess_renal(
        case(
            kb,
            age_years=45.25,
            weight_kg=70.25,
            sex="male",
            height_cm=None,
            serum_creatinine={"value": 0.875, "unit": "mg/dL"},
        ),
        kb,
    )
    cg, egfr = result.assessment.estimates
    assert cg.equation == "(140 − 45.2) × 70.2 kg / (72 × 0.88 mg/dL) = 105.7 mL/min"
    assert egfr.equation == (
        "142 × min(0.88/0.9, 1)^-0.302 × max(0.88/0.9, 1)^-1.2 × 0.9938^45.2 = 108.1 mL/min/1.73 m²"
    )
    crcl_basis = next(b for b in result.basis if b.output == "renal.creatinine_clearance_ml_min")
    assert crcl_basis.inputs == (
        ("age_years", 45.25),
        ("sex", "male"),
        ("weight_used_kg", 70.2),
        ("serum_creatinine_mg_dl", 0.88),
    )


def test_fractional_weight_and_height_are_shown_to_one_decimal(kb: KnowledgeBase) -> None:
    total = cockcroft_gault_weight(case(kb, weight_kg=70.25, height_cm=168, sex="female"), kb)
    assert total[2] == "total 70.2 kg ≤ 1.2 × ideal 59.6 kg: total weight used"
    adjusted = cockcroft_gault_weight(case(kb, weight_kg=150.25, height_cm=165, sex="male"), kb)
    assert adjusted[2] == (
        "total 150.2 kg > 1.2 × ideal 61.4 kg: adjusted weight = 61.4 + 0.4 × (150.2 − 61.4)"
        " = 96.9 kg"
    )
    child = assess_renal(
        case(
            kb,
            age_years=6,
            weight_kg=20,
            height_cm=115.25,
            serum_creatinine={"value": 0.875, "unit": "mg/dL"},
        ),
        kb,
    )
    (estimate,) = child.assessment.estimates
    assert estimate.equation == "0.413 × 115.2 cm / 0.88 mg/dL = 54.4 mL/min/1.73 m²"
    (basis,) = [b for b in child.basis if b.output == "renal.egfr_ml_min_1_73m2"]
    assert basis.inputs == (("height_cm", 115.25), ("serum_creatinine_mg_dl", 0.88))


def test_creatinine_is_rounded_to_two_decimals_in_every_basis(kb: KnowledgeBase) -> None:
    adult = assess_renal(case(kb, serum_creatinine={"value": 0.875, "unit": "mg/dL"}), kb)
    (egfr,) = [b for b in adult.basis if b.output == "renal.egfr_ml_min_1_73m2"]
    assert egfr.inputs[-1] == ("serum_creatinine_mg_dl", 0.88)
    child = assess_renal(
        case(
            kb,
            age_years=6,
            weight_kg=20,
            height_cm=None,
            serum_creatinine={"value": 0.875, "unit": "mg/dL"},
        ),
        kb,
    )
    (band,) = [b for b in child.basis if b.output == "renal.band"]
    assert band.inputs[0] == ("serum_creatinine", 0.88)


def test_child_without_creatinine_is_unknown(kb: KnowledgeBase) -> None:
    result = assess_renal(case(kb, age_years=6, weight_kg=20, serum_creatinine=None), kb)
    assert result.assessment == RenalAssessment(None, None, "unknown", None, None, None, ())
    assert result.why_unknown == ""


def test_no_creatinine_assessment_in_full(kb: KnowledgeBase) -> None:
    result = assess_renal(case(kb, serum_creatinine=None), kb)
    assert result.assessment == RenalAssessment(None, None, "unknown", None, None, None, ())


def test_disagreement_names_bands_in_words_and_the_driver(kb: KnowledgeBase) -> None:
    result = assess_renal(
        case(kb, serum_creatinine=None, creatinine_clearance_ml_min=10, egfr_ml_min_1_73m2=40),
        kb,
    )
    (alert,) = result.alerts
    assert "(kidney failure vs moderate)" in alert.summary
    assert "The lower estimate (Creatinine clearance (measured)) drives dosing here." in (
        " ".join(alert.detail.split())
    )
