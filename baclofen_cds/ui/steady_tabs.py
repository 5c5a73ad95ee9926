"""A tab widget that is laid out again only when its geometry can change.

Each time the recommendation's content changes height (an alert card comes or goes), Qt asks
every ancestor to lay itself out again. A QTabWidget answers by placing its tab bar and pages
anew and repainting itself whole (tab bar, frame, and the page under it), then asks the
splitter and the main window to do the same, even when none of their sizes changed. That cost
a keystroke ~0.3 ms of its ~4 (issue 10, point 8). `SteadyTabs` lets such a request through
only when what the tab widget lays itself out from has changed: its size, its tab bar's size
hint, and its own size hints (which the splitter reads).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QTabWidget


class SteadyTabs(QObject):
    """An event filter on `tabs` (install with `SteadyTabs.install(tabs)`)."""

    def __init__(self, tabs: QTabWidget) -> None:
        super().__init__(tabs)
        self._tabs = tabs
        self._last: tuple[Any, ...] | None = None
        #: layout requests let through / answered as already done (for tests)
        self.passed = 0
        self.skipped = 0

    @classmethod
    def install(cls, tabs: QTabWidget) -> SteadyTabs:
        guard = cls(tabs)
        tabs.installEventFilter(guard)
        return guard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self._tabs or event.type() != QEvent.Type.LayoutRequest:
            return False
        tabs = self._tabs
        state = (
            tabs.size(),
            tabs.tabBar().sizeHint(),
            tabs.sizeHint(),
            tabs.minimumSizeHint(),
            tabs.count(),
        )
        if tabs.isVisible() and state == self._last:
            self.skipped += 1
            return True  # the same geometry would come out: nothing to lay out or repaint
        self._last = state
        self.passed += 1
        return False
