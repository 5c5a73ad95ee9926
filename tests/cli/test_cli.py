"""The command line as a script or an EHR integration uses it: real subprocesses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.logic.conftest import HEALTHY_ADULT
from tests.logic.test_case_input import BAD

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "adult-spasticity-ms.json"


#: What a clinician adds to print or save a result with critical alerts (issue 11); tests of
#: other things add it (`with_acknowledgement`), tests of the acknowledgement itself do not.
ACKNOWLEDGE_ALL = ("--acknowledge-all", "benefit_outweighs_risk")
WRITING_OPTIONS = ("--handout", "--clinician-summary", "--save")


def with_acknowledgement(args: tuple[str, ...]) -> list[str]:
    words = list(args)
    writes = any(w in WRITING_OPTIONS for w in words)
    if "recommend" in words and writes and not any(w.startswith("--ack") for w in words):
        words += ACKNOWLEDGE_ALL
    return words


def cli(
    *args: str, stdin: str | None = None, acknowledge: bool = True
) -> subprocess.CompletedProcess[str]:
    words = with_acknowledgement(args) if acknowledge else list(args)
    return subprocess.run(
        [sys.executable, "-m", "baclofen_cds", *words],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_recommend_json_follows_the_contract() -> None:
    out = cli("recommend", "--input", str(EXAMPLE))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in (
        "status",
        "renal",
        "regimen",
        "taper",
        "monitoring",
        "alerts",
        "unrecognized_comedications",
        "basis",
        "knowledge_base",
        "sources",
    ):
        assert key in data
    assert data["renal"]["creatinine_clearance_ml_min"] == 87.2
    assert data["renal"]["egfr_ml_min_1_73m2"] == 80.3
    assert data["regimen"]["start"] == {
        "dose_mg": 5,
        "times_per_day": 3,
        "daily_mg": 15,
        "amount": "1 tablet of 5 mg",  # the opioid + benzodiazepine card slows the ladder to 15 → 30
        "volume_ml": None,
    }
    assert data["regimen"]["steps"][0]["from_date"] == "2026-12-01"
    ids = {a["id"] for a in data["alerts"]}
    assert {"hazard.cns_depression", "condition.epilepsy"} <= ids  # one card per hazard
    for alert in data["alerts"]:
        assert set(alert["sources"]) <= set(data["sources"])
    assert len(data["knowledge_base"]["sha256"]) == 64


def test_recommend_is_byte_identical_twice() -> None:
    assert (
        cli("recommend", "--input", str(EXAMPLE)).stdout
        == cli("recommend", "--input", str(EXAMPLE)).stdout
    )


def test_recommend_text_and_stdin() -> None:
    out = cli("recommend", "--input", "-", "--format", "text", stdin=EXAMPLE.read_text())
    assert out.returncode == 0
    assert "Status: USE WITH CAUTION" in out.stdout
    assert (
        "[CRITICAL] Sedation and slowed breathing: baclofen with oxycodone and alprazolam"
        in out.stdout
    )
    # the critical card slows the ladder to weekly steps (dose.interaction.cns_depression)
    assert "2026-12-01 to 2026-12-07: 5 mg three times a day" in out.stdout


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("{not json", "input: standard input is not valid JSON (line 1, column 2"),
        ('{"sex": "female", "age_years": 40}', "indication: is required"),
        (
            '{"indication": "spasticity", "sex": "female", "age_years": 40, "conditions": ["gout"]}',
            "conditions: 'gout' is not a known condition code",
        ),
        (
            '{"indication": "spasticity", "sex": "female", "age_years": 400}',
            "age_years: 400 years is outside the possible range",
        ),
        (
            '{"indication": "spasticity", "sex": "female", "age_years": 40, "serum_creatinine": {"value": 90, "unit": "mg/dL"}}',
            "serum_creatinine.value: 90 mg/dL is outside",
        ),
        ("[]", "case: must be a JSON object"),
    ],
)
def test_bad_input_exits_2_with_one_line(stdin: str, message: str) -> None:
    out = cli("recommend", "--input", "-", stdin=stdin)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_missing_file_exits_2() -> None:
    out = cli("recommend", "--input", "/no/such/case.json")
    assert out.returncode == 2 and "input: no such file: /no/such/case.json" in out.stderr


def test_knowledge_check_ok_and_broken(tmp_path: Path) -> None:
    ok = cli("knowledge", "check")
    assert ok.returncode == 0 and "knowledge base OK" in ok.stdout
    broken = tmp_path / "kb"
    shutil.copytree(ROOT / "resources" / "knowledge", broken)
    path = broken / "conditions.yaml"
    path.write_text(path.read_text().replace("sources: [S8]\n", "sources: [S404]\n", 1))
    bad = cli("knowledge", "check", str(broken))
    assert bad.returncode == 1
    assert "conditions.yaml" in bad.stderr and "S404" in bad.stderr


@pytest.mark.parametrize(
    "example", sorted((ROOT / "examples").glob("*.json")), ids=lambda p: p.stem
)
def test_every_example_runs(example: Path) -> None:
    out = cli("recommend", "--input", str(example), "--format", "text")
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize(
    ("field", "change", "words"), BAD, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD)]
)
def test_every_bad_field_through_the_command_line(
    field: str, change: dict[str, Any], words: str
) -> None:
    data = {k: v for k, v in {**HEALTHY_ADULT, **change}.items() if v is not None}
    out = cli("recommend", "--input", "-", stdin=json.dumps(data))
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert f"error: {field}: " in lines[0] and words in lines[0]
