"""Optional: the exported bundles against the R4 4.0.1 models themselves (fhir.resources 6.x).

fhir.resources 6.x (root = R4 4.0.1) needs pydantic 1, so it cannot live in the project's
environment. Point BACLOFEN_CDS_R4_PYTHON at a Python that has it, e.g.
`python -m venv /tmp/r4 && /tmp/r4/bin/pip install "fhir.resources==6.4.0" "pydantic<2"`;
without it this test is skipped (the R4B models validate every bundle in the other tests).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from baclofen_cds.fhir.export import plan_bundle
from baclofen_cds.logic import parse_case, recommend
from tests.fhir.helpers import START

R4_PYTHON = os.environ.get("BACLOFEN_CDS_R4_PYTHON")
EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.json"))
CHECK = """
import json, sys
from fhir.resources import __fhir_version__
from fhir.resources.bundle import Bundle
assert __fhir_version__ == "4.0.1", __fhir_version__
for path in sys.argv[1:]:
    Bundle.parse_obj(json.load(open(path, encoding="utf-8")))
print("ok", len(sys.argv) - 1)
"""


@pytest.mark.skipif(
    not R4_PYTHON, reason="set BACLOFEN_CDS_R4_PYTHON to a Python with fhir.resources 6.x"
)
def test_examples_validate_against_r4_4_0_1(kb: Any, tmp_path: Path) -> None:
    paths = []
    for example in EXAMPLES:
        rec = recommend(parse_case(json.loads(example.read_text()), kb, today=START), kb)
        out = tmp_path / f"{example.stem}.json"
        out.write_text(
            json.dumps(plan_bundle(rec, kb, created="2026-12-01T09:00:00+00:00", app_version="0")),
            encoding="utf-8",
        )
        paths.append(str(out))
    got = subprocess.run(
        [str(R4_PYTHON), "-c", CHECK, *paths],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert got.returncode == 0, got.stderr[-2000:]
    assert got.stdout.strip() == f"ok {len(EXAMPLES)}"
