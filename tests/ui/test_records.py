"""Saving assessments and the patient's history, through the records API (SQLite in tmp_path)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from baclofen_cds.ui import handout_bridge
from tests.ui.conftest import fill, type_into
from tests.ui.test_acknowledgements import FAKE_PDF, answer_dialog
from tests.ui.test_cases import example


def ckd_case() -> dict:
    """The older-adult CKD example at 60 years: a regimen the form can show (at 78 years it is
    a Beers "avoid", withheld until an override the form cannot enter yet: issue 8)."""
    return example("older-adult-ckd.json") | {"age_years": 60}


def test_save_is_enabled_once_records_exist(records_window, qtbot):
    win = records_window
    assert win.records_banner.text() == "Records: on"
    assert not win.save_action.isEnabled()  # nothing to save yet
    fill(qtbot, win, ckd_case() | {"comedications": []})
    assert win.save_action.isEnabled()


def test_save_with_acknowledgements_and_prints_then_history(
    records_window, qtbot, monkeypatch, tmp_path
):
    win = records_window
    monkeypatch.setattr(handout_bridge, "build_pdf", lambda rec, **o: FAKE_PDF)
    fill(qtbot, win, example("adult-spasticity-ms.json"))
    answer_dialog(
        monkeypatch,
        {"hazard.cns_depression": ("benefit_outweighs_risk", "stable")},
    )
    assert win.export_pdf(str(tmp_path / "h.pdf"))
    aid = win.save_assessment()
    assert aid is not None
    assert f"Saved as assessment {aid}" in win.statusBar().currentMessage()
    stored = win.records.get_assessment(aid)
    assert stored.clinician == "Dr Test Clinician"
    assert {(a.alert_id, a.outcome, a.reason_code) for a in stored.acknowledgements} == {
        ("hazard.cns_depression", "overridden", "benefit_outweighs_risk"),
    }
    assert [p.variant for p in stored.prints] == ["patient"]
    assert stored.prints[0].options["printed_on"] == "2026-12-01"
    # printing after saving is recorded against the saved assessment
    assert win.export_pdf(str(tmp_path / "h2.pdf"))
    assert len(win.records.get_assessment(aid).prints) == 2
    model = win.history.model
    assert model.rowCount() == 1
    assert model.as_text()[1][0] == str(aid)
    assert "1 saved assessment(s) for patient MRN-001" in win.history.message.text()


def test_save_needs_a_patient_id(records_window, qtbot):
    win = records_window
    case = ckd_case() | {"comedications": []}
    case.pop("patient")
    fill(qtbot, win, case)
    assert win.save_assessment() is None
    assert win.form.error_text("patient_id") == "Patient id is needed to save"


def test_open_read_only_and_new_case_from_an_old_one(records_window, qtbot, clock):
    win = records_window
    fill(qtbot, win, ckd_case() | {"comedications": []})
    aid = win.save_assessment()
    win.history.table.selectRow(0)
    dialog = win.open_saved(aid)
    assert dialog.text.isReadOnly()
    assert "Baclofen CDS — clinician summary" in dialog.text.toPlainText()
    assert "2.5 mg three times a day" in dialog.text.toPlainText()
    dialog.close()
    clock.day = date(2027, 1, 4)  # the window stays open: "today" moves on
    win.new_case()
    assert win.form.age_years.text() == ""
    assert win.form.start_date.date().toString("yyyy-MM-dd") == "2027-01-04"
    win.new_case_from(aid)
    assert win.form.age_years.text() == "60"
    assert win.form.serum_creatinine_unit.currentData() == "umol/L"
    assert win.form.start_date.date().toString("yyyy-MM-dd") == "2027-01-04"  # today, not then
    assert win.panel.start_regimen.text() == "2.5 mg three times a day"


def test_history_follows_the_patient_id(records_window, qtbot):
    win = records_window
    fill(qtbot, win, ckd_case() | {"comedications": []})
    win.save_assessment()
    type_into(qtbot, win.form.patient_id, "SOMEONE-ELSE")
    win.form.patient_id.editingFinished.emit()
    assert win.history.model.rowCount() == 0
    assert "No saved assessment for patient SOMEONE-ELSE" in win.history.message.text()


def test_records_unavailable_is_said_and_recommending_goes_on(window, qtbot, tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    window.open_records(f"sqlite:///{blocker / 'records.db'}")
    qtbot.waitUntil(
        lambda: window.records_banner.text().startswith("⚠ Records unavailable: "), timeout=30_000
    )
    assert window.records is None
    assert not window.history.table.isEnabled()
    assert window.history.message.text().startswith("Records unavailable: ")
    fill(qtbot, window, ckd_case())
    assert not window.save_action.isEnabled()
    assert window.panel.start_regimen.text() == "2.5 mg three times a day"


def test_sqlalchemy_is_not_loaded_before_records_are_opened():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from datetime import date\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from baclofen_cds.ui.main_window import MainWindow\n"
        "w = MainWindow(today=date(2026, 12, 1)); w.show(); app.processEvents()\n"
        "bad = [m for m in ('sqlalchemy', 'reportlab', 'pydantic', 'yaml', 'baclofen_cds.logic')\n"
        "       if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == ""
