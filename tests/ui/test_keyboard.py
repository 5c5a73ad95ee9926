"""A whole case entered with the keyboard only, in a sensible tab order."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from baclofen_cds.ui.main_window import MainWindow
from tests.ui.conftest import fill
from tests.ui.test_cases import example

NAMES = [
    "indication",
    "spasticity_origin",
    "age_years",
    "sex",
    "weight_kg",
    "height_cm",
    "serum_creatinine",
    "serum_creatinine_unit",
    "creatinine_clearance",
    "egfr",
    "dialysis",
    "hepatic_impairment",
    "conditions",
    "comedication_input",
    "comedication_list",
    "formulation",
    "start_date",
    "status_banner",
    "renal_summary",
    "start_regimen",
    "max_daily",
    "titration_table",
    "taper_table",
    "alerts",
    "monitoring_table",
]


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_every_contract_object_name_exists_with_an_accessible_name(window):
    for name in NAMES:
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        if name not in {"status_banner", "renal_summary", "start_regimen", "max_daily"}:
            assert widget.accessibleName(), name


def test_tab_order_follows_the_form(window, qtbot):
    """Top to bottom; the origin of spasticity is skipped unless the indication is spasticity."""
    window.activateWindow()
    window.form.indication.setCurrentIndex(window.form.indication.findData("spasticity"))
    window.form.patient_id.setFocus()
    order = []
    for _ in range(16):
        order.append(focused().objectName())
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert order[:14] == [
        "patient_id",
        "patient_name",
        "indication",
        "spasticity_origin",
        "age_years",
        "sex",
        "weight_kg",
        "height_cm",
        "serum_creatinine",
        "serum_creatinine_unit",
        "creatinine_clearance",
        "egfr",
        "dialysis",
        "hepatic_impairment",
    ]
    assert order[14:] == ["conditions_filter", "conditions"]


def test_a_case_completed_with_the_keyboard_only(window: MainWindow, qtbot):
    window.activateWindow()
    window.form.patient_id.setFocus()
    tab = lambda: qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # noqa: E731
    qtbot.keyClicks(focused(), "MRN-77")
    tab()
    tab()  # name left empty
    assert focused().objectName() == "indication"
    qtbot.keyClicks(focused(), "Spas")  # a closed list selects by typing
    tab()
    qtbot.keyClicks(focused(), "Mult")
    tab()
    qtbot.keyClicks(focused(), "45")
    tab()
    qtbot.keyClicks(focused(), "F")
    tab()
    qtbot.keyClicks(focused(), "70")
    tab()
    qtbot.keyClicks(focused(), "168")
    tab()
    qtbot.keyClicks(focused(), "0.9")
    for _ in range(6):
        tab()
    assert focused().objectName() == "conditions_filter"
    qtbot.keyClicks(focused(), "epilep")
    tab()
    tree = focused()
    assert tree.objectName() == "conditions"
    qtbot.keyClick(tree, Qt.Key.Key_Down)  # the group
    qtbot.keyClick(tree, Qt.Key.Key_Down)  # its only visible condition
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert window.form.conditions.selected() == ["epilepsy"]
    tab()
    assert focused().objectName() == "comedication_input"
    qtbot.keyClicks(focused(), "oxycodone")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    form = window.form
    assert form.indication.currentData() == "spasticity"
    assert form.spasticity_origin.currentData() == "multiple_sclerosis"
    assert form.sex.currentData() == "female"
    banner = window.panel.status_banner.text()
    assert "USE WITH CAUTION" in banner
    assert window.panel.start_regimen.text() == "5 mg three times a day"
    assert window.panel.alerts.cards()[0].alert.id == "hazard.cns_depression"
    assert window.assessment.recommendation.case["patient"]["id"] == "MRN-77"
    # New case from the keyboard clears everything and puts the focus on the indication
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.form.age_years.text() == ""
    assert window.panel.status_banner.text().startswith("… Incomplete")


def test_shortcuts_are_declared(window):
    assert window.new_action.shortcut().toString() == "Ctrl+N"
    assert window.save_action.shortcut().toString() == "Ctrl+S"
    assert window.print_action.shortcut().toString() == "Ctrl+P"
    assert not window.quit_action.shortcut().isEmpty()


def test_every_control_has_an_accessible_name_and_readable_colours(window, qtbot):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QHeaderView,
        QLineEdit,
    )

    from baclofen_cds.ui import style

    fill(qtbot, window, example("adult-spasticity-ms.json"))
    missing = []
    for cls in (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractButton, QAbstractItemView):
        for widget in window.findChildren(cls):
            internal = widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView)
            if not internal and widget.isVisibleTo(window) and not widget.accessibleName():
                missing.append(f"{type(widget).__name__} {widget.objectName()}")
    assert missing == []
    for tone in (*style.SEVERITY.values(), *style.STATUS.values()):
        assert style.contrast(tone.foreground, tone.background) >= style.MIN_CONTRAST, tone.word
    assert style.contrast(style.ERROR_TEXT, "#ffffff") >= style.MIN_CONTRAST
    assert style.contrast(style.ERROR_TEXT, "#efefef") >= style.MIN_CONTRAST
