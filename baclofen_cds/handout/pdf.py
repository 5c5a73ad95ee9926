"""The patient handout: HandoutContent -> PDF bytes (standard or large print).

Standard print: the dose plan is a three-column table (dates, each dose with its picture,
when with the time symbols). Large print reflows instead of shrinking: every table becomes
stacked rows at full width, so no word or unit is ever split inside a narrow cell. Text is
wrapped only at spaces; a number and its unit are joined by a no-break space.
"""

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

from baclofen_cds.handout.fonts import BOLD, REGULAR, printable
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
from baclofen_cds.handout.pictures import (
    PacketsPicture,
    SyringePicture,
    TabletsPicture,
    TimesPicture,
)
from baclofen_cds.logic.handout_content import (
    Block,
    Bullets,
    Diary,
    DosePlan,
    HandoutContent,
    KeyFacts,
    NamedItems,
    Para,
    Picture,
    QandA,
    Section,
)

WARNING_SIGN = "\u26a0"  # drawn beside the words "Key facts": never colour alone
_PAD = 4.0
_DIARY_ROWS_ONE_PAGE = 35  # standard print: one row a day fits one page up to this
_SMALL_SECTION = 3  # flowables: a section this small is never split over two pages


def render_handout(
    content: HandoutContent,
    *,
    large_print: bool = False,
    paper: str = "a4",
    diary: bool = True,
) -> bytes:
    """The patient handout as PDF bytes. Same content and options -> same bytes.

    `large_print`: 18 pt body text, tables reflowed to stacked rows. `diary`: add the dose
    diary (on a new page, once).
    """
    sizes = LARGE if large_print else NORMAL
    styles = Styles(sizes)
    width = frame_width(sizes, paper)
    story: list[Any] = [Paragraph(esc(content.title), styles.title)]
    story.append(_fields(content, styles, width, large_print))
    for section in content.sections:
        story.extend(_section(section, styles, width, large_print))
    if diary:
        # Standard print: the diary is its own page (it can be taken out). Large print: it
        # starts on the same page when half a page is free, to stay within twice the pages.
        story.append(CondPageBreak(width * 0.5) if large_print else PageBreak())
        story.extend(_diary(content.diary, styles, width, large_print))
    return build_pdf(
        story,
        sizes=sizes,
        paper=paper,
        title=content.title,
        author=content.author,
        subject=content.subject,
        language=content.language,
        footer=content.footer,
        page_word=content.page_word,
        of_word=content.of_word,
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
                ("FONT", (0, 0), (-1, -1), REGULAR, 12),
                ("BOX", (0, 0), (-1, -1), 0.75, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE_LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _section(section: Section, styles: Styles, width: float, large: bool) -> list[Any]:
    flowables: list[Any] = []
    for block in section.blocks:
        flowables.extend(_block(block, styles, width, large))
    if not section.heading:
        return [Spacer(1, styles.sizes.body * 0.4), *flowables]
    if any(isinstance(b, KeyFacts) for b in section.blocks):
        return [Spacer(1, styles.sizes.body * 0.5), *flowables]
    heading = Paragraph(esc(section.heading), styles.heading)
    if not flowables:
        return [heading]
    if len(flowables) <= _SMALL_SECTION and not any(
        isinstance(b, DosePlan | QandA) for b in section.blocks
    ):
        return [KeepTogether([heading, *flowables])]
    # A heading never ends a page: it is kept with its first block.
    return [
        CondPageBreak(styles.sizes.body * 5),
        KeepTogether([heading, flowables[0]]),
        *flowables[1:],
    ]


def _block(block: Block, styles: Styles, width: float, large: bool) -> list[Any]:
    if isinstance(block, Para):
        style = {"body": styles.body, "strong": styles.strong, "note": styles.note}[block.kind]
        return [Paragraph(esc(block.text), style)]
    if isinstance(block, Bullets):
        return _bullets(block.items, styles, width, large, "\u2022")
    if isinstance(block, NamedItems):
        return [
            Paragraph(f"<b>{esc(term)}:</b> {esc(desc)}", styles.bullet, bulletText="\u2022")
            for term, desc in block.items
        ]
    if isinstance(block, QandA) and not large:
        return [
            Paragraph(f"<b>{esc(question)}:</b> {esc(answer)}", styles.body)
            for question, answer in block.items
        ]
    if isinstance(block, QandA):
        out: list[Any] = []
        for question, answer in block.items:
            out.append(
                KeepTogether(
                    [Paragraph(esc(question), styles.strong), Paragraph(esc(answer), styles.body)]
                )
            )
        return out
    if isinstance(block, KeyFacts):
        return _key_facts(block, styles, width, large)
    return _dose_plan(block, styles, width, large)


#: Short list items go in two columns in standard print (not in large print: one column reads
#: more easily at 18 pt, and large print may take more pages).
_SHORT_ITEM = 46
_SHORT_ITEM_LARGE = 30


def _bullets(
    items: tuple[str, ...], styles: Styles, width: float, large: bool, mark: str
) -> list[Any]:
    paragraphs = [Paragraph(esc(item), styles.bullet, bulletText=mark) for item in items]
    longest = _SHORT_ITEM_LARGE if large else _SHORT_ITEM
    if len(items) < 4 or any(len(item) > longest for item in items):
        return paragraphs
    half = (len(paragraphs) + 1) // 2
    left, right = paragraphs[:half], paragraphs[half:]
    table = Table([[left, right]], colWidths=[width / 2, width / 2], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 12),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table]


def _key_facts(box: KeyFacts, styles: Styles, width: float, large: bool) -> list[Any]:
    """The boxed key facts: a thick red edge, a warning sign and the words.

    Rows of one table: the facts, then who to call (in large print: the signs, then the
    clinic). A row is never split; the table may break between rows rather than leave page 1
    empty.
    """
    facts: list[Any] = [Paragraph(f"{WARNING_SIGN} {esc(box.heading)}", styles.heading)]
    facts.extend(
        Paragraph(esc(line), styles.bullet_strong, bulletText="\u2022") for line in box.lines
    )
    calls: list[Any] = [Paragraph(esc(box.help_intro), styles.big)]
    calls.extend(_bullets(box.help_signs, styles, width - 16, large, "\u2013"))
    contact = [
        Paragraph(esc(line), styles.strong if index == 0 else styles.body)
        for index, line in enumerate(box.contact)
    ]
    rows = [[facts], [calls], [contact]] if large else [[facts], [[*calls, *contact]]]
    table = Table(rows, colWidths=[width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 12),
                ("BOX", (0, 0), (-1, -1), 2.5, URGENT_EDGE),
                ("BACKGROUND", (0, 0), (-1, -1), URGENT_FILL),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return [table]


def _picture(picture: Picture | None, sizes: Sizes, room: float) -> Any:
    if picture is None:
        return None
    size = sizes.body * 1.6
    if picture.kind == "tablets":
        return TabletsPicture(picture.count, size)
    if picture.kind == "packets":
        return PacketsPicture(picture.count, size)
    return SyringePicture(
        picture.ml, min(room, sizes.body * 10), sizes.body * 2.3, picture.label, sizes.body
    )


def _dose_plan(plan: DosePlan, styles: Styles, width: float, large: bool) -> list[Any]:
    sizes = styles.sizes
    symbol = sizes.body * 1.5
    if large:
        out: list[Any] = []
        inner = width - 16
        for step in plan.steps:
            parts: list[Any] = [Paragraph(esc(step.dates), styles.strong)]
            amount = Paragraph(esc(step.amount), styles.body)
            pic = _picture(step.picture, sizes, inner * 0.55)
            if pic is None:
                parts.append(amount)
            else:
                parts.append(_side_by_side(pic, amount, inner))
            times = TimesPicture(step.times, symbol)
            parts.append(_side_by_side(times, Paragraph(esc(step.time_words), styles.body), inner))
            out.append(_boxed(parts, width, sizes))
            out.append(Spacer(1, sizes.body * 0.3))
        return out
    date_w, when_w = width * 0.26, width * 0.36
    dose_w = width - date_w - when_w
    data: list[list[Any]] = [[Paragraph(esc(h), styles.cell_bold) for h in plan.header]]
    for step in plan.steps:
        amount = Paragraph(esc(step.amount), styles.cell_bold)
        pic = _picture(step.picture, sizes, dose_w - 2 * _PAD)
        if pic is None:
            dose_cell: Any = amount
        elif step.picture is not None and step.picture.kind == "syringe":
            dose_cell = [amount, Spacer(1, 2), pic]
        else:
            dose_cell = _side_by_side(pic, amount, dose_w - 2 * _PAD)
        times = TimesPicture(step.times, symbol)
        when_cell = _side_by_side(
            times, Paragraph(esc(step.time_words), styles.cell), when_w - 2 * _PAD
        )
        data.append([Paragraph(esc(step.dates), styles.cell_bold), dose_cell, when_cell])
    table = Table(data, colWidths=[date_w, dose_w, when_w], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(_grid_style(sizes)))
    return [table]


def _side_by_side(picture: Any, words: Paragraph, width: float) -> Table:
    """A picture with its words to the right (the words wrap, the picture keeps its size)."""
    pic_w = picture.width + 4
    table = Table([[picture, words]], colWidths=[pic_w, max(10.0, width - pic_w)], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 12),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _boxed(parts: list[Any], width: float, sizes: Sizes) -> Table:
    table = Table([[parts]], colWidths=[width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 12),
                ("BOX", (0, 0), (-1, -1), 1, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _leading(sizes: Sizes) -> float:
    return round(sizes.body * sizes.leading_factor, 1)


def _grid_style(sizes: Sizes, header_rows: int = 1) -> list[tuple[Any, ...]]:
    return [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), REGULAR, sizes.body),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]


class TickBox(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """An empty square to tick (drawn, not a glyph), with the time's word beside it."""

    def __init__(self, label: str, sizes: Sizes) -> None:
        super().__init__()
        self.label = label
        self.sizes = sizes
        self.box = sizes.box
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self.width = self.box + (
            sizes.body * 0.3 + stringWidth(label, REGULAR, sizes.body) if label else 0
        )
        self.height = self.box + 2

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(INK)
        c.setLineWidth(1.2)
        c.rect(0, 1, self.box, self.box, stroke=1, fill=0)
        if self.label:
            c.setFillColor(INK)
            c.setFont(REGULAR, self.sizes.body)
            c.drawString(
                self.box + self.sizes.body * 0.3,
                1 + (self.box - self.sizes.body) / 2 + 1,
                self.label,
            )


def _diary(diary: Diary, styles: Styles, width: float, large: bool) -> list[Any]:
    sizes = styles.sizes
    head: list[Any] = [
        Paragraph(esc(diary.heading), styles.title),
        Paragraph(esc(diary.intro), styles.body),
    ]
    # Large print, and a titration longer than a page of rows in standard print: two days a
    # row with tick boxes only, the amounts listed by dates above (no handout over 4 pages).
    compact = large or len(diary.days) > _DIARY_ROWS_ONE_PAGE
    if compact:
        head.extend(
            Paragraph(esc(line), styles.bullet, bulletText="\u2022") for line in diary.steps
        )
    head.append(Spacer(1, sizes.body * 0.3))
    times = [code for code, _ in diary.time_labels]
    labels = dict(diary.time_labels)
    if compact:
        flow: list[Any] = _large_diary(diary, styles, width, times, labels)
    else:
        # Columns as wide as their longest word (no word is ever split), the amount takes
        # the rest.
        from reportlab.pdfbase.pdfmetrics import stringWidth

        pad = 2 * _PAD + 2
        date_w = pad + max(
            [stringWidth(d.date_text, BOLD, sizes.body) for d in diary.days]
            + [stringWidth(diary.date_label, BOLD, sizes.body)]
        )
        time_w = pad + max(
            stringWidth(word, BOLD, sizes.body) for t in times for word in labels[t].split()
        )
        dose_w = width - date_w - time_w * len(times)
        data: list[list[Any]] = [
            [
                Paragraph(esc(diary.date_label), styles.cell_bold),
                Paragraph(esc(diary.amount_label), styles.cell_bold),
                *[Paragraph(esc(labels[t]), styles.cell_bold) for t in times],
            ]
        ]
        commands = _grid_style(sizes)
        commands.append(("FONT", (0, 1), (0, -1), BOLD, sizes.body, _leading(sizes)))
        commands.append(("FONT", (1, 1), (1, -1), REGULAR, sizes.body, _leading(sizes)))
        commands.append(("VALIGN", (0, 1), (-1, -1), "MIDDLE"))
        commands.append(("TOPPADDING", (0, 1), (-1, -1), 1))
        commands.append(("BOTTOMPADDING", (0, 1), (-1, -1), 2))
        for row, day in enumerate(diary.days, start=1):
            data.append(
                [
                    # Plain strings, wrapped at spaces only: a Paragraph per cell costs
                    # about a millisecond each (the diary has dozens).
                    printable(day.date_text),
                    "\n".join(wrap_lines(day.amount, REGULAR, sizes.body, dose_w - 2 * _PAD)),
                    *[TickBox("", sizes) if t in day.times else "" for t in times],
                ]
            )
            if day.new_step and row > 1:
                commands.append(("LINEABOVE", (0, row), (-1, row), 2, INK))
        table = Table(
            data, colWidths=[date_w, dose_w, *(time_w for _ in times)], repeatRows=1, hAlign="LEFT"
        )
        table.setStyle(TableStyle(commands))
        flow = [table]
    if large:
        # No writing lines in large print: they would add a page for a few lines (the
        # back of a page is as good), and large print stays within twice the pages.
        return [*head, *flow]
    notes: list[Any] = [
        Paragraph(esc(diary.notes_heading), styles.heading),
        Paragraph(esc(diary.notes_intro), styles.body),
    ]
    count = diary.notes_lines
    if count:
        lines = Table(
            [[""] for _ in range(count)],
            colWidths=[width],
            rowHeights=[sizes.body * 2] * count,
            hAlign="LEFT",
        )
        lines.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                    ("FONT", (0, 0), (-1, -1), REGULAR, 12),
                ]
            )
        )
        notes.append(lines)
    # The writing lines are printed only where they fit under the diary: never a page of
    # their own (no handout over 4 pages in standard print).
    return [*head, *flow, IfRoom(notes, width)]


def _large_diary(
    diary: Diary, styles: Styles, width: float, times: list[str], labels: dict[str, str]
) -> list[Any]:
    """Large print: the days in two halves side by side, a tick box per dose time.

    The columns carry the time symbols; a legend above says each symbol's word once (the
    amounts are listed above it). No word sits in a narrow cell, so none is split.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    sizes = styles.sizes
    symbol = sizes.body * 1.2
    legend_cells: list[Any] = []
    for t in times:
        legend_cells.append(
            _side_by_side(
                TimesPicture((t,), symbol),
                Paragraph(esc(labels[t]), styles.cell),
                symbol * 1.25
                + 8
                + max(stringWidth(w, REGULAR, sizes.body) for w in labels[t].split()),
            )
        )
    legend = Table([legend_cells], hAlign="LEFT")
    legend.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 12),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), sizes.body),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    date_w = 2 * _PAD + 2 + max(stringWidth(d.date_text, BOLD, sizes.body) for d in diary.days)
    box_w = sizes.box + 2 * _PAD + 6
    gap = sizes.body
    columns = 1 if 2 * (date_w + box_w * len(times)) + gap > width else 2
    header: list[Any] = ["", *[TimesPicture((t,), symbol) for t in times]]
    rows: list[list[Any]] = [[*header, "", *header] if columns == 2 else header]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), BOLD, sizes.body, _leading(sizes)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    span = 1 + len(times)
    for c in range(columns):
        x0 = c * (span + 1)
        commands.append(("GRID", (x0, 0), (x0 + span - 1, -1), 0.5, RULE))
        commands.append(("BACKGROUND", (x0, 0), (x0 + span - 1, 0), SHADE))
    # Two days a row, left to right (the order survives a page break).
    for r in range((len(diary.days) + columns - 1) // columns):
        row: list[Any] = []
        for c in range(columns):
            k = r * columns + c
            if c:
                row.append("")
            if k < len(diary.days):
                day = diary.days[k]
                row.append(printable(day.date_text))
                row.extend(TickBox("", sizes) if t in day.times else "" for t in times)
                if day.new_step and r > 0:
                    x0 = c * (span + 1)
                    commands.append(("LINEABOVE", (x0, r + 1), (x0 + span - 1, r + 1), 2, INK))
            else:
                row.extend([""] * span)
        rows.append(row)
    widths = [date_w, *(box_w for _ in times)]
    if columns == 2:
        widths = [*widths, gap, *widths]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return [legend, Spacer(1, sizes.body * 0.3), table]


class IfRoom(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """Flowables drawn only when all of them fit in the space left on the page, else nothing."""

    def __init__(self, flowables: list[Any], width: float) -> None:
        super().__init__()
        self.inner = Table([[flowables]], colWidths=[width], hAlign="LEFT")
        self.inner.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), REGULAR, 12),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        self.shown = False

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        width, height = self.inner.wrap(avail_width, avail_height)
        self.shown = height <= avail_height
        return (width, height) if self.shown else (avail_width, 0)

    def draw(self) -> None:
        if self.shown:
            self.inner.drawOn(self.canv, 0, 0)
