"""fhir.yaml is checked against the knowledge base; transaction bundles with urn:uuid refs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from baclofen_cds.fhir.mapping import MappingError, load_mappings
from baclofen_cds.logic import load_knowledge_base
from tests.fhir.helpers import hl7, obs

KB_DIR = Path(__file__).parents[2] / "resources" / "knowledge"


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("{condition: epilepsy,", "{condition: epilepsyy,", "unknown condition 'epilepsyy'"),
        ('"787390": tapentadol', '"787390": tapentadl', "unknown medicine 'tapentadl'"),
        (
            '"2160-0", display: "Creatinine [Mass/volume] in Serum or Plasma"}\n      - {loinc: "14682-9"',
            '"29463-7", display: "x"}\n      - {loinc: "14682-9"',
            "LOINC 29463-7 listed twice",
        ),
        ("max_age_days: 90", "max_age_days: soon", "max_age_days"),
    ],
)
def test_broken_fhir_yaml_is_refused_by_knowledge_check(
    tmp_path: Path, old: str, new: str, words: str
) -> None:
    kb_dir = tmp_path / "kb"
    shutil.copytree(KB_DIR, kb_dir)
    (kb_dir / "knowledge.bundle.json").unlink()
    path = kb_dir / "fhir.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(MappingError, match=words):
        load_mappings(load_knowledge_base(kb_dir))
    got = subprocess.run(
        [sys.executable, "-m", "baclofen_cds", "knowledge", "check", str(kb_dir)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert got.returncode == 1 and "fhir.yaml" in got.stderr


def test_rxcuis_are_not_kept_twice(kb: Any) -> None:
    """Once interactions.yaml carries an ingredient's RxCUI (issue 9), fhir.yaml drops it."""
    from baclofen_cds.fhir.mapping import _kb_rxcuis

    twice = sorted(set(_kb_rxcuis(kb)) & set(load_mappings(kb).file.rxnorm_ingredients))
    assert not twice, f"remove these from fhir.yaml rxnorm_ingredients: {twice}"


def test_transaction_with_urn_uuid_references(do_import: Any) -> None:
    patient = hl7("Patient-example.json")
    del patient["id"]
    weight = obs("w", "29463-7", 70, "kg", patient="urn:uuid:pat-1")
    del weight["id"]
    data = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:pat-1",
                "resource": patient,
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": "urn:uuid:obs-1",
                "resource": weight,
                "request": {"method": "POST", "url": "Observation"},
            },
        ],
    }
    case = do_import(data)
    assert case["weight_kg"] == 70
    assert case["provenance"]["fields"]["weight_kg"]["resource"] == "urn:uuid:obs-1"
    assert case["provenance"]["fields"]["age_years"]["resource"] == "urn:uuid:pat-1"


def test_product_code_is_sent_beside_the_ingredient_when_listed(tmp_path: Path) -> None:
    import json

    from baclofen_cds.fhir.export import plan_bundle
    from baclofen_cds.logic import parse_case, recommend
    from tests.fhir.helpers import START

    kb_dir = tmp_path / "kb"
    shutil.copytree(KB_DIR, kb_dir)
    (kb_dir / "knowledge.bundle.json").unlink()
    path = kb_dir / "fhir.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "  products: {}", '  products: {tablet: {code: "999999", display: "test product"}}'
        ),
        encoding="utf-8",
    )
    kb = load_knowledge_base(kb_dir)
    example = Path(__file__).parents[2] / "examples" / "adult-spasticity-ms.json"
    rec = recommend(parse_case(json.loads(example.read_text()), kb, today=START), kb)
    bundle = plan_bundle(rec, kb, created="2026-12-01T00:00:00+00:00", app_version="0")
    order = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationRequest"
    )
    assert [c["code"] for c in order["medicationCodeableConcept"]["coding"]] == ["1292", "999999"]
    path.write_text(
        path.read_text(encoding="utf-8").replace("tablet: {", "tablett: {"), encoding="utf-8"
    )
    with pytest.raises(MappingError, match="unknown formulation 'tablett'"):
        load_mappings(load_knowledge_base(kb_dir))
