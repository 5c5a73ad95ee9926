"""The patient handout: HandoutContent -> PDF bytes (regular or large print)."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from baclofen_cds.handout.fonts import BOLD, REGULAR
from baclofen_cds.handout.layout import (
    INK,
    LARGE,
    NORMAL,
    RULE,
    SHADE,
    SHADE_LIGHT,
    URGENT_EDGE,
    URGENT_FILL,
    Sizes,
    Styles,
    build_pdf,
    esc,
    frame_width,
    wrap_lines,
)
from baclofen_cds.logic.handout_content import (
    Block,
    Bullets,
    Diary,
    DoseCalendar,
    HandoutContent,
    NamedItems,
    Para,
    Section,
)
from baclofen_cds.logic.handout_content import Table as TableBlock

WARNING_SIGN = "\u26a0"  # drawn beside the words "Get help now": never colour alone

#: Relative column widths of the plain tables, by kind.
_TABLE_WIDTHS: dict[str, tuple[float, ...]] = {
    "taper": (0.2, 0.3, 0.28, 0.22),
    "tests": (0.34, 0.33, 0.33),
}


def render_handout(
    content: HandoutContent, *, large_print: bool = False, paper: str = "a4"
) -> bytes:
    """The patient handout as PDF bytes. Same content and options -> same bytes."""
    sizes = LARGE if large_print else NORMAL
    styles = Styles(sizes)
    width = frame_width(sizes, paper)
    story: list[Any] = [Paragraph(esc(content.title), styles.title)]
    story.append(_fields(content, styles, width, large_print))
    for section in content.sections:
        story.extend(_section(section, styles, width))
    story.append(PageBreak())
    story.extend(_diary(content.diary, styles, width))
    return build_pdf(
        story,
        sizes=sizes,
        paper=paper,
        title=content.title,
        author=content.author,
        subject=content.subject,
        language=content.language,
        footer=content.footer,
    )


def _fields(content: HandoutContent, styles: Styles, width: float, large: bool) -> Table:
    def cell(label: str, value: str) -> Paragraph:
        shown = esc(value) if value else esc(content.blank)
        return Paragraph(f"<b>{esc(label)}:</b> {shown}", styles.cell)

    cells = [cell(f.label, f.value) for f in content.fields]
    if large:
        rows = [[c] for c in cells]
        widths = [width]
    else:
        rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
        if len(rows[-1]) == 1:
            rows[-1].append(Paragraph("", styles.cell))
        widths = [width * 0.5, width * 0.5]
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.75, RULE),
                ("FONT", (0, 0), (-1, -1), REGULAR, styles.sizes.body),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE_LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _section(section: Section, styles: Styles, width: float) -> list[Any]:
    if section.urgent:
        return [Spacer(1, styles.sizes.body * 0.6), _urgent_box(section, styles, width)]
    heading = Paragraph(esc(section.heading), styles.heading)
    flowables: list[Any] = []
    for block in section.blocks:
        flowables.extend(_block(block, styles, width))
    if not flowables:
        return [heading]
    # Keep the heading with the first block so a heading never ends a page.
    return [
        CondPageBreak(styles.sizes.body * 6),
        KeepTogether([heading, flowables[0]]),
        *flowables[1:],
    ]


def _urgent_box(section: Section, styles: Styles, width: float) -> Table:
    inner: list[Any] = [
        Paragraph(f"{WARNING_SIGN} {esc(section.heading)}", styles.heading),
    ]
    for block in section.blocks:
        inner.extend(_block(block, styles, width - 16))
    box = Table([[inner]], colWidths=[width], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 2, URGENT_EDGE),
                ("FONT", (0, 0), (-1, -1), REGULAR, styles.sizes.body),
                ("BACKGROUND", (0, 0), (-1, -1), URGENT_FILL),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def _block(block: Block, styles: Styles, width: float) -> list[Any]:
    if isinstance(block, Para):
        style = {"body": styles.body, "strong": styles.strong, "note": styles.note}[block.kind]
        return [Paragraph(esc(block.text), style)]
    if isinstance(block, Bullets):
        return [Paragraph(esc(item), styles.bullet, bulletText="\u2022") for item in block.items]
    if isinstance(block, NamedItems):
        return [
            Paragraph(f"<b>{esc(term)}:</b> {esc(desc)}", styles.bullet, bulletText="\u2022")
            for term, desc in block.items
        ]
    if isinstance(block, TableBlock):
        return [_plain_table(block, styles, width)]
    return [_calendar(block, styles, width)]


_PAD = 4.0  # cell padding left and right, points


def _grid_style(sizes: Sizes, header_rows: int = 1) -> list[tuple[Any, ...]]:
    return [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), REGULAR, sizes.body, _leading(sizes)),
        ("FONT", (0, 0), (-1, header_rows - 1), BOLD, sizes.body, _leading(sizes)),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]


def _leading(sizes: Sizes) -> float:
    return round(sizes.body * sizes.leading_factor, 1)


def _lines(text: str, width: float, sizes: Sizes, font: str = REGULAR) -> str:
    """Plain text broken into lines for a table cell (no markup is parsed: fast and safe)."""
    return "\n".join(wrap_lines(text, font, sizes.body, width - 2 * _PAD))


def _plain_table(block: TableBlock, styles: Styles, width: float) -> Table:
    sizes = styles.sizes
    fractions = _TABLE_WIDTHS.get(block.kind) or tuple(1 / len(block.header) for _ in block.header)
    widths = [width * f for f in fractions]
    data = [[_lines(h, w, sizes, BOLD) for h, w in zip(block.header, widths, strict=True)]]
    data.extend(
        [_lines(c, w, sizes) for c, w in zip(row, widths, strict=True)] for row in block.rows
    )
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(_grid_style(sizes)))
    return table


def _calendar(calendar: DoseCalendar, styles: Styles, width: float) -> Table:
    sizes = styles.sizes
    times = len(calendar.times)
    date_w, total_w = width * 0.25, width * 0.17
    dose_w = (width - date_w - total_w) / times
    widths = [date_w, *(dose_w for _ in range(times)), total_w]
    header = [calendar.date_label, *calendar.time_labels, calendar.total_label]
    data: list[list[Any]] = [
        [_lines(h, w, sizes, BOLD) for h, w in zip(header, widths, strict=True)]
    ]
    commands = _grid_style(sizes)
    commands.append(("FONT", (0, 1), (0, -1), BOLD, sizes.body, _leading(sizes)))
    commands.append(("FONT", (-1, 1), (-1, -1), BOLD, sizes.body, _leading(sizes)))
    for row, day in enumerate(calendar.days, start=1):
        date_cell = (
            _lines(day.date_text, date_w, sizes, BOLD)
            + "\n"
            + _lines(f"{calendar.day_label} {day.day}", date_w, sizes, BOLD)
        )
        doses = [
            _lines(day.amount_at(t) or calendar.no_dose, dose_w, sizes) for t in calendar.times
        ]
        data.append([date_cell, *doses, _lines(day.daily_total, total_w, sizes, BOLD)])
        if day.new_dose and row > 1:
            commands.append(("LINEABOVE", (0, row), (-1, row), 2, INK))
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


class TickBox(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """An empty square to tick (drawn, not a glyph) with the amount beside it."""

    def __init__(self, text: str, width: float, sizes: Sizes) -> None:
        super().__init__()
        self.box = sizes.box
        self.sizes = sizes
        self.leading = _leading(sizes)
        room = width - 2 * _PAD - self.box - sizes.body * 0.4
        self.lines = wrap_lines(text, REGULAR, sizes.body, room)
        self.width = width - 2 * _PAD
        self.height = max(self.box + 2, self.leading * len(self.lines))

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        top = self.height
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(1.2)
        canvas.rect(0, top - self.box - 1, self.box, self.box, stroke=1, fill=0)
        canvas.setFillColor(INK)
        text = canvas.beginText(self.box + self.sizes.body * 0.4, top - self.sizes.body)
        text.setFont(REGULAR, self.sizes.body, self.leading)
        for line in self.lines:
            text.textLine(line)
        canvas.drawText(text)


def _diary(diary: Diary, styles: Styles, width: float) -> list[Any]:
    sizes: Sizes = styles.sizes
    times = len(diary.time_labels)
    date_w = width * 0.25
    dose_w = (width - date_w) / times
    widths = [date_w, *(dose_w for _ in range(times))]
    header = [diary.date_label, *diary.time_labels]
    data: list[list[Any]] = [
        [_lines(h, w, sizes, BOLD) for h, w in zip(header, widths, strict=True)]
    ]
    for day in diary.days:
        row: list[Any] = [
            _lines(day.date_text, date_w, sizes, BOLD)
            + "\n"
            + _lines(f"{diary.day_label} {day.day}", date_w, sizes, BOLD)
        ]
        row.extend(TickBox(amount, dose_w, sizes) if amount else "" for amount in day.cells)
        data.append(row)
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = _grid_style(sizes)
    commands.append(("FONT", (0, 1), (0, -1), BOLD, sizes.body, _leading(sizes)))
    commands.append(("TOPPADDING", (0, 1), (-1, -1), 4))
    table.setStyle(TableStyle(commands))
    notes_block: list[Any] = [
        Paragraph(esc(diary.notes_heading), styles.heading),
        Paragraph(esc(diary.notes_intro), styles.body),
    ]
    if diary.notes_lines:
        notes = Table(
            [[""] for _ in range(diary.notes_lines)],
            colWidths=[width],
            rowHeights=[sizes.body * 2.2] * diary.notes_lines,
            hAlign="LEFT",
        )
        notes.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                    ("FONT", (0, 0), (-1, -1), REGULAR, sizes.body),
                ]
            )
        )
        notes_block.append(notes)
    return [
        Paragraph(esc(diary.heading), styles.title),
        Paragraph(esc(diary.intro), styles.body),
        Spacer(1, sizes.body * 0.4),
        table,
        KeepTogether(notes_block),
    ]
