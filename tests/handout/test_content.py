"""The handout content builder, tested exactly: what the patient reads, from the engine's result."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from baclofen_cds.logic.handout_content import (
    Bullets,
    HandoutContent,
    HandoutError,
    NamedItems,
    Para,
    Table,
    build_handout,
    plain_text,
)
from tests.handout import handout_factories as f
from tests.handout.support import engine, example, example_case

PRINTED = date(2026, 11, 25)

#: ISMP error-prone abbreviations and dose designations that must never be printed.
FORBIDDEN = re.compile(
    r"\b(QD|QOD|TIW|U|IU|cc|HS|qhs|D/C|SC|SQ|BID|TID|QID)\b|µg|1/2 tablet|\.0 mg|(?<![\d.])\.\d",
)


def _build(**changes: object) -> HandoutContent:
    return build_handout(
        f.recommendation(**changes) if changes else f.recommendation(),
        printed_on=PRINTED,
        prescriber="Dr A. Smith",
    )


def test_header_names_the_patient_prescriber_and_clinic() -> None:
    content = _build()
    assert [(x.label, x.value) for x in content.fields] == [
        ("Name", "Jane Doe"),
        ("ID", "MRN-001"),
        ("Date", "Wednesday 25 November 2026"),
        ("Prescriber", "Dr A. Smith"),
        ("Clinic", "Riverside Neurology"),
        ("Phone", "555-0100"),
    ]
    assert content.title == "Your baclofen plan"
    assert content.author == "Riverside Neurology"
    assert content.language == "en"
    assert content.footer == "Your baclofen plan: Jane Doe"


def test_missing_names_are_lines_to_write_on() -> None:
    rec = f.recommendation(policy={}, case={**f.recommendation().case, "patient": {}})
    content = build_handout(rec, printed_on=PRINTED)
    assert {x.label: x.value for x in content.fields}["Prescriber"] == ""
    assert {x.label: x.value for x in content.fields}["Clinic"] == ""
    assert "Prescriber: ____________________" in plain_text(content)


def test_medicine_and_purpose_in_plain_words() -> None:
    section = _build().section("medicine")
    assert section.blocks == (
        Para("Medicine: baclofen 10 mg tablets", "strong"),
        Para(
            "What it is for: Baclofen relaxes tight muscles. You take it for muscle "
            "stiffness and spasms."
        ),
        Para("Your muscle stiffness comes from multiple sclerosis (MS)."),
    )


def test_dose_calendar_one_row_per_day_with_the_engines_doses_and_dates() -> None:
    calendar = _build().calendar
    assert calendar.times == ("morning", "midday", "evening")
    assert calendar.time_labels == ("Morning", "Midday", "Evening")
    rows = [
        (d.day, d.date_text, tuple(x.amount for x in d.doses), d.daily_total, d.new_dose)
        for d in calendar.days
    ]
    half = ("half a tablet (5 mg)",) * 3
    one = ("1 tablet (10 mg)",) * 3
    assert rows[:4] == [
        (1, "Tue 1 Dec 2026", half, "15 mg", True),
        (2, "Wed 2 Dec 2026", half, "15 mg", False),
        (3, "Thu 3 Dec 2026", half, "15 mg", False),
        (4, "Fri 4 Dec 2026", one, "30 mg", True),
    ]
    # The open-ended last step fills one step interval, then the calendar says to go on.
    assert rows[-1] == (12, "Sat 12 Dec 2026", ("2 tablets (20 mg)",) * 3, "60 mg", False)
    assert len(rows) == 12
    blocks = _build().section("calendar").blocks
    assert (
        Para(
            "From Sunday 13 December 2026: keep taking 2 tablets (20 mg) at each dose time "
            "(morning, midday, evening). Do this every day until your next check-up.",
            "strong",
        )
        in blocks
    )
    assert Para("Never take more than 80 mg in one day.", "strong") in blocks


def test_tablet_amounts_carry_the_dose_so_the_strength_is_not_read_as_the_dose() -> None:
    calendar = build_handout(example("adult-spasticity-ms"), printed_on=PRINTED).calendar
    amounts = [d.doses[0].amount for d in calendar.days]
    assert amounts[0] == "half of one 10 mg tablet (5 mg)"
    assert amounts[3] == "1 tablet of 10 mg"
    assert amounts[6] == "1 and a half tablets of 10 mg (15 mg)"
    assert amounts[9] == "2 tablets of 10 mg (20 mg)"


def test_liquid_doses_are_in_ml_of_the_named_concentration() -> None:
    rec = example("child-cerebral-palsy")
    content = build_handout(rec, printed_on=PRINTED)
    day1 = content.calendar.days[0]
    assert [x.time for x in day1.doses] == ["morning", "midday", "evening", "bedtime"]
    assert day1.doses[0].amount == "1.5 mL (1.5 mg)"
    assert (
        Para(
            "Amounts are in mL of your oral solution, 1 mg in each mL. Measure each dose with "
            "the oral syringe.",
            "strong",
        )
        in content.section("calendar").blocks
    )
    assert day1.daily_total == "6 mg (6 mL)"
    how = content.section("how_to_take").blocks[0]
    assert isinstance(how, Bullets)
    assert how.items[0].startswith("Your liquid has 1 mg of baclofen in each 1 mL.")
    storage = content.section("storage").blocks[0]
    assert isinstance(storage, Bullets)
    assert "fridge (2 °C to 8 °C)" in storage.items[0]


def test_calendar_matches_every_engine_step_for_every_example() -> None:
    for name in ("adult-spasticity-ms", "alcohol-use-disorder", "older-adult-ckd", "dialysis"):
        rec = example(name)
        assert rec.regimen is not None
        calendar = build_handout(rec, printed_on=PRINTED).calendar
        by_day = {d.day: d for d in calendar.days}
        for step in rec.regimen.steps:
            day = by_day[step.from_day]
            assert day.date == step.from_date
            assert day.daily_mg == step.daily_mg
            assert len(day.doses) == step.times_per_day
            if step.volume_ml is None:
                assert all(step.amount in x.amount for x in day.doses)
            else:
                assert all(x.amount.startswith(f"{step.volume_ml:g} mL (") for x in day.doses)
        assert [d.day for d in calendar.days] == list(range(1, len(calendar.days) + 1))


def test_changing_number_of_doses_a_day_keeps_each_time_in_its_column() -> None:
    calendar = build_handout(example("alcohol-use-disorder"), printed_on=PRINTED).calendar
    assert calendar.times == ("morning", "midday", "evening", "bedtime")
    first, last = calendar.days[0], calendar.days[-1]
    assert [x.time for x in first.doses] == ["morning", "midday", "evening", "bedtime"]
    assert [x.time for x in last.doses] == ["morning", "midday", "evening"]
    assert last.amount_at("bedtime") is None


def test_this_patients_medicines_are_named_with_what_to_watch_for() -> None:
    section = _build().section("alcohol_medicines")
    named = next(b for b in section.blocks if isinstance(b, NamedItems))
    assert named.items == (
        ("oxycodone", "Together they can make you very sleepy and slow your breathing."),
        ("Xanax (alprazolam)", "Together they can make you very sleepy."),
    )
    unchecked = [b for b in section.blocks if isinstance(b, Bullets)]
    assert unchecked[-1].items == ("Zzyzxomab",)
    assert section.blocks[0] == Para(
        "Do not drink alcohol while you take baclofen. Together they can make you very "
        "sleepy and slow your breathing.",
        "strong",
    )


def test_condition_in_triggered_by_is_not_named_as_a_medicine() -> None:
    section = build_handout(example("alcohol-use-disorder"), printed_on=PRINTED).section(
        "alcohol_medicines"
    )
    text = " ".join(
        term for b in section.blocks if isinstance(b, NamedItems) for term, _ in b.items
    )
    assert "zopiclone" in text
    assert "alcohol use disorder" not in text


def test_health_alerts_reach_the_patient_in_their_words() -> None:
    section = build_handout(example("older-adult-ckd"), printed_on=PRINTED).section("your_health")
    bullets = section.blocks[1]
    assert isinstance(bullets, Bullets)
    assert "Check your blood sugar more often in the first weeks." in bullets.items
    assert any(
        item.startswith("Your kidneys clear this medicine more slowly") for item in bullets.items
    )


def test_missed_dose_rule_is_the_engines_adult_or_child_version() -> None:
    adult = build_handout(example("adult-spasticity-ms"), printed_on=PRINTED)
    child = build_handout(example("child-cerebral-palsy"), printed_on=PRINTED)
    assert adult.section("missed_dose").blocks == (
        Para(example("adult-spasticity-ms").missed_dose.text, "strong"),
    )
    child_rule = child.section("missed_dose").blocks[0]
    assert isinstance(child_rule, Para)
    assert "wait at least 4 hours" in child_rule.text
    assert (
        Para('This leaflet is for a child. When it says "you", it means your child.', "note")
        in child.section("medicine").blocks
    )


def test_taper_is_listed_when_the_prescriber_stops_it() -> None:
    section = _build().section("do_not_stop")
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert table.header == ("Days", "When", "Each dose", "Total for the day")
    assert table.rows[0] == (
        "Days 1 to 3",
        "Morning, Midday, Evening",
        "1 and a half tablets (15 mg)",
        "45 mg",
    )
    assert Para("Do not stop baclofen all at once. This can be dangerous.", "strong") in (
        section.blocks
    )


def test_blood_tests_with_due_dates_in_plain_words() -> None:
    table = next(
        b
        for b in build_handout(example("alcohol-use-disorder"), printed_on=PRINTED)
        .section("tests")
        .blocks
        if isinstance(b, Table)
    )
    assert table.rows[0] == ("Kidney blood test", "Before you start", "Tuesday 1 December 2026")
    assert ("Liver and kidney blood tests", "Every 3 months", "Monday 1 March 2027") in table.rows
    # An item without plain words keeps the engine's words rather than disappearing.
    fallback = next(b for b in _build().section("tests").blocks if isinstance(b, Table))
    assert fallback.rows[0] == (
        "kidney function (serum creatinine, eGFR)",
        "before starting",
        "Tuesday 1 December 2026",
    )


def test_pregnancy_section_only_when_it_applies() -> None:
    ids = lambda c: [s.id for s in c.sections]  # noqa: E731
    assert "pregnancy" in ids(build_handout(example("adult-spasticity-ms"), printed_on=PRINTED))
    assert "pregnancy" not in ids(build_handout(example("older-adult-ckd"), printed_on=PRINTED))
    assert "pregnancy" not in ids(_build())  # 61 years old
    older = f.recommendation()
    nursing = replace(older, case={**older.case, "conditions": ["breastfeeding"]})
    section = build_handout(nursing, printed_on=PRINTED).section("pregnancy")
    assert all(
        "breast" in b.text or "baby" in b.text for b in section.blocks if isinstance(b, Para)
    )


def test_diary_has_a_box_per_dose_per_day() -> None:
    content = _build()
    assert len(content.diary.days) == len(content.calendar.days)
    assert content.diary.time_labels == ("Morning", "Midday", "Evening")
    assert content.diary.days[0].cells == ("half a tablet (5 mg)",) * 3
    assert content.diary.notes_lines > 0


def test_no_handout_without_a_regimen() -> None:
    with pytest.raises(HandoutError, match="no regimen"):
        build_handout(f.recommendation(regimen=None, status="contraindicated"), printed_on=PRINTED)


def test_same_input_same_content() -> None:
    assert _build() == _build()


def test_no_error_prone_abbreviations_in_any_example() -> None:
    for name in (
        "adult-spasticity-ms",
        "alcohol-use-disorder",
        "child-cerebral-palsy",
        "dialysis",
        "older-adult-ckd",
    ):
        text = plain_text(build_handout(example(name), printed_on=PRINTED))
        assert not FORBIDDEN.search(text), (name, FORBIDDEN.search(text))


def test_long_titration_and_many_medicines_are_all_listed() -> None:
    data = example_case("older-adult-ckd")
    # older adults now step weekly to a lower target (issue 8): a slower chosen interval keeps
    # this titration long enough to flow onto more pages
    data["regimen_choice"] = {"step_interval_days": 10}
    data["comedications"] = [
        "oxycodone",
        "Xanax",
        "gabapentin",
        "amlodipine",
        "zopiclone",
        "sertraline",
        "morphine",
    ]
    rec = engine(data)
    content = build_handout(rec, printed_on=PRINTED)
    named = [
        term
        for b in content.section("alcohol_medicines").blocks
        if isinstance(b, NamedItems)
        for term, _ in b.items
    ]
    for medicine in ("oxycodone", "Xanax (alprazolam)", "gabapentin", "morphine"):
        assert any(medicine in term for term in named), medicine
    assert len(content.calendar.days) >= 35


def test_broken_handout_text_fails_closed_naming_the_field() -> None:
    import yaml

    from baclofen_cds.logic import load_knowledge_base
    from baclofen_cds.logic.handout_text import HandoutTextError, parse_handout_text

    data = load_knowledge_base().extra_document("handout_text")
    parse_handout_text(data)  # the shipped text is valid
    broken = yaml.safe_load(yaml.safe_dump(data))
    del broken["purpose"]["by_indication"]["hiccups"]
    with pytest.raises(HandoutTextError, match="hiccups"):
        parse_handout_text(broken)
    broken = yaml.safe_load(yaml.safe_dump(data))
    del broken["sections"]["get_help"]["heading"]
    with pytest.raises(HandoutTextError, match=r"sections\.get_help\.heading"):
        parse_handout_text(broken)
