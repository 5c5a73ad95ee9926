"""PySide's "does this module use PySide6?" check, answered by reading the file
(ui/pyside_startup.py): the same answer as PySide's own for every module, and installed once."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = r"""
import sys, types
import PySide6.QtWidgets
import shibokensupport.feature as feature
from baclofen_cds.ui.pyside_startup import read_source_directly

original = feature._mod_uses_pyside
assert read_source_directly() is True
assert read_source_directly() is False  # once
patched = feature._mod_uses_pyside
assert patched is not original
import baclofen_cds.logic, baclofen_cds.ui.main_window, baclofen_cds.ui.case_form
modules = [m for m in list(sys.modules.values()) if isinstance(m, types.ModuleType)]
differ = [m.__name__ for m in modules if patched(m) != original(m)]
assert not differ, differ
uses = {m.__name__ for m in modules if patched(m)}
assert "baclofen_cds.ui.case_form" in uses and "baclofen_cds.logic.dosing" not in uses
no_file = types.ModuleType("made_in_memory")  # no file: PySide's own answer
assert patched(no_file) == original(no_file) is False
print(len(modules))
"""


def test_same_answer_as_pyside_for_every_module() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"QT_QPA_PLATFORM": "offscreen", **os.environ},
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.split()[-1]) > 100  # checked over the modules the window loads


def test_without_pysides_check_nothing_is_changed(monkeypatch) -> None:
    from baclofen_cds.ui import pyside_startup

    monkeypatch.setattr(pyside_startup, "FEATURE_MODULE", "no.such.module")
    assert pyside_startup.read_source_directly() is False
