"""What a keystroke costs the window: the work it leaves out (issue 10, point 8).

The speed itself is measured by `make bench` (benchmarks/bench_ui.py); these tests pin the
behaviour the speed relies on, so that a change that brings the work back fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys

SHOW_POOL = (
    "import os, sys; "
    "import baclofen_cds.ui.app; "
    "print(os.environ.get('QT_NO_GUI_THREADPOOL', '<unset>'))"
)


def _env_without_the_switch() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QT_NO_GUI_THREADPOOL", None)
    return env


def test_the_window_paints_without_qt_s_thread_pool():
    """Qt hands every fill of 96 rows or more to worker threads and waits for them: on a
    2-core PC that cost each keystroke ~3 ms. The package turns it off before any paint."""
    out = subprocess.run(
        [sys.executable, "-c", SHOW_POOL],
        env=_env_without_the_switch(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "1"


def test_a_thread_pool_setting_made_before_start_up_is_kept():
    env = dict(_env_without_the_switch(), QT_NO_GUI_THREADPOOL="yes")
    out = subprocess.run(
        [sys.executable, "-c", SHOW_POOL],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "yes"


# ---------------------------------------------------------------- word-wrapped labels
TEXTS = (
    "Creatinine clearance (Cockcroft-Gault): 87.2 mL/min (using total body weight 70 kg)",
    "Short.",
    "A very long line " * 12,
    "",
    "Two\nlines",
)


def test_a_wrapping_label_is_as_tall_as_qt_says_at_every_width(qtbot):
    from PySide6.QtWidgets import QLabel

    from baclofen_cds.ui.labels import WrapLabel

    plain, remembering = QLabel(), WrapLabel()
    plain.setWordWrap(True)
    for label in (plain, remembering):
        qtbot.addWidget(label)
    for round_ in range(2):  # the second time from what was remembered
        for text in TEXTS:
            plain.setText(text)
            remembering.setText(text)
            for width in (40, 120, 300, 800):
                assert remembering.heightForWidth(width) == plain.heightForWidth(width), (
                    round_,
                    text,
                    width,
                )


def test_a_wrapping_label_forgets_its_heights_when_its_type_changes(qtbot):
    from PySide6.QtWidgets import QLabel

    from baclofen_cds.ui.labels import WrapLabel

    text = TEXTS[0]
    label = WrapLabel(text)
    qtbot.addWidget(label)
    before = label.heightForWidth(200)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    label.setFont(font)
    plain = QLabel(text)
    plain.setWordWrap(True)
    plain.setFont(font)
    qtbot.addWidget(plain)
    assert label.heightForWidth(200) == plain.heightForWidth(200) > before
    label.setContentsMargins(0, 30, 0, 30)
    assert label.heightForWidth(200) == plain.heightForWidth(200) + 60


def counting_wrap_label():
    """A WrapLabel class whose every text layout by Qt (heightForWidth) is recorded in the
    returned list."""
    from PySide6.QtWidgets import QLabel

    from baclofen_cds.ui.labels import WrapLabel

    asked: list[int] = []

    class Counted(QLabel):
        def heightForWidth(self, width: int) -> int:
            asked.append(width)
            return super().heightForWidth(width)

    class Probe(WrapLabel, Counted):
        pass

    return Probe, asked


def test_a_wrapping_label_lays_out_each_text_and_width_once(qtbot):
    Probe, asked = counting_wrap_label()

    label = Probe(TEXTS[0])
    qtbot.addWidget(label)
    for _ in range(5):
        label.heightForWidth(200)
        label.heightForWidth(300)
    assert asked == [200, 300]
    label.setText(TEXTS[2])
    label.heightForWidth(200)
    label.setText(TEXTS[0])  # typing back: remembered
    label.heightForWidth(200)
    assert asked == [200, 300, 200]


# ---------------------------------------------------------------- typing, as the benchmark does
def _typing(qtbot, window, count: int):
    """Backspace and a digit in the weight field, as bench_ui does: 70 kg <-> 7 kg, so the
    regimen, the alerts and every table change at each key. Yields after each key."""
    from PySide6.QtCore import Qt

    edit = window.form.weight_kg
    edit.setFocus()
    edit.end(False)
    for i in range(count):
        key = Qt.Key.Key_Backspace if i % 2 == 0 else getattr(Qt.Key, f"Key_{(i // 2) % 10}")
        qtbot.keyClick(edit, key)
        yield edit.text()


def _tables(window):
    p = window.panel
    return (p.titration_table, p.taper_table, p.monitoring_table)


def test_each_table_is_as_tall_as_its_header_and_rows_while_typing(window, qtbot):
    from tests.ui.conftest import fill
    from tests.ui.test_cases import example

    fill(qtbot, window, example("adult-spasticity-ms.json"))
    seen_rows = set()
    for width in (760, 1280, 760):  # headers go on two lines and back (a new header height)
        window.resize(width, 720)
        qtbot.waitUntil(lambda w=width: window.width() == w)
        for _ in _typing(qtbot, window, 6):
            for table in _tables(window):
                model = table.model()
                rows = sum(table.rowHeight(r) for r in range(model.rowCount()))
                header = table.horizontalHeader().sizeHint().height()
                assert table.height() == header + rows + 2 * table.frameWidth(), (
                    table.objectName(),
                    width,
                )
                seen_rows.add((table.objectName(), model.rowCount()))
    # the typing did change the tables: rows come and go
    assert ("titration_table", 0) in seen_rows
    assert any(n == "titration_table" and r > 0 for n, r in seen_rows)


def test_a_keystroke_lays_each_table_out_at_most_once(window, qtbot, monkeypatch):
    from baclofen_cds.ui.recommendation_panel import FitTable
    from tests.ui.conftest import fill
    from tests.ui.test_cases import example

    fill(qtbot, window, example("adult-spasticity-ms.json"))
    laid: list[str] = []
    original = FitTable._lay_out

    def counted(self):
        laid.append(self.objectName())
        return original(self)

    monkeypatch.setattr(FitTable, "_lay_out", counted)
    for _ in _typing(qtbot, window, 6):
        assert laid, "the tables change at each of these keys"
        assert len(laid) == len(set(laid)), laid
        laid.clear()


def test_a_wrapping_label_s_size_hints_are_qt_s(qtbot):
    from PySide6.QtWidgets import QLabel

    from baclofen_cds.ui.labels import WrapLabel

    plain, remembering = QLabel(), WrapLabel()
    plain.setWordWrap(True)
    for label in (plain, remembering):
        qtbot.addWidget(label)
    for round_ in range(2):
        for text in TEXTS:
            plain.setText(text)
            remembering.setText(text)
            assert remembering.sizeHint() == plain.sizeHint(), (round_, text)
            assert remembering.minimumSizeHint() == plain.minimumSizeHint(), (round_, text)
    # a narrower cap on the width, a larger type: new hints
    for label in (plain, remembering):
        label.setText(TEXTS[2])
        label.setMaximumWidth(150)
    assert remembering.sizeHint() == plain.sizeHint()
    font = plain.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    for label in (plain, remembering):
        label.setFont(font)
    assert remembering.sizeHint() == plain.sizeHint()
    assert remembering.minimumSizeHint() == plain.minimumSizeHint()


class _Shown:
    """Counts Show and Hide events of the watched widgets."""

    def __init__(self, widgets) -> None:
        from PySide6.QtCore import QEvent, QObject

        events: list[tuple[str, str]] = []

        class Filter(QObject):
            def eventFilter(self, watched, event):
                if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
                    events.append((watched.objectName(), event.type().name))
                return False

        self.events = events
        self._filter = Filter()
        for w in widgets:
            w.installEventFilter(self._filter)


def test_a_keystroke_that_leaves_the_result_unchanged_rebuilds_nothing(window, qtbot):
    from tests.ui.conftest import fill
    from tests.ui.test_cases import example

    fill(qtbot, window, example("adult-spasticity-ms.json"))
    panel = window.panel
    cards = panel.alerts.cards()
    assert cards, "the example has alerts"
    texts = {
        name: getattr(panel, name).text()
        for name in ("status_banner", "renal_summary", "start_regimen", "start_amount")
    }
    resets: list[str] = []
    for model in (panel.titration_model, panel.taper_model, panel.monitoring_model):
        model.modelReset.connect(lambda m=model: resets.append(type(m).__name__))
    shown = _Shown(cards)
    edit = window.form.patient_name
    edit.setFocus()
    edit.end(False)
    for ch in " Jr":
        qtbot.keyClicks(edit, ch)
    qtbot.keyClick(edit, "r")
    assert window.assessment.recommendation is not None
    assert panel.alerts.cards() == cards  # the very same card objects, in the same order
    assert all(a is b for a, b in zip(panel.alerts.cards(), cards, strict=True))
    assert shown.events == []  # no card hidden and shown again
    assert resets == []  # no table rebuilt
    assert {n: getattr(panel, n).text() for n in texts} == texts


def test_a_withheld_regimen_shows_no_dose_and_empty_tables_at_every_keystroke(window, qtbot):
    """Typing 70 <-> 7 kg: at 7 kg the regimen is withheld (no dose, empty titration table);
    at 70 kg the dose and its table come back. Nothing remembered leaks from one to the
    other."""
    from tests.ui.conftest import fill
    from tests.ui.test_cases import example

    fill(qtbot, window, example("adult-spasticity-ms.json"))
    panel = window.panel
    states = set()
    for weight in _typing(qtbot, window, 8):
        rec = window.assessment.recommendation
        withheld = getattr(rec, "regimen_withheld", None) is not None
        states.add(withheld)
        if withheld:
            assert weight == "7"
            assert panel.shown_regimen is None
            assert panel.titration_model.rowCount() == 0
            assert panel.titration_table.height() == (
                panel.titration_table.horizontalHeader().sizeHint().height()
                + 2 * panel.titration_table.frameWidth()
            )
            assert "No dose is shown" in panel.start_regimen.text()
            assert " mg" not in panel.start_regimen.text()
            assert panel.max_daily.text() == ""
            assert not any(b.isEnabled() for k, b in panel.basis_buttons.items() if k != "renal")
        else:
            assert panel.shown_regimen is rec.regimen
            assert panel.titration_model.rowCount() == len(rec.regimen.steps) > 0
            assert " mg " in panel.start_regimen.text()
            assert panel.max_daily.text().startswith("Maximum for this patient")
        ids = [c.alert.id for c in panel.alerts.cards()]
        assert ids == [a.id for a in sorted_alerts_of(rec)]
        assert all(c.isVisibleTo(window) for c in panel.alerts.cards())
    assert states == {True, False}


def sorted_alerts_of(rec):
    from baclofen_cds.ui.alerts_view import sorted_alerts

    return sorted_alerts(rec.alerts)


# ---------------------------------------------------------------- the tab widget
def test_typing_does_not_lay_the_tab_widget_out_again_but_a_real_change_does(window, qtbot):
    from tests.ui.conftest import fill
    from tests.ui.test_cases import example

    fill(qtbot, window, example("adult-spasticity-ms.json"))
    tabs, guard = window.tabs, window.steady_tabs
    page = window.panel.geometry()
    bar = tabs.tabBar().geometry()
    guard.skipped = guard.passed = 0
    for _ in _typing(qtbot, window, 10):
        qtbot.wait(1)
    # the cards came and went at every other key; the tab widget's geometry did not change
    assert guard.skipped >= 4
    assert window.panel.geometry() == page
    assert tabs.tabBar().geometry() == bar
    # a longer tab title: the tab bar is laid out again and grows
    tabs.setTabText(2, "History of this patient's saved assessments")
    qtbot.waitUntil(lambda: tabs.tabBar().geometry().width() > bar.width())
    assert guard.passed >= 1
    # a narrower window: the page follows
    window.resize(window.width() - 200, window.height())
    qtbot.waitUntil(lambda: window.panel.width() < page.width())


def test_a_wrapping_label_that_switches_type_remembers_each(qtbot):
    """The dose line switches between a large type (a dose) and an ordinary one (a message):
    what was measured in each type is kept, and never used for the other."""
    from PySide6.QtWidgets import QLabel

    Probe, asked = counting_wrap_label()

    label, plain = Probe(TEXTS[0]), QLabel(TEXTS[0])
    plain.setWordWrap(True)
    for w in (label, plain):
        qtbot.addWidget(w)
    small = label.font()
    large = label.font()
    large.setPointSizeF(small.pointSizeF() * 1.6)
    large.setBold(True)
    for font in (small, large, small, large):
        label.setFont(font)
        plain.setFont(font)
        assert label.heightForWidth(200) == plain.heightForWidth(200)
        assert label.sizeHint() == plain.sizeHint()
    assert asked == [200, 200]  # once in each type
