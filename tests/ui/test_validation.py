"""Inline validation: an impossible value gets a message under its field, and the
recommendation side says what is incomplete instead of showing any dose."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from baclofen_cds.ui import style
from baclofen_cds.ui.alerts_view import AlertCard
from tests.ui.conftest import choose, fill, type_into
from tests.ui.test_cases import example, rows


def assert_no_dose(window):
    panel = window.panel
    assert panel.status_banner.text().startswith("… Incomplete: ")
    assert "mg" not in panel.start_regimen.text()
    assert panel.max_daily.text() == ""
    assert rows(panel.titration_table) == [] and rows(panel.taper_table) == []
    assert panel.alerts.cards() == []
    assert [c for c in panel.alerts.findChildren(AlertCard) if c.isVisible()] == []
    assert not window.copy_note_action.isEnabled()


def test_empty_form_names_the_required_fields(window):
    assert_no_dose(window)
    assert "missing indication, age, sex" in window.panel.status_banner.text()


def test_impossible_age_is_named_under_the_field(window, qtbot):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    assert "5 mg" in window.panel.start_regimen.text()
    type_into(qtbot, window.form.age_years, "700")
    message = window.form.error_text("age_years")
    assert message.startswith("Age 700 years is outside the possible range")
    # shown in the error colour (4.5:1 on the window, never colour alone: it is words)
    label = window.form.findChild(QLabel, "age_years_error")
    assert label.isVisible()
    image = label.grab().toImage()
    colours = {
        QColor(image.pixel(x, y)).name()
        for x in range(image.width())
        for y in range(image.height())
    }
    assert style.ERROR_TEXT in colours
    assert "age 700 years" in window.panel.status_banner.text()
    assert_no_dose(window)
    type_into(qtbot, window.form.age_years, "45")
    assert window.form.error_text("age_years") == ""
    assert window.panel.start_regimen.text() == "5 mg three times a day"


def test_text_that_is_not_a_number(window, qtbot):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    type_into(qtbot, window.form.weight_kg, "70kg")
    assert window.form.error_text("weight_kg") == "Weight is not a number"
    assert "weight is not a number" in window.panel.status_banner.text()
    assert_no_dose(window)


def test_creatinine_out_of_range_in_the_chosen_unit(window, qtbot):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    choose(window.form.serum_creatinine_unit, "umol/L")
    type_into(qtbot, window.form.serum_creatinine, "0.9")  # 0.9 µmol/L is not possible
    assert "µmol/L" in window.form.error_text("serum_creatinine")
    assert_no_dose(window)


def test_several_errors_each_under_its_own_field(window, qtbot):
    choose(window.form.indication, "spasticity")
    type_into(qtbot, window.form.height_cm, "9000")
    type_into(qtbot, window.form.weight_kg, "abc")
    banner = window.panel.status_banner.text()
    assert "missing age, sex" in banner
    assert window.form.error_text("height_cm").startswith("Height 9000 cm")
    assert window.form.error_text("weight_kg") == "Weight is not a number"
    assert window.form.error_text("age_years") == "Age is required"
    assert_no_dose(window)


def test_comma_decimal_is_read_as_a_decimal(window, qtbot):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    type_into(qtbot, window.form.serum_creatinine, "0,9")
    assert window.assessment.recommendation.case["serum_creatinine"]["value"] == 0.9


def test_alerts_of_the_previous_case_disappear_at_once(window, qtbot):
    window.form.load_case(example("older-adult-ckd.json"))
    qtbot.wait(50)
    assert window.panel.alerts.cards()
    window.form.age_years.setText("700")  # no event loop turn in between
    window.form.sex.setCurrentIndex(0)
    visible = [c for c in window.panel.alerts.findChildren(AlertCard) if c.isVisibleTo(window)]
    assert visible == []


def test_a_blank_form_is_not_covered_in_red(window, qtbot):
    assert window.form.error_text("age_years") == ""
    assert "missing indication, age, sex" in window.panel.status_banner.text()
    choose(window.form.indication, "spasticity")
    assert window.form.error_text("age_years") == "Age is required"
