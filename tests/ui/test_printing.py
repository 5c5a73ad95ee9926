"""Printing in the background, as the handout's own PDF (vector pages with text), with
progress and cancel; large print, paper and language from the File menu."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from baclofen_cds.ui import handout_bridge, printing
from tests.ui.conftest import fill, type_into
from tests.ui.test_acknowledgements import answer_dialog
from tests.ui.test_cases import example

ANSWERS = {"hazard.cns_depression": ("benefit_outweighs_risk", "")}


@pytest.fixture(autouse=True)
def _clinic_phone_and_country(window):
    """A handout needs the clinic's phone and country (the clinic's policy, issue 12)."""
    window.settings.set("clinic/phone", "01632 960000")
    window.settings.set("clinic/country", "GB")
    window._apply_settings(form_defaults=False)


FAKE_LP = """
import shutil, sys, time
from pathlib import Path
out = Path(sys.argv[1])
args = sys.argv[2:]
delay = float(out.with_suffix(".delay").read_text()) if out.with_suffix(".delay").exists() else 0
time.sleep(delay)
out.with_suffix(".args").write_text("\\n".join(args))
shutil.copyfile(args[-1], out)
"""


@pytest.fixture
def fake_lp(tmp_path, monkeypatch):
    """A stand-in for CUPS `lp`: records its arguments and keeps the file it was given."""
    script = tmp_path / "lp.py"
    script.write_text(FAKE_LP)
    spooled = tmp_path / "spooled.pdf"
    monkeypatch.setattr(printing, "PRINT_COMMAND", (sys.executable, str(script), str(spooled)))
    return spooled


def pdf_facts(data: bytes) -> tuple[int, str, int]:
    """(pages, text, images) of a PDF."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    images = sum(len(page.images) for page in reader.pages)
    return len(reader.pages), "".join(p.extract_text() for p in reader.pages), images


def seven_page_handout(window) -> bytes:
    """At least seven pages of real handout: the large-print handout, and as many of its
    pages again as it takes (the handout of issue 12 is 3-6 pages)."""

    from benchmarks.cases import repeated_to_pages

    rec = window.assessment.recommendation
    pdf = handout_bridge.build_pdf(
        rec, kb=window.engine.kb, printed_on="2026-12-01", prescriber="Dr T", large_print=True
    )
    long = repeated_to_pages(pdf, 7)
    assert pdf_facts(long)[0] >= 7
    return long


def test_a_seven_page_handout_is_spooled_as_the_vector_pdf_itself(window, qtbot, fake_lp):
    """The print system gets the handout's own PDF. Its speed (<= 3 s for 7 pages) is measured
    by `make bench` (benchmarks/bench_print.py), never by a timed unit test."""
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    pdf = seven_page_handout(window)
    job = printing.PrintJob(build=lambda: pdf, printer_name="Ward_3", copies=2, paper="letter")
    printing.spool(job, pdf)
    spooled = fake_lp.read_bytes()
    assert spooled == pdf  # the handout itself: vector pages, its text layer, 50-odd kB
    pages, text, images = pdf_facts(spooled)
    assert pages >= 7 and "Jane Doe" in text and images == 0
    args = fake_lp.with_suffix(".args").read_text().splitlines()
    assert args[:2] == ["-d", "Ward_3"] and "-n" in args and args[args.index("-n") + 1] == "2"
    assert "media=Letter" in args


def test_printing_runs_in_the_background_and_the_window_keeps_working(
    window, qtbot, monkeypatch, fake_lp
):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    answer_dialog(monkeypatch, ANSWERS)
    fake_lp.with_suffix(".delay").write_text("1.5")
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter()
    monkeypatch.setattr(
        printing, "job_for_printer", lambda p, build, paper: printing.PrintJob(build, "Ward_3")
    )
    assert window.print_handout(printer) is True
    assert not fake_lp.exists()  # back at once, the job still running: no one kept waiting
    assert not window.print_action.isEnabled()
    type_into(qtbot, window.form.weight_kg, "80")  # typing is answered while it prints
    assert window.assessment.recommendation.case["weight_kg"] == 80
    qtbot.waitUntil(fake_lp.exists, timeout=20_000)
    qtbot.waitUntil(window.print_action.isEnabled, timeout=5_000)
    assert "sent to the printer" in window.statusBar().currentMessage()
    assert window.prints and window.prints[-1][1] == fake_lp.read_bytes()


def test_cancel_stops_the_print_job(window, qtbot, monkeypatch, fake_lp):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    answer_dialog(monkeypatch, ANSWERS)
    fake_lp.with_suffix(".delay").write_text("30")
    monkeypatch.setattr(
        printing, "job_for_printer", lambda p, build, paper: printing.PrintJob(build, "Ward_3")
    )
    from PySide6.QtPrintSupport import QPrinter

    assert window.print_handout(QPrinter())
    qtbot.waitUntil(lambda: window.print_progress.labelText().startswith("Sending"), timeout=20_000)
    window.print_progress.show()
    (cancel,) = window.print_progress.findChildren(QPushButton)
    assert cancel.text() == "&Cancel"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    # the stand-in print system would take 30 s: cancelled well before it finishes
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=10_000)
    assert not fake_lp.exists() and window.prints == []


def test_large_print_paper_and_language_from_the_file_menu(window, qtbot, monkeypatch, tmp_path):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    answer_dialog(monkeypatch, ANSWERS)
    menu = window.handout_menu
    assert [a.text() for a in menu.actions() if a.text()][:3] == [
        "Lar&ge print (18 pt)",
        "&A4 paper",
        "&Letter paper",
    ]
    assert "en" in window.language_actions
    window.large_print_action.trigger()
    window.paper_actions["letter"].trigger()
    target = tmp_path / "h.pdf"
    assert window.export_pdf(str(target))
    options = window.prints[-1][2]
    assert options["large_print"] is True and options["paper"] == "letter"
    assert options["language"] == "en"
    from pypdf import PdfReader

    page = PdfReader(str(target)).pages[0]
    assert round(float(page.mediabox.width)) == 612  # US Letter, in points
    assert pdf_facts(target.read_bytes())[0] > 3  # large print takes more pages


def test_language_menu_names_come_from_babel_not_a_list() -> None:
    from baclofen_cds.ui.handout_bridge import language_name

    assert [language_name(c) for c in ("en", "es", "fr", "zz-bad")] == [
        "English",
        "Español",
        "Français",
        "zz-bad",
    ]
