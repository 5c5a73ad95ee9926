"""The clinician's window (PySide6).

Importing the package, before any window paints, turns off Qt's GUI thread pool
(`QT_NO_GUI_THREADPOOL`, read once, at the first large fill): with it, every fill of 96 or
more rows (a scroll bar, a tab page, an alert card's background) is handed to worker threads
while the window waits for them. On a 2-core ward PC that hand-off cost each keystroke about
3 ms of its 10 and made the slow keystrokes slower still; this window's fills are small, and
painting them in the window's own thread was faster in every measurement. A value set before
start-up is kept.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
