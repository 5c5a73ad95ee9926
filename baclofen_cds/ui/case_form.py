"""The input side: the case as a clinician enters it.

`CaseFormWidget.form_data()` gives the JSON-like mapping of the case contract (DESIGN.md)
that `parse_case` validates; the widget itself never judges a clinical value. Only text
that is not a number at all is caught here. Empty means missing, never zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from baclofen_cds.ui import style
from baclofen_cds.ui.comedications import ComedicationsEditor
from baclofen_cds.ui.conditions import ConditionsChecklist
from baclofen_cds.ui.engine import FieldError

# Contract codes and the words shown for them (the codes are fixed by the case contract).
SEXES = (("female", "Female"), ("male", "Male"))
DIALYSIS = (
    ("none", "No dialysis"),
    ("hemodialysis", "Haemodialysis"),
    ("peritoneal", "Peritoneal"),
)
HEPATIC = (("none", "None"), ("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe"))
CREATININE_UNITS = (("mg/dL", "mg/dL"), ("umol/L", "µmol/L"))
INTRATHECAL = (
    ("none", "No pump"),
    ("pump_in_situ", "Pump in place and working"),
    ("pump_removed_or_failed", "Pump removed, failed or empty"),
)
CHOOSE = "— choose —"

#: Which input widget shows the message of each case field parse_case may name.
ERROR_TARGETS: dict[str, str] = {
    "patient": "patient_id",
    "patient.id": "patient_id",
    "patient.name": "patient_name",
    "indication": "indication",
    "spasticity_origin": "spasticity_origin",
    "age_years": "age_years",
    "sex": "sex",
    "weight_kg": "weight_kg",
    "height_cm": "height_cm",
    "serum_creatinine": "serum_creatinine",
    "creatinine_clearance_ml_min": "creatinine_clearance",
    "egfr_ml_min_1_73m2": "egfr",
    "dialysis": "dialysis",
    "hepatic_impairment": "hepatic_impairment",
    "conditions": "conditions",
    "comedications": "comedication_list",
    "formulation": "formulation",
    "start_date": "start_date",
    "current_daily_mg": "current_daily_mg",
    "months_on_treatment": "months_on_treatment",
    "intrathecal": "intrathecal",
}

#: Numeric text fields: object name -> case field.
NUMBER_FIELDS: dict[str, str] = {
    "age_years": "age_years",
    "weight_kg": "weight_kg",
    "height_cm": "height_cm",
    "serum_creatinine": "serum_creatinine.value",
    "creatinine_clearance": "creatinine_clearance_ml_min",
    "egfr": "egfr_ml_min_1_73m2",
    "current_daily_mg": "current_daily_mg",
    "months_on_treatment": "months_on_treatment",
}


def parse_number(text: str) -> float | None:
    """'70', '70.5', '70,5' -> float; '' -> None; anything else raises ValueError."""
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        return None
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _combo(name: str, label: str, items: Any, *, blank: str | None = None) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(label)
    if blank is not None:
        combo.addItem(blank, None)
    for code, text in items:
        combo.addItem(text, code)
    return combo


def _number(name: str, label: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(label)
    edit.setPlaceholderText(placeholder)
    return edit


class CaseFormWidget(QWidget):
    """Patient, indication, kidney and liver status, conditions, co-medications, start."""

    changed = Signal()

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("case_form")
        self._today = today  # the window's clock: the form never reads the wall clock
        self._errors: dict[str, QLabel] = {}
        self._fields: dict[str, QWidget] = {}
        self._boxes: list[QGroupBox] = []

        self.patient_id = QLineEdit()
        self.patient_id.setObjectName("patient_id")
        self.patient_id.setAccessibleName("Patient id (optional)")
        self.patient_name = QLineEdit()
        self.patient_name.setObjectName("patient_name")
        self.patient_name.setAccessibleName("Patient name (optional)")

        self.indication = _combo("indication", "Indication", (), blank=CHOOSE)
        self.spasticity_origin = _combo(
            "spasticity_origin", "Origin of spasticity", (), blank="— not stated —"
        )
        self.age_years = _number("age_years", "Age in years", "years")
        self.sex = _combo("sex", "Sex", SEXES, blank=CHOOSE)
        self.weight_kg = _number("weight_kg", "Weight in kilograms", "kg")
        self.height_cm = _number("height_cm", "Height in centimetres", "cm")
        self.serum_creatinine = _number("serum_creatinine", "Serum creatinine", "value")
        self.serum_creatinine_unit = _combo(
            "serum_creatinine_unit", "Serum creatinine unit", CREATININE_UNITS
        )
        self.creatinine_clearance = _number(
            "creatinine_clearance", "Known creatinine clearance in mL/min", "mL/min"
        )
        self.egfr = _number("egfr", "Reported eGFR in mL/min/1.73 m²", "mL/min/1.73 m²")
        self.dialysis = _combo("dialysis", "Dialysis", DIALYSIS)
        self.hepatic_impairment = _combo("hepatic_impairment", "Hepatic impairment", HEPATIC)
        self.conditions = ConditionsChecklist()
        self.comedications = ComedicationsEditor()
        self.current_daily_mg = _number(
            "current_daily_mg",
            "Oral baclofen the patient already takes, in mg a day (empty if none)",
            "mg a day; empty if not taking baclofen",
        )
        self.months_on_treatment = _number(
            "months_on_treatment", "Months on baclofen so far (optional)", "months"
        )
        self.intrathecal = _combo("intrathecal", "Intrathecal baclofen pump", INTRATHECAL)
        # as narrow as the other choices: the form never scrolls sideways
        self.intrathecal.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.intrathecal.setMinimumContentsLength(8)
        self.formulation = _combo("formulation", "Formulation", ())
        self.start_date = QDateEdit()
        self.start_date.setObjectName("start_date")
        self.start_date.setAccessibleName("Start date")
        self.start_date.setCalendarPopup(True)
        self.start_date.setDisplayFormat("yyyy-MM-dd")
        self.start_date.setDate(self._today_q())

        patient = self._group("Patient")
        self._row(patient, "Patient i&d", self.patient_id)
        self._row(patient, "&Name", self.patient_name)
        self._row(patient, "&Indication", self.indication)
        self._row(patient, "Spasticity &origin", self.spasticity_origin)
        self._row(patient, "&Age (years)", self.age_years)
        self._row(patient, "Se&x", self.sex)
        self._row(patient, "&Weight (kg)", self.weight_kg)
        self._row(patient, "Hei&ght (cm)", self.height_cm)

        kidney = self._group("Kidney and liver")
        scr = QWidget()
        scr_row = QHBoxLayout(scr)
        scr_row.setContentsMargins(0, 0, 0, 0)
        scr_row.addWidget(self.serum_creatinine, 1)
        scr_row.addWidget(self.serum_creatinine_unit)
        self._row(kidney, "Serum &creatinine", self.serum_creatinine, container=scr)
        self._row(kidney, "&Known CrCl (mL/min)", self.creatinine_clearance)
        self._row(kidney, "Reported &eGFR", self.egfr)
        self._row(kidney, "Dia&lysis", self.dialysis)
        self._row(kidney, "He&patic impairment", self.hepatic_impairment)

        conditions_box = QGroupBox("Conditions")
        QVBoxLayout(conditions_box).addWidget(self.conditions)
        self._add_error_label("conditions", conditions_box.layout())
        self._fields["conditions"] = self.conditions.tree

        comeds_box = QGroupBox("Co-medications")
        QVBoxLayout(comeds_box).addWidget(self.comedications)
        self._add_error_label("comedication_list", comeds_box.layout())
        self._fields["comedication_list"] = self.comedications.list

        current = self._group("Baclofen already taken")
        self._row(current, "Dose now (mg a day)", self.current_daily_mg)
        self._row(current, "Months on baclofen", self.months_on_treatment)
        self._row(current, "Intrathecal pump", self.intrathecal)

        prescription = self._group("Prescription")
        self._row(prescription, "Form&ulation", self.formulation)
        self._row(prescription, "&Start date", self.start_date)

        layout = QVBoxLayout(self)
        for box in (patient, kidney, conditions_box, comeds_box, prescription, current):
            widget = box.parentWidget() if isinstance(box, QFormLayout) else box
            assert widget is not None
            layout.addWidget(widget)
        layout.addStretch(1)

        for edit in (
            self.patient_id,
            self.patient_name,
            self.age_years,
            self.weight_kg,
            self.height_cm,
            self.serum_creatinine,
            self.creatinine_clearance,
            self.egfr,
            self.current_daily_mg,
            self.months_on_treatment,
        ):
            edit.textChanged.connect(self.changed)
        # the origin follows the indication before anyone hears of the change
        self.indication.currentIndexChanged.connect(self._sync_origin)
        for combo in (
            self.indication,
            self.spasticity_origin,
            self.sex,
            self.serum_creatinine_unit,
            self.dialysis,
            self.hepatic_impairment,
            self.intrathecal,
            self.formulation,
        ):
            combo.currentIndexChanged.connect(self.changed)
        self.start_date.dateChanged.connect(self.changed)
        self.conditions.changed.connect(self.changed)
        self.comedications.changed.connect(self.changed)
        self._sync_origin()

    # ------------------------------------------------------------------ layout helpers
    def _group(self, title: str) -> QFormLayout:
        box = QGroupBox(title, self)
        self._boxes.append(box)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return form

    def _row(
        self, form: QFormLayout, text: str, field: QWidget, *, container: QWidget | None = None
    ) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(container if container is not None else field)
        self._add_error_label(field.objectName(), column)
        label = QLabel(text)
        label.setBuddy(field)
        form.addRow(label, holder)
        self._fields[field.objectName()] = field

    def _add_error_label(self, name: str, layout: Any) -> None:
        error = QLabel()
        error.setObjectName(f"{name}_error")
        error.setWordWrap(True)
        # the colour by palette, not a style sheet (a style sheet hands the label to Qt's
        # slower style-sheet style: ~1 ms of start-up for the form's 20 message lines)
        palette = error.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(style.ERROR_TEXT))
        error.setPalette(palette)
        error.hide()
        layout.addWidget(error)
        self._errors[name] = error

    # ------------------------------------------------------------------ knowledge base
    def set_knowledge_base(self, kb: Any) -> None:
        """Fill the choices from the knowledge base (codes stay the contract's)."""
        self.indication.blockSignals(True)
        self.indication.clear()
        self.indication.addItem(CHOOSE, None)
        for code, ind in dict(kb.indications).items():
            self.indication.addItem(str(getattr(ind, "label", code)), code)
        self.indication.blockSignals(False)
        self.spasticity_origin.blockSignals(True)
        self.spasticity_origin.clear()
        self.spasticity_origin.addItem("— not stated —", None)
        for code, label in dict(kb.spasticity_origins).items():
            self.spasticity_origin.addItem(str(getattr(label, "label", label)), code)
        self.spasticity_origin.blockSignals(False)
        self.formulation.blockSignals(True)
        self.formulation.clear()
        for code, form in dict(kb.formulations).items():
            self.formulation.addItem(str(getattr(form, "label", code)), code)
        self.formulation.blockSignals(False)
        self.conditions.set_conditions(kb.conditions, kb.condition_groups)
        self.comedications.set_names(kb.comedication_names)  # read when first typed
        self._sync_origin()

    def set_defaults(self, *, creatinine_unit: str | None, formulation: str | None) -> None:
        if creatinine_unit:
            _select(self.serum_creatinine_unit, creatinine_unit)
        if formulation:
            _select(self.formulation, formulation)

    # ------------------------------------------------------------------ data
    def form_data(self) -> tuple[dict[str, Any], list[FieldError]]:
        """The case as the contract's mapping, and the fields whose text is not a number."""
        errors: list[FieldError] = []
        numbers: dict[str, float | None] = {}
        for name, case_field in NUMBER_FIELDS.items():
            edit: QLineEdit = getattr(self, name)
            try:
                numbers[name] = parse_number(edit.text())
            except ValueError:
                numbers[name] = None
                errors.append(FieldError(case_field, "is not a number"))
        data: dict[str, Any] = {}
        pid, pname = self.patient_id.text().strip(), self.patient_name.text().strip()
        if pid or pname:
            data["patient"] = {"id": pid or None, "name": pname or None}
        if self.indication.currentData() is not None:
            data["indication"] = self.indication.currentData()
        if self.spasticity_origin.isEnabled() and self.spasticity_origin.currentData():
            data["spasticity_origin"] = self.spasticity_origin.currentData()
        if numbers["age_years"] is not None:
            data["age_years"] = numbers["age_years"]
        if self.sex.currentData() is not None:
            data["sex"] = self.sex.currentData()
        for name in ("weight_kg", "height_cm"):
            if numbers[name] is not None:
                data[name] = numbers[name]
        if numbers["serum_creatinine"] is not None:
            data["serum_creatinine"] = {
                "value": numbers["serum_creatinine"],
                "unit": self.serum_creatinine_unit.currentData(),
            }
        if numbers["creatinine_clearance"] is not None:
            data["creatinine_clearance_ml_min"] = numbers["creatinine_clearance"]
        if numbers["egfr"] is not None:
            data["egfr_ml_min_1_73m2"] = numbers["egfr"]
        data["dialysis"] = self.dialysis.currentData()
        data["hepatic_impairment"] = self.hepatic_impairment.currentData()
        for name in ("current_daily_mg", "months_on_treatment"):
            if numbers[name] is not None:
                data[name] = numbers[name]
        data["intrathecal"] = self.intrathecal.currentData()
        data["conditions"] = self.conditions.selected()
        data["comedications"] = self.comedications.entries()
        # the "none" ticks are part of the case (saved, restored from history)
        data["conditions_confirmed_none"] = self.conditions.none_box.isChecked()
        data["comedications_confirmed_none"] = self.comedications.none_box.isChecked()
        if self.formulation.currentData() is not None:
            data["formulation"] = self.formulation.currentData()
        data["start_date"] = self.start().isoformat()
        return data, errors

    def unconfirmed(self) -> tuple[str, ...]:
        """What the clinician has neither entered nor confirmed as none, in words."""
        out = []
        if not self.comedications.confirmed():
            out.append("other medicines")
        if not self.conditions.confirmed():
            out.append("conditions")
        return tuple(out)

    def start(self) -> date:
        qd = self.start_date.date()
        return date(qd.year(), qd.month(), qd.day())

    def show_errors(self, errors: tuple[FieldError, ...] | list[FieldError]) -> None:
        """A message under each field that has one; the others are cleared."""
        by_widget: dict[str, str] = {}
        for err in errors:
            target = ERROR_TARGETS.get(err.field) or ERROR_TARGETS.get(err.field.split(".")[0])
            if target and target not in by_widget:
                by_widget[target] = err.text[0].upper() + err.text[1:]
        for name, label in self._errors.items():
            text = by_widget.get(name, "")
            if label.text() != text:
                label.setText(text)
            label.setVisible(bool(text))
            field = self._fields.get(name)
            if field is not None:
                field.setAccessibleDescription(text)

    def error_text(self, name: str) -> str:
        label = self._errors[name]
        return label.text() if not label.isHidden() else ""

    def field(self, name: str) -> QWidget:
        return self._fields[name]

    def clear(self, *, creatinine_unit: str | None = None, formulation: str | None = None) -> None:
        self.blockSignals(True)
        for edit in (
            self.patient_id,
            self.patient_name,
            self.age_years,
            self.weight_kg,
            self.height_cm,
            self.serum_creatinine,
            self.creatinine_clearance,
            self.egfr,
            self.current_daily_mg,
            self.months_on_treatment,
        ):
            edit.clear()
        # the origin follows the indication before anyone hears of the change
        self.indication.currentIndexChanged.connect(self._sync_origin)
        for combo in (
            self.indication,
            self.spasticity_origin,
            self.sex,
            self.dialysis,
            self.hepatic_impairment,
            self.intrathecal,
        ):
            combo.setCurrentIndex(0)
        self.conditions.set_selected(())
        self.conditions.filter.clear()
        self.comedications.clear()
        self.start_date.setDate(self._today_q())
        self.set_defaults(creatinine_unit=creatinine_unit, formulation=formulation)
        self.blockSignals(False)
        self.show_errors(())
        self.changed.emit()

    def load_case(self, case: dict[str, Any]) -> None:
        """Fill the form from a normalised case (`CaseInput.to_dict()`), e.g. a saved one."""
        self.blockSignals(True)
        patient = case.get("patient") or {}
        self.patient_id.setText(patient.get("id") or "")
        self.patient_name.setText(patient.get("name") or "")
        for combo, key in (
            (self.indication, "indication"),
            (self.sex, "sex"),
            (self.dialysis, "dialysis"),
            (self.hepatic_impairment, "hepatic_impairment"),
            (self.formulation, "formulation"),
        ):
            if case.get(key) is not None:
                _select(combo, str(case[key]))
        _select(self.intrathecal, str(case.get("intrathecal") or "none"))
        self._sync_origin()
        if case.get("spasticity_origin"):
            _select(self.spasticity_origin, str(case["spasticity_origin"]))
        for edit, key in (
            (self.age_years, "age_years"),
            (self.weight_kg, "weight_kg"),
            (self.height_cm, "height_cm"),
            (self.creatinine_clearance, "creatinine_clearance_ml_min"),
            (self.egfr, "egfr_ml_min_1_73m2"),
            (self.current_daily_mg, "current_daily_mg"),
            (self.months_on_treatment, "months_on_treatment"),
        ):
            value = case.get(key)
            edit.setText("" if value is None else f"{value:g}")
        scr = case.get("serum_creatinine") or {}
        self.serum_creatinine.setText("" if scr.get("value") is None else f"{scr['value']:g}")
        if scr.get("unit"):
            _select(self.serum_creatinine_unit, str(scr["unit"]))
        self.conditions.set_selected(list(case.get("conditions") or ()))
        self.comedications.clear()
        for name in case.get("comedications") or ():
            self.comedications.add(str(name))
        for box, key in (
            (self.comedications.none_box, "comedications_confirmed_none"),
            (self.conditions.none_box, "conditions_confirmed_none"),
        ):
            if box.isEnabled():  # disabled while the list has entries
                box.setChecked(bool(case.get(key)))
        if case.get("start_date"):
            self.start_date.setDate(QDate.fromString(str(case["start_date"]), "yyyy-MM-dd"))
        else:
            self.start_date.setDate(self._today_q())
        self.blockSignals(False)
        self.changed.emit()

    def _today_q(self) -> QDate:
        day = self._today()
        return QDate(day.year, day.month, day.day)

    def _sync_origin(self) -> None:
        """The origin applies to spasticity only: for another indication it is cleared (not
        just greyed out), so it can never block the result."""
        is_spasticity = self.indication.currentData() == "spasticity"
        self.spasticity_origin.setEnabled(is_spasticity)
        if not is_spasticity and self.spasticity_origin.currentIndex() != 0:
            self.spasticity_origin.blockSignals(True)
            self.spasticity_origin.setCurrentIndex(0)
            self.spasticity_origin.blockSignals(False)


def _select(combo: QComboBox, code: str) -> None:
    index = combo.findData(code)
    if index >= 0:
        combo.setCurrentIndex(index)
