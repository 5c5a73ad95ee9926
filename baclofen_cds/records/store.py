"""`RecordStore`: the typed operations the window and the command line call.

Each operation opens its own unit of work and returns frozen dataclasses from
`baclofen_cds.records.types`; no session or ORM object ever leaves this module.
Open one with `baclofen_cds.records.open_store`.
"""

from __future__ import annotations

import dataclasses
import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from baclofen_cds.records import validation as check
from baclofen_cds.records.rows import (
    PrintLike,
    is_busy,
    print_row,
    sha256_hex,
    stored_assessment,
    unavailable,
)
from baclofen_cds.records.types import (
    DB_USER_MAX,
    Acknowledgement,
    AssessmentId,
    AssessmentSummary,
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
    StoredAssessment,
)
from baclofen_cds.records.uow import UnitOfWork

if TYPE_CHECKING:
    from sqlalchemy import URL, Engine
    from sqlalchemy.orm import Session, sessionmaker

    from baclofen_cds.logic.result import Recommendation
    from baclofen_cds.records.models import Assessment, Patient

T = TypeVar("T")

#: How often a write is tried again when another process holds the database, or when two
#: processes create the same patient at the same moment.
WRITE_ATTEMPTS = 5
MAX_PAGE_SIZE = 500
#: Largest id a row can have (a signed 64-bit integer on both databases).
MAX_RECORD_ID = 2**63 - 1


class RecordStore:
    """The records of one database (a SQLite file or a PostgreSQL database).

    Thread use: one store may be shared; every call opens its own session. Call `close()`
    (or use `with`) when done.
    """

    def __init__(self, engine: Engine, session_factory: sessionmaker[Session], url: URL) -> None:
        self._engine = engine
        self._factory = session_factory
        self._url = url
        # PostgreSQL replaces it with session_user (trigger); SQLite has no login of its own.
        self._db_user = _login_name() if engine.dialect.name == "sqlite" else None

    # ------------------------------------------------------------------ lifecycle
    @property
    def backend(self) -> str:
        """ "sqlite" or "postgresql"."""
        return str(self._engine.dialect.name)

    @property
    def location(self) -> str:
        """Where the records are, for display (file path, or URL without password)."""
        from baclofen_cds.records.engine import describe

        return describe(self._url)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _unavailable(self, exc: Exception) -> RecordsError:
        from baclofen_cds.records.engine import redact
        from baclofen_cds.records.types import RecordsUnavailable

        return RecordsUnavailable(redact(str(unavailable(exc, self.location)), self._url))

    # ------------------------------------------------------------------ writes
    def save_assessment(
        self,
        recommendation: Recommendation,
        *,
        patient: PatientDetails,
        clinician: str,
        supersedes: AssessmentId | int | None = None,
        acknowledgements: Sequence[Acknowledgement] = (),
        prints: Sequence[PrintLike] = (),
        app_version: str | None = None,
        uid: str | None = None,
    ) -> AssessmentId:
        """Store one assessment (and, in the same transaction, its acknowledgements and prints).

        Stores `recommendation.to_json()` exactly, the normalised case (`recommendation.case`),
        the knowledge-base version and hash and the application version. `supersedes` names
        the assessment this one corrects (same patient, not already corrected). `prints` are
        the PDFs printed from this recommendation (`PrintedPdf`, or (variant, pdf_bytes) or
        (variant, pdf_bytes, options) tuples). All or nothing: on any error nothing is
        written. Raises `InvalidRecord` (bad input, naming the field), `PatientMismatch`,
        `RecordNotFound` (unknown `supersedes`), `RecordsUnavailable`.

        `uid` (a UUID chosen by the caller) makes the save idempotent: saving again with the
        same uid returns the stored assessment. When the connection is lost while committing,
        `OutcomeUnknown` is raised unless the uid is then found stored (the save landed).
        """
        from baclofen_cds import __version__

        details = check.patient_details(patient)
        who = check.clinician("clinician", clinician)
        result_json = recommendation.to_json()
        check.storable_text("recommendation", result_json)
        case = dict(recommendation.case)
        case_json = json.dumps(case, ensure_ascii=False)
        check.storable_text("case", case_json)
        case_patient = case.get("patient") or {}
        case_id = case_patient.get("id") if isinstance(case_patient, dict) else None
        if case_id is not None and str(case_id).strip() != details.external_id:
            raise InvalidRecord(
                "patient.external_id",
                f"{details.external_id!r} is not the patient id in the case ({case_id!r})",
            )
        alerts = recommendation.alerts
        acks = check.acknowledgements(acknowledgements, [a.id for a in alerts])
        print_rows = [print_row(item) for item in prints]
        indication = str(case.get("indication") or "")
        if not indication:
            raise InvalidRecord("case.indication", "is required")
        kb = recommendation.knowledge_base
        version = app_version or __version__
        key = None if uid is None else check.uid("uid", uid)
        result_sha = sha256_hex(result_json.encode("utf-8"))

        def work(session: Session) -> AssessmentId:
            from baclofen_cds.records.models import (
                Assessment,
                HandoutPrintRow,
            )

            if key is not None:
                earlier = self._by_uid(session, key)
                if earlier is not None:
                    return self._same_save(session, earlier, details, result_sha)
            now = datetime.now(UTC)
            row_patient = self._patient_for(session, details, now, who)
            if supersedes is not None:
                self._check_supersedes(session, int(supersedes), row_patient.id)
            row = Assessment(
                patient_id=row_patient.id,
                clinician=who,
                created_at=now,
                case_json=case_json,
                result_json=result_json,
                result_sha256=result_sha,
                kb_version=kb.version,
                kb_sha256=kb.sha256,
                app_version=version,
                supersedes_id=None if supersedes is None else int(supersedes),
                status=recommendation.status,
                indication=indication,
                alert_count=len(alerts),
                critical_alert_count=sum(1 for a in alerts if a.indicator == "critical"),
                uid=key,
                db_user=self._db_user,
            )
            session.add(row)
            session.flush()
            _add_acknowledgements(session, row.id, acks, who, now, self._db_user)
            for variant, digest, options_json in print_rows:
                session.add(
                    HandoutPrintRow(
                        assessment_id=row.id,
                        pdf_sha256=digest,
                        variant=variant,
                        options_json=options_json,
                        printed_by=who,
                        printed_at=now,
                        db_user=self._db_user,
                    )
                )
            session.flush()
            return AssessmentId(row.id)

        def confirm() -> AssessmentId | None:
            if key is None:
                return None

            def look(session: Session) -> AssessmentId | None:
                row = self._by_uid(session, key)
                if row is None:
                    return None
                return self._same_save(session, row, details, result_sha)

            return self._read(look)

        return self._write(work, confirm=confirm, uid=key)

    def record_acknowledgements(
        self,
        assessment_id: AssessmentId | int,
        acknowledgements: Sequence[Acknowledgement],
        *,
        clinician: str,
    ) -> None:
        """Add what the clinician did with alerts of a stored assessment (audit trail)."""
        who = check.clinician("clinician", clinician)

        def work(session: Session) -> None:

            row = self._assessment_row(session, int(assessment_id))
            alert_ids = [a["id"] for a in json.loads(row.result_json).get("alerts", [])]
            acks = check.acknowledgements(acknowledgements, alert_ids)
            now = datetime.now(UTC)
            _add_acknowledgements(session, row.id, acks, who, now, self._db_user)
            session.flush()

        self._write(work)

    def record_print(
        self,
        assessment_id: AssessmentId | int,
        *,
        variant: str,
        pdf: bytes,
        printed_by: str,
        options: Mapping[str, Any] | None = None,
    ) -> str:
        """Record that a PDF of this assessment was printed (or saved). Returns its sha256.

        `options`: the rendering choices needed to print it again identically.
        """
        name, digest, options_json = print_row(PrintedPdf(variant, pdf, options or {}))
        who = check.clinician("printed_by", printed_by)

        def work(session: Session) -> str:
            from baclofen_cds.records.models import HandoutPrintRow

            row = self._assessment_row(session, int(assessment_id))
            session.add(
                HandoutPrintRow(
                    assessment_id=row.id,
                    pdf_sha256=digest,
                    variant=name,
                    options_json=options_json,
                    printed_by=who,
                    printed_at=datetime.now(UTC),
                    db_user=self._db_user,
                )
            )
            session.flush()
            return digest

        return self._write(work)

    # ------------------------------------------------------------------ reads
    def history(
        self, patient_external_id: str, page: int = 0, page_size: int = 20
    ) -> list[AssessmentSummary]:
        """One page of a patient's assessments, newest first. `page` counts from 0.

        An unknown patient has an empty history. Deep pages cost an OFFSET scan: to page
        through a long history, use `history_page` (keyset: the same cost on every page).
        """
        if page < 0:
            raise InvalidRecord("page", "must be 0 or more")
        external_id = self._history_args(patient_external_id, page_size)

        def work(session: Session) -> list[AssessmentSummary]:
            from baclofen_cds.records.models import Assessment

            rows = (
                _history_select(external_id)
                .order_by(Assessment.created_at.desc(), Assessment.id.desc())
                .limit(page_size)
                .offset(page * page_size)
            )
            return _summaries(session, rows.subquery("page"))

        return self._read(work)

    def history_page(
        self,
        patient_external_id: str,
        *,
        older_than: HistoryCursor | None = None,
        newer_than: HistoryCursor | None = None,
        page_size: int = 20,
    ) -> HistoryPage:
        """One page of a patient's assessments, newest first, by keyset: the page after
        `older_than` (going back in time), the page before `newer_than` (coming back), or the
        newest page. Every page costs one index range scan, however deep; rows saved between
        two calls never make a page repeat or skip a row that was there before."""
        if older_than is not None and newer_than is not None:
            raise InvalidRecord("newer_than", "give older_than or newer_than, not both")
        external_id = self._history_args(patient_external_id, page_size)

        def work(session: Session) -> HistoryPage:
            from sqlalchemy import literal, tuple_

            from baclofen_cds.records.models import Assessment

            key = tuple_(Assessment.created_at, Assessment.id)
            rows = _history_select(external_id)
            cursor = older_than or newer_than
            if cursor is not None:
                bound = tuple_(
                    literal(cursor.created_at, Assessment.created_at.type),
                    literal(int(cursor.id), Assessment.id.type),
                )
                rows = rows.where(key < bound if older_than is not None else key > bound)
            backwards = newer_than is not None
            if backwards:  # the rows just newer than the cursor: ascending from it
                rows = rows.order_by(Assessment.created_at.asc(), Assessment.id.asc())
            else:
                rows = rows.order_by(Assessment.created_at.desc(), Assessment.id.desc())
            found = _summaries(session, rows.limit(page_size + 1).subquery("page"))
            more = len(found) > page_size
            # the extra row, if any, is the one farthest from the cursor
            found = found[-page_size:] if backwards else found[:page_size]
            cursors = [HistoryCursor(r.created_at, r.id) for r in found]
            has_older = bool(cursors) and (backwards or more)
            has_newer = bool(cursors) and cursor is not None and (more or not backwards)
            return HistoryPage(
                rows=tuple(found),
                older=cursors[-1] if has_older else None,
                newer=cursors[0] if has_newer else None,
            )

        return self._read(work)

    def _history_args(self, patient_external_id: str, page_size: int) -> str:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidRecord("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
        return check.identifier("patient_external_id", patient_external_id, 10_000)

    def count_history(self, patient_external_id: str) -> int:
        """How many assessments a patient has (for paging)."""
        external_id = check.identifier("patient_external_id", patient_external_id, 10_000)

        def work(session: Session) -> int:
            from sqlalchemy import func, select

            from baclofen_cds.records.models import Assessment, Patient

            stmt = (
                select(func.count(Assessment.id))
                .join(Patient, Patient.id == Assessment.patient_id)
                .where(Patient.external_id == external_id)
            )
            return int(session.execute(stmt).scalar_one())

        return self._read(work)

    def get_patient(self, external_id: str) -> PatientRecord | None:
        key = check.identifier("external_id", external_id, 10_000)

        def work(session: Session) -> PatientRecord | None:
            from sqlalchemy import select

            from baclofen_cds.records.models import Patient

            row = session.execute(
                select(Patient).where(Patient.external_id == key)
            ).scalar_one_or_none()
            return None if row is None else current_details(session, row)

        return self._read(work)

    def get_assessment(self, assessment_id: AssessmentId | int) -> StoredAssessment:
        """A stored assessment in full. Raises `RecordNotFound`, or `RecordIntegrityError`
        when the stored result no longer matches its checksum."""

        def work(session: Session) -> StoredAssessment:
            from sqlalchemy import select

            from baclofen_cds.records.models import (
                AlertAcknowledgement,
                Assessment,
                HandoutPrintRow,
                Patient,
            )

            row = self._assessment_row(session, int(assessment_id))
            if sha256_hex(row.result_json.encode("utf-8")) != row.result_sha256:
                raise RecordIntegrityError(
                    f"Assessment {row.id} was changed outside Baclofen CDS: its stored result "
                    "does not match its checksum. Do not rely on it."
                )
            patient = session.get_one(Patient, row.patient_id)
            later = session.execute(
                select(Assessment.id).where(Assessment.supersedes_id == row.id)
            ).scalar_one_or_none()
            acks = session.execute(
                select(AlertAcknowledgement)
                .where(AlertAcknowledgement.assessment_id == row.id)
                .order_by(AlertAcknowledgement.id)
            ).scalars()
            prints = session.execute(
                select(HandoutPrintRow)
                .where(HandoutPrintRow.assessment_id == row.id)
                .order_by(HandoutPrintRow.id)
            ).scalars()
            return stored_assessment(
                row, current_details(session, patient), later, list(acks), list(prints)
            )

        return self._read(work)

    # ------------------------------------------------------------------ internals
    def _patient_for(
        self, session: Session, details: PatientDetails, now: datetime, who: str
    ) -> Patient:
        """The patient row for these details, created if new. Never changes a stored row:
        a detail that was missing is added as a new `patient_detail` version."""
        from sqlalchemy import select

        from baclofen_cds.records.models import Patient, PatientDetail

        row = session.execute(
            select(Patient).where(Patient.external_id == details.external_id)
        ).scalar_one_or_none()
        if row is None:
            row = Patient(
                external_id=details.external_id,
                display_name=details.display_name,
                birth_year=details.birth_year,
                sex=details.sex,
                created_at=now,
                db_user=self._db_user,
            )
            session.add(row)
            session.flush()
            return row
        known = current_details(session, row)
        mismatches = []
        if not check.same_text(known.display_name, details.display_name):
            mismatches.append(f"name {known.display_name!r}")
        year_known = known.birth_year is not None and details.birth_year is not None
        if year_known and known.birth_year != details.birth_year:
            mismatches.append(f"birth year {known.birth_year}")
        if known.sex is not None and details.sex is not None and known.sex != details.sex:
            mismatches.append(f"sex {known.sex}")
        if mismatches:
            raise PatientMismatch(
                "patient.external_id",
                f"{details.external_id!r} is on record with {', '.join(mismatches)}; "
                "check the patient id. Nothing was saved.",
            )
        # Details that were missing are added as a new version; a detail on record stays.
        added = {
            "display_name": details.display_name if known.display_name is None else None,
            "birth_year": details.birth_year if known.birth_year is None else None,
            "sex": details.sex if known.sex is None else None,
        }
        if any(value is not None for value in added.values()):
            session.add(
                PatientDetail(
                    patient_id=row.id,
                    recorded_by=who,
                    recorded_at=now,
                    db_user=self._db_user,
                    **added,
                )
            )
        return row

    def _by_uid(self, session: Session, key: str) -> Assessment | None:
        from sqlalchemy import select

        from baclofen_cds.records.models import Assessment

        return session.execute(select(Assessment).where(Assessment.uid == key)).scalar_one_or_none()

    def _same_save(
        self, session: Session, row: Assessment, details: PatientDetails, result_sha: str
    ) -> AssessmentId:
        """A save repeated with the same uid: the stored assessment, if it is the same one."""
        from baclofen_cds.records.models import Patient

        patient = session.get_one(Patient, row.patient_id)
        if patient.external_id != details.external_id or row.result_sha256 != result_sha:
            raise InvalidRecord(
                "uid",
                f"{row.uid} is already used by assessment {row.id}, a different assessment; "
                "use a new uid",
            )
        return AssessmentId(row.id)

    def _check_supersedes(self, session: Session, old_id: int, patient_id: int) -> None:
        from sqlalchemy import select

        from baclofen_cds.records.models import Assessment

        old = session.get(Assessment, old_id) if 1 <= old_id <= MAX_RECORD_ID else None
        if old is None:
            raise RecordNotFound(f"There is no assessment {old_id} to correct.")
        if old.patient_id != patient_id:
            raise InvalidRecord("supersedes", f"assessment {old_id} is about another patient")
        later = session.execute(
            select(Assessment.id).where(Assessment.supersedes_id == old_id)
        ).scalar_one_or_none()
        if later is not None:
            raise InvalidRecord(
                "supersedes",
                f"assessment {old_id} was already corrected by assessment {later}; "
                f"correct assessment {later} instead",
            )

    def _assessment_row(self, session: Session, assessment_id: int) -> Assessment:
        from baclofen_cds.records.models import Assessment

        if not 1 <= assessment_id <= MAX_RECORD_ID:
            raise RecordNotFound(f"There is no assessment {assessment_id}.")
        row = session.get(Assessment, assessment_id)
        if row is None:
            raise RecordNotFound(f"There is no assessment {assessment_id}.")
        return row

    def _read(self, work: Callable[[Session], T]) -> T:
        from sqlalchemy.exc import DBAPIError

        try:
            with UnitOfWork(self._factory, write=False) as uow:
                return work(uow.session)
        except DBAPIError as exc:
            raise self._unavailable(exc) from None

    def _write(
        self,
        work: Callable[[Session], T],
        *,
        confirm: Callable[[], T | None] | None = None,
        uid: str | None = None,
    ) -> T:
        """Run `work` in a writing unit of work, committing at the end; retry when busy.

        A server connection lost during COMMIT leaves the outcome unknown: `confirm` (a
        lookup by uid on a new connection) settles it when it can; otherwise
        `OutcomeUnknown`. SQLite commits atomically in this process: a failed commit there
        means nothing was saved.
        """
        from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

        delay = 0.05
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with UnitOfWork(self._factory, write=True) as uow:
                    value = work(uow.session)
                    try:
                        uow.commit()
                    except DBAPIError as exc:
                        if self.backend == "sqlite" or isinstance(exc, IntegrityError):
                            raise
                        raise _CommitLost(exc) from None
                    return value
            except _CommitLost as lost:
                return self._settle(lost.error, confirm, uid)
            except IntegrityError as exc:
                # Two processes created the same patient, or corrected the same assessment,
                # at the same moment: run again, and the checks above give a clear answer.
                if attempt == WRITE_ATTEMPTS:
                    raise RecordsError(
                        "The records database refused the save as inconsistent; nothing was saved."
                    ) from exc
            except OperationalError as exc:
                if not is_busy(exc) or attempt == WRITE_ATTEMPTS:
                    raise self._unavailable(exc) from None
            except DBAPIError as exc:
                raise self._unavailable(exc) from None
            time.sleep(delay * (1 + random.random()))  # noqa: S311 - jitter, not security
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _settle(
        self, error: Exception, confirm: Callable[[], T | None] | None, uid: str | None
    ) -> T:
        if confirm is not None:
            try:
                found = confirm()
            except RecordsError:
                found = None
            if found is not None:
                return found
        retry = f" Retry with --uid {uid} to save it exactly once." if uid else ""
        raise OutcomeUnknown(
            f"The connection to the records server {self.location} was lost while saving: "
            f"outcome unknown — check history before saving again.{retry}"
        ) from None


class _CommitLost(Exception):  # noqa: N818
    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()[:DB_USER_MAX]
    except (KeyError, OSError):
        return "unknown"


def current_details(session: Session, row: Patient) -> PatientRecord:
    """The patient's details: the first saved, completed by later versions (never changed)."""
    from sqlalchemy import select

    from baclofen_cds.records.models import PatientDetail

    name, year, sex = row.display_name, row.birth_year, row.sex
    later = session.execute(
        select(PatientDetail).where(PatientDetail.patient_id == row.id).order_by(PatientDetail.id)
    ).scalars()
    for detail in later:
        name = name if name is not None else detail.display_name
        year = year if year is not None else detail.birth_year
        sex = sex if sex is not None else detail.sex
    return PatientRecord(
        external_id=row.external_id,
        display_name=name,
        birth_year=year,
        sex=sex,
        created_at=row.created_at,
    )


def _add_acknowledgements(  # noqa: PLR0917
    session: Session,
    assessment_id: int,
    acks: Sequence[Any],
    who: str,
    now: datetime,
    db_user: str | None = None,
) -> None:
    """One audit row per acknowledged alert (used by save and by later acknowledgements)."""
    from baclofen_cds.records.models import AlertAcknowledgement

    for ack in acks:
        session.add(
            AlertAcknowledgement(
                assessment_id=assessment_id,
                alert_id=ack.alert_id,
                outcome=ack.outcome,
                reason_code=ack.reason_code,
                comment=ack.comment,
                clinician=who,
                recorded_at=now,
                db_user=db_user,
            )
        )


def _history_select(external_id: str) -> Any:
    """The columns of a history row, for the patient with this id (no order, no limit).

    The page is chosen first, by an index range scan on (patient, time, id) for a known
    patient id; only its rows are then joined to the patient and looked up for a later
    correction (`_summaries`)."""
    from sqlalchemy import select

    from baclofen_cds.records.models import Assessment, Patient

    patient_id = select(Patient.id).where(Patient.external_id == external_id).scalar_subquery()
    return select(
        Assessment.id,
        Assessment.patient_id,
        Assessment.created_at,
        Assessment.clinician,
        Assessment.status,
        Assessment.indication,
        Assessment.alert_count,
        Assessment.critical_alert_count,
        Assessment.kb_version,
        Assessment.supersedes_id,
    ).where(Assessment.patient_id == patient_id)


def _summaries(session: Session, page_rows: Any) -> list[AssessmentSummary]:
    """The page's rows, newest first, with the patient and any later correction."""
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from baclofen_cds.records.models import Assessment, Patient

    later = aliased(Assessment)
    c = page_rows.c
    stmt = (
        select(
            c.id,
            Patient.external_id,
            Patient.display_name,
            c.created_at,
            c.clinician,
            c.status,
            c.indication,
            c.alert_count,
            c.critical_alert_count,
            c.kb_version,
            c.supersedes_id,
            later.id,
        )
        .join(Patient, Patient.id == c.patient_id)
        .outerjoin(later, later.supersedes_id == c.id)
        .order_by(c.created_at.desc(), c.id.desc())
    )
    rows = [
        AssessmentSummary(
            id=AssessmentId(r[0]),
            patient_external_id=r[1],
            patient_display_name=r[2],
            created_at=r[3],
            clinician=r[4],
            status=r[5],
            indication=r[6],
            alert_count=r[7],
            critical_alert_count=r[8],
            knowledge_base_version=r[9],
            supersedes_id=None if r[10] is None else AssessmentId(r[10]),
            superseded_by_id=None if r[11] is None else AssessmentId(r[11]),
        )
        for r in session.execute(stmt)
    ]
    if rows and rows[0].patient_display_name is None:
        # patient details are append-only versions: the name shown is the current one
        patient = session.execute(
            select(Patient).where(Patient.external_id == rows[0].patient_external_id)
        ).scalar_one()
        name = current_details(session, patient).display_name
        rows = [dataclasses.replace(r, patient_display_name=name) for r in rows]
    return rows
