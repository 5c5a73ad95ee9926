"""The window's "none" ticks and "I have checked this value" go into the case (issue 10)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import fill, type_into
from tests.ui.test_records import ckd_case
from tests.ui.test_safety_first import plain_case

WEIGHT_ALERT = "input.implausible_adult_weight"


def sent_case(window) -> dict:
    return window.assessment.recommendation.case


def test_the_none_ticks_are_sent_with_the_case(window, qtbot):
    fill(qtbot, window, plain_case())
    case = sent_case(window)
    assert case["comedications_confirmed_none"] is False
    assert case["conditions_confirmed_none"] is False
    qtbot.mouseClick(window.form.comedications.none_box, Qt.MouseButton.LeftButton)
    assert sent_case(window)["comedications_confirmed_none"] is True
    assert sent_case(window)["conditions_confirmed_none"] is False
    qtbot.mouseClick(window.form.conditions.none_box, Qt.MouseButton.LeftButton)
    assert sent_case(window)["conditions_confirmed_none"] is True
    # adding a medicine clears its tick, and the case says so (never true beside a list)
    editor = window.form.comedications
    type_into(qtbot, editor.input, "sertraline")
    qtbot.keyClick(editor.input, Qt.Key.Key_Return)
    case = sent_case(window)
    assert case["comedications"] and case["comedications_confirmed_none"] is False
    assert case["conditions_confirmed_none"] is True


def test_the_none_ticks_are_restored_from_history(records_window, qtbot):
    win = records_window
    fill(qtbot, win, ckd_case() | {"comedications": [], "conditions": []})
    qtbot.mouseClick(win.form.comedications.none_box, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(win.form.conditions.none_box, Qt.MouseButton.LeftButton)
    aid = win.save_assessment()
    assert aid is not None
    win.new_case()
    assert not win.form.comedications.none_box.isChecked()
    stored = win.records.get_assessment(aid).case
    assert stored["comedications_confirmed_none"] is True
    assert stored["conditions_confirmed_none"] is True
    win.new_case_from(aid)
    assert win.form.comedications.none_box.isChecked()
    assert win.form.conditions.none_box.isChecked()
    assert "not yet confirmed" not in win.panel.status_banner.text()


def test_a_case_with_only_one_tick_is_restored_with_only_that_one(window, qtbot):
    case = plain_case() | {"conditions": ["epilepsy"], "comedications_confirmed_none": True}
    window.form.load_case(case)
    assert window.form.comedications.none_box.isChecked()
    assert not window.form.conditions.none_box.isChecked()
    assert window.form.conditions.selected() == ["epilepsy"]
    assert sent_case(window)["conditions_confirmed_none"] is False


def test_checking_an_implausible_weight_with_a_click_shows_the_dose(window, qtbot):
    fill(qtbot, window, plain_case() | {"weight_kg": 25})
    assert window.panel.shown_regimen is None  # a "check this value" stop
    card = window.panel.alerts.card(WEIGHT_ALERT)
    assert card.alert.indicator == "critical"
    assert card.confirm_button.isVisible()  # beside the alert, in the pinned strip
    for other in window.panel.alerts.cards():
        if other is not card:
            assert other.confirm_button.isHidden()  # only on "check this value" cards
    qtbot.mouseClick(card.confirm_button, Qt.MouseButton.LeftButton)
    # the rule names the weight for the age: both are the checked values
    assert sorted(sent_case(window)["confirmed"]) == ["age_years", "weight_kg"]
    assert WEIGHT_ALERT not in [a.id for a in window.assessment.recommendation.alerts]
    assert window.panel.shown_regimen is not None
    assert "mg" in window.panel.start_regimen.text()


def test_a_new_value_is_asked_about_again(window, qtbot):
    fill(qtbot, window, plain_case() | {"weight_kg": 25})
    card = window.panel.alerts.card(WEIGHT_ALERT)
    card.confirm_button.setFocus()
    qtbot.keyClick(card.confirm_button, Qt.Key.Key_Space)  # keyboard works too
    assert window.panel.shown_regimen is not None
    type_into(qtbot, window.form.weight_kg, "24")
    assert "weight_kg" not in sent_case(window)["confirmed"]
    assert window.panel.shown_regimen is None
    assert window.panel.alerts.card(WEIGHT_ALERT).confirm_button.isVisible()
    # back to the checked value: still checked; a new case forgets it
    type_into(qtbot, window.form.weight_kg, "25")
    assert sorted(sent_case(window)["confirmed"]) == ["age_years", "weight_kg"]
    assert window.panel.shown_regimen is not None
    window.new_case()
    fill(qtbot, window, plain_case() | {"weight_kg": 25})
    assert window.panel.shown_regimen is None


def test_a_plausible_case_offers_no_check_button(window, qtbot):
    fill(qtbot, window, plain_case())
    assert all(c.confirm_button.isHidden() for c in window.panel.alerts.cards())
    assert sent_case(window)["confirmed"] == []
