"""Start the window: paint first, then load the knowledge base.

The window appears before the knowledge base is parsed (pydantic, YAML): the clinician
sees the form at once, and the choices fill in a moment later. SQLAlchemy and reportlab are
never imported here; they load when a record is saved or a handout is made.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from baclofen_cds.ui.main_window import MainWindow
from baclofen_cds.ui.settings import APPLICATION, ORGANIZATION, AppSettings


def process_age_ms() -> float | None:
    """Milliseconds since this process started (Linux /proc), or None elsewhere."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        return (uptime - start_ticks / ticks) * 1000.0
    except (OSError, ValueError, IndexError):
        return None


class FirstPaint(QObject):
    """Calls `callback` once, right after the window's first paint event."""

    def __init__(self, callback: Any) -> None:
        super().__init__()
        self._callback = callback
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            QTimer.singleShot(0, self._callback)
        return False


def run(*, startup_check: bool = False, database_url: str | None = None) -> int:
    started = time.perf_counter()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    window = MainWindow(AppSettings())
    result = {"code": 0}

    def load_engine() -> None:
        from baclofen_cds.ui.engine import Engine

        try:
            engine = Engine.load()
        except Exception as exc:  # KnowledgeBaseError and anything a broken file raises
            window.show_engine_error(str(exc))
            if startup_check:
                print(f"baclofen-cds: knowledge base failed to load: {exc}", file=sys.stderr)
                result["code"] = 1
                app.quit()
            else:
                QMessageBox.critical(
                    window,
                    "Knowledge base failed to load",
                    f"No recommendation can be made: {exc}",
                )
            return
        window.attach_engine(engine)
        if not startup_check:
            window.open_records(database_url)

    def first_paint() -> None:
        elapsed = process_age_ms()
        if elapsed is None:
            elapsed = (time.perf_counter() - started) * 1000.0
        if startup_check:
            print(f"{elapsed:.0f}", flush=True)
            load_engine()
            if result["code"] == 0:
                app.quit()
        else:
            load_engine()

    watcher = FirstPaint(first_paint)
    window.installEventFilter(watcher)
    window.show()
    app.exec()
    window.removeEventFilter(watcher)
    return result["code"]
