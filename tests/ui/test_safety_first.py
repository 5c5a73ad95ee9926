"""Safety first: what is critical is seen, nothing entered is never read as nothing there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea

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
    form_scroll = window.findChild(QScrollArea, "form_scroll")
    form_scroll.ensureWidgetVisible(meds)  # scrolled to, as a clinician would
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


def test_the_banner_counts_critical_alerts_when_the_engine_does_not(window, qtbot):
    from types import SimpleNamespace

    from baclofen_cds.ui.recommendation_panel import banner as make_banner

    alerts = (
        SimpleNamespace(indicator="critical", summary="Sedation and slowed breathing."),
        SimpleNamespace(indicator="critical", summary="Kidney failure."),
        SimpleNamespace(indicator="warning", summary="Epilepsy."),
    )
    rec = SimpleNamespace(status="use_with_caution", status_reason="Epilepsy", alerts=alerts)
    tone, text = make_banner(rec)
    assert text.splitlines()[1] == (
        "✖ 2 CRITICAL alerts shown below; most severe: Sedation and slowed breathing."
    )
    assert tone is style.STATUS["use_with_caution"]


def test_a_caution_keeps_its_tone_and_says_what_is_unconfirmed(window, qtbot):
    case = plain_case() | {"conditions": ["epilepsy"]}
    fill(qtbot, window, case)
    assert banner(window).startswith("⚠ USE WITH CAUTION")
    assert "Other medicines not yet confirmed" in banner(window)


def visible_in_window(window, widget) -> bool:
    """Inside the window's client area and not clipped by a scroll area."""
    if not widget.isVisibleTo(window):
        return False
    top_left = widget.mapTo(window, widget.rect().topLeft())
    bottom = top_left.y() + widget.height()
    return top_left.y() >= 0 and bottom <= window.height() and not widget.visibleRegion().isEmpty()


def test_critical_alerts_are_pinned_under_the_banner_at_1280x720(window, qtbot):
    window.resize(1280, 720)
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    qtbot.wait(20)
    panel = window.panel
    # the most severe alert and the number of critical ones (the engine's status_reason)
    assert "Sedation and slowed breathing" in banner(window)
    assert "1 critical alert" in banner(window)
    strip = panel.alerts.strip
    critical = panel.alerts.critical_cards()
    assert [c.alert.id for c in critical] == ["hazard.cns_depression"]
    assert "Because of: oxycodone, alprazolam (entered as Xanax)" in critical[0].members.text()
    for card in critical:
        assert card.parentWidget() is strip
        assert visible_in_window(window, card), card.alert.id
    # warnings and info are below, in the scrolling part
    warnings = [c for c in panel.alerts.cards() if c.alert.indicator != "critical"]
    assert warnings and all(c.parentWidget() is panel.alerts for c in warnings)
    assert panel.body_scroll.widget().isAncestorOf(panel.alerts)
    # the strip follows the case: no critical alert, no strip
    editor = window.form.comedications
    for _ in range(editor.list.count()):
        editor.list.setCurrentRow(0)
        qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert editor.list.count() == 0
    assert not strip.isVisibleTo(window)
    assert "CRITICAL" not in banner(window)
