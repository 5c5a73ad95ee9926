"""Issue 8 through the command line: every safety scenario via `baclofen-cds recommend --input`,
the new case fields failing closed, and the clinician text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baclofen_cds.cli import main
from tests.cli.test_cli import cli
from tests.logic.conftest import HEALTHY_ADULT
from tests.logic.test_safety_scenarios import OVERRIDE, SAFETY_SCENARIOS, C


def case_file(tmp_path: Path, changes: dict[str, Any]) -> Path:
    data = {**HEALTHY_ADULT, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    if data.get("indication") != "spasticity":
        data.pop("spasticity_origin", None)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("s", SAFETY_SCENARIOS, ids=[s.name for s in SAFETY_SCENARIOS])
def test_safety_scenario_through_the_command_line(
    s: C, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case_file(tmp_path, s.changes)
    assert main(["recommend", "--input", str(path), "--today", "2026-11-22"]) == 0
    data = json.loads(capsys.readouterr().out)
    ids = {a["id"] for a in data["alerts"]}
    assert data["status"] == s.status
    assert s.present <= ids and not (s.absent & ids)
    assert (data["regimen"] is not None) == s.regimen
    withheld = data["regimen_withheld"]
    if s.withheld is None:
        assert withheld is None
    else:
        assert withheld["override_allowed"] == (s.withheld == "overridable")
        assert set(withheld["alert_ids"]) <= ids
    if s.start is not None:
        start = data["regimen"]["start"]
        assert (start["dose_mg"], start["times_per_day"]) == s.start
    if "override" in s.changes:
        assert data["override"]["reason"] == s.changes["override"]["reason"]
        assert data["override"]["label"]
    else:
        assert data["override"] is None


def test_dialysis_withheld_then_shown_under_an_override_real_process() -> None:
    base = {**HEALTHY_ADULT, "dialysis": "hemodialysis"}
    out = cli("recommend", "--input", "-", "--format", "text", stdin=json.dumps(base))
    assert out.returncode == 0, out.stderr
    assert "Status: AVOID" in out.stdout
    assert "REGIMEN WITHHELD:" in out.stdout and "Regimen: none suggested" in out.stdout
    assert "Palliative or end-of-life care" in out.stdout  # the coded reasons offered
    over = cli(
        "recommend",
        "--input",
        "-",
        "--format",
        "text",
        stdin=json.dumps({**base, "override": OVERRIDE}),
    )
    assert over.returncode == 0, over.stderr
    assert "Status: AVOID" in over.stdout
    assert "Override applied: Started and supervised by a specialist — Dr N. Nephro" in over.stdout
    assert "Start: 5 mg once a day" in over.stdout
    assert "[CRITICAL] On dialysis" in over.stdout


def test_the_clinician_text_says_how_to_stop_and_what_overdose_looks_like() -> None:
    data = {**HEALTHY_ADULT, "current_daily_mg": 80, "months_on_treatment": 24}
    out = cli("recommend", "--input", "-", "--format", "text", stdin=json.dumps(data))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Never stop abruptly:" in text and "Withdrawal:" in text and "seizures" in text
    assert "Overdose:" in text and "No antidote" in text and "haemodialysis" in text
    assert "Taper when stopping" in text and "then stop." in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"override": {"reason": "because", "clinician": "Dr X"}}, "override.reason: 'because'"),
        ({"override": {"reason": "palliative_care"}}, "override.clinician: is required"),
        ({"confirmed": ["favourite_colour"]}, "confirmed: 'favourite_colour' is not a field"),
        ({"confirmed": "weight_kg"}, "confirmed: must be a list of strings"),
        ({"current_daily_mg": 5000}, "current_daily_mg: 5000 mg is outside the possible range"),
        ({"months_on_treatment": -1}, "months_on_treatment: -1 months is outside"),
        ({"intrathecal": "yes"}, "intrathecal: 'yes' is not one of"),
    ],
)
def test_new_fields_fail_closed_with_one_line(change: dict[str, Any], message: str) -> None:
    out = cli("recommend", "--input", "-", stdin=json.dumps({**HEALTHY_ADULT, **change}))
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr
