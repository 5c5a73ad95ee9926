"""Assessments and their audit trail are append-only: in the ORM and in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from baclofen_cds.records import Acknowledgement, AppendOnlyViolation, PatientDetails
from baclofen_cds.records.models import AlertAcknowledgement, Assessment, HandoutPrintRow
from baclofen_cds.records.store import RecordStore
from baclofen_cds.records.uow import UnitOfWork
from tests.records.records_support import make_recommendation

JANE = PatientDetails(external_id="MRN-001", display_name="Jane Doe")


def _saved(store: RecordStore) -> int:
    return store.save_assessment(
        make_recommendation(),
        patient=JANE,
        clinician="Dr A",
        acknowledgements=[Acknowledgement("condition.epilepsy", "accepted")],
        prints=[("patient", b"%PDF")],
    )


@pytest.mark.parametrize("model", [Assessment, AlertAcknowledgement, HandoutPrintRow])
def test_orm_refuses_to_change_a_stored_row(store: RecordStore, model: type) -> None:
    _saved(store)
    with UnitOfWork(store._factory, write=True) as uow:
        row = uow.session.query(model).one()
        if model is Assessment:
            row.status = "recommended"
        elif model is AlertAcknowledgement:
            row.outcome = "overridden"
        else:
            row.variant = "clinician"
        with pytest.raises(AppendOnlyViolation, match="cannot be changed"):
            uow.session.flush()


@pytest.mark.parametrize("model", [Assessment, AlertAcknowledgement, HandoutPrintRow])
def test_orm_refuses_to_delete_a_stored_row(store: RecordStore, model: type) -> None:
    _saved(store)
    with UnitOfWork(store._factory, write=True) as uow:
        uow.session.delete(uow.session.query(model).one())
        with pytest.raises(AppendOnlyViolation, match="cannot be deleted"):
            uow.session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE assessment SET status = 'recommended'",
        "UPDATE assessment SET result_json = '{}'",
        "DELETE FROM assessment",
        "UPDATE alert_acknowledgement SET outcome = 'overridden', reason_code = 'x'",
        "DELETE FROM alert_acknowledgement",
        "UPDATE handout_print SET pdf_sha256 = 'x'",
        "DELETE FROM handout_print",
        # Issue 11: a patient's identity cannot be rewritten (a history moved to another id).
        "UPDATE patient SET external_id = 'MRN-OTHER'",
        "UPDATE patient SET display_name = 'Someone Else'",
        "DELETE FROM patient",
    ],
)
def test_database_refuses_update_and_delete_behind_the_applications_back(
    store: RecordStore, database_url: str, statement: str
) -> None:
    aid = _saved(store)
    before = store.get_assessment(aid)
    engine = create_engine(database_url)  # a plain connection: no ORM guard
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(statement))
    finally:
        engine.dispose()
    assert store.get_assessment(aid) == before


def test_postgresql_refuses_truncate(pg_url: str) -> None:
    from baclofen_cds.records import open_store

    with open_store(pg_url) as store:
        _saved(store)
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("TRUNCATE handout_print"))
    finally:
        engine.dispose()


def test_the_api_has_no_way_to_change_or_delete_an_assessment() -> None:
    public = {name for name in dir(RecordStore) if not name.startswith("_")}
    assert not {n for n in public if any(w in n for w in ("update", "delete", "remove", "edit"))}


def test_unit_of_work_rolls_back_unless_committed(store: RecordStore) -> None:
    from baclofen_cds.records.models import Patient, utcnow

    with UnitOfWork(store._factory, write=True) as uow:
        uow.session.add(Patient(external_id="MRN-X", created_at=utcnow()))
        uow.session.flush()

    def failing_save() -> None:
        with UnitOfWork(store._factory, write=True) as uow:
            uow.session.add(Patient(external_id="MRN-Y", created_at=utcnow()))
            uow.session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        failing_save()
    assert store.get_patient("MRN-X") is None
    assert store.get_patient("MRN-Y") is None


def test_a_result_changed_outside_the_application_is_detected(sqlite_url: str) -> None:
    from baclofen_cds.records import RecordIntegrityError, open_store

    with open_store(sqlite_url) as store:
        aid = _saved(store)
    engine = create_engine(sqlite_url)
    try:
        with engine.begin() as conn:  # somebody removes the trigger and edits the dose
            conn.execute(text("DROP TRIGGER trg_assessment_no_update"))
            conn.execute(
                text("UPDATE assessment SET result_json = replace(result_json, '5.0', '50.0')")
            )
    finally:
        engine.dispose()
    with open_store(sqlite_url) as store, pytest.raises(RecordIntegrityError, match="checksum"):
        store.get_assessment(aid)


def test_every_store_opened_is_guarded(sqlite_url: str) -> None:
    """Many stores opened and dropped one after another: the ORM guard is never missing."""
    from baclofen_cds.records import open_store

    with open_store(sqlite_url) as first:
        _saved(first)
    for _ in range(30):
        store = open_store(sqlite_url)
        with UnitOfWork(store._factory, write=True) as uow:
            uow.session.query(Assessment).one().status = "recommended"
            with pytest.raises(AppendOnlyViolation):
                uow.session.flush()
        store.close()
        del store
