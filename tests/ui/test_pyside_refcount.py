"""PySide6 must not lose references to None (6.12.0 on Python 3.11 does: the window then
aborts with "Fatal Python error: none_dealloc" after some thousands of updates)."""

from __future__ import annotations

import sys

from PySide6.QtGui import QAction


def test_void_calls_keep_none_alive(qapp):
    action = QAction("probe")
    before = sys.getrefcount(None)
    for _ in range(500):
        action.setEnabled(True)
        action.setToolTip("probe")
    lost = before - sys.getrefcount(None)
    assert lost < 100, f"{lost} references to None lost in 1,000 calls: pin another PySide6"
