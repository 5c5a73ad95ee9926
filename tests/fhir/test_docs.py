"""docs/fhir.md shows the mappings that fhir.yaml holds (a change to one without the other fails)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baclofen_cds.fhir.mapping import load_mappings

DOC = (Path(__file__).parents[2] / "docs" / "fhir.md").read_text(encoding="utf-8")


def test_every_code_of_fhir_yaml_is_in_the_doc(kb: Any) -> None:
    maps = load_mappings(kb)
    codes: set[str] = set(maps.by_loinc)
    for c in maps.file.conditions:
        codes.update(c.snomed)
        codes.update(c.icd10cm)
        if c.condition:
            codes.add(f"`{c.condition}`")
    codes.update(f"| {rxcui} | {name} |" for rxcui, name in maps.ingredients.items())
    for items in maps.file.export.monitoring_codes.values():
        codes.update(i.loinc for i in items)
    missing = sorted(c for c in codes if c not in DOC)
    assert not missing, f"docs/fhir.md lacks {missing}"
