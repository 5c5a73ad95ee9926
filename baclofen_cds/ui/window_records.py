"""The window's records: open the store on first use, save, record prints, history.

`RecordsController` is a small object owned by `MainWindow` (`window.records_ctl`); it keeps
the records' state (the store, what the current result was saved as, the prints waiting for
a save) and reaches the window only through `RecordsHost`. Every records import sits inside
a method: SQLAlchemy loads after the first paint, when the records are first needed
(docs/records.md).

Saving runs in a worker thread: the window keeps painting and answering while the records
wait for a lock or a server. The wait is bounded (`SAVE_WAIT_MS`): after it the clinician is
told the save is still being tried, and told again when it lands or fails. When the records
become unavailable, they are tried again every `RETRY_MS` and come back on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QThreadPool, QTimer
    from PySide6.QtWidgets import QStatusBar

    from baclofen_cds.logic import Recommendation
    from baclofen_cds.records.store import RecordStore
    from baclofen_cds.ui.acknowledgements import AcknowledgementBook
    from baclofen_cds.ui.case_form import CaseFormWidget
    from baclofen_cds.ui.engine import Assessment, CaseEngine
    from baclofen_cds.ui.history_view import HistoryView
    from baclofen_cds.ui.records_bridge import RecordsBridge
    from baclofen_cds.ui.settings import AppSettings

#: Longest the Save button waits for the records before saying they are busy (ms).
SAVE_WAIT_MS = 15_000
#: How often unavailable records are tried again (ms).
RETRY_MS = 15_000

RECORDS_OPENING = "Records: opening…"
RECORDS_LATER = "Records: opened when first needed"

#: A PDF printed from the current result: (variant, pdf, the options that print it again).
Print = tuple[str, bytes, dict[str, Any]]


def _message_box() -> Any:
    from PySide6.QtWidgets import QMessageBox  # after the first paint

    return QMessageBox


class RecordsHost(Protocol):
    """What the records controller needs of the window."""

    settings: AppSettings
    assessment: Assessment
    form: CaseFormWidget
    acks: AcknowledgementBook
    engine: CaseEngine | None

    @property
    def history(self) -> HistoryView: ...
    def statusBar(self) -> QStatusBar: ...
    def ensure_acknowledged(self) -> bool: ...
    def new_case(self) -> None: ...
    def open_settings(self, first_run: bool = False) -> None: ...


class RecordsController(QObject):
    """The records of one window. `changed` is emitted when Save may have become
    (un)available."""

    changed = Signal()

    def __init__(self, host: RecordsHost, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = host
        self.parent_widget = parent
        self.store: RecordStore | None = None
        self.url: str | None = None  # the database (None: the default); opened on first use
        self.bridge: RecordsBridge | None = None
        self.failed = False  # the records could not be opened (Save disabled until they are)
        self.saved_id: int | None = None  # the assessment the current result was saved as
        self.saved_recommendation: Recommendation | None = None
        self.supersedes: int | None = None  # the assessment a correction replaces
        self.prints: list[Print] = []  # printed from the current result, not yet saved
        self.banner = QLabel(RECORDS_LATER)
        self.banner.setObjectName("records_banner")
        self._saving = False
        self._tried = False  # open() was called: unavailable records are tried again
        self._after: list[Callable[[], Any]] = []
        self._retry: QTimer | None = None
        self._pool: QThreadPool | None = None
        self._pending_jobs: list[QObject] = []

    # ------------------------------------------------------------------ opening
    def open(self, database_url: str | None) -> None:
        """Open the store in a worker thread; the window never waits for it."""
        from baclofen_cds.ui.records_bridge import RecordsBridge

        self.url = database_url
        self._tried = True
        self.bridge = RecordsBridge(self)
        self.bridge.opened.connect(self._opened)
        self.bridge.failed.connect(self.unavailable)
        self.bridge.open_async(database_url)

    def ensure(self, then: Callable[[], Any] | None = None) -> bool:
        """True when the records are open; otherwise start opening them (in a worker) and
        run `then` once they are. SQLAlchemy is never loaded before it is needed."""
        if self.store is not None:
            return True
        if self.failed:
            return False
        if then is not None:
            self._after.append(then)
        if self.bridge is None:
            self.banner.setText(RECORDS_OPENING)
            self.host.history.message.setText("Records are being opened…")
            self.open(self.url)
        return False

    def _opened(self, store: RecordStore) -> None:
        """Records are available: enable Save and the History panel."""
        self.store = store
        self.failed = False
        if self._retry is not None:
            self._retry.stop()
        self.banner.setText("Records: on")
        self.banner.setStyleSheet("")
        self.host.history.set_available(True)
        self.changed.emit()
        self.refresh_history()
        pending, self._after = self._after, []
        for then in pending:
            then()

    def unavailable(self, message: str) -> None:
        """Say it plainly; keep recommending (docs/records.md); try again later."""
        self.store = None
        self.failed = True
        self._after = []
        text = f"Records unavailable: {message}"
        from baclofen_cds.ui import style

        tone = style.SEVERITY["warning"]
        self.banner.setText(f"{tone.symbol} {text}")
        self.banner.setStyleSheet(
            f"color: {tone.foreground}; background: {tone.background}; padding: 2px;"
        )
        self.host.history.set_available(False, text)
        self.host.history.model.set_rows(())
        self.changed.emit()
        self._retry_later()

    def _retry_later(self) -> None:
        """Try the records again every RETRY_MS until they open (lock released, server up)."""
        if not self._tried:
            return
        from PySide6.QtCore import QTimer

        if self._retry is None:
            self._retry = QTimer(self)
            self._retry.setSingleShot(True)
            self._retry.timeout.connect(lambda: self.open(self.url))
        self._retry.start(RETRY_MS)

    def close(self) -> None:
        if self._retry is not None:
            self._retry.stop()
        if self.bridge is not None:
            self.bridge.wait()
        if self.store is not None:
            self.store.close()
            self.store = None

    # ------------------------------------------------------------------ the current case
    def reset(self) -> None:
        """A new case: nothing saved, nothing corrected, no prints waiting."""
        self.saved_id = None
        self.supersedes = None
        self.prints = []

    def _off_thread(
        self, work: Callable[[], Any], late: Callable[[Any, Exception | None], None]
    ) -> tuple[bool, Any, Exception | None]:
        """Run `work` in the records worker; wait for it at most SAVE_WAIT_MS while the window
        keeps running. Returns (True, value, error), or (False, None, None) when still
        running: `late(value, error)` is then called when it ends."""
        from PySide6.QtCore import QEventLoop, QRunnable, Qt, QThreadPool, QTimer, Slot

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
        if self._pool is None:
            self._pool = QThreadPool(self)
            self._pool.setMaxThreadCount(1)  # saves one after another, in order
        self._pending_jobs.append(signals)
        self._pool.start(_Job())
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

        parent = self.parent_widget
        if isinstance(exc, RecordsUnavailable):
            self.unavailable(str(exc))
        elif isinstance(exc, PatientMismatch):
            _message_box().warning(
                parent, "Check the patient id", f"Nothing was saved. {exc} Check the patient id."
            )
        elif isinstance(exc, InvalidRecord):
            _message_box().warning(parent, "Not saved", f"Nothing was saved: {exc.field}: {exc}")
        else:
            return False
        return True

    def _clinician(self) -> str | None:
        """The clinician's name from Settings; asks to open Settings when it is missing."""
        host = self.host
        clinician = str(host.settings.get("clinician/name")).strip()
        if clinician:
            return clinician
        box = _message_box()
        answer = box.question(
            self.parent_widget,
            "Clinician name needed",
            "An assessment is saved with the clinician's name. Open Settings to enter it?",
            box.StandardButton.Open | box.StandardButton.Cancel,
            box.StandardButton.Open,
        )
        if answer == box.StandardButton.Open:
            host.open_settings()
        return str(host.settings.get("clinician/name")).strip() or None

    def save(self) -> int | None:
        """Save the current result with its acknowledgements and the prints made from it;
        the assessment number, or None (not saved, or still being tried)."""
        host = self.host
        rec = host.assessment.recommendation
        if self.store is None or rec is None:
            return None
        from baclofen_cds.records import PatientDetails, PrintedPdf, as_overrides
        from baclofen_cds.ui.engine import FieldError

        patient = PatientDetails.from_case(rec.case)
        if patient is None:
            host.form.patient_id.setFocus()
            host.form.show_errors(
                (*host.assessment.errors, FieldError("patient.id", "is needed to save")),
            )
            return None
        clinician = self._clinician()
        if clinician is None or not host.ensure_acknowledged():
            return None
        status = host.statusBar()
        if self._saving:
            status.showMessage("A save is still in progress.", 5000)
            return None
        store = self.store
        prints = [PrintedPdf(v, pdf, o) for v, pdf, o in self.prints]
        acks = as_overrides(host.acks.for_output(rec))
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

        def late(value: Any, error: Exception | None) -> None:
            self._saving = False
            self.changed.emit()
            if error is not None:
                self._save_failed(error)
            else:
                self._saved(rec, int(value), len(prints))

        self._saving = True
        status.showMessage("Saving…")
        finished, aid, error = self._off_thread(work, late)
        if not finished:
            _message_box().information(
                self.parent_widget,
                "Records busy",
                "The records are busy (another program or workstation is holding them). "
                "The save is still being tried; you will be told when it is saved. "
                "Do not save this assessment again.",
            )
            status.showMessage("Still saving: the records are busy…")
            return None
        self._saving = False
        if error is not None:
            self._save_failed(error)
            return None
        return self._saved(rec, int(aid), len(prints))

    def save_when_ready(self) -> None:
        """Save now, or once the records are open."""
        if self.ensure(self.save):
            self.save()
        else:
            self.host.statusBar().showMessage("Opening the records to save…", 5000)

    def _save_failed(self, exc: Exception) -> None:
        from baclofen_cds.records import RecordsError
        from baclofen_cds.records.rows import is_busy

        self.host.statusBar().clearMessage()
        parent = self.parent_widget
        if isinstance(exc, RecordsError) and is_busy(exc):
            _message_box().warning(
                parent,
                "Not saved",
                f"Nothing was saved: the records stayed busy ({exc}). Try again in a moment.",
            )
            return
        if isinstance(exc, RecordsError) and self._records_error(exc):
            return
        _message_box().critical(parent, "Not saved", f"The assessment was not saved: {exc}")

    def _saved(self, rec: Recommendation, aid: int, printed: int) -> int:
        self.saved_id = aid
        self.saved_recommendation = rec
        self.prints = self.prints[printed:]
        self.host.statusBar().showMessage(f"Saved as assessment {aid}.", 8000)
        self.refresh_history()
        return aid

    def record_print(self, pdf: bytes, options: dict[str, Any]) -> None:
        """A printed handout goes with the assessment: now if saved, else when it is saved."""
        rec = self.host.assessment.recommendation
        if (
            self.store is not None
            and self.saved_id is not None
            and self.saved_recommendation is rec
        ):
            from baclofen_cds.records import RecordsError

            try:
                self.store.record_print(
                    self.saved_id,
                    variant="patient",
                    pdf=pdf,
                    printed_by=self.host.settings.get("clinician/name") or "unknown",
                    options=options,
                )
            except RecordsError as exc:
                self._records_error(exc)
            return
        self.prints.append(("patient", pdf, options))

    # ------------------------------------------------------------------ history
    def refresh_history(self) -> None:
        if self.store is None:
            return
        host = self.host
        patient_id = host.form.patient_id.text().strip()
        if not patient_id:
            host.history.show_rows("", [], 0)
            return
        from baclofen_cds.records import RecordsError

        try:
            rows = self.store.history(patient_id, 0, 20)
            total = self.store.count_history(patient_id)
        except RecordsError as exc:
            if not self._records_error(exc):
                host.history.message.setText(str(exc))
            return
        host.history.show_rows(patient_id, rows, total)

    def open_saved(self, assessment_id: int) -> QWidget | None:
        """Show a saved assessment read-only (recomputed and checked against the record)."""
        engine = self.host.engine
        if self.store is None or engine is None:
            return None
        from baclofen_cds.logic.summary import clinician_note
        from baclofen_cds.records import RecordsError
        from baclofen_cds.ui.history_view import StoredAssessmentDialog
        from baclofen_cds.ui.records_bridge import open_stored

        try:
            stored, rec, message = open_stored(self.store, assessment_id, engine.kb)
        except RecordsError as exc:
            if not self._records_error(exc):
                _message_box().warning(self.parent_widget, "Cannot open", str(exc))
            return None
        dialog = StoredAssessmentDialog(
            stored, clinician_note(rec) if rec is not None else "", message, self.parent_widget
        )
        dialog.show()
        return dialog

    def new_case_from(self, assessment_id: int, *, correct: bool = False) -> None:
        """Load a saved case into the form (start date today); `correct` supersedes it."""
        if self.store is None:
            return
        from baclofen_cds.records import RecordsError

        try:
            stored = self.store.get_assessment(assessment_id)
        except RecordsError as exc:
            self._records_error(exc)
            return
        self.host.new_case()
        case = dict(stored.case)
        case["start_date"] = None
        case.pop("regimen_choice", None)
        self.host.form.load_case(case)
        self.supersedes = int(stored.id) if correct else None
        self.host.statusBar().showMessage(f"New case from assessment {stored.id}.", 5000)
