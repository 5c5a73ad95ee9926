"""The clinic's policy on the command line: file, environment, options; refusals (exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.test_cli import EXAMPLE, ROOT, cli
from tests.handout.support import pdf_text

POLICY_GB = ROOT / "examples" / "policy" / "riverside-gb.yaml"
POLICY_US = ROOT / "examples" / "policy" / "lakeside-us.yaml"


def _recommend(tmp_path: Path, *extra: str, case: Path = EXAMPLE) -> tuple[int, str, Path]:
    out_pdf = tmp_path / "h.pdf"
    out = cli("recommend", "--input", str(case), "--today", "2026-11-22",
              "--handout", str(out_pdf), *extra)  # fmt: skip
    return out.returncode, out.stderr, out_pdf


def test_no_phone_no_handout(tmp_path: Path) -> None:
    code, err, pdf = _recommend(tmp_path, "--country", "GB")
    assert code == 2
    assert err.count("\n") == 1
    assert "no clinic phone number to call" in err and "--clinic-phone" in err
    assert not pdf.exists()


def test_no_country_no_handout(tmp_path: Path) -> None:
    code, err, pdf = _recommend(tmp_path, "--clinic-phone", "01632 960000")
    assert code == 2
    assert "country is not set" in err and "emergency number" in err
    assert not pdf.exists()


def test_policy_file_gives_country_clinic_and_phone(tmp_path: Path) -> None:
    code, err, pdf = _recommend(tmp_path, "--policy", str(POLICY_GB))
    assert code == 0, err
    text = pdf_text(pdf.read_bytes())
    assert "Call 999 now for any of these" in text and "NHS 111" in text
    assert "Riverside Neurology on 01632 960000" in text
    assert "911" not in text


def test_country_option_overrides_the_file(tmp_path: Path) -> None:
    code, err, pdf = _recommend(
        tmp_path, "--policy", str(POLICY_GB), "--country", "US", "--clinic-phone", "555-0100"
    )
    assert code == 0, err
    text = pdf_text(pdf.read_bytes())
    assert "Call 911 now for any of these" in text and "Poison Control on 1-800-222-1222" in text
    assert "555-0100" in text
    assert "999" not in text and "NHS 111" not in text


def test_policy_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACLOFEN_CDS_POLICY", str(POLICY_US))
    code, err, pdf = _recommend(tmp_path)
    assert code == 0, err
    assert "Lakeside Rehabilitation Clinic" in pdf_text(pdf.read_bytes())
    # The policy used is recorded with the recommendation (a reprint uses it).
    out = cli("recommend", "--input", str(EXAMPLE))
    policy = json.loads(out.stdout)["policy"]
    assert policy["country"] == "US" and policy["languages_enabled"] == ["en", "es"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("schema: clinic_policy/1\ncountry: FR\n", "policy.country"),
        ("schema: clinic_policy/1\nclinic_fone: '1'\n", "policy.clinic_fone"),
        ("schema: clinic_policy/1\nlanguages_enabled: [en, xx]\n", "policy.languages_enabled"),
        ("schema: clinic_policy/9\n", "policy.schema"),
        ("country: GB\n", "policy.schema"),
        (
            "schema: clinic_policy/1\nroutine_interval_months_standard: 0\n",
            "policy.routine_interval_months_standard",
        ),
        ("- not a mapping\n", "policy:"),
        ("country: [unclosed\n", "policy:"),
    ],
)
def test_bad_policy_file_exit_2_naming_the_field(tmp_path: Path, body: str, field: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(body, encoding="utf-8")
    code, err, pdf = _recommend(tmp_path, "--policy", str(path))
    assert code == 2
    assert err.count("\n") == 1
    assert f"error: {field}" in err
    assert not pdf.exists()


def test_missing_policy_file(tmp_path: Path) -> None:
    code, err, _ = _recommend(tmp_path, "--policy", str(tmp_path / "nope.yaml"))
    assert code == 2 and "policy: cannot read" in err


def test_spanish_only_when_the_policy_enables_it(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["handout_language"] = "es"
    case = tmp_path / "case.json"
    case.write_text(json.dumps(data), encoding="utf-8")
    only_en = tmp_path / "en-only.yaml"
    only_en.write_text(
        "schema: clinic_policy/1\ncountry: US\nclinic_phone: '555-0100'\n", encoding="utf-8"
    )
    code, err, pdf = _recommend(tmp_path, "--policy", str(only_en), case=case)
    assert code == 2 and "language 'es' is not enabled" in err
    assert not pdf.exists()
    code, err, pdf = _recommend(tmp_path, "--policy", str(POLICY_US), case=case)
    assert code == 0, err
    text = pdf_text(pdf.read_bytes())
    assert "Su plan de baclofeno" in text and "Llame ya al 911 si hay" in text
    assert "mar 1 dic" in text  # Babel: Spanish day and month names


def test_knowledge_check_names_each_language_and_a_missing_key(tmp_path: Path) -> None:
    out = cli("knowledge", "check", "--policy", str(POLICY_GB))
    assert out.returncode == 0, out.stderr
    assert "handout text en: reviewed" in out.stdout
    assert "handout text es: reviewed" in out.stdout and "Spanish-speaking" in out.stdout
    assert "country GB, clinic Riverside Neurology" in out.stdout
    folder = tmp_path / "kb"
    shutil.copytree(ROOT / "resources" / "knowledge", folder)
    es = folder / "handout_text.es.yaml"
    es.write_text(
        es.read_text(encoding="utf-8").replace("  working_days: Si una fecha", "  weekend: Si"),
        encoding="utf-8",
    )
    out = cli("knowledge", "check", str(folder))
    assert out.returncode == 1
    assert "handout text es INVALID" in out.stderr
    assert "tests.working_days" in out.stderr


def test_knowledge_check_rejects_a_bad_policy(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("schema: clinic_policy/1\ncountry: XX\n", encoding="utf-8")
    out = cli("knowledge", "check", "--policy", str(path))
    assert out.returncode == 1 and "policy INVALID: policy.country" in out.stderr
