"""Baclofen already taken: the oral dose now, months on it, and an intrathecal pump, entered
with real key events; validation messages name the field and clear once it is fixed; the
values are saved with the case and come back from the history."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import fill, type_into
from tests.ui.test_cases import example


def dialysis_case() -> dict:
    case = example("dialysis.json")
    case.pop("override", None)  # no specialist override: the regimen stays withheld
    return case


def taper_daily_totals(win) -> list[str]:
    table = win.panel.taper_model.as_text()
    col = table[0].index("Daily total")
    return [row[col] for row in table[1:]]


def test_dialysis_patient_already_on_30_mg_gets_the_taper_from_that_dose(window, qtbot):
    win = window
    fill(qtbot, win, dialysis_case())
    assert taper_daily_totals(win) == []  # nothing taken, nothing withheld to taper from
    type_into(qtbot, win.form.current_daily_mg, "30")
    type_into(qtbot, win.form.months_on_treatment, "8")
    data, errors = win.form.form_data()
    assert errors == [] and data["current_daily_mg"] == 30 and data["months_on_treatment"] == 8
    rec = win.assessment.recommendation
    assert rec is not None and rec.status == "avoid"
    # no new dose is shown on dialysis ...
    assert win.panel.shown_regimen is None
    assert win.panel.start_regimen.text() == "No dose is shown: specialist only."
    assert "Current dose 30 mg a day" in win.panel.start_amount.text()
    # ... and the patient is not cut off abruptly: the taper starts at 30 mg a day and steps
    # down over several steps
    assert win.panel.taper_from.text() == "From the dose taken now, 30 mg a day, in steps down:"
    assert win.panel.taper_from.isVisibleTo(win)
    totals = taper_daily_totals(win)
    assert len(totals) >= 2
    values = [float(t.removesuffix(" mg").replace(",", "")) for t in totals]
    assert 0 < values[0] < 30  # the first step is a lower dose, not a stop
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)
    assert win.panel.taper_table.isVisibleTo(win)


def test_a_dose_that_is_not_a_number_is_named_and_clears_when_fixed(window, qtbot):
    win = window
    fill(qtbot, win, example("adult-spasticity-ms.json"))
    type_into(qtbot, win.form.current_daily_mg, "30mg")
    message = win.form.error_text("current_daily_mg")
    assert message.startswith("Oral baclofen dose now") and "not a number" in message
    assert win.assessment.recommendation is None  # no dose from a half-read case
    qtbot.keyClick(win.form.current_daily_mg, Qt.Key.Key_Backspace)
    qtbot.keyClick(win.form.current_daily_mg, Qt.Key.Key_Backspace)
    assert win.form.error_text("current_daily_mg") == ""
    assert win.assessment.recommendation is not None


def test_months_out_of_range_are_named_and_clear_when_fixed(window, qtbot):
    win = window
    fill(qtbot, win, example("adult-spasticity-ms.json"))
    type_into(qtbot, win.form.months_on_treatment, "99999")
    message = win.form.error_text("months_on_treatment")
    assert message.startswith("Months on baclofen") and "99999" in message
    type_into(qtbot, win.form.months_on_treatment, "12")
    assert win.form.error_text("months_on_treatment") == ""
    assert win.assessment.recommendation is not None


def test_intrathecal_pump_failure_is_a_critical_alert_and_goes_when_undone(window, qtbot):
    win = window
    fill(qtbot, win, example("adult-spasticity-ms.json"))
    ids = {c.alert.id for c in win.panel.alerts.cards()}
    assert not any(i.startswith("intrathecal.") for i in ids)
    combo = win.form.intrathecal
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == "pump_removed_or_failed"
    critical = {c.alert.id for c in win.panel.alerts.critical_cards()}
    assert "intrathecal.withdrawal_emergency" in critical
    assert win.panel.alerts.strip.isVisibleTo(win)
    qtbot.keyClick(combo, Qt.Key.Key_Up)
    assert combo.currentData() == "pump_in_situ"
    ids = {c.alert.id for c in win.panel.alerts.cards()}
    assert "intrathecal.pump_in_situ" in ids
    assert "intrathecal.withdrawal_emergency" not in ids
    qtbot.keyClick(combo, Qt.Key.Key_Up)
    ids = {c.alert.id for c in win.panel.alerts.cards()}
    assert not any(i.startswith("intrathecal.") for i in ids)


def test_current_treatment_is_saved_with_the_case_and_restored(records_window, qtbot, monkeypatch):
    from tests.ui.test_acknowledgements import answer_dialog

    win = records_window
    case = example("older-adult-ckd.json") | {"age_years": 60, "comedications": []}
    fill(qtbot, win, case | {"patient": {"id": "MRN-CUR", "name": "On Baclofen"}})
    type_into(qtbot, win.form.current_daily_mg, "30")
    type_into(qtbot, win.form.months_on_treatment, "8")
    win.form.intrathecal.setCurrentIndex(win.form.intrathecal.findData("pump_in_situ"))
    critical = [c.alert.id for c in win.panel.alerts.critical_cards()]
    answer_dialog(monkeypatch, {i: ("benefit_outweighs_risk", "pump clinic") for i in critical})
    aid = win.save_assessment()
    assert aid is not None
    stored = win.records.get_assessment(aid).case
    assert stored["current_daily_mg"] == 30
    assert stored["months_on_treatment"] == 8
    assert stored["intrathecal"] == "pump_in_situ"
    win.new_case()
    assert win.form.current_daily_mg.text() == ""
    assert win.form.intrathecal.currentData() == "none"
    win.new_case_from(aid)
    assert win.form.current_daily_mg.text() == "30"
    assert win.form.months_on_treatment.text() == "8"
    assert win.form.intrathecal.currentData() == "pump_in_situ"
    assert "30 mg a day" in win.panel.taper_from.text()
