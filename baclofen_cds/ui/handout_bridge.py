"""The handout: built by logic (content) and handout (PDF), printed or previewed by Qt.

Imported lazily: reportlab loads only when the first handout is made, never at start-up.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from typing import Any

UNAVAILABLE_TIP = "The handout module is not installed in this build."


def handout_available() -> bool:
    """True when the content builder and the renderer are both present.

    Looks at the files only: importing them would load reportlab at start-up.
    """
    try:
        if importlib.util.find_spec("baclofen_cds.logic.handout_content") is None:
            return False
        spec = importlib.util.find_spec("baclofen_cds.handout")
        if spec is None or spec.origin is None:
            return False
        with open(spec.origin, encoding="utf-8") as fh:
            return "render_handout" in fh.read()
    except (ImportError, ValueError, OSError):
        return False


def build_pdf(
    recommendation: Any,
    *,
    patient_name: str | None,
    patient_id: str | None,
    prescriber: str,
    clinic_name: str,
    clinic_phone: str,
    printed_on: date,
    acknowledgements: tuple[Any, ...] = (),
) -> bytes:
    from baclofen_cds.handout import render_handout
    from baclofen_cds.logic.handout_content import build_handout

    content = build_handout(
        recommendation,
        patient_name=patient_name,
        patient_id=patient_id,
        prescriber=prescriber,
        clinic_name=clinic_name,
        clinic_phone=clinic_phone,
        printed_on=printed_on,
        acknowledgements=acknowledgements,
    )
    return bytes(render_handout(content))


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
