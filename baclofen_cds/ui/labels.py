"""A word-wrapped label that remembers its size hints and its height at each width.

Qt asks a word-wrapped label for its height at a width many times in each layout pass (every
enclosing box layout asks, for its preferred and its minimum height, and showing a widget
lays out all its ancestors again), and it does not remember the answer: each question lays
the text out anew. After a keystroke the panels asked ~140 times; remembering the answers
per text and width took ~2 ms off each keystroke (issue 10, point 8). Its size hints are
remembered too: after each new text Qt lays it out five more times for them (~0.5 ms).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QMargins, QSize
from PySide6.QtWidgets import QLabel

#: Heights remembered per label: typing moves between a few texts; more is dropped oldest first.
REMEMBERED = 32

#: Events after which the remembered sizes are wrong (the style, the direction, or the screen's
#: pixel ratio, which moves text metrics by a pixel, changed). A font change switches to what is
#: remembered for that font.
_FORGET_ON = frozenset(
    {
        QEvent.Type.StyleChange,
        QEvent.Type.LayoutDirectionChange,
        QEvent.Type.DevicePixelRatioChange,
    }
)


class WrapLabel(QLabel):
    """A QLabel with word wrap on, its size hints per text and height per (text, width)
    remembered."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        # per font (a label may switch between two types, as the dose line does)
        self._by_font: dict[str, tuple[dict[Any, int], dict[Any, QSize]]] = {}
        self._heights: dict[Any, int] = {}
        self._hints: dict[Any, QSize] = {}
        self.setWordWrap(True)  # and the memory of the current font

    def heightForWidth(self, width: int) -> int:
        key = (self.text(), width)
        height = self._heights.get(key)
        if height is None:
            height = super().heightForWidth(width)
            if len(self._heights) >= REMEMBERED:
                del self._heights[next(iter(self._heights))]
            self._heights[key] = height
        return height

    def sizeHint(self) -> QSize:
        return self._hint(0)

    def minimumSizeHint(self) -> QSize:
        return self._hint(1)

    def _hint(self, which: int) -> QSize:
        """Qt's size hints of a wrapped label lay its text out five times (three widths)
        after each change of text; typing moves between a few texts."""
        key = (self.text(), which, self.maximumWidth())  # the preferred width is capped by it
        hint = self._hints.get(key)
        if hint is None:
            hint = super().sizeHint() if which == 0 else super().minimumSizeHint()
            if len(self._hints) >= REMEMBERED:
                del self._hints[next(iter(self._hints))]
            self._hints[key] = hint
        return QSize(hint)

    def forget_sizes(self) -> None:
        self._by_font.clear()
        self._font_changed()

    def _font_changed(self) -> None:
        memory = self._by_font.get(self.font().key())
        if memory is None:
            if len(self._by_font) >= 4:
                self._by_font.clear()
            memory = self._by_font[self.font().key()] = ({}, {})
        self._heights, self._hints = memory

    def changeEvent(self, event: QEvent) -> None:
        if "_by_font" not in self.__dict__:  # a change while QLabel itself is being made
            pass
        elif event.type() == QEvent.Type.FontChange:
            self._font_changed()
        elif event.type() in _FORGET_ON:
            self.forget_sizes()
        super().changeEvent(event)

    # What else changes the height of the same text at the same width.
    def setWordWrap(self, on: bool) -> None:
        self.forget_sizes()
        super().setWordWrap(on)

    def setTextFormat(self, text_format: Any) -> None:
        self.forget_sizes()
        super().setTextFormat(text_format)

    def setIndent(self, indent: int) -> None:
        self.forget_sizes()
        super().setIndent(indent)

    def setMargin(self, margin: int) -> None:
        self.forget_sizes()
        super().setMargin(margin)

    def setTextInteractionFlags(self, flags: Any) -> None:
        self.forget_sizes()  # a selectable label lays its text out as a document
        super().setTextInteractionFlags(flags)

    def setContentsMargins(self, *args: Any) -> None:
        self.forget_sizes()
        if len(args) == 1 and isinstance(args[0], QMargins):
            super().setContentsMargins(args[0])
        else:
            super().setContentsMargins(*args)
