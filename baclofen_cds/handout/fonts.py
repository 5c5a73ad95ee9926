"""The one font family of every handout: DejaVu Sans, shipped in the package and embedded.

The TTF files are found by `resource_path` (resources/fonts/, in a wheel or a checkout) and
registered with reportlab once per process. `printable()` makes any user text safe to
draw: control characters become spaces, invisible format characters go, a character the
font has no glyph for (CJK, Indic scripts, most emoji) becomes U+FFFD, a visible
replacement mark, never an empty box or a crash, and a run of right-to-left letters
(Hebrew, Arabic) is put in visual order. Arabic letters are drawn in their isolated forms
(no contextual shaping without a shaping engine): legible, not typographically joined.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from baclofen_cds.logic.resource_files import resource_path

FAMILY = "DejaVuSans"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
REPLACEMENT = "\ufffd"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

#: A run of right-to-left letters (Hebrew, Arabic and their presentation forms), with the
#: spaces and marks between them. Drawn left to right, such a run must be reversed.
_RTL_RUN = re.compile(
    r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]+"
    r"(?:[\s.'\-]+[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]+)*"
)

_lock = threading.Lock()
_coverage: set[int] = set()  # code points both weights can draw; filled once


def font_bytes(file_name: str) -> bytes:
    """The bytes of a shipped font file (resources/fonts/)."""
    return resource_path("fonts", file_name).read_bytes()


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab; cheap after the first call."""
    if _coverage:
        return
    with _lock:
        if _coverage:
            return
        fonts = {}
        for name, file_name in _FILES.items():
            font = TTFont(name, io.BytesIO(font_bytes(file_name)))
            pdfmetrics.registerFont(font)
            fonts[name] = font
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(FAMILY, bold, italic, BOLD if bold else REGULAR)
        regular = set(fonts[REGULAR].face.charToGlyph)
        bold_cover = set(fonts[BOLD].face.charToGlyph)
        # A character is printable only if both weights can draw it.
        _coverage.update(regular & bold_cover)


def covered(char: str) -> bool:
    register_fonts()
    return ord(char) in _coverage


def printable(text: str) -> str:
    """User text as the font can draw it (plain text, not yet escaped for markup)."""
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to replace, nothing to reorder
    register_fonts()
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if category == "Cc":
            out.append(" ")
        elif category == "Cf":
            continue  # zero-width joiners, bidi overrides: invisible, and unshaped here
        elif category in ("Cs", "Co", "Cn") or ord(char) not in _coverage:
            out.append(REPLACEMENT)
        else:
            out.append(char)
    return _RTL_RUN.sub(lambda m: m.group(0)[::-1], "".join(out))


def unprintable_characters(text: str) -> tuple[str, ...]:
    """The characters of `text` the handout will show as a replacement mark (for a warning)."""
    register_fonts()
    seen: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if category in ("Cc", "Cf"):
            continue
        if (category in ("Cs", "Co", "Cn") or ord(char) not in _coverage) and char not in seen:
            seen.append(char)
    return tuple(seen)
