"""The one doorway to the handout (PDF): availability, building, printing.

Imported lazily: reportlab loads only when the first handout is made, never at start-up.
Until the handout API (`baclofen_cds.logic.handout_content.build_handout` and
`baclofen_cds.handout.render_handout`) is present, Print, Preview and Export stay in the
menus but disabled, with `UNAVAILABLE_TIP` as their tooltip.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from typing import Any

import baclofen_cds

UNAVAILABLE_TIP = "Handout printing is not available in this build yet (handout module missing)."


def handout_available() -> bool:
    """True when the content builder and the renderer are both present.

    Looks at the files only: importing them (or even `find_spec` of a submodule, which
    imports its package) would load the logic package and reportlab before the first paint.
    """
    root = Path(baclofen_cds.__file__).parent
    try:
        if not (root / "logic" / "handout_content.py").is_file():
            return False
        text = (root / "handout" / "__init__.py").read_text(encoding="utf-8")
    except OSError:
        return False
    return "def render_handout" in text


def build_pdf(
    recommendation: Any,
    *,
    kb: Any,
    printed_on: str,
    prescriber: str | None,
    large_print: bool = False,
    paper: str = "a4",
) -> bytes:
    """The patient handout as PDF bytes; the options are those recorded with the print."""
    # Looked up by name: the handout API lands separately (branch handout2).
    content_module: Any = importlib.import_module("baclofen_cds.logic.handout_content")
    pdf_module: Any = importlib.import_module("baclofen_cds.handout")
    content = content_module.build_handout(
        recommendation,
        printed_on=date.fromisoformat(printed_on),
        prescriber=prescriber,
        kb=kb,
    )
    return bytes(pdf_module.render_handout(content, large_print=large_print, paper=paper))


def print_pdf(pdf: bytes, printer: Any) -> int:
    """Paint every page of the PDF onto a QPrinter (on white). Returns pages printed."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    pages = document.pageCount()
    if pages <= 0:
        raise RuntimeError("the handout PDF could not be read for printing")
    painter = QPainter()
    if not painter.begin(printer):
        raise RuntimeError("the printer could not be opened")
    try:
        dpi = printer.resolution()
        for page in range(pages):
            if page:
                printer.newPage()
            points = document.pagePointSize(page)
            size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
            image = QImage(size, QImage.Format.Format_ARGB32)
            image.fill(QColor("white"))
            rendered = document.render(page, size)
            p = QPainter(image)
            p.drawImage(0, 0, rendered)
            p.end()
            target: QRect = painter.viewport()
            scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(0, 0, scaled.width(), scaled.height()), image)
    finally:
        painter.end()
    return pages
