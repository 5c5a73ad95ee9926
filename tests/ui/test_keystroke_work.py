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


def test_a_wrapping_label_lays_out_each_text_and_width_once(qtbot):
    from PySide6.QtWidgets import QLabel

    from baclofen_cds.ui.labels import WrapLabel

    asked: list[int] = []

    class Counted(QLabel):
        def heightForWidth(self, width: int) -> int:
            asked.append(width)
            return super().heightForWidth(width)

    class Probe(WrapLabel, Counted):
        pass

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
