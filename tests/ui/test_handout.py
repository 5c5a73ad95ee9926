"""The real handout (logic.handout_content + handout PDF) from the window: export, preview,
print to a PDF printer, each only after the critical alerts are acknowledged."""

from __future__ import annotations

import pytest

from baclofen_cds.ui import handout_bridge
from tests.ui.conftest import fill
from tests.ui.test_acknowledgements import answer_dialog
from tests.ui.test_cases import example

pytestmark = pytest.mark.skipif(
    not handout_bridge.handout_available(), reason="the handout module is not in this build"
)

ANSWERS = {"hazard.cns_depression": ("benefit_outweighs_risk", "")}  # one card per hazard


def test_actions_enabled_once_there_is_a_regimen(window, qtbot):
    assert not window.export_action.isEnabled()
    # (issue 8: the older adult with eGFR below 60 is now a Beers "avoid", withheld until an
    # override is documented, which the form cannot enter yet; a case with a regimen is used)
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    for action in (window.print_action, window.export_action, window.preview_action):
        assert action.isEnabled()
        assert "acknowledged" in action.toolTip()


def test_export_real_pdf_after_acknowledging(window, qtbot, monkeypatch, tmp_path):
    from pypdf import PdfReader

    window.settings.set("clinician/name", "Dr Test Clinician")
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    target = tmp_path / "handout.pdf"
    answer_dialog(monkeypatch, {}, accept=False)
    assert window.export_pdf(str(target)) is None and not target.exists()
    answer_dialog(monkeypatch, ANSWERS)
    assert window.export_pdf(str(target)) == str(target)
    text = "".join(page.extract_text() for page in PdfReader(str(target)).pages)
    assert "Jane Doe" in text
    assert "5 mg" in text
    assert window.prints[-1][0] == "patient"
    assert window.prints[-1][2]["printed_on"] == "2026-12-01"
    assert window.prints[-1][2]["prescriber"] == "Dr Test Clinician"


def test_preview_and_print_to_a_pdf_printer(window, qtbot, monkeypatch, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    fill(qtbot, window, example("adult-spasticity-ms.json"))
    answer_dialog(monkeypatch, ANSWERS)
    dialog = window.preview_handout()
    qtbot.addWidget(dialog)
    assert dialog.page_count() >= 1
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert window.print_handout(printer) is True
    assert out.read_bytes().startswith(b"%PDF")
    assert "printer" in window.statusBar().currentMessage()
