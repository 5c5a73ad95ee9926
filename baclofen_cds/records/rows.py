"""Between database rows and the API's dataclasses: conversions, checksums, error wording."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from baclofen_cds.records import validation as check
from baclofen_cds.records.types import (
    AssessmentId,
    HandoutPrint,
    InvalidRecord,
    PatientRecord,
    PrintedPdf,
    RecordsUnavailable,
    StoredAcknowledgement,
    StoredAssessment,
)

if TYPE_CHECKING:
    from baclofen_cds.records.models import (
        AlertAcknowledgement,
        Assessment,
        HandoutPrintRow,
        Patient,
    )

PrintLike = PrintedPdf | tuple[str, bytes] | tuple[str, bytes, Mapping[str, Any]]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_assessment(
    row: Assessment,
    patient: PatientRecord,
    superseded_by: int | None,
    acks: Sequence[AlertAcknowledgement],
    prints: Sequence[HandoutPrintRow],
) -> StoredAssessment:
    return StoredAssessment(
        id=AssessmentId(row.id),
        patient=patient,
        uid=row.uid,
        db_user=row.db_user,
        clinician=row.clinician,
        created_at=row.created_at,
        case=json.loads(row.case_json),
        result_json=row.result_json,
        result_sha256=row.result_sha256,
        knowledge_base_version=row.kb_version,
        knowledge_base_sha256=row.kb_sha256,
        app_version=row.app_version,
        supersedes_id=None if row.supersedes_id is None else AssessmentId(row.supersedes_id),
        superseded_by_id=None if superseded_by is None else AssessmentId(superseded_by),
        acknowledgements=tuple(
            StoredAcknowledgement(
                alert_id=a.alert_id,
                outcome=a.outcome,
                reason_code=a.reason_code,
                comment=a.comment,
                clinician=a.clinician,
                recorded_at=a.recorded_at,
                db_user=a.db_user,
            )
            for a in acks
        ),
        prints=tuple(
            HandoutPrint(
                variant=p.variant,
                pdf_sha256=p.pdf_sha256,
                printed_at=p.printed_at,
                printed_by=p.printed_by,
                options=json.loads(p.options_json) if p.options_json else {},
                db_user=p.db_user,
            )
            for p in prints
        ),
        result=json.loads(row.result_json),
    )


def print_row(item: PrintLike) -> tuple[str, str, str | None]:
    """(variant, sha256 of the PDF, options as JSON or None), checked."""
    options: dict[str, Any] = {}
    if isinstance(item, PrintedPdf):
        variant, pdf, options = item.variant, item.pdf, dict(item.options)
    elif len(item) == 3:
        variant, pdf, given = item
        options = dict(given)
    else:
        variant, pdf = item
    if not isinstance(pdf, bytes | bytearray) or not pdf:
        raise InvalidRecord("prints.pdf", "must be the PDF bytes")
    options_json = None
    if options:
        try:
            options_json = json.dumps(options, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError):
            raise InvalidRecord(
                "prints.options", "must be JSON data (text, numbers, true/false)"
            ) from None
        check.storable_text("prints.options", options_json)
    return check.variant(variant), sha256_hex(bytes(pdf)), options_json


def patient_record(row: Patient) -> PatientRecord:
    return PatientRecord(
        external_id=row.external_id,
        display_name=row.display_name,
        birth_year=row.birth_year,
        sex=row.sex,
        created_at=row.created_at,
    )


def is_busy(exc: Exception) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "locked" in text or "busy" in text


def unavailable(exc: Exception, location: str) -> RecordsUnavailable:
    """A database error as a plain sentence (no SQL, no patient data)."""
    original = getattr(exc, "orig", exc)
    lines = str(original).strip().splitlines()
    text = lines[0] if lines else type(original).__name__
    if "not a database" in text or "malformed" in text:
        return RecordsUnavailable(
            f"The records database {location} is damaged ({text}). "
            "It was left untouched; restore it from a backup."
        )
    return RecordsUnavailable(f"The records database {location} cannot be used: {text}.")
