"""The window's FHIR menu items: imported values marked, typed values never silently replaced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QLabel, QMessageBox

from baclofen_cds.ui.main_window import MainWindow
from tests.fhir.helpers import bundle, hl7_bundle, obs


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(hl7_bundle()), encoding="utf-8")
    return path


def _mark(window: MainWindow, name: str) -> QLabel | None:
    return window.findChild(QLabel, f"{name}_from_record")


def _fresh(window: MainWindow) -> None:
    window.form.start_date.setDate(QDate(2026, 12, 1))


def test_file_menu_has_import_and_export(window: MainWindow) -> None:
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&Import from FHIR…" in texts and "Export &FHIR…" in texts


def test_import_fills_empty_fields_and_marks_them(window: MainWindow, record: Path) -> None:
    _fresh(window)
    filled = window.fhir.import_from(("file", str(record)))
    assert filled is not None
    form = window.form
    assert form.age_years.text() == "39"
    assert form.sex.currentData() == "female"
    assert form.weight_kg.text() == "20.0941"
    assert form.conditions.selected() == ["peptic_ulcer_active"]
    assert form.comedications.entries() == ["Tylenol PM Pill"]
    weight = _mark(window, "weight_kg")
    assert weight is not None and weight.isVisibleTo(window)
    assert weight.text() == "⚠ From the record, 1999-07-02: old, measure again"  # stale: words
    age = _mark(window, "age_years")
    assert age is not None and age.text() == "From the record, 1987-02-20"
    assert "Not in the record: indication" in window.fhir.last_summary


def test_typed_value_is_kept_unless_the_clinician_says_so(
    window: MainWindow, tmp_path: Path
) -> None:
    _fresh(window)
    window.form.weight_kg.setText("70")
    path = tmp_path / "r.json"
    path.write_text(json.dumps(bundle(obs("w", "29463-7", 72, "kg", when="2026-11-28"))))
    asked: list[Any] = []

    def keep(conflicts: list[Any]) -> bool:
        asked.extend(conflicts)
        return False

    window.fhir.import_from(("file", str(path)), ask=keep)
    assert [c.field for c in asked] == ["weight_kg"]
    assert "typed 70" in asked[0].text() and "record 72" in asked[0].text()
    assert window.form.weight_kg.text() == "70"
    assert _mark(window, "weight_kg") is None
    window.fhir.import_from(("file", str(path)), ask=lambda _c: True)
    assert window.form.weight_kg.text() == "72"
    mark = _mark(window, "weight_kg")
    assert mark is not None and mark.text() == "From the record, 2026-11-28"


def test_typing_over_an_imported_value_removes_its_mark(
    window: MainWindow, record: Path, qtbot: Any
) -> None:
    _fresh(window)
    window.fhir.import_from(("file", str(record)))
    window.form.weight_kg.clear()
    qtbot.keyClicks(window.form.weight_kg, "21")
    qtbot.waitUntil(lambda: _mark(window, "weight_kg") is None)


def test_bad_file_changes_nothing(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    window.form.weight_kg.setText("70")
    path = tmp_path / "bad.json"
    path.write_text('{"resourceType": "Encounter", "id": "e"}')
    assert window.fhir.import_from(("file", str(path))) is None
    assert window.form.weight_kg.text() == "70"
    assert shown and "Nothing was imported" in shown[0] and "Encounter" in shown[0]


def test_export_after_import_refers_to_the_record_patient(
    window: MainWindow, record: Path, tmp_path: Path, qtbot: Any
) -> None:
    _fresh(window)
    window.fhir.import_from(("file", str(record)))
    index = window.form.indication.findData("spasticity")
    window.form.indication.setCurrentIndex(index)
    qtbot.waitUntil(lambda: window.assessment.recommendation is not None)
    out = tmp_path / "plan.json"
    assert window.fhir.export_fhir(str(out), created="2026-12-01T10:00:00+00:00") == str(out)
    data = json.loads(out.read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    refs = [
        e["resource"].get("subject") or e["resource"].get("patient")
        for e in data["entry"]
        if e["resource"]["resourceType"] != "Provenance"
    ]
    assert refs and all(r["reference"] == "Patient/example" for r in refs)
    # this record's patient has an active peptic ulcer and severe kidney impairment: the
    # regimen is withheld, so the plan carries no dose (monitoring and the issues only)
    rec = window.assessment.recommendation
    assert rec.regimen is None and rec.regimen_withheld is not None
    kinds = {e["resource"]["resourceType"] for e in data["entry"]}
    assert "MedicationRequest" not in kinds and "DetectedIssue" in kinds


def test_new_case_forgets_the_record(window: MainWindow, record: Path) -> None:
    _fresh(window)
    window.fhir.import_from(("file", str(record)))
    window.new_action.trigger()
    assert window.fhir.provenance is None
    assert _mark(window, "weight_kg") is None


def test_record_context_reaches_the_engine_until_values_are_changed(
    window: MainWindow, record: Path, qtbot: Any
) -> None:
    _fresh(window)
    window.fhir.import_from(("file", str(record)))
    window.form.indication.setCurrentIndex(window.form.indication.findData("spasticity"))
    qtbot.waitUntil(lambda: window.assessment.recommendation is not None)
    rec = window.assessment.recommendation
    assert "renal.creatinine_stale" in {a.id for a in rec.alerts}  # the 2005 creatinine
    assert rec.case["serum_creatinine"]["measured_on"] == "2005-07-05"
    assert "weight_kg" in rec.case["provenance"]["fields"]
    window.form.serum_creatinine.setText("0.8")  # measured today, typed by the clinician
    window.form.weight_kg.setText("64")
    rec = window.recompute().recommendation
    assert "renal.creatinine_stale" not in {a.id for a in rec.alerts}
    assert rec.case["serum_creatinine"].get("measured_on") is None
    assert "weight_kg" not in rec.case["provenance"]["fields"]
    assert "age_years" in rec.case["provenance"]["fields"]


def test_basis_says_which_inputs_came_from_the_record(
    window: MainWindow, record: Path, qtbot: Any
) -> None:
    from baclofen_cds.ui.basis_view import basis_html

    _fresh(window)
    window.fhir.import_from(("file", str(record)))
    window.form.indication.setCurrentIndex(window.form.indication.findData("spasticity"))
    qtbot.waitUntil(lambda: window.assessment.recommendation is not None)
    rec = window.assessment.recommendation
    cg = next(b for b in rec.basis if "weight_kg" in dict(b.inputs))
    html = basis_html(rec, cg)
    assert "From the record" in html
    assert "weight_kg: Observation/weight, 1999-07-02 — old: measure again" in html


def test_import_from_a_server(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fhir.replay import Replay, serve
    from tests.fhir.test_server import recording

    _fresh(window)
    monkeypatch.setenv("BACLOFEN_CDS_FHIR_TOKEN", "t0ken")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    with serve(Replay(recording(window.engine.kb), token="t0ken")) as base:
        assert window.fhir.import_from(("server", base, "example")) is not None
        assert window.form.age_years.text() == "39"
        assert window.fhir.import_from(("server", base, "nobody")) is None
    assert shown and "not found (404)" in shown[0]


def test_export_is_enabled_only_with_a_recommendation(
    window: MainWindow, record: Path, qtbot: Any
) -> None:
    assert not window.fhir.export_action.isEnabled()
    _fresh(window)
    window.fhir.import_from(("file", str(record)))
    assert not window.fhir.export_action.isEnabled()  # no indication yet
    window.form.indication.setCurrentIndex(window.form.indication.findData("spasticity"))
    qtbot.waitUntil(window.fhir.export_action.isEnabled)


def test_another_patients_record_is_not_merged_without_consent(
    window: MainWindow, record: Path
) -> None:
    from baclofen_cds.fhir.importer import import_case
    from baclofen_cds.fhir.resources import read_resources
    from tests.fhir.helpers import START

    _fresh(window)
    window.form.patient_id.setText("MRN-9")
    window.form.weight_kg.setText("70")
    resources, _ = read_resources(json.loads(record.read_text()), "r")
    imported = import_case(resources, window.engine.kb, window.policy, start_date=START, source="r")
    seen: list[str] = []

    def refuse(typed_id: str, _imp: Any) -> bool:
        seen.append(typed_id)
        return False

    assert window.fhir.apply(imported, ask_patient=refuse) is None
    assert seen == ["MRN-9"]
    assert window.form.age_years.text() == "" and window.form.weight_kg.text() == "70"
    assert window.fhir.provenance is None
    filled = window.fhir.apply(imported, ask=lambda _c: False, ask_patient=lambda *_a: True)
    assert filled is not None and window.form.age_years.text() == "39"
    assert window.form.patient_id.text() == "MRN-9"  # typed id kept (the conflict was refused)
