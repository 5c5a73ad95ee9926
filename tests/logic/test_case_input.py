"""Bad input: one clear message naming the field, for every field."""

from __future__ import annotations

from typing import Any

import pytest

from baclofen_cds.logic import CaseInputError, KnowledgeBase, parse_case
from tests.logic.conftest import HEALTHY_ADULT, TODAY

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("indication", {"indication": None}, "required"),
    ("indication", {"indication": "migraine"}, "'migraine' is not one of"),
    ("age_years", {"age_years": None}, "required"),
    ("age_years", {"age_years": -1}, "outside the possible range"),
    ("age_years", {"age_years": 121}, "outside the possible range"),
    ("age_years", {"age_years": "forty"}, "number"),
    ("sex", {"sex": "unknown"}, "not one of"),
    ("sex", {"sex": None}, "required"),
    ("weight_kg", {"weight_kg": 0.4}, "outside"),
    ("weight_kg", {"weight_kg": 351}, "outside"),
    ("height_cm", {"height_cm": 29}, "outside"),
    ("height_cm", {"height_cm": 251}, "outside"),
    ("serum_creatinine.value", {"serum_creatinine": {"value": 25, "unit": "mg/dL"}}, "outside"),
    ("serum_creatinine.value", {"serum_creatinine": {"value": 0.05, "unit": "mg/dL"}}, "outside"),
    ("serum_creatinine.value", {"serum_creatinine": {"value": 2000, "unit": "umol/L"}}, "µmol/L"),
    ("serum_creatinine.unit", {"serum_creatinine": {"value": 1, "unit": "mmol/L"}}, "not one of"),
    ("creatinine_clearance_ml_min", {"creatinine_clearance_ml_min": 0}, "outside"),
    ("egfr_ml_min_1_73m2", {"egfr_ml_min_1_73m2": 300}, "outside"),
    ("dialysis", {"dialysis": "yes"}, "not one of"),
    ("hepatic_impairment", {"hepatic_impairment": "bad"}, "not one of"),
    ("conditions", {"conditions": ["gout"]}, "not a known condition"),
    ("conditions", {"conditions": ["epilepsy", "epilepsy"]}, "twice"),
    ("conditions", {"conditions": "epilepsy"}, "list"),
    ("comedications", {"comedications": "oxycodone"}, "list"),
    ("formulation", {"formulation": "patch"}, "not one of"),
    ("handout_language", {"handout_language": "xx"}, "'xx' is not one of 'en'"),
    ("handout_language", {"handout_language": 1}, "1 is not one of 'en'"),
    ("start_date", {"start_date": "31/12/2026"}, "date"),
    ("spasticity_origin", {"spasticity_origin": "knee"}, "not one of"),
    ("spasticity_origin", {"indication": "hiccups", "spasticity_origin": "stroke"}, "only when"),
    ("regimen_choice.target_daily_mg", {"regimen_choice": {"target_daily_mg": 120}}, "ceiling"),
    ("regimen_choice.step_interval_days", {"regimen_choice": {"step_interval_days": 0}}, "greater"),
    ("weight", {"weight": 70}, "not a known field"),
]


@pytest.mark.parametrize(
    ("field", "change", "words"), BAD, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD)]
)
def test_bad_field_is_named(
    kb: KnowledgeBase, field: str, change: dict[str, Any], words: str
) -> None:
    data = {**HEALTHY_ADULT, **change}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(CaseInputError) as err:
        parse_case(data, kb, today=TODAY)
    assert err.value.field == field
    assert words in err.value.message
    assert "\n" not in str(err.value)


def test_not_an_object(kb: KnowledgeBase) -> None:
    with pytest.raises(CaseInputError, match="must be a JSON object"):
        parse_case(["spasticity"], kb, today=TODAY)


def test_nan_weight_is_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(CaseInputError) as err:
        parse_case({**HEALTHY_ADULT, "weight_kg": float("nan")}, kb, today=TODAY)
    assert err.value.field == "weight_kg"


def test_missing_start_date_takes_today_and_is_recorded(kb: KnowledgeBase) -> None:
    data = {k: v for k, v in HEALTHY_ADULT.items() if k != "start_date"}
    case = parse_case(data, kb, today=TODAY)
    assert case.start_date == TODAY and case.to_dict()["start_date"] == TODAY.isoformat()


def test_blank_comedications_are_dropped_and_spaces_folded(kb: KnowledgeBase) -> None:
    case = parse_case(
        {**HEALTHY_ADULT, "comedications": ["  oxy   codone ", "", "   "]}, kb, today=TODAY
    )
    assert case.comedications == ("oxy codone",)
