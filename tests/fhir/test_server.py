"""Server reads: the same case as from a file, through FHIR searches on a loopback replay."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from baclofen_cds.fhir.client import FhirServerError, check_base_url, fetch_patient, searches
from baclofen_cds.fhir.importer import import_case
from tests.fhir.helpers import START, hl7, hl7_bundle
from tests.fhir.replay import Replay, serve

BY_LOINC = {
    "29463-7": "Observation-weight.json",
    "8302-2": "Observation-height.json",
    "2160-0": "Observation-serum-creatinine.json",
}
BY_TYPE = {
    "MedicationRequest": ["MedicationRequest-self-tylenol.json"],
    "Condition": ["Condition-condition-duodenal-ulcer.json"],
    "AllergyIntolerance": ["AllergyIntolerance-example.json"],
}


def searchset(*files: str) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(files),
        "entry": [{"resource": hl7(f), "search": {"mode": "match"}} for f in files],
    }


def recording(kb: Any) -> dict[tuple[str, frozenset[tuple[str, str]]], Any]:
    """The answers a US Core server gives for HL7's example patient, one per search made."""
    answers: dict[tuple[str, frozenset[tuple[str, str]]], Any] = {
        ("/fhir/Patient/example", frozenset()): hl7("Patient-example.json"),
    }
    for rtype, params in searches(kb, "example"):
        files: list[str] = []
        if rtype == "Observation":
            files = [f for code, f in BY_LOINC.items() if f"|{code}" in params["code"]]
        else:
            files = BY_TYPE.get(rtype, [])
        answers[(f"/fhir/{rtype}", frozenset(params.items()))] = searchset(*files)
    return answers


def test_server_gives_the_same_case_as_the_file(kb: Any, policy: Any, do_import: Any) -> None:
    replay = Replay(recording(kb), token="s3cret")
    with serve(replay) as base:
        resources, _ = fetch_patient(base, "example", kb, token="s3cret", timeout=5)
    from_server = import_case(resources, kb, policy, start_date=START, source="server")
    from_file = do_import(hl7_bundle())
    for case in (from_server, from_file):
        case.pop("provenance")
    assert from_server == from_file
    assert all(auth == "Bearer s3cret" for _, _, auth in replay.seen)
    weight = next(
        q for p, q, _ in replay.seen if p == "/fhir/Observation" and "29463-7" in q["code"]
    )
    assert weight["_sort"] == "-date" and weight["_count"] == "1"
    assert weight["status"] == "final,amended,corrected"


def test_401_404_and_timeout_are_one_clear_line(kb: Any) -> None:
    with serve(Replay(recording(kb), token="right")) as base:
        with pytest.raises(FhirServerError, match=r"refused .*\(401\).*token"):
            fetch_patient(base, "example", kb, token="wrong", timeout=5)
        with pytest.raises(FhirServerError, match=r"Patient/nobody not found \(404\)"):
            fetch_patient(base, "nobody", kb, token="right", timeout=5)
    with (
        serve(Replay(recording(kb), delay_s=1.5)) as base,
        pytest.raises(FhirServerError, match=r"no answer .* within 0.3 s"),
    ):
        fetch_patient(base, "example", kb, timeout=0.3)


def test_plain_http_only_on_this_computer() -> None:
    with pytest.raises(FhirServerError, match="not https"):
        check_base_url("http://ehr.example.org/fhir")
    assert check_base_url("https://ehr.example.org/fhir/") == "https://ehr.example.org/fhir"
    assert check_base_url("http://127.0.0.1:8080/fhir") == "http://127.0.0.1:8080/fhir"


def test_unreachable_server(kb: Any) -> None:
    with serve(Replay({})) as base:
        pass  # stopped: nothing listens there any more
    with pytest.raises(FhirServerError, match="cannot reach"):
        fetch_patient(base, "example", kb, timeout=2)


def test_cli_server_import_with_token_from_environment(kb: Any) -> None:
    with serve(Replay(recording(kb), token="envtoken")) as base:
        env = {**os.environ, "BACLOFEN_CDS_FHIR_TOKEN": "envtoken"}
        ok = subprocess.run(
            [
                sys.executable,
                "-m",
                "baclofen_cds",
                "fhir",
                "import",
                "--server",
                base,
                "--patient",
                "example",
                "--today",
                "2026-12-01",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=120,
        )
        env.pop("BACLOFEN_CDS_FHIR_TOKEN")
        refused = subprocess.run(
            [
                sys.executable,
                "-m",
                "baclofen_cds",
                "fhir",
                "import",
                "--server",
                base,
                "--patient",
                "example",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=120,
        )
    assert ok.returncode == 0, ok.stderr
    assert '"sex": "female"' in ok.stdout
    assert refused.returncode == 2 and "(401)" in refused.stderr
    assert refused.stderr.count("\n") == 1
