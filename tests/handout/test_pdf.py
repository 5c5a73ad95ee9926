"""The rendered PDFs: what a patient, a pharmacist and a printer actually get."""

from __future__ import annotations

import io
from datetime import date

import pytest

from baclofen_cds.handout import render_clinician_summary, render_handout
from baclofen_cds.logic.handout_content import build_handout
from baclofen_cds.logic.handout_summary import build_clinician_summary
from tests.handout import handout_factories as f
from tests.handout.support import (
    engine,
    example,
    example_case,
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


def _pdf(name: str = "adult-spasticity-ms", **options: object) -> bytes:
    content = build_handout(example(name), printed_on=PRINTED, prescriber="Dr A. Smith")
    return render_handout(content, **options)  # type: ignore[arg-type]


def _reader(pdf: bytes):  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf))


def test_patient_specific_content_is_in_the_printed_text() -> None:
    text = pdf_text(_pdf())
    for expected in (
        "Jane Doe",
        "MRN-001",
        "Dr A. Smith",
        "Wednesday 25 November 2026",
        "Medicine: baclofen 10 mg tablets",
        "Tue 1 Dec 2026",
        "half of one 10 mg tablet (5 mg)",
        "Thu 10 Dec 2026",
        "2 tablets of 10 mg (20 mg)",
        "Never take more than 80 mg in one day.",
        "oxycodone, Xanax (alprazolam):",  # one item per hazard, naming each medicine
        "Kidney blood test",
        "Tuesday 1 June 2027",
        "If your next dose is due in less than 2 hours, skip the missed dose.",
        "Do not stop suddenly",
        "Dose diary",
    ):
        assert expected in text, expected


def test_page_numbers_and_document_properties() -> None:
    pdf = _pdf()
    reader = _reader(pdf)
    pages = pdf_pages(pdf)
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
    assert reader.metadata.title == "Your baclofen plan"
    assert reader.metadata.author
    assert reader.metadata.subject == "Patient handout for baclofen by mouth"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    # The diary starts on a page of its own.
    assert any(page.startswith("Dose diary") for page in pages)


def test_only_the_embedded_dejavu_family_is_used() -> None:
    for pdf in (_pdf(), _pdf(large_print=True)):
        seen = set()
        for page in _reader(pdf).pages:
            for ref in page["/Resources"]["/Font"].values():
                font = ref.get_object()
                seen.add(str(font["/BaseFont"]).split("+")[-1])
                descriptor = font["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor  # TrueType, embedded
        assert seen == {"DejaVuSans", "DejaVuSans-Bold"}


def test_body_text_at_least_12_pt_and_18_pt_in_large_print() -> None:
    for options, body, footer in (({}, 12, 10), ({"large_print": True}, 18, 14)):
        sizes = font_sizes(_pdf(**options))
        footers = {s for s, t in sizes if t.startswith(("Page ", "Your baclofen plan:"))}
        assert footers == {footer}
        body_sizes = {s for s, t in sizes if not t.startswith(("Page ", "Your baclofen plan:"))}
        assert min(body_sizes) == body, options


def test_large_print_has_more_pages_with_the_same_words() -> None:
    normal, large = _pdf(), _pdf(large_print=True)
    assert len(pdf_pages(large)) > len(pdf_pages(normal))
    assert "half of one 10 mg tablet (5 mg)" in pdf_text(large)


@pytest.mark.parametrize("name", EXAMPLES)
def test_reading_grade(name: str) -> None:
    """Flesch-Kincaid on the text extracted from the PDF; each bullet counts as a sentence."""
    text = pdf_text(_pdf(name))
    assert reading_grade(text) <= 8  # the ceiling, even with each list read as one sentence
    grade = reading_grade(text.replace("\u2022", "."))
    assert grade <= 6, grade  # the target


def test_identical_input_gives_identical_bytes() -> None:
    assert _pdf() == _pdf()
    assert _pdf(large_print=True) == _pdf(large_print=True)
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
    if name.startswith("<"):
        assert name in text
    if name.startswith("Zoë"):
        assert name in text
    if name == "A" * 500:
        assert "A" * 300 in text.replace(" ", "")
    if name == "מרים כהן":
        # pypdf reads a right-to-left run back into logical order: the name comes back as
        # typed only because it was drawn in visual order (unreversed, it reads "ןהכ םירמ").
        assert name in text
    if name.startswith("Ali"):
        assert "\ufffd" in text  # CJK: no glyph in the font -> visible replacement mark
        assert "evil" in text and "\u202e" not in text
    summary = render_clinician_summary(
        build_clinician_summary(rec, printed_on=PRINTED, prescriber=name)
    )
    assert summary.startswith(b"%PDF")


def test_a_long_titration_with_many_medicines_flows_onto_more_pages() -> None:
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
    assert len(pages) >= 6
    text = " ".join(pages)
    assert "Page 1 of" in text and f"Page {len(pages)} of {len(pages)}" in text
    assert "morphine" in text
    # Every calendar day is printed, including the last one before "From ...".
    assert "Mon 4 Jan 2027" in text


def test_paper_must_be_known() -> None:
    content = build_handout(f.recommendation(), printed_on=PRINTED)
    with pytest.raises(ValueError, match="paper"):
        render_handout(content, paper="tabloid")


def test_clinician_summary_one_page_with_everything_for_the_chart() -> None:
    rec = example("adult-spasticity-ms")
    summary = build_clinician_summary(
        rec,
        printed_on=PRINTED,
        prescriber="Dr A. Smith",
        acknowledgements={"hazard.cns_depression": "benefit outweighs risk: watched closely"},
    )
    pdf = render_clinician_summary(summary)
    pages = pdf_pages(pdf)
    assert len(pages) == 1
    text = pages[0]
    for expected in (
        "Patient: Jane Doe, MRN-001",
        "Kidney function: band",
        "Start: 5 mg three times a day",
        "Maximum: 80 mg a day",
        "Missed dose:",
        "Sedation and slowed breathing",
        "acknowledged: benefit outweighs risk: watched closely",
        "not acknowledged",
        "Basis:",
        "Sources:",
        rec.knowledge_base.version,
        "Printed Wednesday 25 November 2026 for Dr A. Smith",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    # The hash may wrap at the column edge; every character is there, in order.
    assert rec.knowledge_base.sha256 in text.replace(" ", "")
    # The same wording as the plain-text note on the clinician's screen.
    from baclofen_cds.logic.summary import clinician_note

    first_alert = next(line for line in clinician_note(rec).splitlines() if "[CRITICAL]" in line)
    assert " ".join(first_alert.split()) in text
    assert render_clinician_summary(summary) == pdf
    assert _reader(pdf).metadata.title.startswith("Baclofen CDS")
