"""A test-only record writer: a contract case -> the FHIR record an EHR would hold for it.

Used by the round-trip test (record -> import -> recommend -> export) over the examples. Codes
come from fhir.yaml (the first code of each mapping), so the test also proves every mapping the
examples need can be read back.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from baclofen_cds.fhir.mapping import load_mappings
from baclofen_cds.logic import KnowledgeBase
from tests.fhir.helpers import ICD10, LOINC, RXNORM, SNOMED, UCUM, bundle

MEASURED = timedelta(days=10)  # the record's measurements are 10 days old on the start date


def birth_date(age: float, start: date) -> str:
    years = int(age)
    born = date(start.year - years, start.month, start.day) - timedelta(days=30)
    return born.isoformat()


def record_for(case: dict[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    maps = load_mappings(kb)
    start = date.fromisoformat(case["start_date"])
    measured = (start - MEASURED).isoformat()
    pid = "p1"
    subject = {"reference": f"Patient/{pid}"}
    out: list[dict[str, Any]] = [
        {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": case["patient"]["id"]}],
            "name": [{"text": case["patient"]["name"]}],
            "gender": case["sex"],
            "birthDate": birth_date(case["age_years"], start),
        }
    ]

    def observation(rid: str, field: str, value: float, unit: str) -> None:
        code = maps.file.observations[field].codes[0].loinc  # type: ignore[index]
        if field == "serum_creatinine" and unit == "umol/L":
            code = maps.file.observations[field].codes[1].loinc  # type: ignore[index]
        out.append(
            {
                "resourceType": "Observation",
                "id": rid,
                "status": "final",
                "code": {"coding": [{"system": LOINC, "code": code}]},
                "subject": subject,
                "effectiveDateTime": measured,
                "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
            }
        )

    if case.get("weight_kg") is not None:
        observation("w", "weight_kg", case["weight_kg"], "kg")
    if case.get("height_cm") is not None:
        observation("h", "height_cm", case["height_cm"], "cm")
    if case.get("serum_creatinine"):
        scr = case["serum_creatinine"]
        observation("c", "serum_creatinine", scr["value"], scr["unit"])
    for i, name in enumerate(case.get("comedications") or []):
        out.append(
            {
                "resourceType": "MedicationStatement",
                "id": f"m{i}",
                "status": "active",
                "medicationCodeableConcept": {"text": name},
                "subject": subject,
            }
        )
    if case.get("current_daily_mg"):
        daily = case["current_daily_mg"]
        out.append(
            {
                "resourceType": "MedicationRequest",
                "id": "bac",
                "status": "active",
                "intent": "order",
                "medicationCodeableConcept": {
                    "coding": [{"system": RXNORM, "code": "1292"}],
                    "text": "baclofen 10 mg tablet",
                },
                "subject": subject,
                "dosageInstruction": [
                    {
                        "text": f"{daily / 3:g} mg three times a day",
                        "timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}},
                        "doseAndRate": [
                            {
                                "doseQuantity": {
                                    "value": daily / 3,
                                    "unit": "mg",
                                    "system": UCUM,
                                    "code": "mg",
                                }
                            }
                        ],
                    }
                ],
            }
        )
    targets = [("condition", c) for c in case.get("conditions") or []]
    if case.get("dialysis", "none") != "none":
        targets.append(("dialysis", case["dialysis"]))
    for i, (kind, value) in enumerate(targets):
        cm = next(c for c in maps.file.conditions if getattr(c, kind) == value)
        system, code = (SNOMED, cm.snomed[0]) if cm.snomed else (ICD10, cm.icd10cm[0])
        out.append(
            {
                "resourceType": "Condition",
                "id": f"d{i}",
                "clinicalStatus": {"coding": [{"code": "active"}]},
                "verificationStatus": {"coding": [{"code": "confirmed"}]},
                "code": {"coding": [{"system": system, "code": code}], "text": value},
                "subject": subject,
            }
        )
    return bundle(*out, kind="searchset")
