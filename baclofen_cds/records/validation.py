"""Checks on what goes into the records: fail closed, one message naming the field."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from baclofen_cds.records.types import (
    ALERT_ID_MAX,
    CLINICIAN_MAX,
    COMMENT_MAX,
    DISPLAY_NAME_MAX,
    EXTERNAL_ID_MAX,
    OUTCOMES,
    REASON_CODE_MAX,
    VARIANT_MAX,
    Acknowledgement,
    InvalidRecord,
    PatientDetails,
)

#: The earliest birth year accepted: anything before is a typing error, not a patient.
EARLIEST_BIRTH_YEAR = 1900


def storable_text(field: str, value: str) -> None:
    """Text both SQLite and PostgreSQL store exactly: valid Unicode, no NUL character."""
    if "\x00" in value:
        raise InvalidRecord(field, "must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRecord(field, "is not valid Unicode text") from None


def required_text(field: str, value: Any, max_length: int) -> str:
    """A non-blank string of at most `max_length` characters, kept exactly as given."""
    if not isinstance(value, str):
        raise InvalidRecord(field, "must be text")
    if not value.strip():
        raise InvalidRecord(field, "is required")
    if len(value) > max_length:
        raise InvalidRecord(field, f"must be at most {max_length} characters")
    storable_text(field, value)
    return value


def optional_text(field: str, value: Any, max_length: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return required_text(field, value, max_length)


def identifier(field: str, value: Any, max_length: int) -> str:
    """An identifier (patient id, alert id, code): surrounding spaces dropped, no controls."""
    text = required_text(field, value, max_length).strip()
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise InvalidRecord(field, "must not contain control characters")
    return text


def patient_details(patient: PatientDetails) -> PatientDetails:
    external_id = identifier("patient.external_id", patient.external_id, EXTERNAL_ID_MAX)
    name = optional_text("patient.display_name", patient.display_name, DISPLAY_NAME_MAX)
    year = patient.birth_year
    if year is not None:
        this_year = datetime.now(UTC).year
        if isinstance(year, bool) or not isinstance(year, int):
            raise InvalidRecord("patient.birth_year", "must be a whole year")
        if not EARLIEST_BIRTH_YEAR <= year <= this_year:
            raise InvalidRecord(
                "patient.birth_year", f"must be between {EARLIEST_BIRTH_YEAR} and {this_year}"
            )
    if patient.sex is not None and patient.sex not in ("female", "male"):
        raise InvalidRecord("patient.sex", f"{patient.sex!r} is not one of 'female', 'male'")
    return PatientDetails(
        external_id=external_id, display_name=name, birth_year=year, sex=patient.sex
    )


def clinician(field: str, value: Any) -> str:
    return required_text(field, value, CLINICIAN_MAX)


def variant(value: Any) -> str:
    return identifier("variant", value, VARIANT_MAX)


def acknowledgements(
    acks: Sequence[Acknowledgement], alert_ids: Sequence[str]
) -> list[Acknowledgement]:
    """Each acknowledgement names an alert of the assessment once; overrides carry a reason."""
    known = set(alert_ids)
    seen: set[str] = set()
    cleaned: list[Acknowledgement] = []
    for index, ack in enumerate(acks):
        where = f"acknowledgements[{index}]"
        alert_id = identifier(f"{where}.alert_id", ack.alert_id, ALERT_ID_MAX)
        if alert_id not in known:
            raise InvalidRecord(
                f"{where}.alert_id", f"{alert_id!r} is not an alert of this assessment"
            )
        if alert_id in seen:
            raise InvalidRecord(f"{where}.alert_id", f"{alert_id!r} is acknowledged twice")
        seen.add(alert_id)
        if ack.outcome not in OUTCOMES:
            raise InvalidRecord(f"{where}.outcome", f"{ack.outcome!r} is not one of {OUTCOMES}")
        reason = None
        if ack.reason_code is not None and str(ack.reason_code).strip():
            reason = identifier(f"{where}.reason_code", ack.reason_code, REASON_CODE_MAX)
        if ack.outcome == "overridden" and reason is None:
            raise InvalidRecord(f"{where}.reason_code", "is required when an alert is overridden")
        comment = optional_text(f"{where}.comment", ack.comment, COMMENT_MAX)
        cleaned.append(
            Acknowledgement(
                alert_id=alert_id, outcome=ack.outcome, reason_code=reason, comment=comment
            )
        )
    return cleaned


def same_text(a: str | None, b: str | None) -> bool:
    """Two names are the same person's when they differ only in case and spacing."""
    if a is None or b is None:
        return True
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def uid(field: str, value: Any) -> str:
    """A UUID (any case, with or without braces), returned in its canonical lower-case form."""
    import uuid as _uuid

    if not isinstance(value, str) or len(value) > 40:
        raise InvalidRecord(field, "must be a UUID such as 123e4567-e89b-12d3-a456-426614174000")
    try:
        return str(_uuid.UUID(value.strip()))
    except ValueError:
        raise InvalidRecord(
            field, "must be a UUID such as 123e4567-e89b-12d3-a456-426614174000"
        ) from None
