"""Printing from the window (issue 10, point 6): a 7-page handout spooled in under 3 s.

The window prints in a worker thread: it builds the handout's own PDF (vector pages with a
text layer, never page bitmaps) and hands the bytes to the print system (CUPS `lp`). This
measures that worker's whole job, build + spool, for a large-print handout repeated to seven
pages, with a stand-in for `lp` that copies the file it is given (this machine has no CUPS;
the real `lp` only queues the file too). Target: <= 3 s. It needs PySide6 (ui.printing).
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

STAND_IN_LP = """
import shutil, sys
shutil.copyfile(sys.argv[-1], sys.argv[1])
"""


def run() -> list[tuple[str, float, str]]:
    from pypdf import PdfReader

    from baclofen_cds.handout.service import PrintOptions, render
    from baclofen_cds.ui import printing
    from benchmarks.cases import example_recommendation, repeated_to_pages

    today = date(2026, 12, 1)
    kb, rec = example_recommendation("adult-spasticity-ms", today)
    options = PrintOptions("patient", printed_on=today, prescriber="Dr Bench", large_print=True)

    def build() -> bytes:
        return repeated_to_pages(render(rec, options, kb=kb).pdf, 7)

    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "lp.py"
        script.write_text(STAND_IN_LP)
        spooled = Path(tmp) / "spooled.pdf"
        printing.PRINT_COMMAND = (sys.executable, str(script), str(spooled))
        times = []
        for _ in range(5):
            job = printing.PrintJob(build=build, printer_name="Ward_3", copies=1, paper="a4")
            started = time.perf_counter()
            printing.spool(job, job.build())
            times.append(time.perf_counter() - started)
        reader = PdfReader(io.BytesIO(spooled.read_bytes()))
        pages = len(reader.pages)
        images = sum(len(page.images) for page in reader.pages)
        size_kb = spooled.stat().st_size / 1024
    return [
        (
            "handout of >= 7 pages: build + spool, median of 5 [target <= 3 s]",
            statistics.median(times),
            "s",
        ),
        ("handout of >= 7 pages: build + spool, slowest of 5", max(times), "s"),
        ("  pages spooled", float(pages), ""),
        ("  page images in the spooled PDF (vector pages: 0)", float(images), ""),
        ("  size of the spooled PDF", size_kb, "kB"),
    ]
