"""Helpers of the handout tests: real engine results for the example cases, PDF text."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from baclofen_cds.logic import (
    Recommendation,
    load_knowledge_base,
    load_policy,
    parse_case,
    recommend,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TODAY = date(2026, 11, 22)


def example_case(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def engine(data: dict[str, Any], today: date = TODAY) -> Recommendation:
    kb = load_knowledge_base()
    return recommend(parse_case(data, kb, today=today), kb, load_policy(kb))


def example(name: str) -> Recommendation:
    return engine(example_case(name))


def pdf_text(pdf: bytes) -> str:
    """The words of a PDF as pypdf extracts them, whitespace collapsed to single spaces."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def pdf_pages(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def font_sizes(pdf: bytes) -> list[tuple[float, str]]:
    """(font size, text) of every piece of text drawn, from the PDF's own operators."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[float, str]] = []
    for page in reader.pages:

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
            if text.strip():
                found.append((float(size) * float(tm[3]), text.strip()))

        page.extract_text(visitor_text=visit)
    return found


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade with textstat.

    textstat >= 0.7.4 counts syllables with NLTK's CMU dictionary, which it downloads on
    first use; tests never use the network, so without a local copy it falls back to its
    Pyphen hyphenation count (what textstat used before), for every word.
    """
    import textstat

    try:
        import nltk

        nltk.data.find("corpora/cmudict")
    except LookupError:
        from textstat.backend.counts import _count_syllables

        _count_syllables.get_cmudict = lambda lang: None  # type: ignore[assignment]
        _count_syllables.count_syllables.cache_clear()  # type: ignore[attr-defined]
    return float(textstat.flesch_kincaid_grade(text))
