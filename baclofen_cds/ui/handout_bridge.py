"""The one doorway to the handout (PDF): availability, building, printing.

Imported lazily: reportlab loads only when the first handout is made, never at start-up.
Until the handout API (`baclofen_cds.logic.handout_content.build_handout` and
`baclofen_cds.handout.render_handout`) is present, Print, Preview and Export stay in the
menus but disabled, with `UNAVAILABLE_TIP` as their tooltip.
"""

from __future__ import annotations

import importlib
import inspect
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
    language: str = "en",
) -> bytes:
    """The patient handout as PDF bytes; the options are those recorded with the print."""
    # Looked up by name: the handout API lands separately (branch handout2).
    content_module: Any = importlib.import_module("baclofen_cds.logic.handout_content")
    pdf_module: Any = importlib.import_module("baclofen_cds.handout")
    extra: dict[str, Any] = {}
    if "language" in inspect.signature(content_module.build_handout).parameters:
        extra["language"] = language
    elif language != "en":
        raise ValueError(f"handouts in {language!r} are not available in this build")
    content = content_module.build_handout(
        recommendation,
        printed_on=date.fromisoformat(printed_on),
        prescriber=prescriber,
        kb=kb,
        **extra,
    )
    return bytes(pdf_module.render_handout(content, large_print=large_print, paper=paper))


#: The languages' own names, for the menu (the handout text says which languages exist).
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def handout_languages() -> tuple[str, ...]:
    """The languages the handout text has (English only before the handout of issue 12)."""
    try:
        module: Any = importlib.import_module("baclofen_cds.logic.handout_text")
    except ImportError:
        return ("en",)
    return tuple(getattr(module, "LANGUAGES", None) or ("en",))
