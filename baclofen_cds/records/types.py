"""What the records API hands out and takes in: frozen dataclasses and errors.

This module imports nothing heavy (no SQLAlchemy), so the window can import the types at
start-up and only pay for SQLAlchemy when it opens the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NewType, Protocol

AssessmentId = NewType("AssessmentId", int)
"""The number of a stored assessment (shown to clinicians as e.g. "assessment 42")."""

Outcome = Literal["accepted", "overridden"]
OUTCOMES: tuple[str, ...] = ("accepted", "overridden")
Sex = Literal["female", "male"]

# Column sizes, shared by the models, the migrations and input checks.
EXTERNAL_ID_MAX = 200
DISPLAY_NAME_MAX = 500
CLINICIAN_MAX = 200
ALERT_ID_MAX = 200
REASON_CODE_MAX = 100
COMMENT_MAX = 4000
VARIANT_MAX = 50
DB_USER_MAX = 200
UID_MAX = 36


class RecordsError(Exception):
    """Base class of every records error. `str(exc)` is a plain sentence for a clinician."""


class RecordsUnavailable(RecordsError):  # noqa: N818 - the name the window and CLI use
    """The records database cannot be opened or used (missing server, damaged file, ...).

    The application still recommends; it shows a "records unavailable" banner with this
    message. Nothing was written or overwritten.
    """


class RecordNotFound(RecordsError):  # noqa: N818
    """No assessment (or patient) with that id."""


class InvalidRecord(RecordsError, ValueError):  # noqa: N818
    """Bad input to a records operation: one clear message naming the field. Nothing written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class PatientMismatch(InvalidRecord):
    """The patient id is on record with different details (guards against a mistyped id)."""


class AppendOnlyViolation(RecordsError):  # noqa: N818
    """Something tried to change or delete a stored assessment or its audit trail."""


class OutcomeUnknown(RecordsUnavailable):
    """The connection was lost while the save was being committed: it may or may not have
    been saved. Check the history; a retry with the same uid saves it exactly once."""


class RecordIntegrityError(RecordsError):
    """A stored record does not match its checksum: it was changed outside the application."""


@dataclass(frozen=True, slots=True)
class PatientDetails:
    """Who the assessment is about, as the clinician gave it.

    `external_id` is the clinic's identifier (medical record number). The other fields are
    optional: missing stays missing. When the id is already on record, any detail given must
    agree with the record (see `PatientMismatch`); details on record are never overwritten
    by a save.
    """

    external_id: str
    display_name: str | None = None
    birth_year: int | None = None
    sex: Sex | None = None

    @classmethod
    def from_case(
        cls,
        case: Mapping[str, Any],
        *,
        external_id: str | None = None,
        birth_year: int | None = None,
    ) -> PatientDetails | None:
        """The patient of a case (`patient.id`, `patient.name`, `sex`), or None when neither
        the case nor `external_id` gives an id. The window and the command line save with
        this one reading of the case."""
        patient = case.get("patient") or {}
        given = external_id if external_id is not None else patient.get("id")
        identifier = str(given or "").strip()
        if not identifier:
            return None
        sex = case.get("sex")
        return cls(
            external_id=identifier,
            display_name=patient.get("name") or None,
            birth_year=birth_year,
            sex=sex if sex in ("female", "male") else None,
        )


@dataclass(frozen=True, slots=True)
class PatientRecord:
    external_id: str
    display_name: str | None
    birth_year: int | None
    sex: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """What the clinician did with one alert: accepted it, or overrode it with a coded reason."""

    alert_id: str
    outcome: Outcome
    reason_code: str | None = None
    comment: str | None = None


class CodedAcknowledgement(Protocol):
    """A critical alert acknowledged with a coded reason (the window's and the command
    line's acknowledgements both have these)."""

    @property
    def alert_id(self) -> str: ...
    @property
    def reason_code(self) -> str: ...
    @property
    def comment(self) -> str: ...


def as_overrides(acknowledgements: Iterable[CodedAcknowledgement]) -> list[Acknowledgement]:
    """Coded acknowledgements as stored: a critical alert acknowledged with a reason is an
    override of its advice (outcome "overridden", the reason code and comment)."""
    return [
        Acknowledgement(
            alert_id=a.alert_id,
            outcome="overridden",
            reason_code=a.reason_code,
            comment=a.comment or None,
        )
        for a in acknowledgements
    ]


@dataclass(frozen=True, slots=True)
class StoredAcknowledgement:
    alert_id: str
    outcome: str
    reason_code: str | None
    comment: str | None
    clinician: str
    recorded_at: datetime
    db_user: str | None = None  # the authenticated database user who recorded it


@dataclass(frozen=True, slots=True)
class HandoutPrint:
    """One printed (or saved) handout PDF."""

    variant: str  # e.g. "patient" (handout) or "clinician" (summary)
    pdf_sha256: str
    printed_at: datetime
    printed_by: str
    options: dict[str, Any] = field(default_factory=dict)  # how it was rendered
    db_user: str | None = None


@dataclass(frozen=True, slots=True)
class PrintedPdf:
    """A PDF printed (or saved) from an assessment, to record with `save_assessment(prints=...)`
    or `record_print`. `options` are the rendering choices needed to print it again
    identically, e.g. {"printed_on": "2026-11-22", "prescriber": "Dr A", "large_print": false}.
    A plain `(variant, pdf_bytes)` pair is accepted too."""

    variant: str
    pdf: bytes
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AssessmentSummary:
    """One row of a patient's history (newest first)."""

    id: AssessmentId
    patient_external_id: str
    patient_display_name: str | None
    created_at: datetime  # UTC, timezone-aware
    clinician: str
    status: str
    indication: str
    alert_count: int
    critical_alert_count: int
    knowledge_base_version: str
    supersedes_id: AssessmentId | None
    superseded_by_id: AssessmentId | None

    @property
    def is_current(self) -> bool:
        """False when a later assessment corrects this one."""
        return self.superseded_by_id is None


@dataclass(frozen=True, slots=True)
class HistoryCursor:
    """A place in a patient's history (the time and id of one row), for keyset paging."""

    created_at: datetime
    id: AssessmentId


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of `RecordStore.history_page`, newest first, and where the next ones start:
    pass `older` as `older_than=` for the next page back in time, `newer` as `newer_than=` to
    come back; None when there is no such page."""

    rows: tuple[AssessmentSummary, ...]
    older: HistoryCursor | None
    newer: HistoryCursor | None


@dataclass(frozen=True, slots=True)
class StoredAssessment:
    """A stored assessment in full.

    `result_json` is exactly the text `Recommendation.to_json()` gave when it was saved;
    `case` is the normalised case (`CaseInput.to_dict()`) and `policy` the local policy the
    engine used, so the engine can reproduce the result byte for byte.
    """

    id: AssessmentId
    patient: PatientRecord
    clinician: str
    created_at: datetime
    case: dict[str, Any]
    result_json: str
    result_sha256: str
    knowledge_base_version: str
    knowledge_base_sha256: str
    app_version: str
    supersedes_id: AssessmentId | None
    superseded_by_id: AssessmentId | None
    acknowledgements: tuple[StoredAcknowledgement, ...] = ()
    prints: tuple[HandoutPrint, ...] = ()
    result: dict[str, Any] = field(default_factory=dict)
    uid: str | None = None  # the idempotency key the client chose, if any
    db_user: str | None = None  # the authenticated database user who saved it

    @property
    def status(self) -> str:
        return str(self.result.get("status", ""))

    @property
    def policy(self) -> dict[str, Any]:
        value = self.result.get("policy")
        return dict(value) if isinstance(value, dict) else {}
