"""The print service: content -> PDF -> a file written whole -> the record of the print."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from baclofen_cds.handout import output
from baclofen_cds.handout.service import (
    PrintError,
    PrintOptions,
    PrintRecord,
    PublishError,
    render,
    write_prints,
)
from tests.handout import handout_factories as f
from tests.handout.support import example, pdf_text

DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def printed() -> PrintRecord:
    options = PrintOptions("patient", printed_on=DAY, prescriber="Dr A. Smith", paper="letter")
    return render(example("adult-spasticity-ms"), options)


def test_render_makes_the_pdf_and_the_options_that_print_it_again(printed: PrintRecord) -> None:
    assert printed.pdf.startswith(b"%PDF")
    assert "Jane Doe" in pdf_text(printed.pdf) and "Dr A. Smith" in pdf_text(printed.pdf)
    assert dict(printed.options) == {
        "printed_on": "2026-11-20",
        "prescriber": "Dr A. Smith",
        "large_print": False,
        "paper": "letter",
    }
    again = PrintOptions.from_recorded("patient", printed.options, default_day=date(2030, 1, 1))
    assert render(example("adult-spasticity-ms"), again).pdf == printed.pdf
    assert printed.target is None  # made in memory: nothing written yet


def test_a_clinician_summary_records_the_printed_acknowledgements() -> None:
    options = PrintOptions(
        "clinician", printed_on=DAY, acknowledgements={"hazard.x": "Benefit outweighs risk"}
    )
    made = render(example("adult-spasticity-ms"), options)
    assert made.variant == "clinician" and made.pdf.startswith(b"%PDF")
    assert made.options["acknowledgements"] == {"hazard.x": "Benefit outweighs risk"}


def test_a_case_without_a_regimen_is_refused_in_words() -> None:
    with pytest.raises(PrintError, match="no regimen"):
        render(f.recommendation(regimen=None), PrintOptions("patient", printed_on=DAY))


def test_written_whole_private_and_recorded_before_it_appears(
    printed: PrintRecord, tmp_path: Path
) -> None:
    target = tmp_path / "h.pdf"
    seen: list[tuple[bool, list[str]]] = []

    def record(prints: Sequence[PrintRecord]) -> int:
        seen.append((target.exists(), [p.sha256 for p in prints]))
        return 7

    assert write_prints([printed.to("--handout", target)], force=False, record=record) == 7
    assert seen == [(False, [printed.sha256])]  # recorded while still staged
    assert target.read_bytes() == printed.pdf
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.pdf"]


def test_a_refused_record_leaves_no_file(printed: PrintRecord, tmp_path: Path) -> None:
    def refuse(prints: Sequence[PrintRecord]) -> None:
        raise RuntimeError("records unavailable")

    with pytest.raises(RuntimeError):
        write_prints([printed.to("--handout", tmp_path / "h.pdf")], force=False, record=refuse)
    assert list(tmp_path.iterdir()) == []


def test_a_link_or_folder_is_never_replaced_even_with_force(
    printed: PrintRecord, tmp_path: Path
) -> None:
    victim = tmp_path / "notes.txt"
    victim.write_text("chart")
    link = tmp_path / "h.pdf"
    link.symlink_to(victim)
    folder = tmp_path / "dir.pdf"
    folder.mkdir()
    for target, words in ((link, "never replaced"), (folder, "it is a folder")):
        with pytest.raises(output.OutputError, match=words):
            write_prints([printed.to("--handout", target)], force=True)
    assert victim.read_text() == "chart" and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.pdf", "h.pdf", "notes.txt"]


def test_an_existing_file_is_replaced_only_with_force(printed: PrintRecord, tmp_path: Path) -> None:
    target = tmp_path / "h.pdf"
    target.write_bytes(b"old")
    with pytest.raises(output.OutputError, match=r"already exists \(add --force"):
        write_prints([printed.to("--handout", target)], force=False)
    assert target.read_bytes() == b"old"
    write_prints([printed.to("--handout", target)], force=True)
    assert target.read_bytes() == printed.pdf


def test_a_failed_render_writes_nothing(tmp_path: Path) -> None:
    """Every PDF is rendered before any is written: a summary that could be printed is not
    written beside a handout that cannot."""
    import argparse

    from baclofen_cds.cli import UsageError, handout_io

    args = argparse.Namespace(
        handout=str(tmp_path / "h.pdf"), clinician_summary=str(tmp_path / "s.pdf"),
        large_print=False, paper="a4", prescriber=None, clinician=None, today=DAY.isoformat(),
    )  # fmt: skip
    with pytest.raises(UsageError, match="--handout: no patient handout"):
        handout_io.write_handouts(args, None, f.recommendation(regimen=None), None)
    assert list(tmp_path.iterdir()) == []


def test_a_file_appearing_after_the_record_is_not_replaced_and_the_record_is_said(
    printed: PrintRecord, tmp_path: Path
) -> None:
    target = tmp_path / "h.pdf"

    def record(prints: Sequence[PrintRecord]) -> int:
        target.write_bytes(b"someone else's")  # created between staging and publishing
        return 12

    with pytest.raises(PublishError, match="already exists") as caught:
        write_prints([printed.to("--handout", target)], force=False, record=record)
    assert caught.value.recorded == 12
    assert target.read_bytes() == b"someone else's"
    assert sorted(os.listdir(tmp_path)) == ["h.pdf"]  # the staged file is gone


def test_a_handout_printed_in_another_language_reprints_in_that_language() -> None:
    """The window records the language it printed in; a reprint (the CLI's `reprint` reads
    the same options back) is the same handout, not one in the case's default language."""
    rec = example("adult-spasticity-ms")
    spanish = render(rec, PrintOptions("patient", printed_on=DAY, language="es"))
    assert spanish.options["language"] == "es"
    again = PrintOptions.from_recorded("patient", spanish.options, default_day=DAY)
    assert render(rec, again).pdf == spanish.pdf
    english = render(rec, PrintOptions("patient", printed_on=DAY))
    assert english.pdf != spanish.pdf and "language" not in english.options
