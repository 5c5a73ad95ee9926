"""The window's records actions: open the store, save, record prints, history.

A mixin of `MainWindow` (kept apart to keep each module short). Every records import sits
inside a method: SQLAlchemy loads after the first paint (docs/records.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any


def _message_box() -> Any:
    from PySide6.QtWidgets import QMessageBox  # after the first paint

    return QMessageBox


if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow as _Base
else:
    _Base = object


class RecordsActions(_Base):
    """Needs the attributes below from `MainWindow`."""

    records: Any
    engine: Any
    form: Any
    history: Any
    settings: Any
    acks: Any
    assessment: Any
    records_banner: Any
    saved_id: int | None
    supersedes: int | None
    prints: list[tuple[str, bytes, dict[str, Any]]]

    if TYPE_CHECKING:

        def _update_actions(self) -> None: ...
        def ensure_acknowledged(self) -> bool: ...
        def new_case(self) -> None: ...
        def open_settings(self) -> None: ...

    # ------------------------------------------------------------------ records
    def open_records(self, database_url: str | None) -> None:
        """Open the store in a worker thread; the window never waits for it."""
        from baclofen_cds.ui.records_bridge import RecordsBridge

        self.records_bridge = RecordsBridge(self)
        self.records_bridge.opened.connect(self.set_records)
        self.records_bridge.failed.connect(self.records_unavailable)
        self.records_bridge.open_async(database_url)

    def set_records(self, store: Any) -> None:
        """Records are available: enable Save and the History panel."""
        self.records = store
        self.records_banner.setText("Records: on")
        self.records_banner.setStyleSheet("")
        self.history.set_available(True)
        self._update_actions()
        self.refresh_history()

    def records_unavailable(self, message: str) -> None:
        """Say it plainly; keep recommending (docs/records.md)."""
        self.records = None
        text = f"Records unavailable: {message}"
        from baclofen_cds.ui import style

        tone = style.SEVERITY["warning"]
        self.records_banner.setText(f"{tone.symbol} {text}")
        self.records_banner.setStyleSheet(
            f"color: {tone.foreground}; background: {tone.background}; padding: 2px;"
        )
        self.history.set_available(False, text)
        self.history.model.set_rows(())
        self._update_actions()

    def _records_error(self, exc: Exception) -> bool:
        """Show a records error where it belongs; True when it was one."""
        from baclofen_cds.records import InvalidRecord, PatientMismatch, RecordsUnavailable

        if isinstance(exc, RecordsUnavailable):
            self.records_unavailable(str(exc))
        elif isinstance(exc, PatientMismatch):
            _message_box().warning(
                self, "Check the patient id", f"Nothing was saved. {exc} Check the patient id."
            )
        elif isinstance(exc, InvalidRecord):
            _message_box().warning(self, "Not saved", f"Nothing was saved: {exc.field}: {exc}")
        else:
            return False
        return True

    def save_assessment(self) -> int | None:
        rec = self.assessment.recommendation
        if self.records is None or rec is None:
            return None
        from baclofen_cds.records import PrintedPdf, RecordsError
        from baclofen_cds.ui.engine import FieldError
        from baclofen_cds.ui.records_bridge import acknowledgements_for_records, patient_details

        patient = patient_details(rec.case)
        if patient is None:
            self.form.patient_id.setFocus()
            self.form.show_errors(
                (*self.assessment.errors, FieldError("patient.id", "is needed to save")),
            )
            return None
        clinician = self.settings.get("clinician/name").strip()
        if not clinician:
            box = _message_box()
            answer = box.question(
                self,
                "Clinician name needed",
                "An assessment is saved with the clinician's name. Open Settings to enter it?",
                box.StandardButton.Open | box.StandardButton.Cancel,
                box.StandardButton.Open,
            )
            if answer == box.StandardButton.Open:
                self.open_settings()
            if not self.settings.get("clinician/name").strip():
                return None
            clinician = self.settings.get("clinician/name").strip()
        if not self.ensure_acknowledged():
            return None
        try:
            aid = self.records.save_assessment(
                rec,
                patient=patient,
                clinician=clinician,
                acknowledgements=acknowledgements_for_records(self.acks.for_output(rec)),
                prints=[PrintedPdf(v, pdf, o) for v, pdf, o in self.prints],
                supersedes=self.supersedes,
            )
        except RecordsError as exc:
            if not self._records_error(exc):
                _message_box().critical(self, "Not saved", f"The assessment was not saved: {exc}")
            return None
        self.saved_id = int(aid)
        self.saved_recommendation = rec
        self.prints = []
        self.statusBar().showMessage(f"Saved as assessment {aid}.", 8000)
        self.refresh_history()
        return self.saved_id

    def _record_print(self, pdf: bytes, options: dict[str, Any]) -> None:
        """A printed handout goes with the assessment: now if saved, else when it is saved."""
        rec = self.assessment.recommendation
        if (
            self.records is not None
            and self.saved_id is not None
            and (getattr(self, "saved_recommendation", None) is rec)
        ):
            from baclofen_cds.records import RecordsError

            try:
                self.records.record_print(
                    self.saved_id,
                    variant="patient",
                    pdf=pdf,
                    printed_by=self.settings.get("clinician/name") or "unknown",
                    options=options,
                )
            except RecordsError as exc:
                self._records_error(exc)
            return
        self.prints.append(("patient", pdf, options))

    def refresh_history(self) -> None:
        if self.records is None:
            return
        patient_id = self.form.patient_id.text().strip()
        if not patient_id:
            self.history.show_rows("", [], 0)
            return
        from baclofen_cds.records import RecordsError

        try:
            rows = self.records.history(patient_id, 0, 20)
            total = self.records.count_history(patient_id)
        except RecordsError as exc:
            if not self._records_error(exc):
                self.history.message.setText(str(exc))
            return
        self.history.show_rows(patient_id, rows, total)

    def open_saved(self, assessment_id: int) -> Any:
        """Show a saved assessment read-only (recomputed and checked against the record)."""
        if self.records is None or self.engine is None:
            return None
        from baclofen_cds.logic.summary import clinician_note
        from baclofen_cds.records import RecordsError
        from baclofen_cds.ui.history_view import StoredAssessmentDialog
        from baclofen_cds.ui.records_bridge import open_stored

        try:
            stored, rec, message = open_stored(self.records, assessment_id, self.engine.kb)
        except RecordsError as exc:
            if not self._records_error(exc):
                _message_box().warning(self, "Cannot open", str(exc))
            return None
        dialog = StoredAssessmentDialog(
            stored, clinician_note(rec) if rec is not None else "", message, self
        )
        dialog.show()
        return dialog

    def new_case_from(self, assessment_id: int, *, correct: bool = False) -> None:
        """Load a saved case into the form (start date today); `correct` supersedes it."""
        if self.records is None:
            return
        from baclofen_cds.records import RecordsError

        try:
            stored = self.records.get_assessment(assessment_id)
        except RecordsError as exc:
            self._records_error(exc)
            return
        self.new_case()
        case = dict(stored.case)
        case["start_date"] = None
        case.pop("regimen_choice", None)
        self.form.load_case(case)
        self.supersedes = int(stored.id) if correct else None
        self.statusBar().showMessage(f"New case from assessment {stored.id}.", 5000)
