"""File → Import from FHIR… and File → Export FHIR… (issue 13), kept out of the main window.

Imported values fill empty fields only; a value the clinician typed is replaced only after a
question naming both values. Each filled field gets a visible mark "From the record, DATE"
under it (amber, with the word "old", when the value is stale); typing in the field removes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

#: Contract field -> the form's widget attribute.
FIELD_WIDGETS: dict[str, str] = {
    "patient.id": "patient_id",
    "patient.name": "patient_name",
    "age_years": "age_years",
    "sex": "sex",
    "weight_kg": "weight_kg",
    "height_cm": "height_cm",
    "serum_creatinine": "serum_creatinine",
    "egfr_ml_min_1_73m2": "egfr",
    "creatinine_clearance_ml_min": "creatinine_clearance",
    "dialysis": "dialysis",
}
STALE_CSS = "background: #fff4cc; color: #5c4300; padding: 1px 4px; border-radius: 3px;"
MARK_CSS = "color: #1f4e79;"


class FhirActions(QObject):
    """The two File-menu actions and what they do to the form."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.marks: dict[str, QLabel] = {}
        self.provenance: dict[str, Any] | None = None
        self.last_server = ""
        self.last_summary = ""
        self.import_action = window._action(
            "&Import from FHIR…", "action_fhir_import", self.open_import
        )
        self.export_action = window._action("Export &FHIR…", "action_fhir_export", self.export_fhir)
        window.new_action.triggered.connect(self.reset)
        self.import_action.setToolTip("Fill the form from a FHIR R4 record (file or server)")
        self.export_action.setToolTip("Save the plan as a FHIR R4 Bundle")

    # ------------------------------------------------------------------ import
    def open_import(self) -> None:
        from PySide6.QtWidgets import QDialog

        from baclofen_cds.ui.fhir_dialog import FhirImportDialog

        dialog = FhirImportDialog(self.window, server=self.last_server)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        if choice[0] == "server":
            self.last_server = choice[1]  # for this session only (not a stored setting)
        self.import_from(choice)

    def import_from(
        self, choice: tuple[str, ...], ask: Callable[[list[Any]], bool] | None = None
    ) -> list[str] | None:
        """Read the record and merge it into the form; None (and a message) on failure."""
        imported = self.read(choice)
        if imported is None:
            return None
        return self.apply(imported, ask=ask)

    def read(self, choice: tuple[str, ...]) -> dict[str, Any] | None:
        from PySide6.QtWidgets import QMessageBox

        from baclofen_cds.fhir import FhirInputError, MappingError
        from baclofen_cds.fhir.importer import import_case
        from baclofen_cds.fhir.resources import read_resources

        engine = self.window.engine
        if engine is None:
            return None
        kb = engine.kb
        start = self.window.form.start()
        try:
            if choice[0] == "file":
                import json

                path = Path(choice[1])
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError, ValueError) as exc:
                    raise FhirInputError(
                        str(path), f"cannot be read as FHIR JSON ({exc})"
                    ) from None
                resources, skipped = read_resources(data, path.name)
                source = f"FHIR file {path.name}"
            else:
                from baclofen_cds.fhir.client import FhirServerError, bearer_token, fetch_patient

                _, url, pid = choice
                if not url or not pid:
                    raise FhirInputError("server", "give the server address and the patient id")
                from PySide6.QtCore import Qt
                from PySide6.QtWidgets import QApplication

                QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
                self.window.statusBar().showMessage(f"Reading Patient/{pid} from {url}…")
                try:
                    resources, skipped = fetch_patient(url, pid, kb, token=bearer_token())
                except FhirServerError as exc:
                    raise FhirInputError("server", str(exc)) from None
                finally:
                    QApplication.restoreOverrideCursor()
                source = f"FHIR server {url} Patient/{pid}"
            return import_case(
                resources,
                kb,
                self.window.policy or _policy(kb),
                start_date=start,
                source=source,
                skipped=skipped,
            )
        except (FhirInputError, MappingError) as exc:
            QMessageBox.warning(self.window, "Import from FHIR", f"Nothing was imported: {exc}")
            return None

    def apply(
        self,
        imported: dict[str, Any],
        ask: Callable[[list[Any]], bool] | None = None,
        ask_patient: Callable[[str, dict[str, Any]], bool] | None = None,
    ) -> list[str] | None:
        """Merge into the form (asking before replacing typed values) and mark what came in."""
        from baclofen_cds.fhir.merge import merge, take_record_values

        form = self.window.form
        typed, _ = form.form_data()
        typed_id = ((typed.get("patient") or {}).get("id") or "").strip()
        record_id = (imported.get("patient") or {}).get("id")
        other_patient = bool(typed_id and record_id and typed_id != record_id)
        # another patient's record: nothing is merged unless the clinician says so
        if other_patient and not (ask_patient or self._ask_patient)(typed_id, imported):
            self.window.statusBar().showMessage("Nothing imported: another patient.", 8000)
            return None
        merged, conflicts, filled = merge(typed, imported)
        if conflicts:
            use_record = (ask or self._ask)(conflicts)
            if use_record:
                merged = take_record_values(merged, imported, conflicts)
                filled += [c.field for c in conflicts]
        self.clear_marks()
        form.load_case(merged)
        self.provenance = imported.get("provenance")
        fields = (self.provenance or {}).get("fields") or {}
        for name in filled:
            if name in FIELD_WIDGETS and name in fields:
                self._mark(name, fields[name])
        self._summary(imported, filled)
        return filled

    def _ask_patient(self, typed_id: str, imported: dict[str, Any]) -> bool:
        from PySide6.QtWidgets import QMessageBox

        patient = imported.get("patient") or {}
        who = f"{patient.get('id')}" + (f" ({patient['name']})" if patient.get("name") else "")
        answer = QMessageBox.warning(
            self.window,
            "Import from FHIR",
            f"This record is for patient {who}, but the form shows patient {typed_id}.\n\n"
            "Import it into this case anyway? (Usually: No, then File → New case first.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _ask(self, conflicts: list[Any]) -> bool:
        from PySide6.QtWidgets import QMessageBox

        text = "\n".join(c.text() for c in conflicts)
        answer = QMessageBox.question(
            self.window,
            "Import from FHIR",
            "The record differs from what is typed:\n\n"
            f"{text}\n\nReplace the typed values with the record's? (No keeps what you typed.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _mark(self, name: str, entry: dict[str, Any]) -> None:
        widget = getattr(self.window.form, FIELD_WIDGETS[name], None)
        if widget is None:
            return
        holder = widget.parentWidget()
        if widget.objectName() == "serum_creatinine" and holder is not None:
            holder = holder.parentWidget()  # the value-and-unit row sits in one more box
        when = entry.get("date")
        text = "From the record" + (f", {str(when)[:10]}" if when else "")
        stale = bool(entry.get("stale"))
        if stale:
            text = f"⚠ {text}: old, measure again"
        elif entry.get("race_based"):
            text = f"⚠ {text}: race-based equation"
        label = QLabel(text)
        label.setObjectName(f"{widget.objectName()}_from_record")
        label.setStyleSheet(STALE_CSS if stale or entry.get("race_based") else MARK_CSS)
        label.setToolTip(f"{entry.get('resource', '')} {entry.get('code') or ''}".strip())
        layout = holder.layout() if holder is not None else None
        if layout is None:  # the form's layout changed: keep the mark as a tooltip
            widget.setToolTip(text)
            return
        layout.addWidget(label)
        label.show()  # a child added to a shown window stays hidden until told
        self.marks[name] = label
        widget.setAccessibleDescription(text)
        signal = getattr(widget, "textEdited", None) or getattr(widget, "activated", None)
        if signal is not None:
            signal.connect(lambda *_a, n=name: self._typed_over(n))

    def _typed_over(self, name: str) -> None:
        label = self.marks.pop(name, None)
        if label is not None:
            label.hide()
            label.setObjectName("")  # gone at once for finders; deleted by the event loop
            label.deleteLater()

    def clear_marks(self) -> None:
        for name in list(self.marks):
            self._typed_over(name)

    def _summary(self, imported: dict[str, Any], filled: list[str]) -> None:
        prov = imported.get("provenance") or {}
        lines = [f"{len(filled)} values from {prov.get('source', 'the record')}."]
        flags = [f["text"] for f in prov.get("flags") or []]
        questions = [q["text"] for q in prov.get("questions") or []]
        if flags:
            lines.append("Check: " + "; ".join(flags) + ".")
        if questions:
            lines.append("Ask: " + " ".join(questions))
        current = imported.get("current_daily_mg")
        if current is not None and not hasattr(self.window.form, "current_daily_mg"):
            lines.append(
                f"The record shows baclofen {current:g} mg a day already: this form has no field "
                "for it, so it is not used here; plan the switch with the clinician summary."
            )
        missing = [m for m in prov.get("missing") or [] if m != "hepatic_impairment"]
        if missing:
            lines.append("Not in the record: " + ", ".join(m.replace("_", " ") for m in missing))
        self.window.statusBar().showMessage(" ".join(lines), 15000)
        self.last_summary = "\n".join(lines)

    def reset(self) -> None:
        """A new case: no marks, and nothing of the last record travels with it."""
        self.clear_marks()
        self.provenance = None

    def _provenance_applies(self, case: dict[str, Any]) -> bool:
        """The imported record still describes the patient on screen (same id)."""
        if self.provenance is None:
            return False
        record_id = ((self.provenance.get("fields") or {}).get("patient.id") or {}).get("value")
        shown = (case.get("patient") or {}).get("id")
        return record_id is None or record_id == shown

    def decorate(self, data: dict[str, Any]) -> dict[str, Any]:
        """The form's case with the record's provenance for the values still on screen and the
        creatinine's measurement date (the engine then flags a stale result itself)."""
        if not self._provenance_applies(data):
            return data
        from baclofen_cds.fhir.merge import with_record_context

        return with_record_context(data, self.provenance)

    # ------------------------------------------------------------------ export
    def export_fhir(self, path: Any = None, *, created: str | None = None) -> str | None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        from baclofen_cds import __version__
        from baclofen_cds.fhir.export import Acknowledgement, bundle_json, plan_bundle

        rec = self.window.assessment.recommendation
        engine = self.window.engine
        if rec is None or engine is None:
            self.window.statusBar().showMessage(
                "Nothing to export: the case is not complete.", 5000
            )
            return None
        if not isinstance(path, str) or not path:
            path, _ = QFileDialog.getSaveFileName(
                self.window, "Export FHIR", "baclofen-plan.fhir.json", "FHIR JSON (*.json)"
            )
            if not path:
                return None
        acks = {
            a.alert_id: Acknowledgement(a.reason_code, a.reason_text, a.comment, a.clinician)
            for a in self.window.acks.for_output(rec)
        }
        bundle = plan_bundle(
            rec,
            engine.kb,
            created=created or datetime.now(UTC).isoformat(timespec="seconds"),
            app_version=__version__,
            acknowledgements=acks,
        )
        from baclofen_cds.handout import output  # whole or not at all, never over a link

        target = Path(path).expanduser().absolute()
        data = bundle_json(bundle).encode("utf-8")
        try:
            output.write([output.Output("FHIR plan", target, data)], force=True)
        except output.OutputError as exc:
            QMessageBox.warning(self.window, "Export FHIR", f"Not saved. {exc}")
            return None
        self.window.statusBar().showMessage(f"FHIR plan saved to {path}", 5000)
        return str(path)


def record_html(recommendation: Any, entry: Any) -> str:
    """For the basis view: which inputs of `entry` came from the FHIR record, from where, when."""
    from html import escape

    fields = ((recommendation.case.get("provenance") or {}).get("fields")) or {}
    if not fields:
        return ""
    lines = []
    for name, _value in entry.inputs:
        key = next((f for f in fields if str(name) == f or str(name).startswith(f"{f}_")), None)
        if key is None:
            continue
        item = fields[key]
        when = f", {str(item['date'])[:10]}" if item.get("date") else ""
        old = " — old: measure again" if item.get("stale") else ""
        lines.append(
            f"{escape(str(name))}: {escape(str(item.get('resource', '')))}{escape(when)}{old}"
        )
    if not lines:
        return ""
    return "<p><b>From the record:</b><br>" + "<br>".join(lines) + "</p>"


def _policy(kb: Any) -> Any:
    from baclofen_cds.logic import load_policy

    return load_policy(kb)


def install(window: Any, menu: Any, before: Any) -> FhirActions:
    """Add the two actions to the File menu, before `before` (the handout actions' end)."""
    actions = FhirActions(window)
    menu.insertAction(before, actions.import_action)
    menu.insertAction(before, actions.export_action)
    menu.insertSeparator(before)
    return actions
