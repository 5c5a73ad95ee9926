"""A visible focus ring on the focused control (ACC-3), in addition to the style's own mark.

The application's focus (`QApplication.focusChanged`) is followed, and a 2 px ring is drawn
on the edge of the focused line edit, combo box, spin box, date field, list, tree, table or
button, over the control's own frame (where a style sheet's `border` would be). The ring is a
child of the control, so it moves, scrolls and is clipped with it; it never takes the mouse
or the focus.

This replaces a window-wide style sheet (`...:focus { border: ... }`): a style sheet on the
window hands every widget to Qt's style-sheet style, which cost ~10 ms of start-up to polish
~300 widgets and slows their repaints; the ring costs nothing until the focus moves.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

#: The ring's colour: 7.0:1 against white, 6.1:1 against the window grey (WCAG AA).
RING_COLOUR = "#1a56b0"
RING_WIDTH = 2

#: The controls that get the ring (those the former style sheet named).
RINGED = (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QPushButton, QToolButton)


def ringed_control(widget: QWidget | None) -> QWidget | None:
    """The control the ring goes around when `widget` has the focus, or None.

    The line edit inside a combo box or a spin box takes the focus for its owner: the ring
    goes around the whole control."""
    if widget is None:
        return None
    owner = widget.parentWidget()
    if isinstance(widget, QLineEdit) and isinstance(owner, QComboBox | QAbstractSpinBox):
        return owner
    return widget if isinstance(widget, RINGED) else None


class FocusRing(QWidget):
    """The ring on one control: a transparent child that paints a 2 px border."""

    def __init__(self, control: QWidget) -> None:
        super().__init__(control)
        self.setObjectName("focus_ring")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.control = control
        self.setGeometry(control.rect())
        control.installEventFilter(self)
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.control and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.control.rect())
        return False

    def release(self) -> None:
        """Take the ring off its control (the control has lost the focus, or is going away:
        then Qt deletes the ring with it)."""
        if not shiboken6.isValid(self.control):
            return
        self.control.removeEventFilter(self)
        self.hide()
        self.deleteLater()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(QPen(QColor(RING_COLOUR), RING_WIDTH))
        half = RING_WIDTH // 2
        painter.drawRect(self.rect().adjusted(half, half, -half, -half))
        painter.end()


class FocusRingFollower(QObject):
    """Puts the ring on each newly focused control and takes it off the previous one."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("focus_ring_follower")
        self.ring: FocusRing | None = None
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        control = ringed_control(new)
        ring = self.ring
        if ring is not None and shiboken6.isValid(ring):
            if control is not None and ring.control is control:
                return
            ring.release()
        self.ring = FocusRing(control) if control is not None else None


_FOLLOWERS: dict[int, FocusRingFollower] = {}


def install_focus_ring() -> FocusRingFollower | None:
    """The application's focus-ring follower, installed once (None without a QApplication)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return None
    follower = _FOLLOWERS.get(id(app))
    if follower is None or not shiboken6.isValid(follower):
        follower = _FOLLOWERS[id(app)] = FocusRingFollower(app)
    return follower
