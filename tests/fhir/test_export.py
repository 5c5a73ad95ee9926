"""Export: the plan as a FHIR R4 Bundle that validates, and the round trip over the examples."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from baclofen_cds.fhir.export import Acknowledgement, dosage_text, plan_bundle
from baclofen_cds.fhir.importer import import_case
from baclofen_cds.fhir.resources import read_resources
from baclofen_cds.logic import parse_case, recommend
from baclofen_cds.logic.formatting import format_mg, times_a_day
from tests.fhir.helpers import START
from tests.fhir.record import record_for

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.json"))
CREATED = "2026-12-01T09:30:00+00:00"
#: What the clinician adds to an imported case (a record does not hold it).
NOT_FROM_RECORD = (
    "indication",
    "spasticity_origin",
    "hepatic_impairment",
    "formulation",
    "override",
    "confirmed",
    "months_on_treatment",
    "intrathecal",
)


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _rec(kb: Any, data: dict[str, Any]) -> Any:
    return recommend(parse_case(data, kb, today=START), kb)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_export_valid_r4_bundles(kb: Any, path: Path) -> None:
    rec = _rec(kb, json.loads(path.read_text(encoding="utf-8")))
    bundle = plan_bundle(rec, kb, created=CREATED, app_version="9.9.9")
    Bundle.model_validate(bundle)  # raises on anything that is not valid R4(B)
    orders = _resources(bundle, "MedicationRequest")
    steps = rec.regimen.steps if rec.regimen else ()
    assert len(orders) == len(steps)
    for order, step in zip(orders, steps, strict=True):
        assert (order["status"], order["intent"]) == ("draft", "proposal")
        assert order["medicationCodeableConcept"]["coding"][0]["code"] == "1292"
        d = order["dosageInstruction"][0]
        dose = d["doseAndRate"][0]["doseQuantity"]
        assert (dose["code"], dose["system"]) == ("mg", "http://unitsofmeasure.org")
        rep = d["timing"]["repeat"]
        assert (rep["frequency"], rep["period"], rep["periodUnit"]) == (step.times_per_day, 1, "d")
        assert rep["boundsPeriod"]["start"] == step.from_date.isoformat()
        assert rep["boundsPeriod"].get("end") == (
            step.to_date.isoformat() if step.to_date else None
        )
        assert d["route"]["coding"][0]["code"] == "26643006"
        ceiling = d["maxDosePerPeriod"]["numerator"]["value"]
        assert ceiling == rec.regimen.max_daily_mg
        assert dose["value"] * rep["frequency"] <= ceiling  # no exported step above the ceiling
        # FHIR-2: the text says what the structure says (regenerated and compared)
        assert d["text"] == dosage_text(step, rec.regimen.max_daily_mg)
        assert format_mg(dose["value"]) in d["text"]
        assert times_a_day(rep["frequency"]) in d["text"]
    services = _resources(bundle, "ServiceRequest")
    assert [s["code"]["text"] for s in services] == [m.what for m in rec.monitoring]
    for s, m in zip(services, rec.monitoring, strict=True):
        due = s.get("occurrenceDateTime") or s.get("occurrenceTiming", {}).get("repeat", {}).get(
            "boundsPeriod", {}
        ).get("start")
        assert due == (m.due_date.isoformat() if m.due_date else None)
    issues = _resources(bundle, "DetectedIssue")
    assert [i["identifier"][0]["value"] for i in issues] == [a.id for a in rec.critical_alerts]
    (prov,) = _resources(bundle, "Provenance")
    shown = json.dumps(prov)
    assert rec.knowledge_base.sha256 in shown and rec.knowledge_base.version in shown
    assert "Baclofen CDS 9.9.9" in shown
    assert len(prov["target"]) == len(bundle["entry"]) - 1


def test_kidney_monitoring_has_loinc_codes(kb: Any) -> None:
    rec = _rec(kb, json.loads(EXAMPLES[0].read_text(encoding="utf-8")))
    bundle = plan_bundle(rec, kb, created=CREATED, app_version="0")
    kidney = next(s for s in _resources(bundle, "ServiceRequest") if "Kidney" in s["code"]["text"])
    assert {c["code"] for c in kidney["code"]["coding"]} == {"2160-0", "98979-8"}
    routine = next(s for s in _resources(bundle, "ServiceRequest") if "occurrenceTiming" in s)
    assert routine["occurrenceTiming"]["repeat"]["periodUnit"] == "mo"


def test_acknowledged_critical_alert_is_final_with_coded_mitigation(kb: Any) -> None:
    rec = _rec(kb, json.loads(EXAMPLES[0].read_text(encoding="utf-8")))
    assert rec.critical_alerts, "the MS example has critical interaction alerts"
    first = rec.critical_alerts[0]
    ack = {
        first.id: Acknowledgement(
            "benefit_outweighs_risk", "Benefit outweighs risk", clinician="Dr A"
        )
    }
    bundle = plan_bundle(rec, kb, created=CREATED, app_version="0", acknowledgements=ack)
    issues = {i["identifier"][0]["value"]: i for i in _resources(bundle, "DetectedIssue")}
    done = issues[first.id]
    assert done["status"] == "final" and done["severity"] == "high"
    assert done["mitigation"][0]["action"]["coding"][0]["code"] == "benefit_outweighs_risk"
    assert done["mitigation"][0]["author"]["display"] == "Dr A"
    others = [i for k, i in issues.items() if k != first.id]
    assert all(i["status"] == "preliminary" and "mitigation" not in i for i in others)
    assert {r["reference"] for r in done["implicated"]} == {
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationRequest"
    }


def test_withheld_regimen_exports_no_dose_and_an_override_travels_with_it(kb: Any) -> None:
    data = json.loads((EXAMPLES[0].parent / "dialysis.json").read_text(encoding="utf-8"))
    assert data.get("override"), "the dialysis example documents an override"
    with_override = _rec(kb, data)
    bundle = plan_bundle(with_override, kb, created=CREATED, app_version="0")
    orders = _resources(bundle, "MedicationRequest")
    assert orders
    for order in orders:
        (note,) = order["note"]
        assert note["text"].startswith("Override: Started and supervised by a specialist, by ")
        assert "without it: Avoid baclofen" in note["text"]
    del data["override"]
    withheld = _rec(kb, data)
    assert withheld.regimen is None and withheld.regimen_withheld is not None
    bundle = plan_bundle(withheld, kb, created=CREATED, app_version="0")
    Bundle.model_validate(bundle)
    assert _resources(bundle, "MedicationRequest") == []


def test_contraindicated_case_exports_no_dose(kb: Any) -> None:
    data = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    data["conditions"] = ["baclofen_hypersensitivity"]
    rec = _rec(kb, data)
    assert rec.status == "contraindicated"
    bundle = plan_bundle(rec, kb, created=CREATED, app_version="0")
    Bundle.model_validate(bundle)
    assert _resources(bundle, "MedicationRequest") == []
    assert _resources(bundle, "DetectedIssue")  # the reason it is withheld travels with it


def test_same_inputs_same_bytes_and_ismp_text(kb: Any) -> None:
    rec = _rec(kb, json.loads(EXAMPLES[0].read_text(encoding="utf-8")))
    one = json.dumps(plan_bundle(rec, kb, created=CREATED, app_version="0"))
    two = json.dumps(plan_bundle(rec, kb, created=CREATED, app_version="0"))
    assert one == two
    texts = [
        d["text"]
        for r in _resources(json.loads(one), "MedicationRequest")
        for d in r["dosageInstruction"]
    ]
    for text in texts:
        assert not re.search(r"\d\.0 mg|(?<!\d)\.\d+ mg", text)
        assert not re.search(r"\b(QD|QOD|TID|BID|HS|cc|µg)\b", text)


# ------------------------------------------------------------------ round trip
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_record_import_recommend_export(kb: Any, policy: Any, path: Path) -> None:
    """The record of each example, imported and completed with what a record never holds,
    gives the same recommendation as the typed case, and exports as valid R4."""
    typed = json.loads(path.read_text(encoding="utf-8"))
    resources, skipped = read_resources(record_for(typed, kb), "record.json")
    imported = import_case(
        resources, kb, policy, start_date=START, source="record.json", skipped=skipped
    )
    for key in ("age_years", "sex", "weight_kg", "height_cm"):
        assert imported.get(key) == typed.get(key)
    assert imported.get("conditions", []) == typed.get("conditions", [])
    assert imported.get("comedications", []) == typed.get("comedications", [])
    assert imported.get("dialysis", "none") == typed.get("dialysis", "none")
    assert imported.get("current_daily_mg") == typed.get("current_daily_mg")
    for key in NOT_FROM_RECORD:
        if key in typed:
            imported[key] = typed[key]
    a, b = _rec(kb, typed), _rec(kb, imported)
    assert (a.status, a.status_reason) == (b.status, b.status_reason)
    assert a.regimen == b.regimen
    assert [x.id for x in a.alerts] == [x.id for x in b.alerts]
    assert a.monitoring == b.monitoring
    bundle = plan_bundle(b, kb, created=CREATED, app_version="0")
    Bundle.model_validate(bundle)
    # the plan refers to the record's own patient, not a copy
    for order in _resources(bundle, "MedicationRequest"):
        assert order["subject"]["reference"] == "Patient/p1"
    assert "record.json" in json.dumps(_resources(bundle, "Provenance"))


# ------------------------------------------------------------------ command line
def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baclofen_cds", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_cli_import_recommend_export(tmp_path: Path) -> None:
    from tests.fhir.helpers import hl7_bundle

    src = tmp_path / "record.json"
    src.write_text(json.dumps(hl7_bundle()), encoding="utf-8")
    got = _cli("fhir", "import", str(src), "--today", "2026-12-01")
    assert got.returncode == 0, got.stderr
    case = json.loads(got.stdout)
    assert case["sex"] == "female" and "indication" in case["provenance"]["missing"]
    case["indication"] = "spasticity"
    case_path = tmp_path / "case.json"
    case_path.write_text(json.dumps(case), encoding="utf-8")
    out = tmp_path / "plan.json"
    got = _cli(
        "recommend", "--input", str(case_path), "--today", "2026-12-01", "--fhir-out", str(out)
    )
    assert got.returncode == 0, got.stderr
    Bundle.model_validate(json.loads(out.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("not json", "is not FHIR JSON"),
        ('{"resourceType": "Encounter", "id": "e"}', "Encounter resource cannot be imported"),
    ],
)
def test_cli_bad_input_exit_2_one_line(tmp_path: Path, content: str, words: str) -> None:
    src = tmp_path / "bad.json"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "case.json"
    got = _cli("fhir", "import", str(src), "--output", str(out))
    assert got.returncode == 2
    assert words in got.stderr and got.stderr.count("\n") == 1
    assert not out.exists()


def test_cli_fhir_out_to_missing_folder_writes_nothing(tmp_path: Path) -> None:
    example = EXAMPLES[0]
    got = _cli("recommend", "--input", str(example), "--fhir-out", str(tmp_path / "no" / "b.json"))
    assert got.returncode == 2 and "--fhir-out" in got.stderr
    assert got.stdout == ""


def test_cli_import_with_indication_pipes_into_recommend(tmp_path: Path) -> None:
    from tests.fhir.helpers import hl7_bundle

    src = tmp_path / "record.json"
    src.write_text(json.dumps(hl7_bundle()), encoding="utf-8")
    case = _cli("fhir", "import", str(src), "--today", "2026-12-01", "--indication", "spasticity")
    assert case.returncode == 0, case.stderr
    assert "indication" not in json.loads(case.stdout)["provenance"]["missing"]
    rec = subprocess.run(
        [
            sys.executable,
            "-m",
            "baclofen_cds",
            "recommend",
            "--input",
            "-",
            "--today",
            "2026-12-01",
        ],
        input=case.stdout,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert rec.returncode == 0, rec.stderr
    assert json.loads(rec.stdout)["case"]["provenance"]["fields"]["age_years"]["value"] == 39
    bad = _cli("fhir", "import", str(src), "--indication", "headache")
    assert bad.returncode == 2 and "--indication" in bad.stderr


def test_round_trip_keeps_the_current_baclofen_dose(kb: Any, policy: Any) -> None:
    typed = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    typed["current_daily_mg"] = 30
    resources, _ = read_resources(record_for(typed, kb), "record.json")
    imported = import_case(resources, kb, policy, start_date=START, source="record.json")
    assert imported["current_daily_mg"] == 30
    assert "baclofen" not in " ".join(imported.get("comedications", [])).casefold()
    for key in NOT_FROM_RECORD:
        if key in typed:
            imported[key] = typed[key]
    a, b = _rec(kb, typed), _rec(kb, imported)
    assert a.regimen == b.regimen and [x.id for x in a.alerts] == [x.id for x in b.alerts]
