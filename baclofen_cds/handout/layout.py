"""What every PDF of the handout package shares: paper, one stylesheet, the numbered canvas.

One font family (DejaVu Sans, embedded), black on white, left-aligned text, and a footer
on every page with "Page X of Y". Documents are built with `invariant=1`, so the same
content always gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, PageTemplate
from reportlab.platypus.doctemplate import BaseDocTemplate

from baclofen_cds.handout.fonts import BOLD, REGULAR, printable, register_fonts

PAPER_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}

INK = colors.black
RULE = colors.HexColor("#444444")
SHADE = colors.HexColor("#E8E8E8")  # table headers: contrast with black text > 15:1
SHADE_LIGHT = colors.HexColor("#F4F4F4")
URGENT_FILL = colors.HexColor("#FDECEC")
URGENT_EDGE = colors.HexColor("#B00020")


#: A number and its unit stay on one line ("10 mg", "1.5 mL", "8 °C"): ISMP.
_NUMBER_UNIT = re.compile(r"(\d) (mg|mL|tablets?|packets?|°C|hours?|days?|weeks?|months?)\b")
NBSP = "\u00a0"


def glue_units(text: str) -> str:
    return _NUMBER_UNIT.sub(lambda m: f"{m.group(1)}{NBSP}{m.group(2)}", text)


def _fitting_prefix(word: str, font: str, size: float, width: float) -> int:
    """The most characters of `word` that fit in `width` (at least one)."""
    low, high = 1, len(word)
    while low < high:
        mid = (low + high + 1) // 2
        if stringWidth(word[:mid], font, size) <= width:
            low = mid
        else:
            high = mid - 1
    return low


def esc(text: str) -> str:
    """Any text -> safe Paragraph markup: drawable characters, markup characters escaped."""
    return escape(glue_units(printable(text)))


def wrap_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Plain text broken into lines of at most `width` points, at ordinary spaces only.

    A no-break space (between a number and its unit) never breaks; a word wider than the
    line (a 500-character name) is cut by characters rather than overflowing.
    """
    lines: list[str] = []
    current = ""
    current_width = 0.0
    space = stringWidth(" ", font, size)
    for word in glue_units(printable(text)).split(" "):
        if not word:
            continue
        word_width = stringWidth(word, font, size)
        if current and current_width + space + word_width <= width:
            current = f"{current} {word}"
            current_width += space + word_width
            continue
        if current:
            lines.append(current)
        rest = word
        while len(rest) > 1 and word_width > width:
            cut = _fitting_prefix(rest, font, size, width)
            lines.append(rest[:cut])
            rest = rest[cut:]
            word_width = stringWidth(rest, font, size)
        current, current_width = rest, word_width
    if current:
        lines.append(current)
    return lines or [""]


@dataclass(frozen=True, slots=True)
class Sizes:
    body: float
    small: float
    heading: float
    title: float
    footer: float
    box: float
    margin: float
    leading_factor: float


NORMAL = Sizes(
    body=12, small=12, heading=14, title=20, footer=10, box=14, margin=14 * mm, leading_factor=1.27
)
LARGE = Sizes(
    body=18, small=18, heading=21, title=25, footer=13, box=22, margin=13 * mm, leading_factor=1.5
)
SUMMARY = Sizes(
    body=7,
    small=7,
    heading=10.5,
    title=13,
    footer=7.5,
    box=8.5,
    margin=9 * mm,
    leading_factor=1.17,
)


class Styles:
    """The one stylesheet: every paragraph style a document uses, from one set of sizes."""

    def __init__(self, sizes: Sizes) -> None:
        register_fonts()
        self.sizes = sizes

        def style(name: str, size: float, font: str = REGULAR, **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(
                name,
                fontName=font,
                fontSize=size,
                leading=round(size * sizes.leading_factor, 1),
                textColor=INK,
                alignment=TA_LEFT,
                splitLongWords=1,
                **kw,
            )

        self.body = style("body", sizes.body, spaceAfter=sizes.body * 0.25)
        self.strong = style("strong", sizes.body, BOLD, spaceAfter=sizes.body * 0.25)
        self.note = style("note", sizes.small, spaceAfter=sizes.small * 0.35)
        self.title = style("title", sizes.title, BOLD, spaceAfter=sizes.body * 0.5)
        self.heading = style(
            "heading",
            sizes.heading,
            BOLD,
            spaceBefore=sizes.body * 0.7,
            spaceAfter=sizes.body * 0.25,
            keepWithNext=1,
        )
        self.bullet = style(
            "bullet",
            sizes.body,
            leftIndent=sizes.body * 1.3,
            bulletIndent=sizes.body * 0.2,
            bulletFontName=REGULAR,
            bulletFontSize=sizes.body,
            spaceAfter=sizes.body * 0.1,
        )
        self.bullet_strong = style(
            "bullet_strong",
            sizes.body,
            BOLD,
            leftIndent=sizes.body * 1.3,
            bulletIndent=sizes.body * 0.2,
            bulletFontName=BOLD,
            bulletFontSize=sizes.body,
            spaceAfter=sizes.body * 0.2,
        )
        self.big = style("big", sizes.heading, BOLD, spaceAfter=sizes.body * 0.2)
        self.cell = style("cell", sizes.body)
        self.cell_bold = style("cell_bold", sizes.body, BOLD)
        self.small_cell = style("small_cell", sizes.small)
        self.small_cell_bold = style("small_cell_bold", sizes.small, BOLD)


def numbered_canvas(
    footer: str, sizes: Sizes, page_word: str = "Page", of_word: str = "of"
) -> type:
    """A canvas class that writes the footer and "Page X of Y" once the page count is known."""
    footer_text = printable(footer)

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._draw_footer(total)
                super().showPage()
            super().save()

        def _draw_footer(self, total: int) -> None:
            width, _ = self._pagesize
            margin = sizes.margin
            y = margin * 0.45
            number = f"{page_word} {self._pageNumber} {of_word} {total}"
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(margin, y + sizes.footer * 1.3, width - margin, y + sizes.footer * 1.3)
            self.setFillColor(INK)
            self.setFont(BOLD, sizes.footer)
            number_width = self.stringWidth(number, BOLD, sizes.footer)
            self.drawRightString(width - margin, y, number)
            self.setFont(REGULAR, sizes.footer)
            room = width - 2 * margin - number_width - sizes.footer * 2
            self.drawString(margin, y, _fit(footer_text, room, sizes.footer, self))
            self.restoreState()

    return NumberedCanvas


def _fit(text: str, room: float, size: float, canvas: Canvas) -> str:
    if canvas.stringWidth(text, REGULAR, size) <= room:
        return text
    ellipsis = "…"
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if canvas.stringWidth(text[:mid] + ellipsis, REGULAR, size) <= room:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + ellipsis


def build_pdf(
    story: Sequence[Any],
    *,
    sizes: Sizes,
    paper: str,
    title: str,
    author: str,
    subject: str,
    language: str,
    footer: str,
    on_page: Callable[[Canvas, Any], None] | None = None,
    columns: int = 1,
    page_word: str = "Page",
    of_word: str = "of",
) -> bytes:
    """Lay out a story on numbered pages and return the PDF bytes (byte-identical per input)."""
    register_fonts()
    pagesize = page_size(paper)
    # Binary (deflated) streams without the ASCII85 wrapping: smaller files, and about a
    # fifth less time without reportlab's C accelerator. Only this package uses reportlab.
    rl_config.useA85 = 0
    buffer = io.BytesIO()
    margin = sizes.margin
    bottom = margin + sizes.footer * 2.2
    doc = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=bottom,
        title=printable(title),
        author=printable(author),
        subject=printable(subject),
        creator="Baclofen CDS",
        producer="Baclofen CDS (ReportLab)",
        lang=language,
        invariant=1,
        displayDocTitle=1,
        initialFontName=REGULAR,
        initialFontSize=sizes.body,
    )
    gap = 6 * mm
    inner_width = pagesize[0] - 2 * margin
    column_width = (inner_width - gap * (columns - 1)) / columns
    frames = [
        Frame(
            margin + i * (column_width + gap),
            bottom,
            column_width,
            pagesize[1] - margin - bottom,
            id=f"body{i}",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        for i in range(columns)
    ]
    doc.addPageTemplates([PageTemplate(id="page", frames=frames, onPage=on_page or _nothing)])
    doc.build(list(story), canvasmaker=numbered_canvas(footer, sizes, page_word, of_word))
    return buffer.getvalue()


def _nothing(canvas: Canvas, doc: Any) -> None:
    return None


def page_size(paper: str) -> tuple[float, float]:
    """(width, height) in points of "a4" or "letter"; ValueError naming the choices otherwise."""
    try:
        return PAPER_SIZES[str(paper).lower()]
    except KeyError:
        raise ValueError(f"paper must be one of {sorted(PAPER_SIZES)}, not {paper!r}") from None


def frame_width(sizes: Sizes, paper: str) -> float:
    return float(page_size(paper)[0] - 2 * sizes.margin)
