"""Colours, signal words and icons for status and severity, and the contrast rule.

Severity is never shown by colour alone: every tier has an icon, a signal word and a
colour, and every text/background pair here keeps a contrast of at least 4.5:1 (WCAG AA).
Sizes are relative to the application font, so the system font size is respected.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle, QWidget

MIN_CONTRAST = 4.5


class Tone(NamedTuple):
    word: str  # the signal word shown with the colour
    symbol: str  # a text symbol, so the tier reads without colour and without the icon
    foreground: str
    background: str
    border: str
    icon: QStyle.StandardPixmap


_CRITICAL = QStyle.StandardPixmap.SP_MessageBoxCritical
_WARNING = QStyle.StandardPixmap.SP_MessageBoxWarning
_INFO = QStyle.StandardPixmap.SP_MessageBoxInformation
_OK = QStyle.StandardPixmap.SP_DialogApplyButton

SEVERITY: dict[str, Tone] = {
    "critical": Tone("CRITICAL", "✖", "#7a0010", "#fde8ea", "#b00020", _CRITICAL),
    "warning": Tone("WARNING", "⚠", "#5c3b00", "#fff4d6", "#b36b00", _WARNING),
    "info": Tone("INFO", "ℹ", "#0b3c6e", "#e7f0fa", "#2a6ebb", _INFO),
}

STATUS: dict[str, Tone] = {
    "recommended": Tone("RECOMMENDED", "✔", "#0d4d1f", "#e3f4e8", "#1e7b3a", _OK),
    "use_with_caution": Tone("USE WITH CAUTION", "⚠", "#5c3b00", "#fff4d6", "#b36b00", _WARNING),
    "avoid": Tone("AVOID — SPECIALIST ONLY", "■", "#7a2e00", "#ffe9dc", "#c04a00", _WARNING),
    "contraindicated": Tone("CONTRAINDICATED", "✖", "#7a0010", "#fde8ea", "#b00020", _CRITICAL),
    "incomplete": Tone("INCOMPLETE", "…", "#2b2b2b", "#eeeeee", "#6b6b6b", _INFO),
    # "recommended" before the medicines and conditions are confirmed: never the green all-clear
    "unconfirmed": Tone("NOT YET CONFIRMED", "?", "#0b3c6e", "#e7f0fa", "#2a6ebb", _INFO),
}

ERROR_TEXT = "#a00018"  # field messages, on the window background
MUTED_TEXT = "#4a4a4a"


def _channel(c: int) -> float:
    v = c / 255.0
    return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


_ICONS: dict[QStyle.StandardPixmap, QIcon] = {}


def icon(pixmap: QStyle.StandardPixmap) -> QIcon:
    """The style's standard icon, made once (the style builds a new one on every call)."""
    found = _ICONS.get(pixmap)
    if found is None:
        found = _ICONS[pixmap] = QApplication.style().standardIcon(pixmap)
    return found


def scaled_font(widget: QWidget, factor: float, *, bold: bool = False) -> QFont:
    """The widget's font, scaled from the system size (never a fixed point size)."""
    font = QFont(widget.font())
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * factor)
    else:
        font.setPixelSize(max(1, round(font.pixelSize() * factor)))
    font.setBold(bold)
    return font
