"""Alerts, most severe first: icon + signal word + colour, never colour alone.

Each alert is a card whose header (a keyboard-focusable button) expands to the detail,
what to do, and the sources (title, grade, link). Only critical alerts ever interrupt,
and only at printing (see dialogs.AcknowledgeDialog); here every card is passive.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from baclofen_cds.ui import style
from baclofen_cds.ui.labels import WrapLabel


def sorted_alerts(alerts: Any) -> list[Any]:
    """Most severe first; the engine's order is kept within a tier."""
    from baclofen_cds.logic.result import INDICATOR_ORDER

    return sorted(alerts, key=lambda a: INDICATOR_ORDER.get(a.indicator, len(INDICATOR_ORDER)))


def sources_html(recommendation: Any, source_ids: Any) -> str:
    from html import escape  # on use: not needed to show the window

    items = []
    for sid in source_ids:
        try:
            ref = recommendation.source(sid)
        except KeyError:
            items.append(f"<li>{escape(str(sid))} (not in the source register)</li>")
            continue
        title = escape(str(ref.title))
        url = str(ref.url)
        link = (
            f' — <a href="{escape(url, quote=True)}">{escape(url)}</a>'
            if url.startswith(("https://", "http://"))
            else ""
        )
        items.append(f"<li>[{escape(sid)}] {title} (grade {escape(str(ref.grade))}){link}</li>")
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>No source cited.</p>"


#: The keyboard focus ring of a card's header.
FOCUS_RING = "#1a56b0"


#: Cards of alerts that went away, kept hidden for when they come back (typing in a field
#: moves between the same few results).
SPARE_CARDS = 24
#: Spare cards of each severity made ready at start-up (AlertsView.warm_up).
WARM_CARDS = 3


def members_text(alert: Any) -> str:
    """'Because of: oxycodone, alprazolam (entered as Xanax), epilepsy' from a hazard
    alert's members, or ''. Each member's detail is in the expanded card."""
    parts = []
    for m in getattr(alert, "members", None) or ():
        name = str(_get(m, "name") or "").strip()
        entered = [str(e) for e in (_get(m, "entered_as") or ()) if str(e) != name]
        if name:
            parts.append(f"{name} (entered as {', '.join(entered)})" if entered else name)
    return "Because of: " + ", ".join(parts) if parts else ""


def members_html(alert: Any) -> str:
    from html import escape  # on use: not needed to show the window

    items = []
    for m in getattr(alert, "members", None) or ():
        name, detail = str(_get(m, "name") or ""), str(_get(m, "detail") or "")
        if name:
            items.append(f"<li><b>{escape(name)}</b>" + (f": {escape(detail)}" if detail else ""))
    return "<p><b>Each contributor:</b></p><ul>" + "".join(items) + "</ul>" if items else ""


#: A "check this value" alert: the clinician can confirm the value it names.
IMPLAUSIBLE_PREFIX = "input.implausible"


def checkable_fields(alert: Any) -> tuple[str, ...]:
    """The case fields a "check this value" alert names (what `confirmed` can list)."""
    if not str(alert.id).startswith(IMPLAUSIBLE_PREFIX):
        return ()
    from baclofen_cds.logic.case import CONFIRMABLE

    return tuple(f for f in alert.triggered_by if f in CONFIRMABLE)


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


class AlertCard(QFrame):
    """One alert: a header button that expands to its detail, action and sources."""

    toggled = Signal(bool)
    #: the clinician checked the value(s) this "check this value" alert names
    value_checked = Signal(tuple)

    def __init__(self, alert: Any, recommendation: Any, acknowledgement: Any = None) -> None:
        super().__init__()
        self.alert = alert
        self.recommendation = recommendation
        tone = style.SEVERITY.get(alert.indicator, style.SEVERITY["info"])
        self.tone = tone
        self.setObjectName(f"alert_{alert.id}")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setProperty("severity", alert.indicator)
        # The severity's colours are painted (paintEvent) and set by palette: a style sheet
        # made each card's appearance and layout several times slower while typing.
        self._fill, self._border = QColor(tone.background), QColor(tone.border)
        self._focus_ring = QColor(FOCUS_RING)
        # The header is a small toggle (icon) and the title beside it wraps: a long summary
        # never makes the card wider than the panel.
        self.header = QToolButton(self)
        self.header.setObjectName("alert_header")
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.header.setIcon(style.icon(tone.icon))
        self.header.setCheckable(True)
        self.header.setAutoRaise(True)
        self.header.setAccessibleDescription("Press Space to show or hide the detail.")
        self.header.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.title = WrapLabel(self)
        self.title.setObjectName("alert_title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setFont(style.scaled_font(self, 1.0, bold=True))
        self.title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(1)
        self.members = WrapLabel(self)
        self.members.setObjectName("alert_members")
        self.members.setTextFormat(Qt.TextFormat.PlainText)
        self.members.hide()

        self.ack_label = WrapLabel(self)
        self.ack_label.setObjectName("alert_acknowledgement")
        self.detail = WrapLabel(self)
        self.detail.setObjectName("alert_detail")
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setOpenExternalLinks(True)
        self.detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.detail.hide()
        self.confirm_button = QPushButton("I have checked this value", self)
        self.confirm_button.setObjectName("alert_confirm")
        self.confirm_button.setAccessibleDescription(
            "The value is correct as entered: the dose is shown for it."
        )
        self.confirm_button.hide()
        self.confirm_button.clicked.connect(self._on_confirm)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.header, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.members)
        layout.addWidget(self.ack_label)
        layout.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.detail)
        self.header.toggled.connect(self._on_toggled)
        self.header.installEventFilter(self)
        text = QColor(tone.foreground)
        for label in (self.title, self.members, self.ack_label, self.detail):
            palette = label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, text)
            palette.setColor(QPalette.ColorRole.Text, text)
            label.setPalette(palette)
        self.update_alert(alert, recommendation, acknowledgement)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if watched is self.header and event.type() in (
            QEvent.Type.FocusIn,
            QEvent.Type.FocusOut,
        ):
            self.update()  # the focus ring around the header
        return False

    def paintEvent(self, event: Any) -> None:
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self._border, 2))
        painter.setBrush(self._fill)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 4, 4)
        if self.header.hasFocus():
            painter.setPen(QPen(self._focus_ring, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.header.geometry()).adjusted(-1, -1, 1, 1))
        painter.end()

    def retarget(self, alert: Any) -> None:
        """Become the card of another alert of the same severity (collapsed)."""
        self.setObjectName(f"alert_{alert.id}")
        self.alert = alert
        if self.header.isChecked():
            self.header.setChecked(False)

    def mouseReleaseEvent(self, event: Any) -> None:
        """A click anywhere on the card's title toggles its detail, like the header button."""
        if self.title.geometry().contains(event.position().toPoint()):
            self.header.toggle()
        super().mouseReleaseEvent(event)

    def update_alert(self, alert: Any, recommendation: Any, acknowledgement: Any = None) -> None:
        """Show this (same id, same severity) alert's current wording."""
        tone = self.tone
        self.alert = alert
        self.recommendation = recommendation
        header = f"{tone.symbol} {tone.word}: {alert.summary}"
        if self.title.text() != header:
            self.title.setText(header)
            self.header.setAccessibleName(f"{tone.word}: {alert.summary}")
        members = members_text(alert)
        if self.members.text() != members:
            self.members.setText(members)
            self.members.setVisible(bool(members))
        fields = checkable_fields(alert)
        if self.confirm_button.isHidden() == bool(fields):
            self.confirm_button.setVisible(bool(fields))
        if self.expanded:  # the detail is laid out only when it is shown
            self._fill_detail()
        self.set_acknowledgement(acknowledgement)

    def _on_confirm(self) -> None:
        fields = checkable_fields(self.alert)
        if fields:
            self.value_checked.emit(fields)

    def _fill_detail(self) -> None:
        detail = self._detail_html(self.recommendation)
        if self.detail.text() != detail:
            self.detail.setText(detail)

    def _detail_html(self, recommendation: Any) -> str:
        from html import escape  # on use: not needed to show the window

        a = self.alert
        marks = f" <i>({escape(a.evidence)})</i>" if a.evidence else ""
        triggered = ", ".join(escape(str(t)) for t in a.triggered_by)
        basis = str(getattr(a, "tier_basis", "") or "")
        return (
            # a hazard card's detail has one line per contributor: keep the lines
            f"<p><b>Why:</b> {escape(a.detail).replace(chr(10), '<br>')}{marks}</p>"
            f"<p><b>What to do:</b> {escape(a.action)}</p>"
            + members_html(a)
            + (f"<p><b>Triggered by:</b> {triggered}</p>" if triggered else "")
            + (f"<p><b>Severity based on:</b> {escape(basis)}</p>" if basis else "")
            + "<p><b>Sources:</b></p>"
            + sources_html(recommendation, a.sources)
        )

    def set_acknowledgement(self, ack: Any) -> None:
        if ack is None:
            needs = self.alert.indicator == "critical"
            text = "Needs acknowledgement before printing." if needs else ""
        else:
            comment = f" — {ack.comment}" if ack.comment else ""
            text = f"Acknowledged: {ack.reason_text}{comment}"
        if self.ack_label.text() != text:
            self.ack_label.setText(text)
        self.ack_label.setVisible(bool(text))

    @property
    def expanded(self) -> bool:
        return self.header.isChecked()

    def set_expanded(self, on: bool) -> None:
        self.header.setChecked(on)

    def _on_toggled(self, on: bool) -> None:
        if on:
            self._fill_detail()
        self.detail.setVisible(on)
        self.toggled.emit(on)


class AlertsView(QWidget):
    """The alert cards (object name `alerts`): critical ones in `strip`, which the panel pins
    under the status banner; warnings and info in this widget, further down."""

    #: a "check this value" card's button: the case fields the clinician has checked
    value_checked = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alerts")
        self.setAccessibleName("Alerts")
        self.summary = WrapLabel("No alerts.", self)
        self.summary.setObjectName("alerts_summary")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.summary)
        self.strip = QFrame()
        self.strip.setObjectName("critical_strip")
        self.strip.setAccessibleName("Critical alerts")
        self._strip_layout = QVBoxLayout(self.strip)
        self._strip_layout.setContentsMargins(0, 0, 0, 0)
        self._strip_layout.setSpacing(4)
        self.strip.hide()
        self._cards: list[AlertCard] = []
        self._spare: dict[tuple[str, str], AlertCard] = {}

    def cards(self) -> list[AlertCard]:
        return list(self._cards)

    def critical_cards(self) -> list[AlertCard]:
        return [c for c in self._cards if c.alert.indicator == "critical"]

    def card(self, alert_id: str) -> AlertCard:
        for card in self._cards:
            if card.alert.id == alert_id:
                return card
        raise KeyError(alert_id)

    def set_alerts(self, recommendation: Any | None, acknowledgements: Any = None) -> None:
        """Most severe first. Cards are kept by alert id (only their wording is updated),
        so typing in a field does not rebuild the list."""
        acks = acknowledgements or {}
        alerts = sorted_alerts(recommendation.alerts) if recommendation is not None else []
        existing = {(c.alert.id, c.alert.indicator): c for c in self._cards}
        cards: list[AlertCard] = []
        for alert in alerts:
            key = (alert.id, alert.indicator)
            # a card that went away a keystroke ago comes back as it was (no rebuild)
            card = existing.pop(key, None) or self._spare.pop(key, None)
            if card is None:  # a spare card of the same severity, already styled
                other = next((k for k in self._spare if k[1] == alert.indicator), None)
                if other is not None:
                    card = self._spare.pop(other)
                    card.retarget(alert)
            if card is not None:
                card.update_alert(alert, recommendation, acks.get(alert.id))
            else:
                card = AlertCard(alert, recommendation, acks.get(alert.id))
                card.value_checked.connect(self.value_checked)
            cards.append(card)
        for key, card in existing.items():
            card.hide()  # at once, and kept for when the alert comes back
            self._spare[key] = card
        if len(self._spare) > SPARE_CARDS:
            for key in list(self._spare)[: len(self._spare) - SPARE_CARDS]:
                old = self._spare.pop(key)
                old.setParent(None)
                old.deleteLater()
        if [c.alert.id for c in cards] != [c.alert.id for c in self._cards]:
            for card in cards:
                layout = self._strip_layout if card.alert.indicator == "critical" else self._layout
                layout.removeWidget(card)
                layout.addWidget(card)
        for card in cards:
            if card.isHidden():
                card.show()
        self._cards = cards
        critical = sum(c.alert.indicator == "critical" for c in cards)
        if self.strip.isHidden() == bool(critical):
            self.strip.setVisible(bool(critical))
        if recommendation is None:
            text = "No alerts: the case is incomplete."
        elif alerts:
            counts = {k: sum(a.indicator == k for a in alerts) for k in style.SEVERITY}
            words = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
            text = f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}: {words}"
            if critical:
                text += " (the critical ones are at the top)"
        else:
            text = "No alerts."
        if self.summary.text() != text:
            self.summary.setText(text)

    def warm_up(self, per_severity: int = WARM_CARDS) -> None:
        """Build, style and paint a few spare cards of each severity, where real cards go, so
        that an alert appearing while typing takes a ready card (retargeted) instead of paying
        for Qt's first-time work (widgets, style sheet, fonts, glyphs). Call it when idle."""
        from types import SimpleNamespace

        from PySide6.QtGui import QImage

        for key in style.SEVERITY:
            for i in range(per_severity):
                alert = SimpleNamespace(
                    id=f"spare.{key}.{i}",
                    indicator=key,
                    summary="",
                    detail="",
                    action="",
                    evidence="",
                    triggered_by=(),
                    sources=(),
                    members=(),
                    tier_basis="",
                )
                card = AlertCard(alert, None)
                card.value_checked.connect(self.value_checked)
                card.hide()
                (self._strip_layout if key == "critical" else self._layout).addWidget(card)
                card.ensurePolished()
                card.adjustSize()
                image = QImage(card.size(), QImage.Format.Format_ARGB32_Premultiplied)
                card.render(image)
                self._spare[(alert.id, key)] = card

    def set_acknowledgements(self, acknowledgements: Any) -> None:
        for card in self._cards:
            card.set_acknowledgement(acknowledgements.get(card.alert.id))
