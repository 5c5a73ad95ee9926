"""Safety first: what is critical is seen, nothing entered is never read as nothing there."""

from __future__ import annotations

from PySide6.QtCore import Qt

from baclofen_cds.ui import style
from tests.ui.conftest import fill
from tests.ui.test_cases import example


def plain_case() -> dict:
    case = example("adult-spasticity-ms.json")
    case["conditions"] = []
    case["comedications"] = []
    return case


def banner(window) -> str:
    return window.panel.status_banner.text()


def test_no_green_all_clear_until_medicines_and_conditions_are_confirmed(window, qtbot):
    fill(qtbot, window, plain_case())
    assert window.assessment.recommendation.status == "recommended"
    assert "RECOMMENDED" not in banner(window)
    assert "NOT YET CONFIRMED" in banner(window)
    assert "Other medicines and conditions not yet confirmed" in banner(window)
    assert window.panel._tone is not style.STATUS["recommended"]

    meds = window.form.comedications.none_box
    qtbot.mouseClick(meds, Qt.MouseButton.LeftButton)  # a real click on the tick box
    assert meds.isChecked()
    assert "RECOMMENDED" not in banner(window)
    assert "Conditions not yet confirmed" in banner(window)

    conds = window.form.conditions.none_box
    conds.setFocus()
    qtbot.keyClick(conds, Qt.Key.Key_Space)
    assert conds.isChecked()
    assert banner(window).startswith("✔ RECOMMENDED")
    assert "not yet confirmed" not in banner(window)
    assert window.panel._tone is style.STATUS["recommended"]


def test_adding_a_medicine_or_condition_confirms_and_clears_the_none_tick(window, qtbot):
    fill(qtbot, window, plain_case())
    editor = window.form.comedications
    qtbot.mouseClick(editor.none_box, Qt.MouseButton.LeftButton)
    editor.input.setFocus()
    qtbot.keyClicks(editor.input, "sertraline")
    qtbot.keyClick(editor.input, Qt.Key.Key_Return)
    assert not editor.none_box.isChecked() and not editor.none_box.isEnabled()
    assert "Conditions not yet confirmed" in banner(window)
    window.form.conditions.item("epilepsy").setCheckState(0, Qt.CheckState.Checked)
    assert not window.form.conditions.none_box.isEnabled()
    assert "not yet confirmed" not in banner(window)
    # removing the last medicine asks again
    editor.list.setFocus()
    editor.list.setCurrentRow(0)
    qtbot.keyClick(editor.list, Qt.Key.Key_Delete)
    assert editor.none_box.isEnabled() and not editor.none_box.isChecked()
    assert "Other medicines not yet confirmed" in banner(window)


def test_a_caution_keeps_its_tone_and_says_what_is_unconfirmed(window, qtbot):
    case = plain_case() | {"conditions": ["epilepsy"]}
    fill(qtbot, window, case)
    assert banner(window).startswith("⚠ USE WITH CAUTION")
    assert "Other medicines not yet confirmed" in banner(window)
