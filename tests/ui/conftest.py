"""Fixtures for the window tests: offscreen Qt (root conftest), settings and records in tmp_path.

`fill` enters a case the way a clinician does: typing into the fields, choosing in the
lists, ticking conditions and adding co-medications one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from baclofen_cds.ui.engine import Engine
from baclofen_cds.ui.main_window import MainWindow
from baclofen_cds.ui.settings import AppSettings

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


class Clock:
    """The window's clock in tests: a fixed day that a test may move on (`clock.day = ...`)."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock() -> Clock:
    return Clock(TODAY)


@pytest.fixture
def window(qtbot: Any, settings: AppSettings, engine: Engine, clock: Clock) -> Iterator[MainWindow]:
    win = MainWindow(settings, today=clock)
    qtbot.addWidget(win)
    win.attach_engine(engine)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


@pytest.fixture
def records_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'records.db'}"


@pytest.fixture
def records_window(window: MainWindow, records_url: str, qtbot: Any) -> MainWindow:
    window.settings.set("clinician/name", "Dr Test Clinician")
    window.open_records(records_url)
    qtbot.waitUntil(lambda: window.records is not None, timeout=30_000)
    return window


def choose(combo: QComboBox, code: str) -> None:
    index = combo.findData(code)
    assert index >= 0, f"{code!r} is not offered in {combo.objectName()}"
    combo.setCurrentIndex(index)


def type_into(qtbot: Any, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(edit, ch)
        else:  # QTest only knows ASCII keys: send the typed character as a key event
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                event = QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch)
                QApplication.sendEvent(edit, event)


def fill(qtbot: Any, win: MainWindow, case: dict[str, Any]) -> None:
    """Enter a case (the JSON shape of examples/*.json) as a clinician would."""
    f = win.form
    patient = case.get("patient") or {}
    if patient.get("id"):
        type_into(qtbot, f.patient_id, patient["id"])
    if patient.get("name"):
        type_into(qtbot, f.patient_name, patient["name"])
    choose(f.indication, case["indication"])
    if case.get("spasticity_origin"):
        choose(f.spasticity_origin, case["spasticity_origin"])
    type_into(qtbot, f.age_years, f"{case['age_years']:g}")
    choose(f.sex, case["sex"])
    for name, key in (
        ("weight_kg", "weight_kg"),
        ("height_cm", "height_cm"),
        ("creatinine_clearance", "creatinine_clearance_ml_min"),
        ("egfr", "egfr_ml_min_1_73m2"),
    ):
        if case.get(key) is not None:
            type_into(qtbot, getattr(f, name), f"{case[key]:g}")
    scr = case.get("serum_creatinine")
    if scr:
        choose(f.serum_creatinine_unit, scr["unit"])
        type_into(qtbot, f.serum_creatinine, f"{scr['value']:g}")
    choose(f.dialysis, case.get("dialysis") or "none")
    choose(f.hepatic_impairment, case.get("hepatic_impairment") or "none")
    for code in case.get("conditions") or ():
        f.conditions.item(code).setCheckState(0, Qt.CheckState.Checked)
    for name in case.get("comedications") or ():
        type_into(qtbot, f.comedications.input, name)
        qtbot.keyClick(f.comedications.input, Qt.Key.Key_Return)
    if case.get("formulation"):
        choose(f.formulation, case["formulation"])
    if case.get("start_date"):
        f.start_date.setDate(date.fromisoformat(case["start_date"]))


def pytest_collection_modifyitems(items: list[Any]) -> None:
    # The offscreen platform says so when a popup (the completer) asks to be raised or to
    # grab the keyboard; those are properties of the test platform, not faults of the window.
    for item in items:
        if "tests/ui" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(r"This plugin does not support"))
