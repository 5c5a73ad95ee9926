"""`knowledge report` and the sign-off status of `knowledge check`, through the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from baclofen_cds.logic import load_knowledge_base
from tests.cli.test_cli import ROOT, cli

PACKAGED = ROOT / "resources" / "knowledge"


@pytest.fixture(scope="module")
def sha256() -> str:
    return load_knowledge_base().sha256


def signed_policy(tmp_path: Path, sha: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "schema: clinic_policy/1\n"
        f'approved_by: "Dr A. Reviewer"\napproved_on: 2026-12-02\napproved_sha256: {sha}\n',
        encoding="utf-8",
    )
    return path


def test_report_html_and_pdf(tmp_path: Path) -> None:
    html = cli("knowledge", "report", "--out", str(tmp_path / "rules.html"))
    assert html.returncode == 0, html.stderr
    assert "rules," in html.stdout and "not clinically approved" in html.stdout
    assert "dose.adult.spasticity" in (tmp_path / "rules.html").read_text(encoding="utf-8")
    pdf = cli("knowledge", "report", "--out", str(tmp_path / "rules.pdf"), "--paper", "letter")
    assert pdf.returncode == 0, pdf.stderr
    assert (tmp_path / "rules.pdf").read_bytes().startswith(b"%PDF-")
    assert {p.name for p in tmp_path.iterdir()} == {"rules.html", "rules.pdf"}  # no partial


def test_report_since_shows_the_edited_dose(tmp_path: Path) -> None:
    edited = tmp_path / "knowledge"
    shutil.copytree(PACKAGED, edited)
    dosing = edited / "dosing.yaml"
    text = dosing.read_text(encoding="utf-8")
    old = "    target_daily_mg: 60\n    max_daily_mg: 80\n"
    dosing.write_text(text.replace(old, old.replace("80", "70"), 1), encoding="utf-8")
    out = tmp_path / "rules.html"
    run = cli("knowledge", "report", str(edited), "--since", str(PACKAGED), "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "1 change(s)" in run.stdout
    page = out.read_text(encoding="utf-8")
    row = page[page.index('<tr class="changed">') :]
    row = row[: row.index("</tr>")]
    assert "dose.adult.spasticity › max_daily_mg" in row
    assert "<td>80</td><td>70</td>" in row


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--out", "rules.txt"), "--out"),
        (("--out", "no-such-folder/rules.html"), "--out"),
        (("--out", "rules.html", "--since", "no-such-folder"), "--since"),
        (("--out", "rules.html", "--since", "."), "--since"),  # a folder without YAML
    ],
)
def test_report_bad_arguments_exit_2_and_write_nothing(
    tmp_path: Path, args: tuple[str, ...], field: str
) -> None:
    full = [str(tmp_path / a) if a.startswith(("rules", "no-such")) else a for a in args]
    full = [str(tmp_path) if a == "." else a for a in full]
    run = cli("knowledge", "report", *full)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"baclofen-cds: error: {field}")
    assert list(tmp_path.glob("rules*")) == []


def test_check_says_not_approved_until_the_hash_is_signed(tmp_path: Path, sha256: str) -> None:
    plain = cli("knowledge", "check")
    assert plain.returncode == 0
    assert "Knowledge base not clinically approved (no sign-off recorded)" in plain.stdout
    policy = signed_policy(tmp_path, sha256)
    signed = cli("knowledge", "check", "--policy", str(policy))
    assert signed.returncode == 0
    assert "clinically approved by Dr A. Reviewer on 2026-12-02" in signed.stdout
    assert "not clinically approved" not in signed.stdout
    edited = tmp_path / "knowledge"
    shutil.copytree(PACKAGED, edited)
    # a blank line changes nothing that was signed (the hash is of the content as loaded) …
    (edited / "taper.yaml").write_text(
        (edited / "taper.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    same = cli("knowledge", "check", str(edited), "--policy", str(policy))
    assert "clinically approved by Dr A. Reviewer" in same.stdout
    assert "not clinically approved" not in same.stdout
    # … an edited dose does
    dosing = edited / "dosing.yaml"
    text = dosing.read_text(encoding="utf-8")
    assert "    target_daily_mg: 60\n    max_daily_mg: 80\n" in text
    dosing.write_text(
        text.replace(
            "    target_daily_mg: 60\n    max_daily_mg: 80\n",
            "    target_daily_mg: 60\n    max_daily_mg: 70\n",
            1,
        ),
        encoding="utf-8",
    )
    after_edit = cli("knowledge", "check", str(edited), "--policy", str(policy))
    assert after_edit.returncode == 0
    assert "not clinically approved: the sign-off by Dr A. Reviewer" in after_edit.stdout


def test_check_reads_the_policy_from_the_environment(
    tmp_path: Path, sha256: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACLOFEN_CDS_POLICY", str(signed_policy(tmp_path, sha256)))
    run = cli("knowledge", "check")
    assert "clinically approved by Dr A. Reviewer" in run.stdout


def test_a_bad_sign_off_record_is_exit_2_naming_the_field(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        'schema: clinic_policy/1\napproved_by: "Dr A"\napproved_on: soon\napproved_sha256: abc\n'
    )
    run = cli("knowledge", "check", "--policy", str(policy))
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "baclofen-cds: error: policy.approved_on: 'soon' is not a date (YYYY-MM-DD)"
    )
