"""Merging a record into a typed case: a typed value is never replaced without asking."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from baclofen_cds.fhir.merge import (
    LABELS,
    current_provenance,
    merge,
    take_record_values,
    with_record_context,
)

IMPORTED: dict[str, Any] = {
    "patient": {"id": "1032702", "name": "Amy V. Baxter"},
    "age_years": 39,
    "sex": "female",
    "weight_kg": 72.0,
    "serum_creatinine": {"value": 1.0, "unit": "mg/dL", "measured_on": "2005-07-05"},
    "conditions": ["peptic_ulcer_active"],
    "comedications": ["oxycodone"],
    "provenance": {
        "fields": {
            "weight_kg": {"value": 72.0, "date": "2026-11-28"},
            "age_years": {"value": 39},
            "serum_creatinine": {"value": 1.0, "unit": "mg/dL", "date": "2005-07-05"},
            "comedications/oxycodone": {"resource": "MedicationRequest/m1"},
        }
    },
}


def test_fills_empty_asks_on_difference_adds_to_lists() -> None:
    typed = {
        "weight_kg": 70,
        "conditions": ["epilepsy"],
        "comedications": ["Oxycodone"],
        "dialysis": "none",
        "indication": "spasticity",
    }
    merged, conflicts, filled = merge(typed, IMPORTED)
    assert merged["weight_kg"] == 70  # kept until the clinician chooses
    assert [c.field for c in conflicts] == ["weight_kg"]
    assert conflicts[0].text() == "Weight (kg): typed 70, record 72 (2026-11-28)"
    assert merged["age_years"] == 39 and "age_years" in filled
    assert merged["conditions"] == ["epilepsy", "peptic_ulcer_active"]
    assert merged["comedications"] == ["Oxycodone"]  # the same medicine is not added twice
    assert merged["indication"] == "spasticity"
    assert take_record_values(merged, IMPORTED, conflicts)["weight_kg"] == 72.0


scalars = st.one_of(st.integers(1, 300), st.sampled_from(["female", "male", "x"]))


@given(st.dictionaries(st.sampled_from([k for k in LABELS if "." not in k]), scalars))
def test_a_typed_value_is_never_silently_replaced(typed: dict[str, Any]) -> None:
    merged, conflicts, _ = merge(typed, IMPORTED)
    asked = {c.field for c in conflicts}
    for key, value in typed.items():
        if value in (None, "") or (key == "dialysis" and value == "none"):
            continue
        assert merged[key] == value or key in asked
        assert merged[key] == value  # even when asked, the merge itself keeps it


def test_provenance_follows_the_values_on_screen() -> None:
    case = {
        "age_years": 39,
        "weight_kg": 64,
        "comedications": [],
        "serum_creatinine": {"value": 1.0, "unit": "mg/dL"},
    }
    current = current_provenance(case, IMPORTED["provenance"])
    assert current is not None
    assert set(current["fields"]) == {"age_years", "serum_creatinine"}
    ctx = with_record_context(case, IMPORTED["provenance"])
    assert ctx["serum_creatinine"]["measured_on"] == "2005-07-05"
    changed = with_record_context(
        {**case, "serum_creatinine": {"value": 0.8, "unit": "mg/dL"}}, IMPORTED["provenance"]
    )
    assert "measured_on" not in changed["serum_creatinine"]
    assert with_record_context(case, None) == case
