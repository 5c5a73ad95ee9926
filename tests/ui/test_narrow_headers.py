"""At 760 px wide the titration table's headers read in full: a header wider than its column
goes on two lines, never cut; at 1280 px they stay on one line."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import fill
from tests.ui.test_cases import example


def header_fits(table) -> list[tuple[str, int, int]]:
    """(header, widest line, column width) of every header line wider than its column."""
    fm = table.horizontalHeader().fontMetrics()
    model = table.model()
    cut = []
    for col in range(model.columnCount()):
        text = str(model.headerData(col, Qt.Orientation.Horizontal))
        widest = max(fm.horizontalAdvance(line) for line in text.split("\n"))
        if widest > table.columnWidth(col):
            cut.append((text, widest, table.columnWidth(col)))
    return cut


def test_titration_headers_read_fully_at_760_px(window, qtbot):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    window.resize(760, 720)
    qtbot.waitUntil(lambda: window.width() == 760)
    table = window.panel.titration_table
    qtbot.waitUntil(lambda: table.width() < 500)
    assert header_fits(table) == []
    wrapped = [
        str(table.model().headerData(c, Qt.Orientation.Horizontal))
        for c in range(table.model().columnCount())
    ]
    assert "Amount\neach time" in wrapped  # on two lines, not cut
    # and no word of a cell is cut (dates included): each fits its column
    fm = table.fontMetrics()
    for row in table.model().as_text()[1:]:
        for col, text in enumerate(row):
            for word in text.split():
                assert fm.horizontalAdvance(word) <= table.columnWidth(col), (word, col)
    # the header row is tall enough for two lines
    assert table.horizontalHeader().height() >= 2 * table.fontMetrics().height()


def test_headers_stay_on_one_line_when_the_window_is_wide(window, qtbot):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.width() == 1280)
    table = window.panel.titration_table
    qtbot.waitUntil(lambda: table.width() > 600)
    model = table.model()
    headers = [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(7)]
    assert "Amount each time" in headers
    assert header_fits(table) == []
