"""Assessment records: SQLite by default, PostgreSQL for a clinic; append-only audit trail.

Pure Python (no Qt). Importing this package is cheap: SQLAlchemy and Alembic are imported
only when a store is opened.

How to use it::

    from baclofen_cds.records import open_store, PatientDetails, Acknowledgement, RecordsUnavailable

    try:
        store = open_store(url)          # None: BACLOFEN_CDS_DATABASE_URL, else the SQLite file
    except RecordsUnavailable as exc:    # damaged file, unreachable server, newer schema, ...
        show_banner(str(exc))            # the application still recommends
    aid = store.save_assessment(
        recommendation,                  # baclofen_cds.logic.Recommendation
        patient=PatientDetails(external_id="MRN-001", display_name="Jane Doe", sex="female"),
        clinician="Dr A. Smith",
        acknowledgements=[Acknowledgement("interaction.opioids", "overridden",
                                          reason_code="benefit_outweighs_risk", comment="...")],
        prints=[("patient", pdf_bytes)],
        supersedes=None,                 # or the id of the assessment this one corrects
    )
    store.record_print(aid, variant="patient", pdf=pdf_bytes, printed_by="Dr A. Smith")
    store.record_acknowledgements(aid, [...], clinician="Dr A. Smith")
    page = store.history("MRN-001", page=0, page_size=20)   # list[AssessmentSummary], newest first
    total = store.count_history("MRN-001")
    first = store.history_page("MRN-001", page_size=20)        # keyset paging: HistoryPage
    second = store.history_page("MRN-001", older_than=first.older)  # ... and newer_than= back
    stored = store.get_assessment(aid)                       # StoredAssessment
    store.close()

Every result is a frozen dataclass; every error is a `RecordsError` whose text is a plain
sentence: `RecordsUnavailable` (cannot open or use the database), `InvalidRecord` (bad input,
naming the field; nothing written), `PatientMismatch`, `RecordNotFound`,
`RecordIntegrityError`, `AppendOnlyViolation`. See docs/records.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from baclofen_cds.records.types import (
    Acknowledgement,
    AppendOnlyViolation,
    AssessmentId,
    AssessmentSummary,
    HandoutPrint,
    HistoryCursor,
    HistoryPage,
    InvalidRecord,
    OutcomeUnknown,
    PatientDetails,
    PatientMismatch,
    PatientRecord,
    PrintedPdf,
    RecordIntegrityError,
    RecordNotFound,
    RecordsError,
    RecordsUnavailable,
    StoredAcknowledgement,
    StoredAssessment,
    as_overrides,
)

if TYPE_CHECKING:
    from baclofen_cds.records.store import RecordStore

__all__ = [
    "Acknowledgement",
    "AppendOnlyViolation",
    "AssessmentId",
    "AssessmentSummary",
    "HandoutPrint",
    "HistoryCursor",
    "HistoryPage",
    "InvalidRecord",
    "OutcomeUnknown",
    "PatientDetails",
    "PatientMismatch",
    "PatientRecord",
    "PrintedPdf",
    "RecordIntegrityError",
    "RecordNotFound",
    "RecordStore",
    "RecordsError",
    "RecordsUnavailable",
    "StoredAcknowledgement",
    "StoredAssessment",
    "as_overrides",
    "open_store",
]


def open_store(url: str | None = None, *, migrate: bool = True) -> RecordStore:
    """Open the records database, creating or upgrading it as needed.

    `url`: `sqlite:///PATH` or `postgresql+psycopg://USER@HOST:PORT/DB`; None means the
    `BACLOFEN_CDS_DATABASE_URL` environment variable, else one SQLite file in the user's data
    folder (created on first run, mode 0600). The schema is brought up to date with the
    shipped Alembic migrations (a SQLite file is backed up first).

    Raises `RecordsUnavailable` with a plain message when the database cannot be used; a
    damaged file or a database of a newer version is left untouched.
    """
    from pathlib import Path

    from sqlalchemy.exc import DBAPIError

    from baclofen_cds.records.engine import (
        create_engine_for,
        create_session_factory,
        describe,
        prepare_sqlite_file,
        redact,
        resolve_url,
    )
    from baclofen_cds.records.migrate import migrate_to_head
    from baclofen_cds.records.rows import unavailable
    from baclofen_cds.records.store import RecordStore

    resolved = resolve_url(url)
    where = describe(resolved)
    if resolved.get_backend_name() == "sqlite":
        prepare_sqlite_file(Path(str(resolved.database)))
    try:
        engine = create_engine_for(resolved)
    except ImportError as exc:
        raise RecordsUnavailable(
            f"The database driver {exc.name!r} is not installed; "
            "install baclofen-cds[postgresql] to use a PostgreSQL server."
        ) from None
    try:
        if migrate:
            migrate_to_head(engine)
        else:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
    except RecordsUnavailable as exc:
        engine.dispose()
        raise RecordsUnavailable(redact(str(exc), resolved)) from None
    except DBAPIError as exc:
        engine.dispose()
        if engine.dialect.name == "sqlite":
            raise unavailable(exc, where) from None
        if _is_permission_error(exc):
            raise RecordsUnavailable(
                f"The records database {where} is not at this version's schema and this login "
                "may not update it: ask the records administrator to run "
                "`baclofen-cds records init`."
            ) from None
        raise RecordsUnavailable(redact(str(_server_unavailable(exc, where)), resolved)) from None
    except Exception as exc:  # a migration that failed: the transaction was rolled back
        engine.dispose()
        raise RecordsUnavailable(
            redact(
                f"Updating the records database {where} to this version failed "
                f"({type(exc).__name__}: {exc}); it was left as it was.",
                resolved,
            )
        ) from None
    return RecordStore(engine, create_session_factory(engine), resolved)


def _is_permission_error(exc: Exception) -> bool:
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501"


def _server_unavailable(exc: Exception, where: str) -> RecordsUnavailable:
    original = getattr(exc, "orig", exc)
    first = str(original).strip().splitlines()[0] if str(original).strip() else ""
    return RecordsUnavailable(f"The records server {where} cannot be reached or used: {first}")
