"""The rendered PDFs: what a patient, a pharmacist and a printer actually get."""

from __future__ import annotations

import io
import re
from datetime import date
from functools import cache

import pytest
from msgspec.structs import replace

from baclofen_cds.handout import render_clinician_summary, render_handout
from baclofen_cds.handout.pictures import SyringePicture, TabletsPicture, syringe_size
from baclofen_cds.logic.handout_content import HandoutContent, build_handout, plain_text, prose
from baclofen_cds.logic.handout_summary import build_clinician_summary
from baclofen_cds.logic.handout_text import LANGUAGES
from tests.handout import handout_factories as f
from tests.handout.support import (
    engine,
    example,
    example_case,
    fernandez_huerta,
    font_sizes,
    pdf_pages,
    pdf_text,
    reading_grade,
)

PRINTED = date(2026, 11, 25)
EXAMPLES = (
    "adult-spasticity-ms",
    "alcohol-use-disorder",
    "child-cerebral-palsy",
    "dialysis",
    "older-adult-ckd",
)


@cache
def _content(name: str = "adult-spasticity-ms", language: str = "en") -> HandoutContent:
    data = {**example_case(name), "handout_language": language}
    return build_handout(engine(data), printed_on=PRINTED, prescriber="Dr A. Smith")


@cache
def _pdf(
    name: str = "adult-spasticity-ms",
    large_print: bool = False,
    paper: str = "a4",
    diary: bool = True,
    language: str = "en",
) -> bytes:
    return render_handout(
        _content(name, language), large_print=large_print, paper=paper, diary=diary
    )


def _reader(pdf: bytes):  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf))


def test_page_one_is_the_handout() -> None:
    first = pdf_pages(_pdf())[0]
    for expected in (
        "Jane Doe",
        "MRN-001",
        "Dr A. Smith",
        "Medicine: baclofen 5 mg tablets",
        "Key facts",
        "Do not stop baclofen suddenly.",
        "Never take more than 80 mg in one day.",
        "Call 999 now for any of these:",
        "Questions or side effects? Call Riverside Neurology on 01632 960000.",
        "Tue 1 Dec to Mon 7 Dec",  # weekly: opioid + benzodiazepine (critical card)
        "1 tablet (5 mg)",
        "morning, midday and evening",
        "From Tue 8 Dec",
    ):
        assert expected in first, expected


def test_page_two_has_the_rest_and_the_diary_follows_once() -> None:
    pages = pdf_pages(_pdf())
    assert len(pages) == 3  # the adult example: two pages and the diary
    second = pages[1]
    assert "Side effects" in pages[0] + second
    assert "oxycodone:" in pages[0] + second  # the list may start at the foot of page 1
    for expected in (
        "Xanax (alprazolam):",
        "Kidney blood test: Tue 1 Dec",
        "Liver and kidney blood tests: Tue 1 Jun",
        "If a dose is missed",
        "How to store it",
    ):
        assert expected in second, expected
    assert pages[2].startswith("Dose diary")
    assert " ".join(pages).count("Dose diary") == 1
    assert len(pdf_pages(_pdf(diary=False))) == 2


@pytest.mark.parametrize("name", EXAMPLES)
def test_page_budgets(name: str) -> None:
    """No handout over 4 pages in standard print; large print at most twice as many."""
    standard = len(pdf_pages(_pdf(name)))
    large = len(pdf_pages(_pdf(name, large_print=True)))
    assert standard <= 4, standard
    assert standard < large <= 2 * standard, (standard, large)
    assert len(pdf_pages(_pdf(name, diary=False))) <= 2


@cache
def _vocabulary(name: str, language: str) -> frozenset[str]:
    content = _content(name, language)
    words = plain_text(content)
    words += " " + " ".join(d.date_text + " " + d.amount for d in content.diary.days)
    words += " " + " ".join(label for _, label in content.diary.time_labels)
    words += f" {content.page_word} {content.of_word} {content.footer}"
    return frozenset(_TOKEN.findall(words))


_TOKEN = re.compile(r"[^\W\d_]+")


@pytest.mark.parametrize("language", LANGUAGES)  # every handout text file present
@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("large", [True, False])
def test_no_split_word_or_unit(name: str, language: str, large: bool) -> None:
    """Every word pypdf extracts is a whole word of the content ("Morni" + "ng" fails), and a
    number never ends a line with its unit on the next ("22.5" / "mg")."""
    pdf = _pdf(name, large_print=large, language=language)
    vocabulary = _vocabulary(name, language)
    for page in _reader(pdf).pages:
        raw = page.extract_text() or ""
        split = [t for t in _TOKEN.findall(raw) if t not in vocabulary]
        assert not split, split
        assert not re.search(r"\d\s*\n\s*(mg|mL|°C)\b", raw), raw


def test_the_pictures_are_drawn_to_the_dose() -> None:
    assert syringe_size(2.5) == 2.5 and syringe_size(3) == 5 and syringe_size(12.5) == 20
    half, one_and_half = TabletsPicture(0.5, 20), TabletsPicture(1.5, 20)
    assert one_and_half.width == 2 * half.width  # one whole tablet and one half
    syringe = SyringePicture(2.5, 120, 30, "2.5", 12)
    assert syringe.capacity == 2.5 and syringe.ml == 2.5
    # The syringe's fill mark prints the dose next to the picture.
    liquid = pdf_pages(_pdf("older-adult-ckd"))
    assert "2.5 mL (2.5 mg)" in " ".join(liquid)


def test_page_numbers_and_document_properties() -> None:
    pdf = _pdf()
    reader = _reader(pdf)
    pages = pdf_pages(pdf)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert reader.metadata.title == "Your baclofen plan"
    assert reader.metadata.author == "Riverside Neurology"
    assert reader.metadata.subject == "Patient handout for baclofen by mouth"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    spanish = _pdf(language="es")
    assert _reader(spanish).trailer["/Root"]["/Lang"] == "es"
    assert "Página 1 de" in pdf_pages(spanish)[0]


def test_only_the_embedded_dejavu_family_is_used() -> None:
    for pdf in (_pdf(), _pdf(large_print=True)):
        seen = set()
        for page in _reader(pdf).pages:
            for ref in page["/Resources"]["/Font"].values():
                font = ref.get_object()
                seen.add(str(font["/BaseFont"]).split("+")[-1])
                assert "/FontFile2" in font["/FontDescriptor"].get_object()
        assert seen == {"DejaVuSans", "DejaVuSans-Bold"}


def test_body_text_at_least_12_pt_and_18_pt_in_large_print() -> None:
    for large, body, footer in ((False, 12, 10), (True, 18, 13)):
        sizes = font_sizes(_pdf(large_print=large))
        footers = {s for s, t in sizes if t.startswith(("Page ", "Your baclofen plan:"))}
        assert footers == {footer}
        body_sizes = {s for s, t in sizes if not t.startswith(("Page ", "Your baclofen plan:"))}
        assert min(body_sizes) == body, large


@pytest.mark.parametrize("name", EXAMPLES)
def test_reading_grade(name: str) -> None:
    """Flesch-Kincaid grade of the prose (CMU dictionary syllables; each list item read as a
    sentence) at most 6; the Spanish text at least "fairly easy" on Fernández-Huerta."""
    assert reading_grade(prose(_content(name))) <= 6
    sentences = [u for u in prose(_content(name)) if u.endswith((".", ":"))]
    assert reading_grade(sentences) <= 6  # whole sentences only: no credit for short items
    assert fernandez_huerta(prose(_content(name, "es"))) >= 70


def test_identical_input_gives_identical_bytes() -> None:
    content = _content()
    assert render_handout(content) == _pdf()
    assert render_handout(content, large_print=True) == _pdf(large_print=True)
    assert _pdf(paper="letter") != _pdf()


@pytest.mark.parametrize(
    "name",
    [
        "<b>Bob</b> & </para>",
        "<font size=40>X</font> &amp; <br/> ]]> %PDF \\) (",
        "Zoë Łukasz-Núñez Müller",
        "A" * 500,
        "מרים כהן",
        "Ali 😀 王小明 \u202eevil\u202c \x07",
    ],
)
def test_hostile_names_print_literally_or_with_a_clear_replacement(name: str) -> None:
    data = example_case("adult-spasticity-ms")
    data["patient"] = {"id": "ID <i>1</i>", "name": name}
    data["comedications"] = [*data.get("comedications", []), "</para> <b>unknown</b> & co"]
    rec = engine(data)
    content = build_handout(rec, printed_on=PRINTED, prescriber=name)
    text = pdf_text(render_handout(content))
    assert "ID <i>1</i>" in text
    assert "</para> <b>unknown</b> & co" in text
    if name.startswith("<") or name.startswith("Zoë") or name == "מרים כהן":
        assert name in text
    if name == "A" * 500:
        assert "A" * 300 in text.replace(" ", "")
    if name.startswith("Ali"):
        assert "\ufffd" in text
        assert "evil" in text and "\u202e" not in text
    summary = render_clinician_summary(
        build_clinician_summary(rec, printed_on=PRINTED, prescriber=name)
    )
    assert summary.startswith(b"%PDF")


def test_a_long_titration_with_many_medicines_stays_within_four_pages() -> None:
    data = example_case("older-adult-ckd")
    data["regimen_choice"] = {"step_interval_days": 12}  # older adults: weekly, lower target
    data["comedications"] = [
        "oxycodone",
        "Xanax",
        "gabapentin",
        "amlodipine",
        "zopiclone",
        "sertraline",
        "morphine",
    ]
    pdf = render_handout(build_handout(engine(data), printed_on=PRINTED))
    pages = pdf_pages(pdf)
    assert len(pages) <= 4
    text = " ".join(pages)
    assert "morphine" in text
    assert "Mon 4 Jan" in text  # the last diary day


def test_paper_must_be_known() -> None:
    content = build_handout(f.recommendation(), printed_on=PRINTED)
    with pytest.raises(ValueError, match="paper"):
        render_handout(content, paper="tabloid")


@pytest.mark.parametrize("name", EXAMPLES)
def test_clinician_summary_is_one_page(name: str) -> None:
    pdf = render_clinician_summary(build_clinician_summary(example(name), printed_on=PRINTED))
    assert len(pdf_pages(pdf)) == 1


def test_clinician_summary_prints_acknowledgements_and_the_override() -> None:
    from msgspec.structs import replace

    from baclofen_cds.logic.result import OverrideRecord, RegimenWithheld

    rec = example("adult-spasticity-ms")
    summary = build_clinician_summary(
        rec,
        printed_on=PRINTED,
        prescriber="Dr A. Smith",
        acknowledgements={rec.alerts[0].id: "benefit outweighs risk: watched closely"},
    )
    text = pdf_pages(render_clinician_summary(summary))[0]
    assert len(rec.alerts) > 1
    for expected in (
        "Patient: Jane Doe, MRN-001",
        "Start: 5 mg three times a day",
        "Maximum: 80 mg a day",
        "acknowledged: benefit outweighs risk: watched closely",
        "not acknowledged",
        "Printed Wednesday 25 November 2026 for Dr A. Smith",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    assert rec.knowledge_base.sha256 in text.replace(" ", "")
    # Each alert says its acknowledgement once, on its own line (no second list).
    assert text.count("acknowledged: benefit outweighs risk") == 1

    # The issue-8 contract fields, printed under the status line.
    stand_in = replace(
        rec,
        override=OverrideRecord(
            "specialist_supervision",
            "Specialist supervision",
            "Dr B. Jones",
            "seen in clinic weekly",
            applied=True,
        ),
        regimen_withheld=RegimenWithheld("opioid and benzodiazepine together", (), True),
    )
    summary = build_clinician_summary(stand_in, printed_on=PRINTED)
    lines = [line.text for line in summary.lines]
    at = next(i for i, line in enumerate(lines) if line.startswith("Status:"))
    assert lines[at + 1] == "Regimen withheld: opioid and benzodiazepine together"
    assert lines[at + 2] == (
        "Override: Specialist supervision (Dr B. Jones) — seen in clinic weekly"
    )
    assert len(pdf_pages(render_clinician_summary(summary))) == 1


def test_clinician_summary_moves_weekend_due_dates_like_the_handout() -> None:
    summary = build_clinician_summary(example("alcohol-use-disorder"), printed_on=PRINTED)
    assert any(
        line.text.startswith("2026-12-07: Mood") and "(due 2026-12-05, a weekend)" in line.text
        for line in summary.lines
    )


def test_a_long_summary_keeps_to_one_page_by_printing_sources_by_id() -> None:
    rec = example("older-adult-ckd")
    many = replace(rec, sources=rec.sources * 2)  # twice the sources: too long with titles
    summary = build_clinician_summary(many, printed_on=PRINTED)
    pdf = render_clinician_summary(summary)
    assert len(pdf_pages(pdf)) == 1
    assert "S1 (grade A)" in pdf_text(pdf)
