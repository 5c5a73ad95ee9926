"""Import: HL7's own US Core examples give the case a clinician would type, with provenance."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen_cds.fhir import FhirInputError
from baclofen_cds.logic import parse_case, recommend
from baclofen_cds.logic.case import CaseInput
from tests.fhir.helpers import (
    HL7_FILES,
    ICD10,
    RXNORM,
    SNOMED,
    START,
    bundle,
    condition,
    hl7,
    hl7_bundle,
    med_request,
    obs,
)


# ------------------------------------------------------------------ the HL7 examples
def test_hl7_examples_give_the_case_a_clinician_would_type(do_import: Any) -> None:
    case = do_import(hl7_bundle())
    assert case["patient"] == {"id": "1032702", "name": "Amy V. Baxter"}
    assert case["age_years"] == 39  # born 1987-02-20, start 2026-12-01
    assert case["sex"] == "female"  # from the US Core sex extension: the example has no gender
    assert case["weight_kg"] == pytest.approx(20.09414)
    assert case["height_cm"] == pytest.approx(111.506)
    assert case["serum_creatinine"] == {"value": 1.0, "unit": "mg/dL", "measured_on": "2005-07-05"}
    assert case["conditions"] == ["peptic_ulcer_active"]  # SNOMED 51868009, duodenal ulcer
    assert case["comedications"] == ["Tylenol PM Pill"]  # passed on as written: not guessed
    assert "indication" not in case  # nothing is guessed
    prov = case["provenance"]
    assert prov["fields"]["weight_kg"]["resource"] == "Observation/weight"
    assert prov["fields"]["weight_kg"]["code"] == "http://loinc.org|29463-7"
    assert prov["fields"]["weight_kg"]["date"] == "1999-07-02"
    assert prov["fields"]["conditions/peptic_ulcer_active"]["code"] == f"{SNOMED}|51868009"
    assert prov["fields"]["comedications/Tylenol PM Pill"]["resource"] == (
        "MedicationRequest/self-tylenol"
    )
    assert set(prov["missing"]) >= {"indication", "egfr_ml_min_1_73m2", "dialysis"}
    stale = {f["field"] for f in prov["flags"] if f["kind"] == "stale"}
    assert stale == {"weight_kg", "height_cm", "serum_creatinine"}
    # the sulfonamide allergy is shown as not used, not dropped silently
    assert any(n["resource"] == "AllergyIntolerance/example" for n in prov["not_used"])


@pytest.mark.parametrize("kind", ["collection", "searchset", "transaction"])
def test_bundle_types_and_single_resources(do_import: Any, kind: str) -> None:
    assert do_import(hl7_bundle(kind))["sex"] == "female"
    single = do_import(hl7("Observation-serum-creatinine.json"))
    assert single["serum_creatinine"]["value"] == 1.0
    assert single["patient"]["id"] == "example"


def test_imported_case_recommends_once_the_indication_is_entered(do_import: Any, kb: Any) -> None:
    case = do_import(hl7_bundle())
    case["indication"] = "spasticity"
    parsed = parse_case(case, kb, today=START)
    rec = recommend(parsed, kb)
    ids = {a.id for a in rec.alerts}
    assert "renal.creatinine_stale" in ids  # the 2005 creatinine is flagged by the engine too
    assert "condition.peptic_ulcer_active" in ids
    # HL7's self-prescribed "Tylenol PM Pill" holds diphenhydramine: a sedation hazard
    (tylenol,) = [m for m in rec.comedications if m.text == "Tylenol PM Pill"]
    assert tylenol.status == "matched"
    assert "diphenhydramine" in tylenol.name
    sedation = next(a for a in rec.alerts if a.id == "hazard.cns_depression")
    assert "Tylenol PM Pill" in sedation.triggered_by
    assert rec.case["provenance"]["source"] == "test.json"  # kept with the assessment


# ------------------------------------------------------------------ observations
def test_latest_final_value_is_used_and_earlier_ones_listed(do_import: Any) -> None:
    case = do_import(
        bundle(
            hl7("Patient-example.json"),
            obs("w-old", "29463-7", 70, "kg", when="2026-10-01"),
            obs("w-new", "29463-7", 72, "kg", when="2026-11-25", status="amended"),
            obs("w-prelim", "29463-7", 99, "kg", when="2026-11-30", status="preliminary"),
        )
    )
    assert case["weight_kg"] == 72
    assert case["provenance"]["fields"]["weight_kg"]["stale"] is False
    used_not = {n["resource"]: n["why"] for n in case["provenance"]["not_used"]}
    assert "earlier" in used_not["Observation/w-old"]
    assert "preliminary" in used_not["Observation/w-prelim"]


@pytest.mark.parametrize(
    ("loinc", "value", "unit", "field", "expected"),
    [
        ("29463-7", 185, "[lb_av]", "weight_kg", 83.91),
        ("3141-9", 70500, "g", "weight_kg", 70.5),
        ("8302-2", 1.68, "m", "height_cm", 168),
        ("8302-2", 66, "[in_i]", "height_cm", 167.64),
    ],
)
def test_units_are_converted(
    do_import: Any, loinc: str, value: float, unit: str, field: str, expected: float
) -> None:
    case = do_import(bundle(obs("o1", loinc, value, unit)))
    assert case[field] == pytest.approx(expected)
    assert case["provenance"]["fields"][field]["original"].endswith(unit)


def test_creatinine_in_umol_and_mmol(do_import: Any) -> None:
    umol = do_import(bundle(obs("c1", "14682-9", 88.4, "umol/L")))
    assert umol["serum_creatinine"] == {
        "value": 88.4,
        "unit": "umol/L",
        "measured_on": "2026-11-20",
    }
    mmol = do_import(bundle(obs("c2", "14682-9", 0.0884, "mmol/L")))
    assert mmol["serum_creatinine"]["value"] == pytest.approx(88.4)
    assert mmol["serum_creatinine"]["unit"] == "umol/L"


def test_unconvertible_unit_names_resource_and_element(do_import: Any) -> None:
    with pytest.raises(FhirInputError) as err:
        do_import(bundle(obs("bad-w", "29463-7", 150, "stone_av")))
    assert "Observation/bad-w valueQuantity" in str(err.value)
    assert "stone_av" in str(err.value)


def test_race_based_egfr_is_used_but_flagged(do_import: Any) -> None:
    race = do_import(bundle(obs("e1", "48643-1", 55, "mL/min/{1.73_m2}")))
    assert race["egfr_ml_min_1_73m2"] == 55
    assert [f["kind"] for f in race["provenance"]["flags"]] == ["race_based"]
    free = do_import(bundle(obs("e2", "98979-8", 55, "mL/min/{1.73_m2}")))
    assert free["provenance"]["flags"] == []


def test_stale_creatinine_uses_the_clinic_policy_window(do_import: Any, policy: Any) -> None:
    limit = policy.creatinine_max_age_days
    day = date.fromordinal(START.toordinal() - limit)
    fresh = do_import(bundle(obs("c", "2160-0", 1, "mg/dL", when=day.isoformat())))
    assert fresh["provenance"]["fields"]["serum_creatinine"]["stale"] is False
    older = date.fromordinal(day.toordinal() - 1).isoformat()
    stale = do_import(bundle(obs("c", "2160-0", 1, "mg/dL", when=older)))
    assert stale["provenance"]["fields"]["serum_creatinine"]["stale"] is True


# ------------------------------------------------------------------ medicines
def test_coded_opioid_is_found_and_raises_the_critical_alert(do_import: Any, kb: Any) -> None:
    """The point of the issue: a missed opioid is a missed critical alert."""
    case = do_import(
        bundle(
            hl7("Patient-example.json"),
            med_request("m1", "OxyContin 10 MG Extended Release Oral Tablet", rxcui="7804"),
        )
    )
    assert case["comedications"] == ["oxycodone"]
    assert case["provenance"]["fields"]["comedications/oxycodone"]["code"] == f"{RXNORM}|7804"
    case["indication"] = "spasticity"
    rec = recommend(parse_case(case, kb, today=START), kb)
    assert any(a.indicator == "critical" and "oxycodone" in a.triggered_by for a in rec.alerts)


def test_uncoded_medicine_is_matched_by_name_and_stopped_orders_are_not_used(
    do_import: Any,
) -> None:
    case = do_import(
        bundle(
            med_request("m1", "Xanax 0.5 mg tablet"),
            med_request("m2", "morphine 10 mg", rxcui="7052", status="stopped"),
        )
    )
    assert case["comedications"] == ["Xanax 0.5 mg tablet"]
    assert any(n["resource"] == "MedicationRequest/m2" for n in case["provenance"]["not_used"])


def test_medication_reference_contained_and_in_bundle(do_import: Any) -> None:
    contained = med_request("m1", "x")
    del contained["medicationCodeableConcept"]
    contained["contained"] = [
        {
            "resourceType": "Medication",
            "id": "med",
            "code": {"coding": [{"system": RXNORM, "code": "25480"}]},
        }
    ]
    contained["medicationReference"] = {"reference": "#med"}
    referenced = med_request("m2", "x")
    del referenced["medicationCodeableConcept"]
    referenced["medicationReference"] = {"reference": "Medication/p"}
    med = {"resourceType": "Medication", "id": "p", "code": {"text": "pregabalin 75 mg capsule"}}
    case = do_import(bundle(contained, referenced, med))
    assert case["comedications"] == ["gabapentin", "pregabalin 75 mg capsule"]


def _baclofen_order(dosage: list[dict[str, Any]]) -> dict[str, Any]:
    return med_request("b1", "baclofen 10 MG Oral Tablet", rxcui="1292", dosage=dosage)


def test_active_baclofen_order_is_the_current_dose_not_a_comedication(do_import: Any) -> None:
    dosage = [
        {
            "text": "10 mg three times a day",
            "timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [
                {
                    "doseQuantity": {
                        "value": 10,
                        "unit": "mg",
                        "system": "http://unitsofmeasure.org",
                        "code": "mg",
                    }
                }
            ],
        }
    ]
    case = do_import(bundle(_baclofen_order(dosage)))
    assert "comedications" not in case
    if "current_daily_mg" in CaseInput.__struct_fields__:
        assert case["current_daily_mg"] == 30
        assert case["provenance"]["fields"]["current_daily_mg"]["resource"] == (
            "MedicationRequest/b1"
        )
    else:
        assert any("30 mg a day" in q["text"] for q in case["provenance"]["questions"])


def test_unstructured_baclofen_order_is_asked_not_guessed(do_import: Any) -> None:
    case = do_import(bundle(_baclofen_order([{"text": "10-20 mg as needed"}])))
    assert "current_daily_mg" not in case
    assert [q["field"] for q in case["provenance"]["questions"]] == ["current_daily_mg"]


# ------------------------------------------------------------------ conditions, allergies
def test_conditions_map_by_snomed_and_icd10_prefix(do_import: Any) -> None:
    case = do_import(
        bundle(
            condition("c1", ICD10, "G40.909", "Epilepsy, unspecified"),
            condition("c2", SNOMED, "77386006", "Pregnancy"),
            condition("c3", SNOMED, "38341003", "Hypertension"),  # not a contract condition
            condition("c4", SNOMED, "49049000", "Parkinson's", verification="provisional"),
            condition("c5", SNOMED, "73430006", "Sleep apnoea", clinical="resolved"),
        )
    )
    assert case["conditions"] == ["epilepsy", "pregnancy"]
    why = {n["resource"]: n["why"] for n in case["provenance"]["not_used"]}
    assert "no matching" in why["Condition/c3"]
    assert "not confirmed" in why["Condition/c4"]
    assert "not active" in why["Condition/c5"]


def test_dialysis_dependence_is_asked_not_filled(do_import: Any) -> None:
    asked = do_import(bundle(condition("c1", ICD10, "Z99.2", "Dependence on renal dialysis")))
    assert "dialysis" not in asked
    assert asked["provenance"]["questions"][0]["field"] == "dialysis"
    filled = do_import(bundle(condition("c2", SNOMED, "302497006", "Hemodialysis")))
    assert filled["dialysis"] == "hemodialysis"


def test_baclofen_allergy_is_hypersensitivity(do_import: Any) -> None:
    allergy = hl7("AllergyIntolerance-example.json")
    allergy["id"] = "bac"
    allergy["code"] = {"coding": [{"system": RXNORM, "code": "1292", "display": "baclofen"}]}
    case = do_import(bundle(allergy, hl7("AllergyIntolerance-example.json")))
    assert case["conditions"] == ["baclofen_hypersensitivity"]


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([1, 2], "not FHIR JSON"),
        ({"hello": "world"}, "not FHIR JSON"),
        ({"resourceType": "Encounter", "id": "e"}, "Encounter resource cannot be imported"),
        ({"resourceType": "Bundle", "type": "history"}, "Bundle.type"),
        (
            bundle(
                {
                    "resourceType": "Observation",
                    "id": "x",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                    "valueQuantity": {"value": "heavy"},
                }
            ),
            "Observation/x valueQuantity.value",
        ),
    ],
)
def test_bad_input_names_what_and_where(do_import: Any, data: Any, words: str) -> None:
    with pytest.raises(FhirInputError) as err:
        do_import(data)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_two_patients_or_a_stray_subject_stop_the_import(do_import: Any) -> None:
    other = hl7("Patient-example.json")
    other["id"] = "someone-else"
    with pytest.raises(FhirInputError, match="more than one patient"):
        do_import(bundle(hl7("Patient-example.json"), other))
    with pytest.raises(FhirInputError, match="another patient"):
        do_import(
            bundle(
                hl7("Patient-example.json"),
                obs("w", "29463-7", 70, "kg", patient="Patient/someone-else"),
            )
        )


# ------------------------------------------------------------------ safety invariant
@settings(max_examples=40, deadline=None)
@given(st.sets(st.sampled_from(HL7_FILES)))
def test_missing_is_never_zero(files: set[str]) -> None:
    """Whatever part of the record is present, every field not in it is absent and listed."""
    from baclofen_cds.fhir.importer import RECORD_FIELDS, import_case
    from baclofen_cds.fhir.resources import read_resources
    from baclofen_cds.logic import load_knowledge_base, load_policy

    kb = load_knowledge_base()
    resources, _ = read_resources(bundle(*(hl7(f) for f in sorted(files))), "t")
    case = import_case(resources, kb, load_policy(kb), start_date=START, source="t")
    for field in RECORD_FIELDS:
        if field in case:
            assert field in case["provenance"]["fields"]
            assert case[field] not in (None, 0, "")
        else:
            assert field in case["provenance"]["missing"]
    assert json.loads(json.dumps(case)) == case


statuses = st.sampled_from(
    ["final", "amended", "corrected", "preliminary", "cancelled", "entered-in-error"]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.floats(20, 200), statuses),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    )
)
def test_latest_usable_weight_is_chosen_and_staleness_is_exact(
    readings: list[tuple[int, float, str]],
) -> None:
    """Whatever the record holds, the weight used is the latest final one, and it is flagged
    stale exactly when it is older than the window; none usable -> missing, not zero."""
    from datetime import timedelta

    from baclofen_cds.fhir.importer import import_case
    from baclofen_cds.fhir.mapping import load_mappings
    from baclofen_cds.fhir.resources import read_resources
    from baclofen_cds.logic import load_knowledge_base, load_policy

    kb = load_knowledge_base()
    window = load_mappings(kb).file.observations["weight_kg"].max_age_days
    entries = [
        obs(
            f"w{i}",
            "29463-7",
            value,
            "kg",
            when=(START - timedelta(days=age)).isoformat(),
            status=status,
        )
        for i, (age, value, status) in enumerate(readings)
    ]
    resources, _ = read_resources(bundle(*entries), "t")
    case = import_case(resources, kb, load_policy(kb), start_date=START, source="t")
    usable = [
        (age, value)
        for age, value, status in readings
        if status in ("final", "amended", "corrected")
    ]
    if not usable:
        assert "weight_kg" not in case
        assert "weight_kg" in case["provenance"]["missing"]
        return
    age, value = min(usable)
    assert case["weight_kg"] == pytest.approx(value)
    assert case["provenance"]["fields"]["weight_kg"]["stale"] is (age > window)
