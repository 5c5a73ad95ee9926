"""The window's doorway to the print service (`baclofen_cds.handout.service`).

Imported lazily: reportlab loads only when the first handout is made, never at start-up.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from baclofen_cds.handout.service import PrintRecord


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
    """The patient handout as PDF bytes; the options are those recorded with the print
    (`MainWindow.handout_options`). Raises `PrintError` (a ValueError) when it cannot be made."""
    from baclofen_cds.handout.service import PrintOptions, render

    options = PrintOptions(
        "patient",
        printed_on=date.fromisoformat(printed_on),
        prescriber=prescriber,
        paper=paper,
        large_print=large_print,
        language=language,
    )
    return render(recommendation, options, kb=kb).pdf


def write_pdf(path: str, pdf: bytes, options: dict[str, Any]) -> PrintRecord:
    """Write an exported handout whole (staged, 0600, a link or device never replaced; the
    file dialog has asked before replacing a file). Raises `OutputError` naming the file."""
    from baclofen_cds.handout.service import PrintRecord, write_prints

    printed = PrintRecord("patient", pdf, dict(options)).to(
        "Handout", Path(path).expanduser().absolute()
    )
    write_prints([printed], force=True)
    return printed


def language_name(code: str) -> str:
    """A language's own name for the menu ("English", "Español", "Français"), from Babel's
    CLDR data, so a new handout language needs no name written here; the code if unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code).get_display_name(code)
    except (ValueError, UnknownLocaleError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


def handout_languages() -> tuple[str, ...]:
    """The languages the handout text has (one per handout text file present)."""
    from baclofen_cds.logic.handout_text import LANGUAGES

    return tuple(LANGUAGES) or ("en",)
