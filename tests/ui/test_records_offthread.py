"""The window saves off the GUI thread (issue 11, point 7): a lock held elsewhere froze it 51 s,
then records stayed off until restart."""

from __future__ import annotations

import itertools
import sqlite3
import time
from pathlib import Path

from PySide6.QtCore import QTimer

from baclofen_cds.ui import window_records
from tests.ui.conftest import fill
from tests.ui.test_acknowledgements import answer_dialog
from tests.ui.test_cases import example


def _lock(records_url: str) -> sqlite3.Connection:
    """Another program holds the write lock of the records file."""
    conn = sqlite3.connect(records_url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_held_lock_does_not_freeze_the_window(records_window, records_url, qtbot, monkeypatch):
    win = records_window
    monkeypatch.setattr(window_records, "SAVE_WAIT_MS", 1500)
    shown: list[str] = []
    monkeypatch.setattr(
        window_records._message_box(),
        "information",
        lambda parent, title, text: shown.append(text),
    )
    fill(qtbot, win, example("older-adult-ckd.json") | {"comedications": []})
    rec = win.assessment.recommendation
    assert rec is not None
    answer_dialog(monkeypatch, {a.id: ("benefit_outweighs_risk", "") for a in rec.critical_alerts})
    ticks: list[float] = []
    timer = QTimer(win)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(50)
    lock = _lock(records_url)
    try:
        started = time.monotonic()
        assert win.save_assessment() is None
        waited = time.monotonic() - started
    finally:
        timer.stop()
    assert 1.0 < waited < 5.0  # bounded, not 51 s
    assert len(ticks) >= 10  # the window kept running while it waited
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 1.0
    assert shown and "still being tried" in shown[0]
    assert win.records is not None  # records stay on
    lock.rollback()
    lock.close()
    qtbot.waitUntil(
        lambda: "Saved as assessment" in win.statusBar().currentMessage(), timeout=60_000
    )
    patient = win.form.patient_id.text().strip()
    assert win.records.count_history(patient) == 1  # saved once
    assert win.saved_id is not None


def test_records_come_back_on_their_own(window, qtbot, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(window_records, "RETRY_MS", 300)
    blocker = tmp_path / "folder"
    blocker.write_text("not a folder yet")
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    window.open_records(f"sqlite:///{blocker / 'records.sqlite3'}")
    qtbot.waitUntil(lambda: window.records_banner.text().startswith("⚠ Records unavailable"),
                    timeout=30_000)  # fmt: skip
    assert window.records is None
    assert not window.save_action.isEnabled()
    blocker.unlink()
    blocker.mkdir()  # the "server" is back
    qtbot.waitUntil(lambda: window.records is not None, timeout=30_000)
    assert window.records_banner.text() == "Records: on"
    assert window.history.table.isEnabled()
    assert window.save_action.isEnabled()  # Save comes back with them
