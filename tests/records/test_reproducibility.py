"""Re-running the engine on a stored case with the same knowledge base gives the stored bytes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from baclofen_cds.logic import load_knowledge_base, load_policy, parse_case, recommend
from baclofen_cds.records import PatientDetails
from baclofen_cds.records.reproduce import NotReproducible, reproduce
from baclofen_cds.records.store import RecordStore

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.json"))


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    return load_knowledge_base()


def _rec(kb, data, policy_overrides=None):  # type: ignore[no-untyped-def]
    case = parse_case(data, kb, today=date(2026, 11, 22))
    return recommend(case, kb, load_policy(kb, policy_overrides))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_stored_assessment_recomputes_byte_for_byte(store: RecordStore, kb, example: Path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(example.read_text(encoding="utf-8"))
    overrides = {"clinic_name": "Riverside Clinic — “Neuro”", "clinic_phone": "+1 555 0100"}
    rec = _rec(kb, data, overrides)
    patient_id = (data.get("patient") or {}).get("id") or "MRN-EX"
    aid = store.save_assessment(rec, patient=PatientDetails(patient_id), clinician="Dr A")

    stored = store.get_assessment(aid)
    assert stored.result_json == rec.to_json()
    assert stored.case == rec.case
    assert stored.policy["clinic_name"] == "Riverside Clinic — “Neuro”"
    # The recipe from the issue, spelled out:
    again = recommend(
        parse_case(stored.case, kb, today=date(1999, 1, 1)),  # start date is in the case
        kb,
        load_policy(kb, overrides=stored.policy),
    )
    assert again.to_json() == stored.result_json
    assert reproduce(stored, kb).to_json() == stored.result_json


def test_a_changed_knowledge_base_is_said_not_to_reproduce(store: RecordStore, kb) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    rec = _rec(kb, data)
    patient_id = (data.get("patient") or {}).get("id") or "MRN-EX"
    aid = store.save_assessment(rec, patient=PatientDetails(patient_id), clinician="Dr A")
    stored = store.get_assessment(aid)

    class OtherKb:
        sha256 = "0" * 64
        version = "2099.1"

    with pytest.raises(NotReproducible, match="cannot be recomputed exactly"):
        reproduce(stored, OtherKb())  # type: ignore[arg-type]


def test_a_result_that_no_longer_matches_is_reported(store: RecordStore, kb) -> None:  # type: ignore[no-untyped-def]
    from msgspec.structs import replace

    data = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    rec = _rec(kb, data)
    tampered = replace(rec, status_reason=rec.status_reason + " (edited)")
    patient_id = (data.get("patient") or {}).get("id") or "MRN-EX"
    aid = store.save_assessment(tampered, patient=PatientDetails(patient_id), clinician="Dr A")
    with pytest.raises(NotReproducible, match="does not recompute"):
        reproduce(store.get_assessment(aid), kb)
