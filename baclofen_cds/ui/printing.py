"""Printing the handout in the background, as the PDF itself (vector pages, text layer).

The handout is made (reportlab) and sent to the print system in a worker thread; the
window shows a progress dialog with Cancel and stays responsive. Nothing is rasterised:

- a PDF printer (`QPrinter` with `PdfFormat`, "Print to file") receives the handout's own
  PDF bytes, written to its output file;
- a real printer receives the PDF file through the print system (`lp -d PRINTER`, CUPS,
  which prints PDF natively), with the copies and the paper size of the handout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

#: The print system's command (CUPS `lp`); tests point it at a stand-in.
PRINT_COMMAND: tuple[str, ...] = ("lp",)
MEDIA = {"a4": "A4", "letter": "Letter"}


class PrintCancelledError(Exception):
    pass


@dataclass
class PrintJob:
    """What to print and where: made on the GUI thread, run on the worker."""

    build: Callable[[], bytes]  # makes the handout PDF (reportlab; thread-safe, pure)
    printer_name: str = ""
    output_file: str = ""  # a PDF printer: write the PDF here
    copies: int = 1
    paper: str = "a4"
    title: str = "Baclofen handout"
    cancelled: threading.Event = field(default_factory=threading.Event)
    process: Any = None
    timings: dict[str, float] = field(default_factory=dict)


def job_for_printer(printer: Any, build: Callable[[], bytes], *, paper: str) -> PrintJob:
    """The job for a `QPrinter` as the print dialog left it."""
    from PySide6.QtPrintSupport import QPrinter

    pdf_printer = printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
    return PrintJob(
        build=build,
        printer_name="" if pdf_printer else str(printer.printerName()),
        output_file=str(printer.outputFileName()) if pdf_printer else "",
        copies=max(1, int(printer.copyCount())),
        paper=paper,
        title=str(printer.docName() or "Baclofen handout"),
    )


def spool(job: PrintJob, pdf: bytes) -> None:
    """Hand the PDF to its destination; raises RuntimeError with a plain message."""
    if job.cancelled.is_set():
        raise PrintCancelledError
    if job.output_file:  # the print dialog asked before replacing a file
        from pathlib import Path

        from baclofen_cds.handout import output

        target = Path(job.output_file).expanduser().absolute()
        output.write([output.Output("Print to file", target, pdf)], force=True)
        return
    exe = shutil.which(PRINT_COMMAND[0])
    if exe is None:
        raise RuntimeError(
            "no print system was found (the lp command of CUPS); export the handout as a PDF"
            " and print that instead"
        )
    fd, path = tempfile.mkstemp(prefix="baclofen-handout-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
        argv = [exe, *PRINT_COMMAND[1:]]
        if job.printer_name:
            argv += ["-d", job.printer_name]
        argv += ["-n", str(job.copies), "-t", job.title, "-o", f"media={MEDIA[job.paper]}"]
        argv += ["--", path]
        job.process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        while True:
            try:
                _, err = job.process.communicate(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if job.cancelled.is_set():
                    job.process.terminate()
                    job.process.wait()
                    raise PrintCancelledError from None
        if job.process.returncode != 0:
            raise RuntimeError(f"the print system refused the job: {err.strip() or 'no reason'}")
    finally:
        os.unlink(path)


class _Runner(QRunnable):
    def __init__(self, printer: BackgroundPrinter, job: PrintJob) -> None:
        super().__init__()
        self._printer = printer
        self._job = job

    def run(self) -> None:
        job = self._job
        signals = self._printer
        try:
            signals.progress.emit("Making the handout…")
            started = time.perf_counter()
            pdf = job.build()
            job.timings["build_ms"] = (time.perf_counter() - started) * 1000
            if job.cancelled.is_set():
                raise PrintCancelledError
            signals.progress.emit("Sending the handout to the printer…")
            started = time.perf_counter()
            spool(job, pdf)
            job.timings["spool_ms"] = (time.perf_counter() - started) * 1000
        except PrintCancelledError:
            signals.cancelled.emit()
        except Exception as exc:  # a refused job, a full disk: said in words, never a crash
            signals.failed.emit(str(exc))
        else:
            signals.finished.emit(pdf)


class BackgroundPrinter(QObject):
    """Runs one print job at a time off the GUI thread."""

    progress = Signal(str)
    finished = Signal(bytes)  # the PDF that was printed
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.job: PrintJob | None = None

    def start(self, job: PrintJob) -> None:
        self.job = job
        self.pool.start(_Runner(self, job))

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancelled.set()

    def wait(self, msecs: int = 30_000) -> bool:
        return bool(self.pool.waitForDone(msecs))
