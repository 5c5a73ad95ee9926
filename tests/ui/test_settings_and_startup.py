"""Settings (declared once, stored with QSettings, mapped to the local policy), the start-up
command, and the message when PySide6 is missing."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from PySide6.QtCore import QSettings

from baclofen_cds.cli import gui_cmd
from baclofen_cds.ui.dialogs import SettingsDialog
from baclofen_cds.ui.main_window import MainWindow
from baclofen_cds.ui.settings import SETTINGS, AppSettings
from tests.ui.conftest import TODAY, fill
from tests.ui.test_cases import example


def test_settings_persist_in_the_given_file(tmp_path):
    path = str(tmp_path / "s.ini")
    first = AppSettings(QSettings(path, QSettings.Format.IniFormat))
    first.set("clinic/name", "Northside Clinic")
    first.sync()
    again = AppSettings(QSettings(path, QSettings.Format.IniFormat))
    assert again.get("clinic/name") == "Northside Clinic"
    assert {s.key for s in SETTINGS} >= {
        "clinician/name",
        "clinic/name",
        "clinic/phone",
        "defaults/creatinine_unit",
        "defaults/formulation",
    }


def test_settings_dialog_changes_the_policy_and_defaults(window, qtbot, monkeypatch):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    before = {m.id: m.when for m in window.assessment.recommendation.monitoring}

    def accept_with_values(self):
        self.editors["clinic/name"].setText("Northside Clinic")
        self.editors["clinic/phone"].setText("555 0100")
        spin = self.editors["policy/routine_interval_months_standard"]
        spin.setValue(12)
        combo = self.editors["defaults/creatinine_unit"]
        combo.setCurrentIndex(combo.findData("umol/L"))
        self.accept()
        return SettingsDialog.DialogCode.Accepted

    monkeypatch.setattr(SettingsDialog, "exec", accept_with_values)
    window.open_settings()
    assert window.policy.clinic_name == "Northside Clinic"
    assert window.policy.clinic_phone == "555 0100"
    assert window.policy.routine_interval_months_standard == 12
    after = {m.id: m.when for m in window.assessment.recommendation.monitoring}
    assert after != before
    assert any("12 months" in w for w in after.values())
    window.new_case()
    assert window.form.serum_creatinine_unit.currentData() == "umol/L"


def test_a_settings_value_the_knowledge_base_refuses_falls_back(
    qtbot, settings, engine, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    settings.set("policy/routine_interval_months_standard", 600)
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
    win = MainWindow(settings, today=TODAY)
    qtbot.addWidget(win)
    win.attach_engine(engine)
    assert warned and "routine_interval_months_standard" in warned[0]
    assert win.policy == engine.policy({})


def test_startup_check_prints_milliseconds_and_exits_0(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-m", "baclofen_cds", "--startup-check"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip()) > 0  # milliseconds, to a tenth
    assert "ready after " in out.stderr
    # nothing heavy (engine, pydantic, SQLAlchemy, reportlab, …) before the frame is painted
    assert "loaded before the first paint: none of the heavy modules" in out.stderr, out.stderr


def test_the_policy_variable_is_named_once_for_cli_and_logic():
    from baclofen_cds.cli.policy_opts import ENV_VAR as CLI_NAME
    from baclofen_cds.logic.policy import ENV_VAR as LOGIC_NAME

    assert CLI_NAME == LOGIC_NAME


def test_without_pyside6_one_clear_line_and_status_2(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "PySide6" else real(name, *a)
    )
    assert gui_cmd.run(argparse.Namespace(startup_check=False, database_url=None)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'gui' extra" in err[0]


def test_deferred_window_paints_a_frame_then_builds(qtbot, settings, engine):
    win = MainWindow(settings, today=TODAY, deferred=True)
    qtbot.addWidget(win)
    assert not win.built and not hasattr(win, "form")
    win.attach_engine(engine)
    assert win.built and win.form.indication.count() > 1
