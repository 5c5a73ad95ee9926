"""`recommend --handout/--clinician-summary`: the files a clinic prints from a script."""

from __future__ import annotations

import argparse
import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.cli.test_cli import EXAMPLE, ROOT, cli

#: A clinic's policy file: a handout needs the clinic's phone and country.
POLICY = str(ROOT / "examples" / "policy" / "riverside-gb.yaml")
#: The day a print without a recorded date would carry (these prints all record theirs).
DAY = date(2030, 1, 1)


def test_handout_and_summary_are_written(tmp_path: Path) -> None:
    handout, summary = tmp_path / "handout.pdf", tmp_path / "summary.pdf"
    out = cli(
        "recommend", "--input", str(EXAMPLE), "--today", "2026-11-22",
        "--handout", str(handout), "--clinician-summary", str(summary),
        "--prescriber", "Dr A. Smith", "--policy", POLICY,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"]  # the recommendation is still printed
    assert handout.read_bytes().startswith(b"%PDF")
    assert summary.read_bytes().startswith(b"%PDF")
    from tests.handout.support import pdf_text

    text = pdf_text(handout.read_bytes())
    assert "Jane Doe" in text and "Dr A. Smith" in text and "22 November 2026" in text
    assert "Page 1 of" in pdf_text(summary.read_bytes())
    assert not list(tmp_path.glob(".*.tmp"))


def test_large_print_and_letter_paper(tmp_path: Path) -> None:
    from pypdf import PdfReader

    normal, large = tmp_path / "n.pdf", tmp_path / "l.pdf"
    base = ("recommend", "--input", str(EXAMPLE), "--today", "2026-11-22", "--policy", POLICY)
    assert cli(*base, "--handout", str(normal)).returncode == 0
    out = cli(*base, "--handout", str(large), "--large-print", "--paper", "letter")
    assert out.returncode == 0, out.stderr
    assert len(PdfReader(large).pages) > len(PdfReader(normal).pages)
    assert [round(float(x)) for x in PdfReader(large).pages[0].mediabox[2:]] == [612, 792]


@pytest.mark.parametrize("where", ["missing-folder/x.pdf", "is-a-folder"])
def test_unwritable_path_one_line_and_nothing_written(tmp_path: Path, where: str) -> None:
    (tmp_path / "is-a-folder").mkdir()
    summary = tmp_path / "summary.pdf"
    out = cli(
        "recommend", "--input", str(EXAMPLE),
        "--clinician-summary", str(summary), "--handout", str(tmp_path / where),
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert "--handout: cannot write" in out.stderr
    assert out.stdout == ""
    assert not summary.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    out = cli("recommend", "--input", str(EXAMPLE), "--handout", str(folder / "x.pdf"))
    assert out.returncode == 2
    assert "permission denied" in out.stderr


def test_contraindicated_case_gets_no_handout(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["conditions"] = ["baclofen_hypersensitivity"]
    case = tmp_path / "case.json"
    case.write_text(json.dumps(data), encoding="utf-8")
    out = cli(
        "recommend", "--input", str(case), "--handout", str(tmp_path / "x.pdf"), "--policy", POLICY
    )
    assert out.returncode == 2
    assert "--handout: no patient handout" in out.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_written_handouts_reprint_to_the_same_bytes(tmp_path: Path) -> None:
    """What `write_handouts` returns is what the records keep, and reprints identically."""
    from baclofen_cds.cli import handout_io
    from baclofen_cds.cli.recommend_cmd import compute
    from baclofen_cds.handout.service import PrintOptions, render

    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["patient"]["name"] = "Zoë O'Brien <b>"
    from baclofen_cds.logic import load_policy_file

    _, case, policy, rec = compute(data, datetime(2026, 11, 22).date(), load_policy_file(POLICY))
    args = argparse.Namespace(
        handout=str(tmp_path / "h.pdf"),
        clinician_summary=str(tmp_path / "s.pdf"),
        large_print=True,
        paper="a4",
        prescriber=None,
        clinician="Dr A. Smith",
        today="2026-11-20",
    )
    printed = handout_io.write_handouts(args, case, rec, policy)
    assert [(variant, options) for variant, _, options in printed] == [
        (
            "patient",
            {
                "printed_on": "2026-11-20",
                "prescriber": "Dr A. Smith",
                "large_print": True,
                "paper": "a4",
            },
        ),
        ("clinician", {"printed_on": "2026-11-20", "prescriber": "Dr A. Smith", "paper": "a4"}),
    ]
    assert printed[0][1] == (tmp_path / "h.pdf").read_bytes()
    again = render(rec, PrintOptions.from_recorded("patient", printed[0][2], default_day=DAY))
    assert again.pdf == printed[0][1]
    assert dict(again.options) == printed[0][2]


def test_no_handout_options_print_nothing() -> None:
    from baclofen_cds.cli import handout_io

    args = argparse.Namespace(handout=None, clinician_summary=None, large_print=False)
    assert handout_io.write_handouts(args, None, None, None) == []


def test_no_diary_is_two_pages_and_reprints_the_same(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from baclofen_cds.cli import handout_io
    from baclofen_cds.cli.recommend_cmd import compute
    from baclofen_cds.handout.service import PrintOptions, render
    from baclofen_cds.logic import load_policy_file

    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    _, case, policy, rec = compute(data, datetime(2026, 11, 22).date(), load_policy_file(POLICY))
    args = argparse.Namespace(
        handout=str(tmp_path / "h.pdf"), clinician_summary=None, large_print=False,
        paper="a4", prescriber=None, clinician=None, today="2026-11-20", no_diary=True,
    )  # fmt: skip
    printed = handout_io.write_handouts(args, case, rec, policy)
    assert printed[0][2]["diary"] is False
    assert len(PdfReader(tmp_path / "h.pdf").pages) == 2
    again = render(rec, PrintOptions.from_recorded("patient", printed[0][2], default_day=DAY))
    assert again.pdf == printed[0][1] and dict(again.options) == printed[0][2]
