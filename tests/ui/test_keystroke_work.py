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
