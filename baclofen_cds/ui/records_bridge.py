"""Saved assessments, through the records API (issue 5), opened on first use.

SQLAlchemy loads only when the clinician first saves or opens the history, never at
start-up. Until the records package offers its API, Save stays disabled and the window
says that records are unavailable.
"""

from __future__ import annotations

from typing import Any


def records_available() -> bool:
    """True when the records package exports its store API (checked without importing)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("baclofen_cds.records")
        if spec is None or spec.origin is None:
            return False
        with open(spec.origin, encoding="utf-8") as fh:
            return "open_store" in fh.read()
    except (ImportError, ValueError, OSError):
        return False


class RecordsGateway:
    """Opens the store when first needed; the window never holds a session."""

    def __init__(self, database_url: str | None) -> None:
        self.database_url = database_url
        self._store: Any = None

    def store(self) -> Any:
        if self._store is None:
            from baclofen_cds import records

            self._store = records.open_store(self.database_url)  # type: ignore[attr-defined]
        return self._store

    def save(self, recommendation: Any, *, clinician: str, acknowledgements: Any) -> Any:
        return self.store().save_assessment(
            recommendation,
            clinician=clinician,
            acknowledgements=[a.to_dict() for a in acknowledgements],
        )

    def history(self, patient_id: str) -> list[Any]:
        return list(self.store().list_assessments(patient_id))


def connect_records(window: Any, database_url: str | None) -> None:
    """Give the window a records gateway when the records API is present."""
    if not records_available():
        return
    window.set_records(RecordsGateway(database_url))
