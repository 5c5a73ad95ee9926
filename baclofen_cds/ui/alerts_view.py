"""Alerts, most severe first: icon + signal word + colour, never colour alone.

Each alert is a card whose header (a keyboard-focusable button) expands to the detail,
what to do, and the sources (title, grade, link). Only critical alerts ever interrupt,
and only at printing (see dialogs.AcknowledgeDialog); here every card is passive.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from baclofen_cds.ui import style


def sorted_alerts(alerts: Any) -> list[Any]:
    """Most severe first; the engine's order is kept within a tier."""
    from baclofen_cds.logic.result import INDICATOR_ORDER

    return sorted(alerts, key=lambda a: INDICATOR_ORDER.get(a.indicator, len(INDICATOR_ORDER)))


def sources_html(recommendation: Any, source_ids: Any) -> str:
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


def alerts_css() -> str:
    """One style sheet for every card, by severity (icon and signal word carry it too)."""
    parts = []
    for key, tone in style.SEVERITY.items():
        sel = f'AlertCard[severity="{key}"]'
        parts.append(
            f"{sel} {{ background: {tone.background}; border: 2px solid {tone.border};"
            f" border-radius: 4px; }}"
            f" {sel} QLabel {{ color: {tone.foreground}; }}"
            f" {sel} QToolButton {{ color: {tone.foreground}; text-align: left; border: none; }}"
        )
    parts.append("AlertCard QToolButton:focus { border: 2px solid #1a56b0; }")
    return "\n".join(parts)


class AlertCard(QFrame):
    """One alert: a header button that expands to its detail, action and sources."""

    toggled = Signal(bool)

    def __init__(self, alert: Any, recommendation: Any, acknowledgement: Any = None) -> None:
        super().__init__()
        self.alert = alert
        self.recommendation = recommendation
        tone = style.SEVERITY.get(alert.indicator, style.SEVERITY["info"])
        self.tone = tone
        self.setObjectName(f"alert_{alert.id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setProperty("severity", alert.indicator)  # styled by AlertsView's one style sheet
        self.header = QToolButton(self)
        self.header.setObjectName("alert_header")
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setIcon(style.icon(tone.icon))
        self.header.setCheckable(True)
        self.header.setAutoRaise(True)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.header.setFont(style.scaled_font(self, 1.0, bold=True))
        self.header.setAccessibleDescription("Press Space to show or hide the detail.")
        self.header.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.ack_label = QLabel(self)
        self.ack_label.setObjectName("alert_acknowledgement")
        self.ack_label.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setObjectName("alert_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setOpenExternalLinks(True)
        self.detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.detail.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.ack_label)
        layout.addWidget(self.detail)
        self.header.toggled.connect(self._on_toggled)
        self.update_alert(alert, recommendation, acknowledgement)

    def update_alert(self, alert: Any, recommendation: Any, acknowledgement: Any = None) -> None:
        """Show this (same id, same severity) alert's current wording."""
        tone = self.tone
        self.alert = alert
        self.recommendation = recommendation
        header = f"{tone.symbol} {tone.word}: {alert.summary}"
        if self.header.text() != header:
            self.header.setText(header)
            self.header.setAccessibleName(f"{tone.word}: {alert.summary}")
        if self.expanded:  # the detail is laid out only when it is shown
            self._fill_detail()
        self.set_acknowledgement(acknowledgement)

    def _fill_detail(self) -> None:
        detail = self._detail_html(self.recommendation)
        if self.detail.text() != detail:
            self.detail.setText(detail)

    def _detail_html(self, recommendation: Any) -> str:
        a = self.alert
        marks = f" <i>({escape(a.evidence)})</i>" if a.evidence else ""
        triggered = ", ".join(escape(str(t)) for t in a.triggered_by)
        return (
            # a hazard card's detail has one line per contributor: keep the lines
            f"<p><b>Why:</b> {escape(a.detail).replace(chr(10), '<br>')}{marks}</p>"
            f"<p><b>What to do:</b> {escape(a.action)}</p>"
            + (f"<p><b>Triggered by:</b> {triggered}</p>" if triggered else "")
            + "<p><b>Sources:</b></p>"
            + sources_html(recommendation, a.sources)
        )

    def set_acknowledgement(self, ack: Any) -> None:
        if ack is None:
            needs = self.alert.indicator == "critical"
            self.ack_label.setText("Needs acknowledgement before printing." if needs else "")
            self.ack_label.setVisible(needs)
        else:
            comment = f" — {ack.comment}" if ack.comment else ""
            self.ack_label.setText(f"Acknowledged: {ack.reason_text}{comment}")
            self.ack_label.show()

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
    """The list of alert cards (object name `alerts`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alerts")
        self.setAccessibleName("Alerts")
        self.summary = QLabel("No alerts.", self)
        self.summary.setObjectName("alerts_summary")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.summary)
        self._cards: list[AlertCard] = []
        self.setStyleSheet(alerts_css())

    def cards(self) -> list[AlertCard]:
        return list(self._cards)

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
        existing = {c.alert.id: c for c in self._cards}
        cards: list[AlertCard] = []
        for alert in alerts:
            card = existing.pop(alert.id, None)
            if card is not None and card.alert.indicator == alert.indicator:
                card.update_alert(alert, recommendation, acks.get(alert.id))
            else:
                if card is not None:
                    existing[alert.id + "\0replaced"] = card
                card = AlertCard(alert, recommendation, acks.get(alert.id))
            cards.append(card)
        for card in existing.values():
            self._layout.removeWidget(card)
            card.hide()  # at once: deleteLater waits for the event loop
            card.deleteLater()
        if [c.alert.id for c in cards] != [c.alert.id for c in self._cards]:
            for card in cards:
                self._layout.removeWidget(card)
            for card in cards:
                self._layout.addWidget(card)
        self._cards = cards
        if recommendation is None:
            self.summary.setText("No alerts: the case is incomplete.")
            return
        counts = {k: sum(a.indicator == k for a in alerts) for k in style.SEVERITY}
        if alerts:
            words = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
            self.summary.setText(f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}: {words}")
        else:
            self.summary.setText("No alerts.")

    def set_acknowledgements(self, acknowledgements: Any) -> None:
        for card in self._cards:
            card.set_acknowledgement(acknowledgements.get(card.alert.id))
