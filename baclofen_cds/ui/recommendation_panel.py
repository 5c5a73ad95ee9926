"""The recommendation side: status, kidneys, start regimen, tables, alerts, monitoring.

Everything shown here is read from the engine's `Recommendation`; when the case is
incomplete the panel says what is missing and shows no dose at all.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from baclofen_cds.ui import style
from baclofen_cds.ui.alerts_view import AlertsView
from baclofen_cds.ui.engine import Assessment, choice_interval_limits
from baclofen_cds.ui.models import (
    MonitoringTableModel,
    TaperTableModel,
    TitrationTableModel,
    mg,
    times_a_day,
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


def _table(name: str, label: str, model: Any) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setAccessibleName(label)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves the table: keyboard users are not trapped
    view.setWordWrap(True)
    view.verticalHeader().setVisible(False)
    # Columns are fitted to their contents only when the longest text of a column changes:
    # ResizeToContents re-measured every cell on each keystroke and doubled the update time.
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.setMinimumHeight(view.fontMetrics().height() * 7)
    fitted: list[tuple[int, ...]] = []

    def refit() -> None:
        key = model.width_key()
        if not fitted or fitted[0] != key:
            fitted[:] = [key]
            view.resizeColumnsToContents()

    model.modelReset.connect(refit)
    refit()  # the empty table: columns as wide as their headers
    return view


def _basis_button(output: str, label: str) -> QPushButton:
    button = QPushButton("Basis…")
    button.setObjectName(f"basis_{output.replace('.', '_')}")
    button.setAccessibleName(f"Basis of the {label}")
    button.setProperty("basis_output", output)
    return button


class RecommendationPanel(QWidget):
    basis_requested = Signal(str)
    regimen_choice_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recommendation_panel")
        self.status_banner = QLabel(self)
        self.status_banner.setObjectName("status_banner")
        self.status_banner.setWordWrap(True)
        self.status_banner.setFont(style.scaled_font(self, 1.2, bold=True))
        self.status_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_icon = QLabel(self)
        self.status_icon.setObjectName("status_icon")

        self.renal_summary = QLabel(self)
        self.renal_summary.setObjectName("renal_summary")
        self.renal_summary.setWordWrap(True)
        self.start_regimen = QLabel(self)
        self.start_regimen.setObjectName("start_regimen")
        self.start_regimen.setWordWrap(True)
        self.start_regimen.setFont(style.scaled_font(self, 1.6, bold=True))
        self.start_amount = QLabel(self)
        self.start_amount.setObjectName("start_amount")
        self.start_amount.setWordWrap(True)
        self.max_daily = QLabel(self)
        self.max_daily.setObjectName("max_daily")
        self.max_daily.setWordWrap(True)
        self.max_daily.setFont(style.scaled_font(self, 1.1, bold=True))
        for label in (
            self.status_banner,
            self.renal_summary,
            self.start_regimen,
            self.start_amount,
            self.max_daily,
        ):
            label.setTextFormat(Qt.TextFormat.PlainText)

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
        self.missed_dose = QLabel(self)
        self.missed_dose.setObjectName("missed_dose")
        self.missed_dose.setWordWrap(True)

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
        self.banner_frame = QWidget(self)
        self.banner_frame.setObjectName("status_frame")
        self.banner_frame.setLayout(banner_row)

        kidney = QGroupBox("Kidney function", self)
        k_row = QHBoxLayout(kidney)
        k_row.addWidget(self.renal_summary, 1)
        k_row.addWidget(self.basis_buttons["renal"], 0, Qt.AlignmentFlag.AlignTop)

        regimen = QGroupBox("Start regimen", self)
        r_layout = QVBoxLayout(regimen)
        row = QHBoxLayout()
        row.addWidget(self.start_regimen, 1)
        row.addWidget(self.basis_buttons["regimen.start"], 0, Qt.AlignmentFlag.AlignTop)
        r_layout.addLayout(row)
        r_layout.addWidget(self.start_amount)
        row = QHBoxLayout()
        row.addWidget(self.max_daily, 1)
        row.addWidget(self.basis_buttons["regimen.max_daily_mg"], 0, Qt.AlignmentFlag.AlignTop)
        r_layout.addLayout(row)
        choice = QFormLayout()
        target_label = QLabel("Lower &target (optional)")
        target_label.setBuddy(self.regimen_target)
        interval_label = QLabel("Slower &steps (optional)")
        interval_label.setBuddy(self.regimen_interval)
        choice.addRow(target_label, self.regimen_target)
        choice.addRow(interval_label, self.regimen_interval)
        choice.addRow("", self.regimen_reset)
        r_layout.addLayout(choice)

        titration = QGroupBox("Titration schedule", self)
        QVBoxLayout(titration).addWidget(self.titration_table)
        alerts = QGroupBox("Alerts", self)
        QVBoxLayout(alerts).addWidget(self.alerts)
        monitoring = QGroupBox("Monitoring", self)
        QVBoxLayout(monitoring).addWidget(self.monitoring_table)
        taper = QGroupBox("If stopping: taper plan (never stop abruptly)", self)
        t_layout = QVBoxLayout(taper)
        t_layout.addWidget(self.taper_table)
        t_layout.addWidget(self.missed_dose)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner_frame)
        for box in (kidney, regimen, titration, alerts, monitoring, taper):
            layout.addWidget(box)
        layout.addStretch(1)

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
        self.regimen_target.setEnabled(enabled)
        self.regimen_interval.setEnabled(enabled)
        self.regimen_reset.setEnabled(enabled)
        if regimen is None:
            return
        chosen = self.regimen_choice() or {}
        steps = [s.daily_mg for s in regimen.steps]
        increments = [b - a for a, b in itertools.pairwise(steps) if b > a]
        self.regimen_target.blockSignals(True)
        self.regimen_target.setRange(0.0, float(regimen.max_daily_mg))
        self.regimen_target.setSingleStep(
            float(min(increments)) if increments else float(regimen.start.daily_mg)
        )
        self.regimen_target.blockSignals(False)
        # The suggested interval is learnt only from a result computed without a chosen
        # interval: with a choice, the engine's interval is the chosen one.
        if "step_interval_days" not in chosen or self._suggested_interval is None:
            self._suggested_interval = int(regimen.step_interval_days)
            self.regimen_interval.blockSignals(True)
            self.regimen_interval.setRange(
                self._suggested_interval,
                max(self._suggested_interval, choice_interval_limits()[1]),
            )
            self.regimen_interval.setSpecialValueText(
                f"as suggested (every {self._suggested_interval} days)"
            )
            self.regimen_interval.setSuffix(" days between steps")
            self.regimen_interval.setValue(self._suggested_interval)
            self.regimen_interval.blockSignals(False)

    # ------------------------------------------------------------------ showing
    def show_assessment(self, assessment: Assessment, acknowledgements: Any = None) -> None:
        rec = assessment.recommendation
        if rec is None:
            tone = style.STATUS["incomplete"]
            text = assessment.incomplete_text() or (
                "incomplete: enter the indication, age and sex to see a recommendation"
            )
            self._set_banner(tone, f"{tone.symbol} {text[0].upper()}{text[1:]}")
            self.renal_summary.setText("—")
            self.start_regimen.setText("No dose is shown until the case is complete.")
            self.start_amount.setText("")
            self.max_daily.setText("")
            self.missed_dose.setText("")
            for model in (self.titration_model, self.taper_model, self.monitoring_model):
                model.set_rows(())
            self.alerts.set_alerts(None)
            for button in self.basis_buttons.values():
                button.setEnabled(False)
            self.regimen_target.setEnabled(False)
            self.regimen_interval.setEnabled(False)
            self.regimen_reset.setEnabled(False)
            return
        tone = style.STATUS.get(rec.status, style.STATUS["use_with_caution"])
        reason = f" — {rec.status_reason}" if rec.status_reason else ""
        self._set_banner(tone, f"{tone.symbol} {tone.word}{reason}")
        self.renal_summary.setText(renal_text(rec.renal))
        regimen = rec.regimen
        if regimen is None:
            self.start_regimen.setText("No dose suggested.")
            withheld = getattr(rec, "regimen_withheld", None)
            why = withheld.reason if withheld is not None else rec.status_reason
            self.start_amount.setText(why or "See the alerts for why.")
            self.max_daily.setText("")
        else:
            start = regimen.start
            self.start_regimen.setText(f"{mg(start.dose_mg)} {times_a_day(start.times_per_day)}")
            form = regimen.formulation
            amount = f"Each dose: {start.amount} ({form.label})"
            if start.volume_ml is not None and "mL" not in start.amount:
                amount += f", {_num(start.volume_ml)} mL"
            self.start_amount.setText(
                f"{amount}. Daily total {mg(start.daily_mg)}; increase every"
                f" {regimen.step_interval_days} days up to {mg(regimen.target_daily_mg)} a day."
                + ("  Includes DERIVED numbers: see Basis." if regimen.derived else "")
            )
            self.max_daily.setText(f"Maximum for this patient: {mg(regimen.max_daily_mg)} a day")
        self._update_choice_ranges(regimen)
        self.titration_model.set_rows(regimen.steps if regimen is not None else ())
        self.taper_model.set_rows(rec.taper)
        self.monitoring_model.set_rows(rec.monitoring)
        self.missed_dose.setText(f"Missed dose: {rec.missed_dose.text}")
        self.alerts.set_alerts(rec, acknowledgements)
        self.basis_buttons["renal"].setEnabled(True)
        for key in ("regimen.start", "regimen.max_daily_mg"):
            self.basis_buttons[key].setEnabled(regimen is not None)

    def _set_banner(self, tone: style.Tone, text: str) -> None:
        if self.status_banner.text() != text:
            self.status_banner.setText(text)
            self.status_banner.setAccessibleName(f"Status: {text}")
        if getattr(self, "_tone", None) is tone:
            return
        self._tone = tone
        self.banner_frame.setStyleSheet(
            f"#status_frame {{ background: {tone.background}; border: 2px solid {tone.border};"
            f" border-radius: 4px; }} QLabel {{ color: {tone.foreground}; }}"
        )
        size = self.status_banner.fontMetrics().height() * 2
        self.status_icon.setPixmap(style.icon(tone.icon).pixmap(size, size))
