"""The recommendation side: status, kidneys, start regimen, tables, alerts, monitoring.

Everything shown here is read from the engine's `Recommendation`; when the case is
incomplete the panel says what is missing and shows no dose at all.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from baclofen_cds.ui import style
from baclofen_cds.ui.alerts_view import AlertsView
from baclofen_cds.ui.engine import Assessment, choice_interval_limits
from baclofen_cds.ui.labels import WrapLabel
from baclofen_cds.ui.models import (
    MonitoringTableModel,
    TaperTableModel,
    TitrationTableModel,
    mg,
    times_a_day,
    two_lines,
)

WEIGHT_WORDS = {
    "total": "total body weight",
    "ideal": "ideal body weight",
    "adjusted": "adjusted body weight",
}


def _num(value: float) -> str:
    return f"{round(value, 1):g}"


def renal_text(renal: Any) -> str:
    """CrCl and eGFR with units, the band, which estimate drives it, which weight was used."""
    lines = []
    labels = {}
    for est in renal.estimates:
        labels[est.method] = est.label
        line = f"{est.label}: {_num(est.value)} {est.unit}"
        if est.method == "cockcroft_gault" and renal.weight_used:
            words = WEIGHT_WORDS.get(renal.weight_used, f"{renal.weight_used} weight")
            kg = f" {_num(renal.weight_used_kg)} kg" if renal.weight_used_kg is not None else ""
            line += f" (using {words}{kg})"
        lines.append(line)
    if not lines:
        lines.append("No kidney function entered: no creatinine, CrCl or eGFR.")
    band = str(renal.band).replace("_", " ")
    driver = renal.driven_by
    if driver:
        lines.append(f"Band: {band} — set by {labels.get(driver, str(driver).replace('_', ' '))}")
    else:
        lines.append(f"Band: {band}")
    return "\n".join(lines)


def _set_text(label: QLabel, text: str) -> None:
    """Set a label only when its text changes (no relayout on every keystroke)."""
    if label.text() != text:
        label.setText(text)


def unconfirmed_text(unconfirmed: tuple[str, ...]) -> str:
    """'Other medicines and conditions not yet confirmed: …' or ''."""
    if not unconfirmed:
        return ""
    what = " and ".join(unconfirmed)
    ticks = {
        "other medicines": "“No other medicines”",
        "conditions": "“None of these conditions”",
    }
    how = " / ".join(ticks[u] for u in unconfirmed if u in ticks)
    return f"{what[0].upper()}{what[1:]} not yet confirmed: enter them or tick {how}."


def banner(rec: Any, unconfirmed: tuple[str, ...] = ()) -> tuple[style.Tone, str]:
    """The status banner: tone and text. Never the green all-clear while the medicines or
    conditions are unconfirmed (nothing entered may mean nothing asked)."""
    tone = style.STATUS.get(rec.status, style.STATUS["use_with_caution"])
    reason = f" — {rec.status_reason}" if rec.status_reason else ""
    text = f"{tone.symbol} {tone.word}{reason}"
    critical = [a for a in rec.alerts if a.indicator == "critical"]
    if critical and "critical" not in rec.status_reason.casefold():
        # The engine's reason names the most severe alert and the count (contract, issue 9);
        # until it does, the banner says it itself.
        sev = style.SEVERITY["critical"]
        n = len(critical)
        first = critical[0].summary.rstrip(". ")
        text += (
            f"\n{sev.symbol} {n} CRITICAL alert{'s' if n != 1 else ''} shown below;"
            f" most severe: {first}."
        )
    if unconfirmed:
        if rec.status == "recommended":
            tone = style.STATUS["unconfirmed"]
            text = (
                f"{tone.symbol} {tone.word} — no rule raises a concern for what was entered,"
                " but the check is not complete."
            )
        text += "\n" + unconfirmed_text(unconfirmed)
    return tone, text


class BannerFrame(QWidget):
    """The status banner's frame: the tone's background and border, painted directly."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colours = (QColor("#ffffff"), QColor("#000000"))

    def set_tone(self, tone: style.Tone) -> None:
        self._colours = (QColor(tone.background), QColor(tone.border))
        self.update()

    def paintEvent(self, event: Any) -> None:
        del event
        background, border = self._colours
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(border, 2))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 4, 4)
        painter.end()


class FitTable(QTableView):
    """A table as tall as its rows and never wider than its place: no scroll bars of its own.

    Columns take their natural width when they fit; otherwise the widest are narrowed to a
    fair share and their text wraps. Widths are measured again only when the longest text
    of a column changes (`width_key`) or the table's width does: measuring every cell on each
    keystroke doubled the update time.
    """

    def __init__(self, model: Any) -> None:
        super().__init__()
        self.setModel(model)
        self._model = model
        self._natural: list[int] = []
        self._least: list[int] = []
        self._key: tuple[int, ...] | None = None
        self._width = -1
        self._layouts: dict[Any, tuple[list[int], list[int]]] = {}
        self._natural_by_rows: dict[tuple[Any, ...], list[int]] = {}
        self._header_heights: dict[frozenset[int], int] = {}
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        model.modelReset.connect(self.refit)

    def refit(self) -> None:
        rows = self._model.rows()
        natural = self._natural_by_rows.get(rows)
        if natural is None:  # typing moves between a few results: each is measured once
            key = self._model.width_key()
            if key != self._key or not self._natural:
                self._key = key
                self._natural = self._natural_widths()
            if len(self._natural_by_rows) >= 32:
                self._natural_by_rows.clear()
            self._natural_by_rows[rows] = self._natural
        else:
            self._natural = natural
        self._lay_out()

    def _natural_widths(self) -> list[int]:
        """Each column's width without wrapping: its header, or its longest cell on one line.
        (resizeColumnsToContents measures only the rows in sight.) The narrowest each
        column may be is its longest word, of the header or a cell (`_least`)."""
        fm = self.fontMetrics()
        pad = self._pad()
        table = self._model.as_text()
        out, least = [], []
        for col in range(self._model.columnCount()):
            cells = max((fm.horizontalAdvance(r[col]) for r in table[1:]), default=0)
            header = fm.horizontalAdvance(table[0][col]) + pad + 6
            out.append(max(header, cells + pad))
            words = [w for r in table[1:] for w in r[col].split()]
            words += two_lines(table[0][col]).split("\n")  # a header takes two lines at most
            # the view's own text margin (the focus frame's + 1, each side), not the roomy pad
            margin = 2 * (
                self.style().pixelMetric(self.style().PixelMetric.PM_FocusFrameHMargin) + 1
            )
            least.append(max((fm.horizontalAdvance(w) for w in words), default=0) + margin)
        self._least = least
        return out

    def _pad(self) -> int:
        return 2 * self.style().pixelMetric(self.style().PixelMetric.PM_FocusFrameHMargin) + 10

    def _lay_out(self) -> None:
        available = max(1, self.width() - 2 * self.frameWidth())
        self._width = self.width()
        key = (self._model.rows(), available)
        cached = self._layouts.get(key)
        if cached is not None:  # the same rows at the same width: no measuring
            widths, heights = cached
            for col, width in enumerate(widths):
                if self.columnWidth(col) != width:
                    self.setColumnWidth(col, width)
            for row, h in enumerate(heights):
                if self.rowHeight(row) != h:
                    self.setRowHeight(row, h)
            self._fix_height()
            return
        widths = list(self._natural)
        wrapped = sum(widths) > available
        if wrapped:
            # each column at least its longest word (no word is cut), then water-filling of
            # the rest: columns needing little more get it, the wide ones share what is left
            least = [min(n, w) for n, w in zip(self._natural, self._least, strict=True)]
            if sum(least) > available:  # too narrow even for that: each its share
                least = [m * available // sum(least) for m in least]
            widths = list(least)
            left, remaining = len(widths), available - sum(least)
            need = [n - m for n, m in zip(self._natural, least, strict=True)]
            for col in sorted(range(len(widths)), key=lambda c: need[c]):
                extra = min(need[col], remaining // max(1, left))
                widths[col] += extra
                remaining -= extra
                left -= 1
        # a header wider than its column is shown on two lines, never cut
        fm = self.fontMetrics()
        pad = self._pad() + 6
        headers = [
            str(self._model.headerData(c, Qt.Orientation.Horizontal) or "")
            for c in range(len(widths))
        ]
        self._model.set_wrapped_headers(
            frozenset(
                c
                for c, w in enumerate(widths)
                if fm.horizontalAdvance(headers[c].replace("\n", " ")) + pad > w
            )
        )
        for col, width in enumerate(widths):
            self.setColumnWidth(col, width)
        if wrapped:
            self.resizeRowsToContents()
        else:
            size = self.verticalHeader().defaultSectionSize()
            for row in range(self._model.rowCount()):
                if self.rowHeight(row) != size:
                    self.setRowHeight(row, size)
        heights = [self.rowHeight(r) for r in range(self._model.rowCount())]
        if len(self._layouts) > 32:
            self._layouts.clear()
        self._layouts[key] = (widths, heights)
        self._fix_height()

    def _fix_height(self) -> None:
        rows = sum(self.rowHeight(r) for r in range(self._model.rowCount()))
        height = self._header_height() + rows + 2 * self.frameWidth()
        if self.height() != height:
            self.setFixedHeight(height)

    def _header_height(self) -> int:
        """The header's height: measured again only when its headers change lines (asking the
        header measured every section's text, twice per table on each keystroke)."""
        key = self._model.wrapped_headers()
        height = self._header_heights.get(key)
        if height is None:
            height = self._header_heights[key] = self.horizontalHeader().sizeHint().height()
        return height

    def changeEvent(self, event: Any) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._header_heights.clear()
        super().changeEvent(event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        # the table's own width: a scroll area also passes its viewport's resizes here, and the
        # viewport is narrower by the frame (that re-laid every table out once more per change)
        if self.width() != self._width and self._natural:
            self._lay_out()


def _table(name: str, label: str, model: Any) -> QTableView:
    view = FitTable(model)
    view.setObjectName(name)
    view.setAccessibleName(label)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves the table: keyboard users are not trapped
    view.setWordWrap(True)
    view.verticalHeader().setVisible(False)
    view.refit()  # the empty table: columns as wide as their headers
    return view


def _basis_button(output: str, label: str) -> QPushButton:
    button = QPushButton("Basis…")
    button.setObjectName(f"basis_{output.replace('.', '_')}")
    button.setAccessibleName(f"Basis of the {label}")
    button.setProperty("basis_output", output)
    return button


class _Withheld:
    """What the window shows when an engine without `regimen_withheld` says "avoid"."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.alert_ids: tuple[str, ...] = ()
        self.override_allowed = False
        self.override_reasons: tuple[Any, ...] = ()


def withheld_and_regimen(rec: Any) -> tuple[Any, Any]:
    """(regimen_withheld or None, the regimen to show or None).

    "Avoid" is a stop: no dose is shown unless the engine applied a documented override.
    """
    withheld = getattr(rec, "regimen_withheld", None)
    override = getattr(rec, "override", None)
    if withheld is None and rec.status == "avoid" and override is None:
        withheld = _Withheld(rec.status_reason)  # an engine from before the override contract
    if withheld is not None and not (override is not None and getattr(override, "applied", True)):
        return withheld, None
    return withheld, rec.regimen


def taper_from_text(rec: Any) -> str:
    """Where the taper starts, from the engine's basis of the taper: the dose the patient
    already takes, or the top of the titration ('' when there is no taper)."""
    if not rec.taper:
        return ""
    entry = next((b for b in rec.basis if b.output == "taper"), None)
    if entry is None:
        return ""
    inputs = dict(entry.inputs)
    start = inputs.get("from_daily_mg")
    if start is None:
        return ""
    if inputs.get("current_daily_mg") is not None:
        return f"From the dose taken now, {mg(start)} a day, in steps down:"
    return f"From the top of the titration, {mg(start)} a day, in steps down:"


def override_text(override: Any) -> str:
    label = getattr(override, "label", "") or getattr(override, "reason", "")
    note = f": {override.note}" if getattr(override, "note", "") else ""
    return (
        f"UNDER SPECIALIST OVERRIDE — {label} ({override.clinician}){note}."
        " The dose below is shown only because of this override."
    )


class RecommendationPanel(QWidget):
    basis_requested = Signal(str)
    regimen_choice_changed = Signal()
    override_requested = Signal()
    override_withdrawn = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recommendation_panel")
        self.status_banner = WrapLabel(self)
        self.status_banner.setObjectName("status_banner")
        self.status_banner.setFont(style.scaled_font(self, 1.2, bold=True))
        self.status_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_icon = QLabel(self)
        self.status_icon.setObjectName("status_icon")

        self.renal_summary = WrapLabel(self)
        self.renal_summary.setObjectName("renal_summary")
        self.start_regimen = WrapLabel(self)
        self.start_regimen.setObjectName("start_regimen")
        self.start_regimen.setFont(style.scaled_font(self, 1.6, bold=True))
        self.start_amount = WrapLabel(self)
        self.start_amount.setObjectName("start_amount")
        self.max_daily = WrapLabel(self)
        self.max_daily.setObjectName("max_daily")
        self.max_daily.setFont(style.scaled_font(self, 1.1, bold=True))
        for label in (
            self.status_banner,
            self.renal_summary,
            self.start_regimen,
            self.start_amount,
            self.max_daily,
        ):
            label.setTextFormat(Qt.TextFormat.PlainText)

        self.override_label = WrapLabel(self)
        self.override_label.setObjectName("override_label")
        self.override_label.setTextFormat(Qt.TextFormat.PlainText)
        self.override_label.setFont(style.scaled_font(self, 1.0, bold=True))
        avoid = style.STATUS["avoid"]
        self.override_label.setStyleSheet(
            f"color: {avoid.foreground}; background: {avoid.background};"
            f" border: 2px solid {avoid.border}; padding: 4px;"
        )
        self.override_label.hide()
        self.override_button = QPushButton("Proceed under specialist o&verride…", self)
        self.override_button.setObjectName("override_button")
        self.override_button.setAccessibleName("Proceed under specialist override")
        self.override_button.hide()
        self.override_button.clicked.connect(self.override_requested)
        self.override_withdraw = QPushButton("Withdraw override", self)
        self.override_withdraw.setObjectName("override_withdraw")
        self.override_withdraw.setAccessibleName("Withdraw the specialist override")
        self.override_withdraw.hide()
        self.override_withdraw.clicked.connect(self.override_withdrawn)
        self.shown_regimen: Any = None

        self.regimen_target = QDoubleSpinBox(self)
        self.regimen_target.setObjectName("regimen_target")
        self.regimen_target.setAccessibleName("Chosen target daily dose in mg")
        self.regimen_target.setSpecialValueText("as suggested")
        self.regimen_target.setSuffix(" mg a day")
        self.regimen_target.setDecimals(1)
        self.regimen_target.setKeyboardTracking(False)
        self.regimen_interval = QSpinBox(self)
        self.regimen_interval.setObjectName("regimen_interval")
        self.regimen_interval.setAccessibleName("Chosen days between titration steps")
        self.regimen_interval.setKeyboardTracking(False)
        self.regimen_interval.setSpecialValueText("as suggested")  # until a regimen is known
        self.regimen_reset = QPushButton("Use suggested", self)
        self.regimen_reset.setObjectName("regimen_reset")
        self.regimen_reset.setAccessibleName("Use the suggested regimen")
        self.regimen_target.setEnabled(False)
        self.regimen_interval.setEnabled(False)

        self.titration_model = TitrationTableModel(self)
        self.taper_model = TaperTableModel(self)
        self.monitoring_model = MonitoringTableModel(self)
        self.titration_table = _table("titration_table", "Titration schedule", self.titration_model)
        self.taper_table = _table("taper_table", "Taper plan", self.taper_model)
        self.monitoring_table = _table(
            "monitoring_table", "Monitoring schedule", self.monitoring_model
        )
        self.alerts = AlertsView(self)
        self.taper_from = WrapLabel(self)
        self.taper_from.setObjectName("taper_from")
        self.taper_from.setTextFormat(Qt.TextFormat.PlainText)
        self.taper_from.hide()
        self.missed_dose = WrapLabel(self)
        self.missed_dose.setObjectName("missed_dose")

        self.basis_buttons = {
            "renal": _basis_button("renal", "kidney summary"),
            "regimen.start": _basis_button("regimen.start", "start regimen"),
            "regimen.max_daily_mg": _basis_button("regimen.max_daily_mg", "maximum daily dose"),
        }
        for output, button in self.basis_buttons.items():
            button.clicked.connect(lambda _=False, o=output: self.basis_requested.emit(o))

        banner_row = QHBoxLayout()
        banner_row.addWidget(self.status_icon)
        banner_row.addWidget(self.status_banner, 1)
        self.banner_frame = BannerFrame(self)
        self.banner_frame.setObjectName("status_frame")
        self.banner_frame.setLayout(banner_row)

        kidney = QGroupBox("Kidney function", self)
        k_row = QHBoxLayout(kidney)
        k_row.addWidget(self.renal_summary, 1)
        k_row.addWidget(self.basis_buttons["renal"], 0, Qt.AlignmentFlag.AlignTop)

        regimen = QGroupBox("Start regimen", self)
        r_layout = QVBoxLayout(regimen)
        r_layout.addWidget(self.override_label)
        row = QHBoxLayout()
        row.addWidget(self.start_regimen, 1)
        row.addWidget(self.basis_buttons["regimen.start"], 0, Qt.AlignmentFlag.AlignTop)
        r_layout.addLayout(row)
        r_layout.addWidget(self.start_amount)
        o_row = QHBoxLayout()
        o_row.addWidget(self.override_button)
        o_row.addWidget(self.override_withdraw)
        o_row.addStretch(1)
        r_layout.addLayout(o_row)
        row = QHBoxLayout()
        row.addWidget(self.max_daily, 1)
        row.addWidget(self.basis_buttons["regimen.max_daily_mg"], 0, Qt.AlignmentFlag.AlignTop)
        r_layout.addLayout(row)
        choice = QFormLayout()
        target_label = QLabel("Lower &target (optional)")
        target_label.setBuddy(self.regimen_target)
        interval_label = QLabel("Slower steps (optional)")
        interval_label.setBuddy(self.regimen_interval)
        choice.addRow(target_label, self.regimen_target)
        choice.addRow(interval_label, self.regimen_interval)
        choice.addRow("", self.regimen_reset)
        r_layout.addLayout(choice)

        titration = QGroupBox("Titration schedule", self)
        QVBoxLayout(titration).addWidget(self.titration_table)
        alerts = QGroupBox("Warnings and information", self)
        QVBoxLayout(alerts).addWidget(self.alerts)
        monitoring = QGroupBox("Monitoring", self)
        QVBoxLayout(monitoring).addWidget(self.monitoring_table)
        taper = QGroupBox("If stopping: taper plan (never stop abruptly)", self)
        t_layout = QVBoxLayout(taper)
        t_layout.addWidget(self.taper_from)
        t_layout.addWidget(self.taper_table)
        t_layout.addWidget(self.missed_dose)

        # The banner and the critical alerts stay in sight; the rest scrolls under them.
        body = QWidget(self)
        body.setObjectName("recommendation_body")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        for box in (kidney, regimen, alerts, titration, monitoring, taper):
            body_layout.addWidget(box)
        body_layout.addStretch(1)
        self.body_scroll = QScrollArea(self)
        self.body_scroll.setObjectName("recommendation_scroll")
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.body_scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.banner_frame)
        layout.addWidget(self.alerts.strip)
        layout.addWidget(self.body_scroll, 1)

        self.regimen_target.valueChanged.connect(self._choice_edited)
        self.regimen_interval.valueChanged.connect(self._choice_edited)
        self.regimen_reset.clicked.connect(self.reset_choice)
        self._suggested_interval: int | None = None
        self.show_assessment(Assessment(None, ()))

    # ------------------------------------------------------------------ regimen choice
    def regimen_choice(self) -> dict[str, Any] | None:
        """The clinician's own choice, or None to take the suggestion."""
        out: dict[str, Any] = {}
        if self.regimen_target.isEnabled() and self.regimen_target.value() > 0:
            out["target_daily_mg"] = self.regimen_target.value()
        interval = self.regimen_interval
        if interval.isEnabled() and interval.value() > interval.minimum():
            out["step_interval_days"] = interval.value()
        return out or None

    def reset_choice(self) -> None:
        changed = self.regimen_choice() is not None
        for spin in (self.regimen_target, self.regimen_interval):
            spin.blockSignals(True)
            spin.setValue(spin.minimum())  # type: ignore[arg-type]
            spin.blockSignals(False)
        if changed:
            self.regimen_choice_changed.emit()

    def _choice_edited(self, *args: Any) -> None:
        del args
        self.regimen_choice_changed.emit()

    def _update_choice_ranges(self, regimen: Any) -> None:
        """Cap the target at this patient's ceiling; the interval can only get longer."""
        enabled = regimen is not None
        for widget in (self.regimen_target, self.regimen_interval, self.regimen_reset):
            if widget.isEnabled() != enabled:
                widget.setEnabled(enabled)
        if regimen is None:
            return
        chosen = self.regimen_choice() or {}
        steps = [s.daily_mg for s in regimen.steps]
        increments = [b - a for a, b in itertools.pairwise(steps) if b > a]
        target = (
            float(regimen.max_daily_mg),
            float(min(increments)) if increments else float(regimen.start.daily_mg),
        )
        # Only what changed is set: setting a spin box's range, suffix or value on every
        # keystroke re-laid it out and could reset what the clinician was typing.
        if target != getattr(self, "_target_limits", None):
            self._target_limits = target
            self.regimen_target.blockSignals(True)
            self.regimen_target.setRange(0.0, target[0])
            self.regimen_target.setSingleStep(target[1])
            self.regimen_target.blockSignals(False)
        # The suggested interval is learnt only from a result computed without a chosen
        # interval: with a choice, the engine's interval is the chosen one.
        if "step_interval_days" not in chosen or self._suggested_interval is None:
            suggested = int(regimen.step_interval_days)
            if suggested == self._suggested_interval:
                return
            self._suggested_interval = suggested
            self.regimen_interval.blockSignals(True)
            self.regimen_interval.setRange(suggested, max(suggested, choice_interval_limits()[1]))
            self.regimen_interval.setSpecialValueText(f"as suggested (every {suggested} days)")
            self.regimen_interval.setSuffix(" days between steps")
            self.regimen_interval.setValue(suggested)
            self.regimen_interval.blockSignals(False)

    # ------------------------------------------------------------------ showing
    def show_assessment(
        self, assessment: Assessment, acknowledgements: Any = None, *, unconfirmed: Any = ()
    ) -> None:
        self._show_assessment(assessment, acknowledgements, tuple(unconfirmed))

    def _show_assessment(
        self, assessment: Assessment, acknowledgements: Any, unconfirmed: tuple[str, ...]
    ) -> None:
        rec = assessment.recommendation
        if rec is None:
            tone = style.STATUS["incomplete"]
            text = assessment.incomplete_text() or (
                "incomplete: enter the indication, age and sex to see a recommendation"
            )
            self._set_banner(tone, f"{tone.symbol} {text[0].upper()}{text[1:]}")
            _set_text(self.renal_summary, "—")
            self._set_dose_font(large=False)
            self.shown_regimen = None
            self.override_label.hide()
            self.override_button.hide()
            self.override_withdraw.hide()
            _set_text(self.start_regimen, "No dose is shown until the case is complete.")
            _set_text(self.start_amount, "")
            _set_text(self.max_daily, "")
            _set_text(self.missed_dose, "")
            self._show(self.taper_from, "")
            for model in (self.titration_model, self.taper_model, self.monitoring_model):
                model.set_rows(())
            self.alerts.set_alerts(None)
            for button in self.basis_buttons.values():
                button.setEnabled(False)
            self.regimen_target.setEnabled(False)
            self.regimen_interval.setEnabled(False)
            self.regimen_reset.setEnabled(False)
            return
        self._set_banner(*banner(rec, tuple(unconfirmed)))
        _set_text(self.renal_summary, renal_text(rec.renal))
        withheld, regimen = withheld_and_regimen(rec)
        self.shown_regimen = regimen
        override = getattr(rec, "override", None)
        applied = override is not None and getattr(override, "applied", True)
        self._show(self.override_label, override_text(override) if applied else "")
        self.override_button.setVisible(
            withheld is not None and regimen is None and bool(withheld.override_allowed)
        )
        self.override_withdraw.setVisible(override is not None)
        if regimen is None:
            self._set_dose_font(large=False)
            if withheld is not None:
                _set_text(self.start_regimen, "No dose is shown: specialist only.")
                why = withheld.reason or rec.status_reason
                how = (
                    " A specialist may proceed under a documented override."
                    if withheld.override_allowed and "override" not in why
                    else ""
                )
                _set_text(self.start_amount, f"{why}.{how}".replace("..", "."))
            else:
                _set_text(self.start_regimen, "No dose suggested.")
                _set_text(self.start_amount, rec.status_reason or "See the alerts for why.")
            _set_text(self.max_daily, "")
        else:
            self._set_dose_font(large=True)
            start = regimen.start
            _set_text(self.start_regimen, f"{mg(start.dose_mg)} {times_a_day(start.times_per_day)}")
            form = regimen.formulation
            amount = f"Each dose: {start.amount} ({form.label})"
            if start.volume_ml is not None and "mL" not in start.amount:
                amount += f", {_num(start.volume_ml)} mL"
            _set_text(
                self.start_amount,
                f"{amount}. Daily total {mg(start.daily_mg)}; increase every"
                f" {regimen.step_interval_days} days up to {mg(regimen.target_daily_mg)} a day."
                + ("  Includes DERIVED numbers: see Basis." if regimen.derived else ""),
            )
            _set_text(self.max_daily, f"Maximum for this patient: {mg(regimen.max_daily_mg)} a day")
        self._update_choice_ranges(regimen)
        self.titration_model.set_rows(regimen.steps if regimen is not None else ())
        self.taper_model.set_rows(rec.taper)
        self._show(self.taper_from, taper_from_text(rec))
        self.monitoring_model.set_rows(rec.monitoring)
        _set_text(self.missed_dose, f"Missed dose: {rec.missed_dose.text}")
        self.alerts.set_alerts(rec, acknowledgements)
        self.basis_buttons["renal"].setEnabled(True)
        for key in ("regimen.start", "regimen.max_daily_mg"):
            self.basis_buttons[key].setEnabled(regimen is not None)

    def warm_up(self) -> None:
        """Qt's first-time work, done while the window is idle after start-up: spare alert
        cards, and the glyphs of every type size the panel uses (the first message in a new
        size otherwise costs a keystroke several milliseconds)."""
        self.alerts.warm_up()
        from PySide6.QtGui import QImage

        text = "".join(chr(c) for c in range(32, 127)) + "—–…’“”✔⚠✖ℹ?µ²"
        image = QImage(8, 8, QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        for factor, bold in ((1.0, False), (1.0, True), (1.1, True), (1.2, True), (1.6, True)):
            painter.setFont(style.scaled_font(self, factor, bold=bold))
            painter.drawText(0, 8, text)
        painter.end()
        # and the layout and repaint the spare cards asked for, now rather than in the first
        # keystroke's turn of the event loop
        # (user input waits: no keystroke is handled inside this)
        from PySide6.QtCore import QCoreApplication, QEventLoop

        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)

    @staticmethod
    def _show(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)
        label.setVisible(bool(text))

    def _set_dose_font(self, *, large: bool) -> None:
        """The large bold type is for a dose only; a message reads in ordinary type."""
        if getattr(self, "_dose_large", None) is large:
            return
        self._dose_large = large
        self.start_regimen.setFont(style.scaled_font(self, 1.6 if large else 1.1, bold=True))

    def _set_banner(self, tone: style.Tone, text: str) -> None:
        if self.status_banner.text() != text:
            self.status_banner.setText(text)
            self.status_banner.setAccessibleName(f"Status: {text}")
        if getattr(self, "_tone", None) is tone:
            return
        self._tone = tone
        key = next(k for k, t in style.STATUS.items() if t is tone)
        self.banner_frame.setProperty("tone", key)
        # colours by palette and a painted frame: re-polishing a style sheet on each change of
        # tone cost more than the rest of the banner
        self.banner_frame.set_tone(tone)
        for child in (self.status_banner, self.status_icon):
            palette = child.palette()
            palette.setColor(QPalette.ColorRole.WindowText, QColor(tone.foreground))
            child.setPalette(palette)
        size = self.status_banner.fontMetrics().height() * 2
        pixmaps = self.__dict__.setdefault("_pixmaps", {})
        pixmap = pixmaps.get((tone.icon, size))
        if pixmap is None:
            pixmap = pixmaps[(tone.icon, size)] = style.icon(tone.icon).pixmap(size, size)
        self.status_icon.setPixmap(pixmap)
