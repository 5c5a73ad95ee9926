"""Saved assessments through the records API (docs/records.md, "How the window should call this").

SQLAlchemy loads only after the first paint: the store is opened in a worker thread
(`QThreadPool`), and every records import sits inside a function. When the store cannot be
opened the window shows "Records unavailable: …", disables Save and History, and keeps
recommending.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Opener(QRunnable):
    def __init__(self, bridge: RecordsBridge, database_url: str | None) -> None:
        super().__init__()
        self._bridge = bridge
        self._url = database_url

    def run(self) -> None:
        from baclofen_cds.records import RecordsError, open_store

        try:
            store = open_store(self._url or None)
        except RecordsError as exc:
            self._bridge.failed.emit(str(exc))
        except Exception as exc:  # a broken driver or file must still say so, never hang
            self._bridge.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self._bridge.opened.emit(store)


class RecordsBridge(QObject):
    """Opens the one `RecordStore` of the window, off the GUI thread."""

    opened = Signal(object)  # the RecordStore
    failed = Signal(str)  # the plain message of RecordsUnavailable

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)

    def open_async(self, database_url: str | None) -> None:
        self.pool.start(_Opener(self, database_url))

    def wait(self, msecs: int = 30_000) -> bool:
        return bool(self.pool.waitForDone(msecs))


def open_stored(store: Any, assessment_id: int, kb: Any) -> tuple[Any, Any, str]:
    """(stored, recommendation or None, message) for a saved assessment.

    The recommendation is recomputed and checked byte for byte against the record
    (`reproduce`); when that fails the stored JSON is shown with the reason instead.
    """
    from baclofen_cds.records.reproduce import NotReproducible, reproduce

    stored = store.get_assessment(assessment_id)
    try:
        return stored, reproduce(stored, kb), ""
    except NotReproducible as exc:
        return stored, None, str(exc)
