"""Start the window: paint first, then load the knowledge base.

The window appears before the knowledge base is parsed (msgspec, YAML): the clinician
sees the form at once, and the choices fill in a moment later. SQLAlchemy and reportlab are
never imported here; they load when a record is saved or a handout is made.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from baclofen_cds.ui.main_window import MainWindow
from baclofen_cds.ui.pyside_startup import read_source_directly
from baclofen_cds.ui.settings import APPLICATION, ORGANIZATION, AppSettings

#: Set by a benchmark to the monotonic clock's nanoseconds just before it started this process
#: (benchmarks/bench_ui.py): the age is then exact, where /proc counts in 10 ms clock ticks.
SPAWNED_NS = "BACLOFEN_CDS_SPAWNED_NS"


def process_age_ms() -> float | None:
    """Milliseconds since this process started (Linux /proc, or the benchmark's start
    stamp), or None elsewhere."""
    spawned = os.environ.get(SPAWNED_NS, "")
    if spawned.isdigit():
        return (time.monotonic_ns() - int(spawned)) / 1e6
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


# Modules that must wait until the window has painted its frame (each costs tens of ms).
HEAVY_BEFORE_FIRST_PAINT = (
    "baclofen_cds.logic",
    "pydantic",
    "msgspec",
    "yaml",
    "sqlalchemy",
    "alembic",
    "reportlab",
    "rapidfuzz",
    "babel",
    "httpx",
    "fhir",
)


def run(*, startup_check: bool = False, database_url: str | None = None) -> int:
    """Paint the window's frame first, then build the form, load the knowledge base, and
    open the records in a worker thread. With `startup_check`, print the milliseconds from
    process start to the first paint (stdout), and to a ready window (stderr), and exit."""
    started = time.perf_counter()
    read_source_directly()  # before the form's and the engine's modules (~5 ms of start-up)
    # No cyclic garbage collection until the window is ready: start-up makes tens of thousands
    # of objects (modules, Qt wrappers, the knowledge base) and nothing to collect; the
    # collector's sweeps over them cost the ready window ~10-20 ms. Once ready, they are
    # frozen out of its sweeps and it is switched back on (resume_collection).
    collecting = gc.isenabled()
    gc.disable()

    def resume_collection() -> None:
        from baclofen_cds.ui.main_window import freeze_startup_objects

        freeze_startup_objects()
        if collecting:
            gc.enable()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    window = MainWindow(AppSettings(), today=date.today, deferred=True)  # the window's clock
    result = {"code": 0}

    def elapsed_ms() -> float:
        age = process_age_ms()
        return age if age is not None else (time.perf_counter() - started) * 1000.0

    def load_engine() -> bool:
        from baclofen_cds.ui.engine import Engine

        window.build()
        try:
            engine = Engine.load()
        except Exception as exc:  # KnowledgeBaseError and anything a broken file raises
            window.show_engine_error(str(exc))
            if startup_check:
                print(f"baclofen-cds: knowledge base failed to load: {exc}", file=sys.stderr)
                result["code"] = 1
            else:
                from PySide6.QtWidgets import QMessageBox

                QMessageBox.critical(
                    window,
                    "Knowledge base failed to load",
                    f"No recommendation can be made: {exc}",
                )
            return False
        window.attach_engine(engine)
        return True

    def first_paint() -> None:
        if startup_check:
            print(f"{elapsed_ms():.1f}", flush=True)
            early = [m for m in HEAVY_BEFORE_FIRST_PAINT if m in sys.modules]
            print(
                f"loaded before the first paint: {', '.join(early) or 'none of the heavy modules'}",
                file=sys.stderr,
                flush=True,
            )
            if load_engine():
                # ready: the form, the knowledge base and the first result laid out and
                # painted; the work deferred to the next turn of the event loop is not counted
                # (handout languages, warm-up of alert cards), it is then run before exiting
                app.sendPostedEvents(None, QEvent.Type.LayoutRequest)
                window.repaint()
                print(f"ready after {elapsed_ms():.1f} ms", file=sys.stderr, flush=True)
                app.processEvents()
            app.quit()
        elif load_engine():
            from baclofen_cds.ui.main_window import first_run

            window.records_url = database_url  # opened on first use (Save, History)
            QTimer.singleShot(0, lambda: first_run(window))
        # after the deferred start-up work queued by the first result (attach_engine)
        QTimer.singleShot(0, resume_collection)

    watcher = FirstPaint(first_paint)
    window.installEventFilter(watcher)
    window.show()
    try:
        app.exec()
    finally:
        if collecting:
            gc.enable()
    window.removeEventFilter(watcher)
    return result["code"]
