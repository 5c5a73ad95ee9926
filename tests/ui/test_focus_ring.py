"""The focus ring (ACC-3): a 2 px ring on the focused control, followed with the keyboard,
drawn without a window-wide style sheet (which cost ~10 ms of start-up, issue 14)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget

from baclofen_cds.ui.focus_ring import RING_COLOUR, FocusRing, install_focus_ring, ringed_control


def rings(widget: QWidget) -> list[FocusRing]:
    return [r for r in widget.findChildren(FocusRing) if r.isVisible()]


def focused() -> Any:
    return QApplication.focusWidget()


def test_tab_moves_the_ring_from_control_to_control(window: Any, qtbot: Any) -> None:
    window.activateWindow()
    window.form.patient_id.setFocus()
    qtbot.waitUntil(lambda: bool(rings(window.form.patient_id)))
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is window.form.patient_name
    assert rings(window.form.patient_name) and not rings(window.form.patient_id)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # the indication list (a combo box)
    assert focused() is window.form.indication
    assert rings(window.form.indication) and not rings(window.form.patient_name)
    assert len(rings(window)) == 1  # one ring in sight; the ones left behind are hidden


def test_the_ring_is_drawn_on_the_edge_of_the_control_in_its_colour(
    window: Any, qtbot: Any
) -> None:
    window.activateWindow()
    field = window.form.weight_kg
    field.setFocus()
    qtbot.waitUntil(lambda: bool(rings(field)))
    (ring,) = rings(field)
    assert ring.geometry() == field.rect()
    image = field.grab().toImage()
    middle = field.height() // 2
    assert QColor(image.pixel(0, middle)).name() == RING_COLOUR
    assert QColor(image.pixel(1, middle)).name() == RING_COLOUR
    assert QColor(image.pixel(field.width() // 2, 0)).name() == RING_COLOUR
    assert QColor(image.pixel(field.width() // 2, middle)).name() != RING_COLOUR  # not filled


def test_the_ring_follows_a_resize_and_lets_the_mouse_through(window: Any, qtbot: Any) -> None:
    window.activateWindow()
    field = window.form.weight_kg
    field.setFocus()
    qtbot.waitUntil(lambda: bool(rings(field)))
    (ring,) = rings(field)
    assert ring.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert ring.focusPolicy() == Qt.FocusPolicy.NoFocus
    window.resize(window.width() - 120, window.height())
    qtbot.waitUntil(lambda: ring.geometry() == field.rect())


def test_the_line_edit_inside_a_combo_or_spin_box_rings_the_whole_control(qtbot: Any) -> None:
    from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit

    combo = QComboBox()
    combo.setEditable(True)
    date_edit = QDateEdit()
    qtbot.addWidget(combo)
    qtbot.addWidget(date_edit)
    assert ringed_control(combo.lineEdit()) is combo
    assert ringed_control(date_edit.findChild(QLineEdit)) is date_edit
    plain = QLineEdit()
    qtbot.addWidget(plain)
    assert ringed_control(plain) is plain


def test_labels_and_plain_containers_get_no_ring(window: Any) -> None:
    assert ringed_control(window.panel) is None
    assert ringed_control(None) is None


def test_the_window_has_no_style_sheet(window: Any) -> None:
    """A window-wide style sheet re-polishes every widget; the ring replaced it."""
    assert window.styleSheet() == ""
    assert install_focus_ring() is install_focus_ring()  # one follower per application
