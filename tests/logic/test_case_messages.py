"""msgspec's validation errors, as the one-line messages naming the field (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baclofen_cds.logic import CaseInputError, KnowledgeBase, parse_case
from tests.logic.conftest import HEALTHY_ADULT, TODAY

CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"age_years": "45"}, "age_years", "must be a number"),
    ({"weight_kg": False}, "weight_kg", "must be a number, not true or false"),
    ({"age_years": None}, "age_years", "is required"),
    ({"sex": None}, "sex", "is required"),
    ({"sex": 1}, "sex", "1 is not one of 'female' or 'male'"),
    ({"dialysis": "yes"}, "dialysis", "'yes' is not one of 'none', 'hemodialysis' or 'peritoneal'"),
    ({"start_date": "2026-12-01T00:00:00"}, "start_date", "must be a date (YYYY-MM-DD)"),
    ({"start_date": 0}, "start_date", "must be a date (YYYY-MM-DD)"),
    ({"patient": "MRN-1"}, "patient", "must be an object"),
    ({"patient": {"id": "x" * 201}}, "patient.id", "must be at most 200 characters"),
    ({"patient": {"mrn": "1"}}, "patient.mrn", "is not a known field"),
    ({"serum_creatinine": {"unit": "mg/dL"}}, "serum_creatinine.value", "is required"),
    (
        {"regimen_choice": {"step_interval_days": 7.5}},
        "regimen_choice.step_interval_days",
        "must be a whole number",
    ),
    (
        {"regimen_choice": {"step_interval_days": 29}},
        "regimen_choice.step_interval_days",
        "must be less than or equal to 28",
    ),
    (
        {"regimen_choice": {"target_daily_mg": 0}},
        "regimen_choice.target_daily_mg",
        "must be greater than 0",
    ),
    (
        {"override": {"reason": "palliative_care", "clinician": "   "}},
        "override.clinician",
        "must not be empty",
    ),
    ({"conditions": ["epilepsy", 3]}, "conditions.1", "must be text"),
    ({"comedications_confirmed_none": "true"}, "comedications_confirmed_none", "true or false"),
    ({"provenance": []}, "provenance", "must be an object"),
]


@pytest.mark.parametrize(("change", "field", "words"), CASES)
def test_each_error_names_its_field_in_words(
    kb: KnowledgeBase, change: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(CaseInputError) as err:
        parse_case({**HEALTHY_ADULT, **change}, kb, today=TODAY)
    assert err.value.field == field
    assert words in err.value.message, err.value.message
    assert "\n" not in str(err.value) and "`" not in str(err.value)  # no msgspec wording


def test_free_text_is_stripped_and_codes_are_not(kb: KnowledgeBase) -> None:
    case = parse_case(
        {
            **HEALTHY_ADULT,
            "patient": {"id": "  MRN-7 ", "name": " Ann  Lee "},
            "conditions": [" epilepsy "],
            "override": {"reason": " palliative_care ", "clinician": " Dr A "},
        },
        kb,
        today=TODAY,
    )
    assert case.patient is not None and case.patient.id == "MRN-7"
    assert case.patient.name == "Ann  Lee"
    assert case.conditions == ("epilepsy",)
    assert case.override is not None and case.override.reason == "palliative_care"
    with pytest.raises(CaseInputError) as err:
        parse_case({**HEALTHY_ADULT, "sex": " female"}, kb, today=TODAY)
    assert err.value.field == "sex"


def test_to_dict_is_json_data_and_reads_back_equal(kb: KnowledgeBase) -> None:
    case = parse_case(
        {**HEALTHY_ADULT, "comedications": ["oxycodone"], "provenance": {"a": [1, 2]}},
        kb,
        today=TODAY,
    )
    data = case.to_dict()
    assert data["comedications"] == ["oxycodone"] and data["start_date"] == "2026-12-01"
    assert data["age_years"] == 45.0 and isinstance(data["age_years"], float)
    assert data["serum_creatinine"] == {"value": 0.9, "unit": "mg/dL", "measured_on": None}
    assert parse_case(data, kb, today=TODAY) == case


@pytest.mark.parametrize("key", ["serum_creatin\ne", "a`b", "x - at `$.y`"])
def test_any_unknown_field_name_is_named(kb: KnowledgeBase, key: str) -> None:
    for data in ({**HEALTHY_ADULT, key: 1}, {**HEALTHY_ADULT, "patient": {key: 1}}):
        with pytest.raises(CaseInputError) as err:
            parse_case(data, kb, today=TODAY)
        assert err.value.field.endswith(key) and err.value.message == "is not a known field"


def test_the_message_is_one_line_whatever_the_field_name(kb: KnowledgeBase) -> None:
    with pytest.raises(CaseInputError) as err:
        parse_case({**HEALTHY_ADULT, "a\nb\u2028c": 1}, kb, today=TODAY)
    assert str(err.value) == "a\\u000ab\\u2028c: is not a known field"
    assert err.value.field == "a\nb\u2028c"


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(st.text(max_size=12), JSONISH, max_size=3),
    st.sampled_from(sorted(HEALTHY_ADULT)),
)
def test_any_extra_or_replaced_data_is_accepted_or_named(
    kb: KnowledgeBase, extra: dict[str, Any], field: str
) -> None:
    """Safety property: whatever mapping arrives, the case is accepted or one field is named
    in one line (never another exception)."""
    data = {**HEALTHY_ADULT, **extra}
    if extra:
        data[field] = next(iter(extra.values()))
    refused = _refusal(data, kb)
    if refused is not None:
        assert refused.field and refused.message and "\n" not in str(refused)
        assert not refused.message.startswith(("Expected", "Object", "Invalid"))  # in words


def _refusal(data: dict[str, Any], kb: KnowledgeBase) -> CaseInputError | None:
    try:
        parse_case(data, kb, today=TODAY)
    except CaseInputError as exc:
        return exc
    return None


def test_an_empty_field_name_is_shown_as_empty_quotes(kb: KnowledgeBase) -> None:
    refused = _refusal({**HEALTHY_ADULT, "": 1}, kb)
    assert refused is not None and refused.field == '""'
