"""SQLAlchemy 2 models of the records database.

Five tables: `patient`, `patient_detail`, `assessment`, `alert_acknowledgement`,
`handout_print`. Every table is append-only (the patient's identity too: a detail added later
is a new `patient_detail` row, never a change of the patient row). The
application inserts them and never updates or deletes them. This is enforced three times:
by a `before_flush` guard on every session (`RecordsSession`), by database
triggers created in the migrations (SQLite and PostgreSQL), and by the API, which has no
operation that changes a stored assessment. A correction is a new assessment whose
`supersedes_id` names the old one.

The migrations in `baclofen_cds/records/migrations/` must describe exactly these models;
a test runs Alembic's `check` so the two cannot drift.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from baclofen_cds.records.types import (
    ALERT_ID_MAX,
    CLINICIAN_MAX,
    COMMENT_MAX,
    DB_USER_MAX,
    DISPLAY_NAME_MAX,
    EXTERNAL_ID_MAX,
    REASON_CODE_MAX,
    UID_MAX,
    VARIANT_MAX,
    AppendOnlyViolation,
)

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time, always stored as UTC and always returned timezone-aware (UTC).

    SQLite has no time zone type; storing naive UTC there and attaching UTC on the way out
    gives the same Python values on SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Patient(Base):
    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(DISPLAY_NAME_MAX))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The authenticated database user who wrote the row (PostgreSQL: session_user, set by a
    # trigger whatever the client sends; SQLite: the operating-system login).
    db_user: Mapped[str | None] = mapped_column(String(DB_USER_MAX))

    __table_args__ = (
        CheckConstraint("sex IN ('female', 'male')", name="sex_known"),
        CheckConstraint("length(external_id) > 0", name="external_id_not_empty"),
    )


class PatientDetail(Base):
    """A detail of a patient added after the patient was first saved (a new version)."""

    __tablename__ = "patient_detail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="RESTRICT"), index=True
    )
    display_name: Mapped[str | None] = mapped_column(String(DISPLAY_NAME_MAX))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(CLINICIAN_MAX))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    db_user: Mapped[str | None] = mapped_column(String(DB_USER_MAX))

    __table_args__ = (CheckConstraint("sex IN ('female', 'male')", name="sex_known"),)


class Assessment(Base):
    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="RESTRICT"))
    clinician: Mapped[str] = mapped_column(String(CLINICIAN_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The case as given, normalised (CaseInput.to_dict()), as canonical JSON text.
    case_json: Mapped[str] = mapped_column(Text)
    # Exactly the text of Recommendation.to_json(); its sha256 detects outside edits.
    result_json: Mapped[str] = mapped_column(Text)
    result_sha256: Mapped[str] = mapped_column(String(64))
    kb_version: Mapped[str] = mapped_column(String(100))
    kb_sha256: Mapped[str] = mapped_column(String(64))
    app_version: Mapped[str] = mapped_column(String(50))
    supersedes_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    # Copied from the result so that a history page never parses the result text.
    status: Mapped[str] = mapped_column(String(32))
    indication: Mapped[str] = mapped_column(String(64))
    alert_count: Mapped[int] = mapped_column(Integer)
    critical_alert_count: Mapped[int] = mapped_column(Integer)
    # Chosen by the client before saving: a retry with the same uid returns this row.
    uid: Mapped[str | None] = mapped_column(String(UID_MAX))
    db_user: Mapped[str | None] = mapped_column(String(DB_USER_MAX))

    __table_args__ = (
        # (id, patient_id) is unique so a correction can point at it with a composite key:
        # the database itself refuses a correction that names another patient's assessment.
        UniqueConstraint("id", "patient_id"),
        ForeignKeyConstraint(
            ["supersedes_id", "patient_id"],
            ["assessment.id", "assessment.patient_id"],
            name="fk_assessment_supersedes_same_patient",
            ondelete="RESTRICT",
        ),
        CheckConstraint("length(clinician) > 0", name="clinician_not_empty"),
        Index("ix_assessment_patient_history", "patient_id", "created_at", "id"),
        Index("ix_assessment_uid", "uid", unique=True),
    )


class AlertAcknowledgement(Base):
    __tablename__ = "alert_acknowledgement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="RESTRICT"), index=True
    )
    alert_id: Mapped[str] = mapped_column(String(ALERT_ID_MAX))
    outcome: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(REASON_CODE_MAX))
    comment: Mapped[str | None] = mapped_column(String(COMMENT_MAX))
    clinician: Mapped[str] = mapped_column(String(CLINICIAN_MAX))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    db_user: Mapped[str | None] = mapped_column(String(DB_USER_MAX))

    __table_args__ = (
        CheckConstraint("outcome IN ('accepted', 'overridden')", name="outcome_known"),
        CheckConstraint(
            "outcome <> 'overridden' OR reason_code IS NOT NULL", name="override_has_reason"
        ),
    )


class HandoutPrintRow(Base):
    __tablename__ = "handout_print"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="RESTRICT"), index=True
    )
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(VARIANT_MAX))
    # How it was rendered (printed-on date, prescriber, large print, paper), as JSON, so a
    # reprint can give the same bytes.
    options_json: Mapped[str | None] = mapped_column(Text)
    printed_by: Mapped[str] = mapped_column(String(CLINICIAN_MAX))
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    db_user: Mapped[str | None] = mapped_column(String(DB_USER_MAX))


#: Tables the application only ever inserts into.
APPEND_ONLY_MODELS: tuple[type[Base], ...] = (
    Patient,
    PatientDetail,
    Assessment,
    AlertAcknowledgement,
    HandoutPrintRow,
)
APPEND_ONLY_TABLES: tuple[str, ...] = tuple(str(m.__tablename__) for m in APPEND_ONLY_MODELS)


def _append_only_guard(session: Session, flush_context: Any, instances: Any) -> None:
    del flush_context, instances
    for obj in session.deleted:
        if isinstance(obj, APPEND_ONLY_MODELS):
            raise AppendOnlyViolation(
                f"a stored {obj.__tablename__.replace('_', ' ')} cannot be deleted"
            )
    for obj in session.dirty:
        if isinstance(obj, APPEND_ONLY_MODELS) and session.is_modified(obj):
            raise AppendOnlyViolation(
                f"a stored {obj.__tablename__.replace('_', ' ')} cannot be changed; "
                "save a new assessment that supersedes it"
            )


class RecordsSession(Session):
    """The only session class records use: its flushes refuse to change or delete
    append-only rows (`_append_only_guard`, listening on this class for good).

    Listening on the class rather than on each session factory cannot be lost: SQLAlchemy's
    event registry is keyed by object id, and a new factory at the address of a collected one
    could be taken as already guarded (seen once as a flaky test).
    """


event.listen(RecordsSession, "before_flush", _append_only_guard)
