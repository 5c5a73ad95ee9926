"""The patient handout: HandoutContent -> PDF bytes (regular or large print)."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

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


def _grid_style(header_rows: int = 1) -> list[tuple[Any, ...]]:
    return [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]


def _plain_table(block: TableBlock, styles: Styles, width: float) -> Table:
    fractions = _TABLE_WIDTHS.get(block.kind) or tuple(1 / len(block.header) for _ in block.header)
    data = [[Paragraph(esc(h), styles.cell_bold) for h in block.header]]
    data.extend([Paragraph(esc(c), styles.cell) for c in row] for row in block.rows)
    table = Table(data, colWidths=[width * f for f in fractions], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(_grid_style()))
    return table


def _calendar(calendar: DoseCalendar, styles: Styles, width: float) -> Table:
    times = len(calendar.times)
    date_w, total_w = 0.27, 0.2
    dose_w = (1 - date_w - total_w) / times
    header = [
        Paragraph(esc(calendar.date_label), styles.cell_bold),
        *(Paragraph(esc(label), styles.cell_bold) for label in calendar.time_labels),
        Paragraph(esc(calendar.total_label), styles.cell_bold),
    ]
    data: list[list[Any]] = [header]
    commands = _grid_style()
    for row, day in enumerate(calendar.days, start=1):
        date_cell = Paragraph(
            f"<b>{esc(day.date_text)}</b><br/>{esc(calendar.day_label)} {day.day}", styles.cell
        )
        doses = [
            Paragraph(esc(day.amount_at(t) or calendar.no_dose), styles.cell)
            for t in calendar.times
        ]
        data.append([date_cell, *doses, Paragraph(esc(day.daily_total), styles.cell_bold)])
        if day.new_dose and row > 1:
            commands.append(("LINEABOVE", (0, row), (-1, row), 2, INK))
    table = Table(
        data,
        colWidths=[width * date_w, *(width * dose_w for _ in range(times)), width * total_w],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(TableStyle(commands))
    return table


def _diary(diary: Diary, styles: Styles, width: float) -> list[Any]:
    sizes: Sizes = styles.sizes
    times = len(diary.time_labels)
    date_w = 0.27
    dose_w = (1 - date_w) / times
    data: list[list[Any]] = [
        [
            Paragraph(esc(diary.date_label), styles.cell_bold),
            *(Paragraph(esc(label), styles.cell_bold) for label in diary.time_labels),
        ]
    ]
    box = f'<font size="{sizes.box}">{esc(diary.box)}</font>'
    for day in diary.days:
        row: list[Any] = [
            Paragraph(
                f"<b>{esc(day.date_text)}</b><br/>{esc(diary.day_label)} {day.day}", styles.cell
            )
        ]
        for amount in day.cells:
            row.append(Paragraph(f"{box} {esc(amount)}" if amount else "", styles.cell))
        data.append(row)
    table = Table(
        data,
        colWidths=[width * date_w, *(width * dose_w for _ in range(times))],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(TableStyle(_grid_style()))
    notes = Table(
        [[""] for _ in range(diary.notes_lines)],
        colWidths=[width],
        rowHeights=[sizes.body * 2.2] * diary.notes_lines,
        hAlign="LEFT",
    )
    notes.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE)]))
    flow: list[Any] = [
        Paragraph(esc(diary.heading), styles.title),
        Paragraph(esc(diary.intro), styles.body),
        Spacer(1, sizes.body * 0.4),
        table,
        CondPageBreak(sizes.body * 8),
        Paragraph(esc(diary.notes_heading), styles.heading),
        Paragraph(esc(diary.notes_intro), styles.body),
    ]
    if diary.notes_lines:
        flow.append(notes)
    return flow
