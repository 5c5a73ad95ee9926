"""Everyday polish: unique mnemonics, a short note, settings on first use, local times."""

from __future__ import annotations

import re
from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenu, QTabWidget

from tests.ui.conftest import fill
from tests.ui.test_cases import example


def mnemonic(text: str) -> str | None:
    match = re.search(r"&([^&\s])", text.replace("&&", ""))
    return match.group(1).lower() if match else None


def window_mnemonics(window) -> dict[str, list[str]]:
    """Every Alt+letter of the window itself (labels, buttons, tabs, menu bar)."""
    keys: dict[str, list[str]] = defaultdict(list)
    for label in window.findChildren(QLabel):
        visible = label.buddy() is not None and label.isVisibleTo(window)
        if visible and (key := mnemonic(label.text())):
            keys[key].append(label.text())
    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window) and (key := mnemonic(button.text())):
            keys[key].append(button.text())
    for tabs in window.findChildren(QTabWidget):
        for i in range(tabs.count()):
            if key := mnemonic(tabs.tabText(i)):
                keys[key].append(tabs.tabText(i))
    for action in window.menuBar().actions():
        if key := mnemonic(action.text()):
            keys[key].append(action.text())
    return keys


def test_every_mnemonic_is_unique_in_the_window_and_in_each_menu(window, qtbot):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    clashes = {k: v for k, v in window_mnemonics(window).items() if len(v) > 1}
    assert clashes == {}
    for menu in window.findChildren(QMenu):
        keys: dict[str, list[str]] = defaultdict(list)
        for action in menu.actions():
            if action.isVisible() and (key := mnemonic(action.text())):
                keys[key].append(action.text())
        assert {k: v for k, v in keys.items() if len(v) > 1} == {}, menu.title()


def test_short_note_is_at_most_15_lines_with_what_matters(window, qtbot, monkeypatch, tmp_path):
    from PySide6.QtGui import QGuiApplication

    from baclofen_cds.ui import handout_bridge
    from tests.ui.test_acknowledgements import answer_dialog

    window.settings.set("clinician/name", "Dr Short")
    fill(qtbot, window, example("older-adult-ckd.json") | {"age_years": 60})
    monkeypatch.setattr(handout_bridge, "build_pdf", lambda rec, **o: b"%PDF-1.4 x")
    answer_dialog(
        monkeypatch,
        {
            "hazard.cns_depression": ("benefit_outweighs_risk", "low dose, watched"),
            "hazard.baclofen_accumulation": ("regimen_adjusted", ""),
        },
    )
    assert window.export_pdf(str(tmp_path / "h.pdf"))
    qtbot.keyClick(
        window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    note = QGuiApplication.clipboard().text()
    lines = note.splitlines()
    assert 4 <= len(lines) <= 15
    assert lines[0].startswith("Baclofen (oral): USE WITH CAUTION")
    regimen = window.assessment.recommendation.regimen
    from baclofen_cds.ui.models import mg

    assert any(ln.startswith(f"Start {mg(regimen.start.dose_mg)} ") for ln in lines)
    assert any(f"Maximum {mg(regimen.max_daily_mg)} a day" in ln for ln in lines)
    critical = [ln for ln in lines if ln.startswith("CRITICAL: ")]
    assert len(critical) == 2
    assert any(
        "acknowledged: Benefit outweighs the risk" in ln and "low dose, watched" in ln
        for ln in critical
    )
    assert any(ln.startswith("Next checks: ") for ln in lines)
    assert lines[-1] == "Clinician: Dr Short"
    for word in ("http", "Basis", "sha256", "grade", "Sources"):
        assert word not in note  # the full note keeps these
    full = window.copy_note()
    assert len(full.splitlines()) > 15


def test_status_bar_says_the_knowledge_base_is_not_clinically_approved(window):
    # no clinic policy file with a sign-off: the status bar says so, in plain words, and it
    # stays there (a permanent widget, not a passing message)
    text = window.approval_label.text()
    assert "not clinically approved" in text
    assert window.approval_label.isVisible()
    window.statusBar().showMessage("Handout saved", 10)
    assert "not clinically approved" in window.approval_label.text()


def test_history_shows_local_time(monkeypatch):
    import time
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from baclofen_cds.ui.models import HistoryTableModel

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        row = SimpleNamespace(created_at=datetime(2026, 12, 1, 15, 30, tzinfo=UTC))
        saved = HistoryTableModel.COLUMNS[1].text(row)
        assert saved.startswith("2026-12-01 10:30")
        naive = SimpleNamespace(created_at=datetime(2026, 12, 1, 15, 30))  # stored as UTC
        assert HistoryTableModel.COLUMNS[1].text(naive) == saved
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_save_without_a_name_offers_settings_and_then_saves(
    window, qtbot, monkeypatch, records_url
):
    from PySide6.QtWidgets import QDialog, QMessageBox

    from baclofen_cds.ui.dialogs import SettingsDialog

    window.records_url = records_url
    fill(
        qtbot,
        window,
        example("dialysis.json")
        | {"dialysis": "none", "serum_creatinine": {"value": 0.9, "unit": "mg/dL"}},
    )
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Open,
    )

    def fill_in(self):
        self.editors["clinician/name"].setText("Dr First Run")
        self.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SettingsDialog, "exec", fill_in)
    assert window.records is None  # not opened at start-up
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.saved_id is not None, timeout=30_000)
    assert asked and "Open Settings" in asked[0]
    assert window.settings.get("clinician/name") == "Dr First Run"


def test_records_are_opened_on_first_use_only(window, qtbot, records_url):
    import sys

    window.records_url = records_url
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    assert window.records is None
    assert getattr(window, "records_bridge", None) is None
    from baclofen_cds.ui.history_view import HistoryView

    assert window.findChild(HistoryView) is None  # the History tab is made when first shown
    bar = window.tabs.tabBar()
    (index,) = [i for i in range(bar.count()) if bar.tabText(i) == "Histor&y"]
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: window.records is not None, timeout=30_000)
    assert "sqlalchemy" in sys.modules
    view = window.findChild(HistoryView)
    assert view is window.history and view.isVisible()
    assert view.table.isEnabled()  # the records opened: the patient's history can be used


def test_acknowledgement_dialog_wraps_one_reason_per_hazard(window, qtbot):
    from baclofen_cds.ui.dialogs import AcknowledgeDialog

    fill(qtbot, window, example("older-adult-ckd.json"))
    alerts = list(window.assessment.recommendation.critical_alerts)
    dialog = AcknowledgeDialog(alerts)
    qtbot.addWidget(dialog)
    dialog.resize(500, 600)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert sorted(dialog.reasons) == sorted(a.id for a in alerts)  # one reason per hazard
    titles = [w for w in dialog.findChildren(QLabel) if w.objectName() == "ack_title"]
    assert len(titles) == len(alerts) and all(t.wordWrap() for t in titles)
    from PySide6.QtWidgets import QScrollArea

    (scroll,) = dialog.findChildren(QScrollArea)
    assert not scroll.horizontalScrollBar().isVisible()
    assert scroll.widget().width() <= scroll.viewport().width()
