"""Building blocks for FHIR tests: HL7's example files and small resources composed around them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
START = date(2026, 12, 1)
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
HL7_FILES = (
    "Patient-example.json",
    "Observation-serum-creatinine.json",
    "Observation-weight.json",
    "Observation-height.json",
    "Condition-condition-duodenal-ulcer.json",
    "AllergyIntolerance-example.json",
    "MedicationRequest-self-tylenol.json",
)


def hl7(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def bundle(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def hl7_bundle(kind: str = "collection") -> dict[str, Any]:
    return bundle(*(hl7(f) for f in HL7_FILES), kind=kind)


def obs(
    rid: str,
    loinc: str,
    value: float,
    unit: str,
    when: str = "2026-11-20",
    status: str = "final",
    patient: str = "Patient/example",
    code: str | None = None,
) -> dict[str, Any]:
    q: dict[str, Any] = {"value": value, "unit": unit, "system": UCUM, "code": code or unit}
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": status,
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "subject": {"reference": patient},
        "effectiveDateTime": when,
        "valueQuantity": q,
    }


def med_request(
    rid: str,
    text: str,
    rxcui: str | None = None,
    status: str = "active",
    dosage: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if rxcui:
        concept["coding"] = [{"system": RXNORM, "code": rxcui, "display": text}]
    out: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": concept,
        "subject": {"reference": "Patient/example"},
        "authoredOn": "2026-10-01",
    }
    if dosage is not None:
        out["dosageInstruction"] = dosage
    return out


def condition(
    rid: str,
    system: str,
    code: str,
    text: str,
    clinical: str = "active",
    verification: str | None = "confirmed",
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": clinical,
                }
            ]
        },
        "code": {"coding": [{"system": system, "code": code}], "text": text},
        "subject": {"reference": "Patient/example"},
    }
    if verification:
        out["verificationStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": verification,
                }
            ]
        }
    return out
