"""`recommend --save`, `history`, `show`, `reprint` as a clinician or a script runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "adult-spasticity-ms.json"
#: A handout needs the clinic's phone and country: the example clinic's policy file.
POLICY = ROOT / "examples" / "policy" / "riverside-gb.yaml"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    from tests.cli.test_cli import with_acknowledgement

    return subprocess.run(
        [sys.executable, "-m", "baclofen_cds", *with_acknowledgement(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["patient"] = {"id": "MRN-CLI", "name": "Zoë O'Brien"}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _save(url: str, case_file: Path, *extra: str) -> int:
    out = cli(
        "recommend",
        "--input",
        str(case_file),
        "--today",
        "2026-11-22",
        "--save",
        "--clinician",
        "Dr A. Smith",
        "--database-url",
        url,
        *extra,
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    line = next(x for x in out.stderr.splitlines() if "saved as assessment" in x)
    return int(line.split("assessment ")[1].split()[0])


def test_save_then_history_and_show(database_url: str, case_file: Path) -> None:
    first = _save(database_url, case_file)
    second = _save(database_url, case_file, "--supersedes", str(first))

    out = cli(
        "history", "--patient-id", "MRN-CLI", "--format", "json", "--database-url", database_url
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["total"] == 2
    assert [a["id"] for a in data["assessments"]] == [second, first]
    assert data["assessments"][0]["supersedes"] == first
    assert data["assessments"][1]["superseded_by"] == second
    assert data["assessments"][0]["patient_name"] == "Zoë O'Brien"
    assert data["assessments"][0]["clinician"] == "Dr A. Smith"

    text = cli("history", "--patient-id", "MRN-CLI", "--database-url", database_url)
    assert text.returncode == 0, text.stderr
    assert f"#{first}" in text.stdout
    assert f"CORRECTED by #{second}" in text.stdout
    assert "Zoë O'Brien" in text.stdout

    shown = cli("show", str(first), "--format", "json", "--database-url", database_url)
    assert shown.returncode == 0, shown.stderr
    stored = json.loads(shown.stdout)
    rec = json.loads(cli("recommend", "--input", str(case_file), "--today", "2026-11-22").stdout)
    assert stored["result"] == rec
    assert stored["superseded_by"] == second
    assert stored["patient"] == {
        "id": "MRN-CLI",
        "name": "Zoë O'Brien",
        "birth_year": None,
        "sex": rec["case"]["sex"],
    }

    shown_text = cli("show", str(first), "--database-url", database_url)
    assert shown_text.returncode == 0, shown_text.stderr
    assert f"Assessment #{first}" in shown_text.stdout
    assert f"CORRECTED: assessment #{second} replaces this one." in shown_text.stdout
    assert "5 mg" in shown_text.stdout


def test_database_url_before_the_command_and_from_the_environment(
    sqlite_url: str, case_file: Path, tmp_path: Path
) -> None:
    out = cli(
        "--database-url",
        sqlite_url,
        "recommend",
        "--input",
        str(case_file),
        "--save",
        "--clinician",
        "Dr A",
    )
    assert out.returncode == 0, out.stderr
    env_url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    out = cli(
        "recommend",
        "--input",
        str(case_file),
        "--save",
        "--clinician",
        "Dr A",
        env={"BACLOFEN_CDS_DATABASE_URL": env_url},
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "env.sqlite3").exists()
    hist = cli(
        "--database-url", sqlite_url, "history", "--patient-id", "MRN-CLI", "--format", "json"
    )
    assert json.loads(hist.stdout)["total"] == 1


def test_save_needs_a_clinician_and_a_patient(
    sqlite_url: str, case_file: Path, tmp_path: Path
) -> None:
    out = cli("recommend", "--input", str(case_file), "--save", "--database-url", sqlite_url)
    assert out.returncode == 2
    assert "--clinician is required" in out.stderr
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data.pop("patient", None)
    anonymous = tmp_path / "anon.json"
    anonymous.write_text(json.dumps(data))
    out = cli(
        "recommend",
        "--input",
        str(anonymous),
        "--save",
        "--clinician",
        "Dr A",
        "--database-url",
        sqlite_url,
    )
    assert out.returncode == 2
    assert "--patient-id is required" in out.stderr
    out = cli(
        "recommend",
        "--input",
        str(case_file),
        "--save",
        "--clinician",
        "Dr A",
        "--patient-id",
        "MRN-OTHER",
        "--database-url",
        sqlite_url,
    )
    assert out.returncode == 2
    assert "not the patient id in the case" in out.stderr
    assert "Traceback" not in out.stderr
    # Refused before the records were opened: not even an empty database was created.
    assert not (tmp_path / "records.sqlite3").exists()


def test_damaged_records_stop_the_save_but_not_the_recommendation(
    tmp_path: Path, case_file: Path
) -> None:
    db = tmp_path / "records.sqlite3"
    garbage = b"\x00garbage, not a database" * 50
    db.write_bytes(garbage)
    url = f"sqlite:///{db}"

    out = cli(
        "recommend",
        "--input",
        str(case_file),
        "--save",
        "--clinician",
        "Dr A",
        "--database-url",
        url,
    )
    assert out.returncode == 3
    assert "records unavailable" in out.stderr
    assert "damaged" in out.stderr
    assert "Traceback" not in out.stderr
    assert db.read_bytes() == garbage

    out = cli("recommend", "--input", str(case_file), "--database-url", url)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"]

    out = cli("history", "--patient-id", "MRN-CLI", "--database-url", url)
    assert out.returncode == 3
    assert "Traceback" not in out.stderr


def test_unreachable_server_is_one_line(case_file: Path) -> None:
    out = cli(
        "recommend",
        "--input",
        str(case_file),
        "--save",
        "--clinician",
        "Dr A",
        "--database-url",
        "postgresql+psycopg://clinic:pw@127.0.0.1:9/records",
    )
    assert out.returncode == 3
    assert "records unavailable" in out.stderr
    assert "pw@" not in out.stderr
    assert "Traceback" not in out.stderr


def test_show_unknown_assessment(sqlite_url: str) -> None:
    out = cli("show", "4242", "--database-url", sqlite_url)
    assert out.returncode == 4
    assert "no assessment 4242" in out.stderr


def test_reprint_gives_the_same_handout_bytes(sqlite_url: str, tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

    from baclofen_cds.handout.service import PrintOptions, render
    from baclofen_cds.logic import (
        load_knowledge_base,
        load_policy,
        load_policy_file,
        parse_case,
        recommend,
    )
    from baclofen_cds.records import PatientDetails, PrintedPdf, open_store

    kb = load_knowledge_base()
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["patient"] = {"id": "MRN-P", "name": "Zoë O'Brien <b>&amp;"}
    policy = load_policy(kb, load_policy_file(POLICY))
    rec = recommend(parse_case(data, kb, today=date(2026, 11, 22)), kb, policy)
    made = render(
        rec,
        PrintOptions.from_recorded(
            "patient",
            {"printed_on": "2026-11-20", "prescriber": "Dr A. Smith", "large_print": True},
            default_day=datetime.now(UTC).date(),
        ),
    )
    first, options = made.pdf, dict(made.options)
    with open_store(sqlite_url) as store:
        aid = store.save_assessment(
            rec,
            patient=PatientDetails("MRN-P"),
            clinician="Dr A. Smith",
            prints=[PrintedPdf("patient", first, options)],
        )
    again = tmp_path / "again.pdf"
    out = cli(
        "reprint",
        str(aid),
        "--handout",
        str(again),
        "--clinician",
        "Nurse B",
        "--database-url",
        sqlite_url,
    )
    assert out.returncode == 0, out.stderr
    assert "identical" in out.stderr
    assert again.read_bytes() == first
    shown = json.loads(
        cli("show", str(aid), "--format", "json", "--database-url", sqlite_url).stdout
    )
    assert [p["printed_by"] for p in shown["prints"]] == ["Dr A. Smith", "Nurse B"]
    assert shown["prints"][0]["pdf_sha256"] == shown["prints"][1]["pdf_sha256"]
    assert shown["prints"][1]["options"]["reprint"] is True


def test_reprint_refuses_when_the_knowledge_base_changed(sqlite_url: str, tmp_path: Path) -> None:
    from baclofen_cds.records import PatientDetails, open_store
    from tests.records.records_support import make_recommendation

    with open_store(sqlite_url) as store:
        aid = store.save_assessment(
            make_recommendation(), patient=PatientDetails("MRN-001"), clinician="Dr A"
        )
    out_pdf = tmp_path / "x.pdf"
    out = cli("reprint", str(aid), "--handout", str(out_pdf), "--database-url", sqlite_url)
    assert out.returncode == 4
    assert "cannot be recomputed exactly" in out.stderr
    assert not out_pdf.exists()


def test_show_an_assessment_from_another_knowledge_base(sqlite_url: str) -> None:
    from baclofen_cds.records import Acknowledgement, PatientDetails, open_store
    from tests.records.records_support import make_recommendation

    with open_store(sqlite_url) as store:
        aid = store.save_assessment(
            make_recommendation(kb_version="2020.1"),
            patient=PatientDetails("MRN-001", "Jane Doe"),
            clinician="Dr A",
            acknowledgements=[
                Acknowledgement("interaction.opioids", "overridden", "benefit", "Watched closely")
            ],
        )
    out = cli("show", str(aid), "--database-url", sqlite_url)
    assert out.returncode == 0, out.stderr
    assert "cannot be recomputed exactly" in out.stdout
    assert "Start: 5 mg three times a day" in out.stdout
    assert "Never more than 80 mg a day" in out.stdout
    assert "[CRITICAL] Opioid + baclofen" in out.stdout
    assert (
        "interaction.opioids: overridden (reason: benefit) by Dr A — Watched closely" in out.stdout
    )


def test_save_if_asked_records_the_pdfs_printed_in_the_run(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from baclofen_cds.cli import records_cmd
    from baclofen_cds.records import open_store
    from tests.records.records_support import make_recommendation

    args = argparse.Namespace(
        save=True,
        patient_id=None,
        clinician="Dr A",
        birth_year=1981,
        supersedes=None,
        database_url=sqlite_url,
        today="2026-11-20",
    )
    records_cmd.save_if_asked(
        args,
        make_recommendation(),
        [("patient", b"%PDF-1"), ("clinician", b"%PDF-2", {"paper": "letter"})],
    )
    assert "saved as assessment 1" in capsys.readouterr().err
    with open_store(sqlite_url) as store:
        got = store.get_assessment(1)
    assert got.patient.external_id == "MRN-001"  # from the case
    assert got.patient.birth_year == 1981
    assert [(p.variant, p.options) for p in got.prints] == [
        ("patient", {"printed_on": "2026-11-20"}),
        ("clinician", {"paper": "letter", "printed_on": "2026-11-20"}),
    ]


def test_without_save_nothing_is_opened(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from baclofen_cds.cli import records_cmd
    from tests.records.records_support import make_recommendation

    db = tmp_path / "records.sqlite3"
    args = argparse.Namespace(
        save=False, patient_id="MRN-001", clinician=None, database_url=f"sqlite:///{db}"
    )
    records_cmd.save_if_asked(args, make_recommendation(), [])
    assert "not saved" in capsys.readouterr().err
    assert not db.exists()


def test_recommend_save_with_pdfs_then_reprint_both_identically(
    database_url: str, case_file: Path, tmp_path: Path
) -> None:
    """The whole trail: print in the run that saves, reprint later, same bytes, audited."""
    handout, summary = tmp_path / "handout.pdf", tmp_path / "summary.pdf"
    aid = _save(
        database_url,
        case_file,
        "--handout",
        str(handout),
        "--clinician-summary",
        str(summary),
        "--large-print",
        "--paper",
        "letter",
        "--prescriber",
        "Dr Zoë Ngũgĩ",
        "--policy",
        str(POLICY),
    )
    for variant, original in (("patient", handout), ("clinician", summary)):
        again = tmp_path / f"again-{variant}.pdf"
        out = cli(
            "reprint",
            str(aid),
            "--variant",
            variant,
            "--handout",
            str(again),
            "--clinician",
            "Nurse B",
            "--database-url",
            database_url,
        )
        assert out.returncode == 0, out.stderr
        assert "identical" in out.stderr
        assert again.read_bytes() == original.read_bytes()
    shown = json.loads(
        cli("show", str(aid), "--format", "json", "--database-url", database_url).stdout
    )
    assert [(p["variant"], p["printed_by"]) for p in shown["prints"]] == [
        ("patient", "Dr A. Smith"),
        ("clinician", "Dr A. Smith"),
        ("patient", "Nurse B"),
        ("clinician", "Nurse B"),
    ]
    assert shown["prints"][0]["options"]["large_print"] is True
    assert shown["prints"][0]["options"]["paper"] == "letter"
    assert shown["prints"][0]["pdf_sha256"] == shown["prints"][2]["pdf_sha256"]
    assert shown["prints"][1]["pdf_sha256"] == shown["prints"][3]["pdf_sha256"]
