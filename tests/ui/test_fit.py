"""The window fits a ward screen: at 1280x720 and wider nothing scrolls sideways, tables are
as tall as their rows, critical alerts are in sight; the origin follows the indication."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage

from tests.ui.conftest import choose, fill, type_into
from tests.ui.test_cases import EXAMPLES, example
from tests.ui.test_safety_first import visible_in_window

NAMES = sorted(p.name for p in EXAMPLES.glob("*.json"))


def not_blank(image: QImage) -> bool:
    colours = {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 37)
        for y in range(0, image.height(), 23)
    }
    return len(colours) > 8


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
@pytest.mark.parametrize("name", NAMES)
def test_screenshot_has_no_sideways_scrolling_and_the_critical_strip_in_sight(
    window, qtbot, tmp_path, name, size
):
    window.resize(*size)
    window.form.load_case(example(name))
    qtbot.wait(30)
    panel = window.panel
    shot = window.grab()
    path = tmp_path / f"{name}-{size[0]}.png"
    assert shot.save(str(path)) and not_blank(QImage(str(path)))
    assert not panel.body_scroll.horizontalScrollBar().isVisible()
    assert (
        panel.body_scroll.widget().minimumSizeHint().width() <= panel.body_scroll.viewport().width()
    )
    for table in (panel.titration_table, panel.monitoring_table, panel.taper_table):
        assert not table.horizontalScrollBar().isVisible(), table.objectName()
        assert not table.verticalScrollBar().isVisible(), table.objectName()
        model = table.model()
        rows = sum(table.rowHeight(r) for r in range(model.rowCount()))
        assert table.height() <= table.horizontalHeader().height() + rows + 4, table.objectName()
        columns = sum(table.columnWidth(c) for c in range(model.columnCount()))
        assert columns <= table.viewport().width() + 1, table.objectName()
    critical = panel.alerts.critical_cards()
    rec = window.assessment.recommendation
    assert len(critical) == len(rec.critical_alerts)
    for card in critical:
        assert visible_in_window(window, card), card.alert.id
    assert visible_in_window(window, panel.status_banner)


def test_default_size_follows_the_screen(settings, qtbot):
    from baclofen_cds.ui.main_window import MainWindow

    win = MainWindow(settings, deferred=True)
    qtbot.addWidget(win)
    free = QGuiApplication.primaryScreen().availableGeometry()
    assert win.width() <= free.width() and win.height() <= free.height()
    assert win.width() >= free.width() * 0.8 and win.height() >= free.height() * 0.8


def test_switching_indication_clears_the_origin_at_once(window, qtbot):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    form = window.form
    assert form.spasticity_origin.currentData() == "multiple_sclerosis"
    form.indication.setFocus()
    index = form.indication.findData("alcohol_use_disorder")
    while form.indication.currentIndex() != index:  # the keyboard, one step at a time
        key = Qt.Key.Key_Down if form.indication.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(form.indication, key)
    assert not form.spasticity_origin.isEnabled()
    assert form.spasticity_origin.currentData() is None
    assert form.error_text("spasticity_origin") == ""
    assert window.assessment.recommendation is not None
    assert "mg" in window.panel.start_regimen.text()
    choose(form.indication, "spasticity")
    assert form.spasticity_origin.isEnabled()


def test_a_validation_message_goes_when_its_cause_goes(window, qtbot):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    type_into(qtbot, window.form.weight_kg, "7000")
    assert window.form.error_text("weight_kg")
    qtbot.keyClick(window.form.weight_kg, Qt.Key.Key_Backspace)
    qtbot.keyClick(window.form.weight_kg, Qt.Key.Key_Backspace)
    assert window.form.weight_kg.text() == "70"
    assert window.form.error_text("weight_kg") == ""
    assert "mg" in window.panel.start_regimen.text()
