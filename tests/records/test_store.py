"""Saving, reading and paging assessments: the records API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from baclofen_cds import __version__
from baclofen_cds.records import (
    Acknowledgement,
    InvalidRecord,
    PatientDetails,
    PatientMismatch,
    RecordNotFound,
)
from baclofen_cds.records.store import RecordStore, sha256_hex
from tests.records.records_support import KB_SHA, case_dict, make_recommendation

JANE = PatientDetails(external_id="MRN-001", display_name="Jane Doe", birth_year=1981, sex="female")


def _save(store: RecordStore, **kwargs: object) -> int:
    rec = kwargs.pop("rec", None) or make_recommendation()
    params: dict[str, object] = {"patient": JANE, "clinician": "Dr A. Smith"}
    params.update(kwargs)
    return store.save_assessment(rec, **params)  # type: ignore[arg-type]


def test_saved_assessment_comes_back_exactly(store: RecordStore) -> None:
    rec = make_recommendation()
    before = datetime.now(UTC)
    aid = store.save_assessment(rec, patient=JANE, clinician="Dr A. Smith")
    got = store.get_assessment(aid)

    assert got.id == aid
    assert got.result_json == rec.to_json()  # byte for byte
    assert got.result_sha256 == sha256_hex(rec.to_json().encode("utf-8"))
    assert got.case == rec.case == case_dict()
    assert got.policy == {"clinic_name": "Test Clinic"}
    assert got.result["regimen"]["start"]["dose_mg"] == 5.0
    assert got.knowledge_base_version == "2026.11.0"
    assert got.knowledge_base_sha256 == KB_SHA
    assert got.app_version == __version__
    assert got.clinician == "Dr A. Smith"
    assert got.patient.external_id == "MRN-001"
    assert got.patient.display_name == "Jane Doe"
    assert got.patient.birth_year == 1981
    assert got.patient.sex == "female"
    assert got.created_at.tzinfo is not None
    assert got.created_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= got.created_at <= datetime.now(UTC)
    assert got.supersedes_id is None
    assert got.superseded_by_id is None
    assert got.status == "use_with_caution"


def test_unknown_assessment_is_not_found(store: RecordStore) -> None:
    with pytest.raises(RecordNotFound, match="no assessment 999"):
        store.get_assessment(999)


def test_history_is_newest_first_and_paged(store: RecordStore) -> None:
    ids = [_save(store) for _ in range(7)]
    _save(
        store,
        rec=make_recommendation("MRN-002", "John Roe"),
        patient=PatientDetails(external_id="MRN-002", display_name="John Roe"),
    )

    first = store.history("MRN-001", page=0, page_size=3)
    second = store.history("MRN-001", page=1, page_size=3)
    last = store.history("MRN-001", page=2, page_size=3)
    assert [s.id for s in first + second + last] == list(reversed(ids))
    assert len(last) == 1
    assert store.history("MRN-001", page=3, page_size=3) == []
    assert store.count_history("MRN-001") == 7
    assert store.count_history("MRN-002") == 1
    assert store.history("NOBODY") == []
    row = first[0]
    assert row.patient_external_id == "MRN-001"
    assert row.patient_display_name == "Jane Doe"
    assert row.clinician == "Dr A. Smith"
    assert row.status == "use_with_caution"
    assert row.indication == "spasticity"
    assert row.alert_count == 2
    assert row.critical_alert_count == 1
    assert row.knowledge_base_version == "2026.11.0"
    assert row.is_current


def test_history_rejects_bad_paging(store: RecordStore) -> None:
    with pytest.raises(InvalidRecord, match="page"):
        store.history("MRN-001", page=-1)
    with pytest.raises(InvalidRecord, match="page_size"):
        store.history("MRN-001", page_size=0)


def test_correction_supersedes_the_old_assessment(store: RecordStore) -> None:
    old = _save(store)
    new = _save(store, rec=make_recommendation(status="recommended"), supersedes=old)

    assert store.get_assessment(old).superseded_by_id == new
    assert store.get_assessment(new).supersedes_id == old
    # The old assessment is still there, unchanged: a correction never rewrites history.
    assert store.get_assessment(old).result_json == make_recommendation().to_json()
    rows = {s.id: s for s in store.history("MRN-001")}
    assert not rows[old].is_current
    assert rows[new].is_current
    assert rows[new].supersedes_id == old


def test_an_assessment_is_corrected_once(store: RecordStore) -> None:
    old = _save(store)
    new = _save(store, supersedes=old)
    with pytest.raises(InvalidRecord, match=f"already corrected by assessment {new}"):
        _save(store, supersedes=old)
    assert store.count_history("MRN-001") == 2


def test_correction_must_be_for_the_same_patient(store: RecordStore) -> None:
    old = _save(store)
    with pytest.raises(InvalidRecord, match="another patient"):
        _save(
            store,
            rec=make_recommendation("MRN-002", "John Roe"),
            patient=PatientDetails(external_id="MRN-002"),
            supersedes=old,
        )
    with pytest.raises(RecordNotFound):
        _save(store, supersedes=12345)
    assert store.count_history("MRN-002") == 0


def test_acknowledgements_and_prints_are_recorded(store: RecordStore) -> None:
    pdf = b"%PDF-1.4 handout"
    aid = _save(
        store,
        acknowledgements=[
            Acknowledgement(
                "interaction.opioids",
                "overridden",
                reason_code="benefit_outweighs_risk",
                comment="On stable opioid dose; family will watch breathing.",
            ),
            Acknowledgement("condition.epilepsy", "accepted"),
        ],
        prints=[("patient", pdf)],
    )
    store.record_print(aid, variant="clinician", pdf=b"%PDF summary", printed_by="Nurse B")
    store.record_acknowledgements(
        aid,
        [Acknowledgement("condition.epilepsy", "overridden", "seizure_free")],
        clinician="Dr C",
    )
    got = store.get_assessment(aid)
    assert [(a.alert_id, a.outcome, a.reason_code, a.clinician) for a in got.acknowledgements] == [
        ("interaction.opioids", "overridden", "benefit_outweighs_risk", "Dr A. Smith"),
        ("condition.epilepsy", "accepted", None, "Dr A. Smith"),
        ("condition.epilepsy", "overridden", "seizure_free", "Dr C"),
    ]
    assert got.acknowledgements[0].comment == "On stable opioid dose; family will watch breathing."
    assert [(p.variant, p.pdf_sha256, p.printed_by) for p in got.prints] == [
        ("patient", sha256_hex(pdf), "Dr A. Smith"),
        ("clinician", sha256_hex(b"%PDF summary"), "Nurse B"),
    ]
    assert all(p.printed_at.tzinfo is not None for p in got.prints)


def test_override_without_reason_saves_nothing(store: RecordStore) -> None:
    with pytest.raises(InvalidRecord, match=r"acknowledgements\[0\]\.reason_code: is required"):
        _save(store, acknowledgements=[Acknowledgement("interaction.opioids", "overridden")])
    assert store.count_history("MRN-001") == 0
    assert store.get_patient("MRN-001") is None


def test_acknowledging_an_alert_that_was_not_shown_is_refused(store: RecordStore) -> None:
    with pytest.raises(InvalidRecord, match="not an alert of this assessment"):
        _save(store, acknowledgements=[Acknowledgement("interaction.alcohol", "accepted")])
    aid = _save(store)
    with pytest.raises(InvalidRecord, match="outcome"):
        store.record_acknowledgements(
            aid,
            [Acknowledgement("condition.epilepsy", "ignored")],  # type: ignore[arg-type]
            clinician="Dr C",
        )
    assert store.get_assessment(aid).acknowledgements == ()


def test_same_patient_id_with_another_name_is_refused(store: RecordStore) -> None:
    _save(store)
    with pytest.raises(PatientMismatch, match="on record with name 'Jane Doe'"):
        _save(store, patient=PatientDetails(external_id="MRN-001", display_name="John Smith"))
    with pytest.raises(PatientMismatch, match="birth year 1981"):
        _save(store, patient=PatientDetails(external_id="MRN-001", birth_year=1990))
    # Same person written with other case and spacing, or without details: accepted.
    _save(store, patient=PatientDetails(external_id=" MRN-001 ", display_name="jane  DOE"))
    _save(store, patient=PatientDetails(external_id="MRN-001"))
    assert store.count_history("MRN-001") == 3
    patient = store.get_patient("MRN-001")
    assert patient is not None
    assert patient.display_name == "Jane Doe"  # never overwritten by a save


def test_missing_patient_details_are_filled_later(store: RecordStore) -> None:
    _save(store, patient=PatientDetails(external_id="MRN-001"))
    _save(store, patient=JANE)
    patient = store.get_patient("MRN-001")
    assert patient is not None
    assert (patient.display_name, patient.birth_year, patient.sex) == ("Jane Doe", 1981, "female")
    # Issue 11: filled in as a new version; the first patient row is never changed.
    assert store.history("MRN-001")[0].patient_display_name == "Jane Doe"
    from sqlalchemy import create_engine, text

    engine = create_engine(store._url)
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT display_name FROM patient")).scalar_one()
            versions = conn.execute(text("SELECT count(*) FROM patient_detail")).scalar_one()
    finally:
        engine.dispose()
    assert first is None and versions == 1


def test_patient_id_must_match_the_case(store: RecordStore) -> None:
    with pytest.raises(InvalidRecord, match="not the patient id in the case"):
        _save(store, patient=PatientDetails(external_id="MRN-999"))
    assert store.get_patient("MRN-999") is None


@pytest.mark.parametrize(
    ("patient", "clinician", "field"),
    [
        (PatientDetails(external_id="  "), "Dr A", "patient.external_id"),
        (PatientDetails(external_id="MRN-001"), "   ", "clinician"),
        (PatientDetails(external_id="MRN-001", birth_year=1850), "Dr A", "patient.birth_year"),
        (PatientDetails(external_id="MRN-001", sex="x"), "Dr A", "patient.sex"),  # type: ignore[arg-type]
        (
            PatientDetails(external_id="MRN-001", display_name="a\x00b"),
            "Dr A",
            "patient.display_name",
        ),
        (
            PatientDetails(external_id="MRN-001", display_name="x" * 501),
            "Dr A",
            "patient.display_name",
        ),
        (
            PatientDetails(external_id="MRN-001", display_name="bad \udcff"),
            "Dr A",
            "patient.display_name",
        ),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    store: RecordStore, patient: PatientDetails, clinician: str, field: str
) -> None:
    rec = make_recommendation(patient_id=patient.external_id.strip() or "MRN-001")
    with pytest.raises(InvalidRecord) as caught:
        store.save_assessment(rec, patient=patient, clinician=clinician)
    assert caught.value.field == field
    assert store.count_history("MRN-001") == 0


def test_prints_and_acknowledgements_need_a_stored_assessment(store: RecordStore) -> None:
    with pytest.raises(RecordNotFound):
        store.record_print(77, variant="patient", pdf=b"x", printed_by="Dr A")
    with pytest.raises(RecordNotFound):
        store.record_acknowledgements(77, [], clinician="Dr A")


def test_result_json_is_the_engine_text_not_a_reserialisation(store: RecordStore) -> None:
    rec = make_recommendation(comedications=("Ketorolac", "ünïcödé-drug"))
    aid = _save(store, rec=rec)
    got = store.get_assessment(aid)
    assert got.result_json == rec.to_json()
    assert "ünïcödé-drug" in got.result_json  # not \u-escaped: exactly to_json()'s text
    assert json.loads(got.result_json)["case"]["comedications"] == ["Ketorolac", "ünïcödé-drug"]


def test_print_options_are_kept_for_an_identical_reprint(store: RecordStore) -> None:
    from baclofen_cds.records import PrintedPdf

    options = {"printed_on": "2026-11-22", "prescriber": "Dr Ö", "large_print": True}
    aid = _save(store, prints=[PrintedPdf("patient", b"%PDF-a", options), ("clinician", b"%PDF-b")])
    store.record_print(
        aid, variant="patient", pdf=b"%PDF-c", printed_by="Nurse B", options={"paper": "letter"}
    )
    got = store.get_assessment(aid)
    assert [p.options for p in got.prints] == [options, {}, {"paper": "letter"}]
    with pytest.raises(InvalidRecord, match=r"prints\.pdf"):
        _save(store, prints=[("patient", b"")])
    with pytest.raises(InvalidRecord, match=r"prints\.options"):
        _save(store, prints=[PrintedPdf("patient", b"%PDF", {"when": object()})])


def test_two_corrections_of_the_same_assessment_at_once(store: RecordStore) -> None:
    """Both clinicians press Save together: one correction lands, the other is told why."""
    import threading

    old = _save(store)
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def correct() -> None:
        barrier.wait()
        try:
            outcomes.append(_save(store, supersedes=old))
        except InvalidRecord as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=correct) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    saved = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, InvalidRecord)]
    assert len(saved) == 1
    assert len(refused) == 1
    assert "already corrected" in str(refused[0])
    assert store.get_assessment(old).superseded_by_id == saved[0]
