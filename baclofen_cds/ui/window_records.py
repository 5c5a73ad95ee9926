"""The window's records actions: open the store, save, record prints, history.

A mixin of `MainWindow` (kept apart to keep each module short). Every records import sits
inside a method: SQLAlchemy loads after the first paint (docs/records.md).

Saving runs in a worker thread: the window keeps painting and answering while the records
wait for a lock or a server. The wait is bounded (`SAVE_WAIT_MS`): after it the clinician is
told the save is still being tried, and told again when it lands or fails. When the records
become unavailable, they are tried again every `RETRY_MS` and come back on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

#: Longest the Save button waits for the records before saying they are busy (ms).
SAVE_WAIT_MS = 15_000
#: How often unavailable records are tried again (ms).
RETRY_MS = 15_000


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

        self._records_url = database_url
        self.records_bridge = RecordsBridge(self)
        self.records_bridge.opened.connect(self.set_records)
        self.records_bridge.failed.connect(self.records_unavailable)
        self.records_bridge.open_async(database_url)

    def set_records(self, store: Any) -> None:
        """Records are available: enable Save and the History panel."""
        self.records = store
        timer = getattr(self, "_records_retry", None)
        if timer is not None:
            timer.stop()
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
        self._retry_records_later()

    def _retry_records_later(self) -> None:
        """Try the records again every RETRY_MS until they open (lock released, server up)."""
        if not hasattr(self, "_records_url"):
            return
        from PySide6.QtCore import QTimer

        timer = getattr(self, "_records_retry", None)
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: self.open_records(self._records_url))
            self._records_retry = timer
        timer.start(RETRY_MS)

    def _off_thread(self, work: Callable[[], Any], late: Callable[[Any, Any], None]) -> Any:
        """Run `work` in the records worker; wait for it at most SAVE_WAIT_MS while the window
        keeps running. Returns (True, value, error), or (False, None, None) when still
        running: `late(value, error)` is then called when it ends."""
        from PySide6.QtCore import (
            QEventLoop,
            QObject,
            QRunnable,
            Qt,
            QThreadPool,
            QTimer,
            Signal,
            Slot,
        )

        class _Done(QObject):
            """Lives in the GUI thread: the worker's result is handled there."""

            done = Signal(object, object)

            @Slot(object, object)
            def relay(self, value: Any, error: Any) -> None:
                finished(value, error)

        class _Job(QRunnable):
            def run(self) -> None:
                try:
                    value = work()
                except Exception as exc:  # handed to the GUI thread, shown there
                    signals.done.emit(None, exc)
                else:
                    signals.done.emit(value, None)

        signals = _Done()
        outcome: list[Any] = []
        loop = QEventLoop()

        def finished(value: Any, error: Any) -> None:
            if loop.isRunning() or not outcome:
                outcome.append((value, error))
                loop.quit()
            else:
                late(value, error)

        signals.done.connect(signals.relay, Qt.ConnectionType.QueuedConnection)
        pool = getattr(self, "_records_pool", None)
        if pool is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)  # saves one after another, in order
            self._records_pool = pool
        self._pending_jobs = [*getattr(self, "_pending_jobs", []), signals]
        pool.start(_Job())
        QTimer.singleShot(SAVE_WAIT_MS, loop.quit)
        if not outcome:
            loop.exec()
        if outcome:
            value, error = outcome[0]
            return True, value, error
        outcome.append(None)  # from now on, `finished` reports late
        return False, None, None

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
        from baclofen_cds.records import PrintedPdf
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
        if getattr(self, "_saving", False):
            self.statusBar().showMessage("A save is still in progress.", 5000)
            return None
        store = self.records
        prints = [PrintedPdf(v, pdf, o) for v, pdf, o in self.prints]
        acks = acknowledgements_for_records(self.acks.for_output(rec))
        supersedes = self.supersedes

        def work() -> Any:
            return store.save_assessment(
                rec,
                patient=patient,
                clinician=clinician,
                acknowledgements=acks,
                prints=prints,
                supersedes=supersedes,
            )

        def late(value: Any, error: Any) -> None:
            self._saving = False
            self._update_actions()
            if error is not None:
                self._save_failed(error)
            else:
                self._saved(rec, int(value), len(prints))

        self._saving = True
        self.statusBar().showMessage("Saving…")
        finished, aid, error = self._off_thread(work, late)
        if not finished:
            _message_box().information(
                self,
                "Records busy",
                "The records are busy (another program or workstation is holding them). "
                "The save is still being tried; you will be told when it is saved. "
                "Do not save this assessment again.",
            )
            self.statusBar().showMessage("Still saving: the records are busy…")
            return None
        self._saving = False
        if error is not None:
            self._save_failed(error)
            return None
        return self._saved(rec, int(aid), len(prints))

    def _save_failed(self, exc: Exception) -> None:
        from baclofen_cds.records import RecordsError
        from baclofen_cds.records.rows import is_busy

        self.statusBar().clearMessage()
        if isinstance(exc, RecordsError) and is_busy(exc):
            _message_box().warning(
                self,
                "Not saved",
                f"Nothing was saved: the records stayed busy ({exc}). Try again in a moment.",
            )
            return
        if isinstance(exc, RecordsError) and self._records_error(exc):
            return
        _message_box().critical(self, "Not saved", f"The assessment was not saved: {exc}")

    def _saved(self, rec: Any, aid: int, printed: int) -> int:
        self.saved_id = aid
        self.saved_recommendation = rec
        self.prints = self.prints[printed:]
        self.statusBar().showMessage(f"Saved as assessment {aid}.", 8000)
        self.refresh_history()
        return aid

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
