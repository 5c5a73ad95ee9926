"""The handout content, tested exactly: what the patient reads, chosen by rules on the case."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from baclofen_cds.logic.handout_content import (
    DosePlan,
    HandoutContent,
    HandoutError,
    KeyFacts,
    NamedItems,
    Picture,
    QandA,
    build_handout,
    next_working_day,
    plain_text,
    prose,
)
from baclofen_cds.logic.handout_text import (
    LANGUAGES,
    HandoutTextError,
    check_languages,
    missing_keys,
    parse_handout_text,
    raw_handout_text,
)
from tests.handout import handout_factories as f
from tests.handout.support import POLICY_US, engine, example, example_case

PRINTED = date(2026, 11, 25)
EXAMPLES = (
    "adult-spasticity-ms",
    "alcohol-use-disorder",
    "child-cerebral-palsy",
    "dialysis",
    "older-adult-ckd",
)

#: ISMP error-prone abbreviations and dose designations that must never be printed.
FORBIDDEN = re.compile(
    r"\b(QD|QOD|TIW|U|IU|cc|HS|qhs|D/C|SC|SQ|BID|TID|QID)\b|µg|1/2 tablet|\.0 mg|(?<![\d.,])[.,]\d",
)


def _build(**changes: Any) -> HandoutContent:
    return build_handout(
        f.recommendation(**changes) if changes else f.recommendation(),
        printed_on=PRINTED,
        prescriber="Dr A. Smith",
    )


def _text(name: str, **case_changes: Any) -> str:
    data = {**example_case(name), **case_changes}
    return plain_text(build_handout(engine(data), printed_on=PRINTED))


def _key_facts(content: HandoutContent) -> KeyFacts:
    block = content.section("key_facts").blocks[0]
    assert isinstance(block, KeyFacts)
    return block


# ---------------------------------------------------------------- page 1


def test_header_names_the_patient_and_prescriber() -> None:
    content = _build()
    assert [(x.label, x.value) for x in content.fields] == [
        ("Name", "Jane Doe"),
        ("ID", "MRN-001"),
        ("Printed", "25 November 2026"),
        ("Prescriber", "Dr A. Smith"),
    ]
    assert content.title == "Your baclofen plan"
    assert content.author == "Riverside Neurology"
    assert content.footer == "Your baclofen plan: Jane Doe"


def test_page_one_is_medicine_key_facts_and_doses_in_that_order() -> None:
    sections = _build().sections
    assert [s.id for s in sections if s.page == 1] == ["medicine", "key_facts", "doses"]
    assert [s.id for s in sections[:3]] == ["medicine", "key_facts", "doses"]


def test_key_facts_box_with_the_local_emergency_number_and_the_clinic_phone() -> None:
    box = _key_facts(_build())
    assert box.lines == (
        "Do not stop baclofen suddenly. Stopping all at once can make you very ill.",
        "Never take more than 80 mg in one day.",
        "Take only the dose in your plan. Get more before you run out.",
    )
    assert box.help_intro == "Call 999 now for any of these:"
    assert "slow or shallow breathing" in box.help_signs
    assert box.contact == (
        "Questions or side effects? Call Riverside Neurology on 555-0100.",
        "When the clinic is closed, call NHS 111 for advice.",
    )
    us = f.recommendation(policy={**f.recommendation().policy, "country": "US"})
    box = _key_facts(build_handout(us, printed_on=PRINTED))
    assert box.help_intro == "Call 911 now for any of these:"
    assert box.contact[1] == "If someone took too much, call Poison Control on 1-800-222-1222."
    assert "NHS 111" not in plain_text(build_handout(us, printed_on=PRINTED))


def test_the_most_in_a_day_is_this_patients_ceiling() -> None:
    box = _key_facts(build_handout(example("dialysis"), printed_on=PRINTED))
    assert "Never take more than 5 mg in one day." in box.lines


def test_dose_plan_is_steps_not_days() -> None:
    plan = _build().dose_plan
    assert plan.header == ("Dates", "Each dose", "When")
    rows = [(s.dates, s.amount, s.time_words) for s in plan.steps]
    assert rows == [
        ("Tue 1 Dec to Thu 3 Dec", "half a tablet (5 mg)", "morning, midday and evening"),
        ("Fri 4 Dec to Sun 6 Dec", "1 tablet (10 mg)", "morning, midday and evening"),
        ("Mon 7 Dec to Wed 9 Dec", "1 and a half tablets (15 mg)", "morning, midday and evening"),
        ("From Thu 10 Dec", "2 tablets (20 mg)", "morning, midday and evening"),
    ]
    assert [s.picture for s in plan.steps] == [
        Picture("tablets", count=0.5),
        Picture("tablets", count=1),
        Picture("tablets", count=1.5),
        Picture("tablets", count=2),
    ]
    assert plan.steps[0].times == ("morning", "midday", "evening")


def test_liquid_doses_in_ml_with_a_syringe_filled_to_the_dose() -> None:
    rec = example("older-adult-ckd")
    assert rec.regimen is not None
    content = build_handout(rec, printed_on=PRINTED)
    steps = content.dose_plan.steps
    assert steps[0].amount == "2.5 mL (2.5 mg)"
    assert steps[0].picture == Picture("syringe", ml=2.5, label="2.5")
    last = rec.regimen.steps[-1]
    assert last.volume_ml is not None
    assert steps[-1].picture == Picture("syringe", ml=last.volume_ml, label=f"{last.volume_ml:g}")
    assert "Measure each dose in mL with the oral syringe. Do not use a kitchen spoon." in (
        plain_text(content)
    )


def test_the_times_change_with_the_number_of_doses() -> None:
    steps = build_handout(example("alcohol-use-disorder"), printed_on=PRINTED).dose_plan.steps
    assert steps[0].times == ("morning", "midday", "evening", "bedtime")
    assert steps[1].times == ("morning", "midday", "evening")
    assert steps[0].time_words == "morning, midday, evening and bedtime"


def test_dose_plan_matches_every_engine_step_for_every_example() -> None:
    for name in EXAMPLES:
        rec = example(name)
        assert rec.regimen is not None
        plan = build_handout(rec, printed_on=PRINTED).dose_plan
        assert len(plan.steps) == len(rec.regimen.steps), name
        for step, shown in zip(rec.regimen.steps, plan.steps, strict=True):
            mg = f"{step.dose_mg:g} mg"
            assert shown.amount.endswith(f"({mg})"), (name, shown.amount)


# ---------------------------------------------------------------- rules on the case
# Each rule is data (handout_text.yaml); these cases say what must and must NOT be printed.


def test_fixed_dose_never_says_the_dose_goes_up() -> None:
    text = _text("dialysis")
    assert "goes up" not in text and "step up" not in text
    assert "Take the same dose each day." in text
    assert "Your dose goes up in steps." in _text("adult-spasticity-ms")


def test_dialysis_gets_no_kidney_clearance_line() -> None:
    text = _text("dialysis")
    assert "kidneys clear" not in text.lower()
    assert "With dialysis, baclofen can build up." in text
    assert "Your dialysis team will check your blood." in text
    assert "Your kidneys clear it from your body." in _text("adult-spasticity-ms")
    assert "Your kidneys clear baclofen slowly." in _text("older-adult-ckd")


def test_alcohol_use_disorder_is_not_told_flatly_never_to_drink() -> None:
    text = _text("alcohol-use-disorder")
    assert "Do not drink alcohol." not in text
    assert "Try not to drink. If you do drink, drink less, and never drive." in text
    adult = _text("adult-spasticity-ms")
    assert "Do not drink alcohol." in adult and "Try not to drink" not in adult


def test_medicines_already_taken_are_not_ask_before_taking() -> None:
    content = build_handout(example("older-adult-ckd"), printed_on=PRINTED)
    text = plain_text(content)
    assert "Ask before you take them" not in text  # the patient already takes ibuprofen
    block = next(b for b in content.section("medicines").blocks if isinstance(b, NamedItems))
    assert dict(block.items)["Ibuprofen 200 mg (ibuprofen)"] == (
        "It can slow how your kidneys clear baclofen. Tell your clinic you take it. "
        "They may check your kidneys."
    )
    assert "Pain pills like ibuprofen can make baclofen build up." in _text("adult-spasticity-ms")


def test_combination_of_medicines_is_a_list_one_line_each() -> None:
    content = build_handout(example("adult-spasticity-ms"), printed_on=PRINTED)
    block = next(b for b in content.section("medicines").blocks if isinstance(b, NamedItems))
    names = [name for name, _ in block.items]
    assert names == ["oxycodone", "Xanax (alprazolam)"]
    assert all("Take it only as prescribed." in what for _, what in block.items)
    assert "oxycodone, Xanax" not in plain_text(content)


def test_unchecked_medicines_are_named_for_the_pharmacist() -> None:
    text = _text("child-cerebral-palsy", comedications=["levetiracetam", "Zzyzxomab"])
    assert "We could not check: Zzyzxomab. Ask your pharmacist." in text
    assert "levetiracetam: Keep taking it. Tell your clinic if" in text


def test_child_gets_the_parent_and_carer_version() -> None:
    content = build_handout(example("child-cerebral-palsy"), printed_on=PRINTED)
    text = plain_text(content)
    assert content.title == "Your child's baclofen plan"
    assert "Do not stop giving baclofen suddenly." in text
    assert "Never give more than 40 mg in one day." in text
    qa = content.section("child").blocks[0]
    assert isinstance(qa, QandA)
    assert [q for q, _ in qa.items] == [
        "When to give it",
        "If your child is sick",
        "When it starts to work",
        "If you give too much",
    ]
    assert "school" in dict(qa.items)["When to give it"]
    assert "call 999" in dict(qa.items)["If you give too much"]
    assert "wait at least 4 hours" in text
    for adult_only in ("drive", "Do not drink alcohol", "you take"):
        assert adult_only not in text, adult_only
    adult = _text("adult-spasticity-ms")
    assert "For parents and carers" not in adult and "Do not drive" in adult


def test_older_adults_are_told_to_stand_up_slowly() -> None:
    assert "Stand up slowly and take care on stairs." in _text("older-adult-ckd")
    assert "Stand up slowly and take care on stairs." not in _text("adult-spasticity-ms")


def test_storage_and_brand_lines_follow_country_and_form() -> None:
    gb_liquid = _text("older-adult-ckd")
    assert "OZOBAX" not in gb_liquid
    assert "Store the liquid as the pharmacy label says." in gb_liquid
    us = engine(example_case("older-adult-ckd"), policy=POLICY_US)
    us_liquid = plain_text(build_handout(us, printed_on=PRINTED))
    assert "If your liquid is OZOBAX, keep it in the fridge (2 to 8 °C)." in us_liquid
    assert "Lioresal" in _text("adult-spasticity-ms")  # UK tablets: wheat starch
    us_tablet = engine(example_case("adult-spasticity-ms"), policy=POLICY_US)
    assert "Lioresal" not in plain_text(build_handout(us_tablet, printed_on=PRINTED))
    # without the sedating medicines the adult ladder uses half tablets of 10 mg
    halves = engine({**example_case("adult-spasticity-ms"), "comedications": []})
    assert "Break the tablet on its line" in plain_text(build_handout(halves, printed_on=PRINTED))
    assert "Break the tablet" not in _text("dialysis")  # whole tablets only


def test_pregnancy_section_only_when_it_applies() -> None:
    assert build_handout(example("adult-spasticity-ms"), printed_on=PRINTED).has_section(
        "pregnancy"
    )  # female, 45
    assert not build_handout(example("alcohol-use-disorder"), printed_on=PRINTED).has_section(
        "pregnancy"
    )  # male
    text = _text("adult-spasticity-ms", conditions=["breastfeeding"])
    assert "Small amounts pass into breast milk." in text
    assert "Taken up to the birth" not in text


def test_health_lines_come_from_the_cases_conditions() -> None:
    assert "more fits than usual" in _text("adult-spasticity-ms")  # epilepsy
    assert "more fits than usual" not in _text("dialysis")
    assert "harming yourself" in _text("alcohol-use-disorder")
    assert "Check your blood sugar more often" in _text("older-adult-ckd")  # diabetes


def test_an_unknown_rule_fact_fails_closed_naming_the_field() -> None:
    data = raw_handout_text(None, "en")
    broken = {**data, "storage": {**data["storage"], "lines": [{"text": "x", "when": ["tabet"]}]}}
    with pytest.raises(HandoutTextError, match=r"storage\.lines\.0.*unknown fact 'tabet'"):
        parse_handout_text(broken)


# ---------------------------------------------------------------- page 2 and diary


def test_tests_with_due_dates_moved_to_the_next_working_day() -> None:
    content = build_handout(example("alcohol-use-disorder"), printed_on=PRINTED)
    block = next(b for b in content.section("tests").blocks if isinstance(b, NamedItems))
    rows = dict(block.items)
    assert rows["Check on your mood"] == "Mon 7 Dec"  # due Saturday 5 December
    assert "If a date falls on a weekend, it is moved to the Monday." in plain_text(content)
    older = build_handout(example("older-adult-ckd"), printed_on=PRINTED)
    block = next(b for b in older.section("tests").blocks if isinstance(b, NamedItems))
    assert dict(block.items)["Check for confusion or being very sleepy"] == (
        "Wed 2 Dec, Wed 9 Dec, Wed 16 Dec and Wed 23 Dec"
    )  # four checks, one line


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
def test_next_working_day_is_never_a_weekend_and_never_earlier(day: date) -> None:
    moved = next_working_day(day)
    assert moved.weekday() < 5
    assert day <= moved <= day + timedelta(days=2)
    if day.weekday() < 5:
        assert moved == day


@settings(max_examples=15, deadline=None)
@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)))
def test_no_test_date_falls_on_a_weekend_whatever_the_start(start: date) -> None:
    data = {**example_case("older-adult-ckd"), "start_date": start.isoformat()}
    content = build_handout(engine(data, today=start), printed_on=PRINTED)
    block = next(b for b in content.section("tests").blocks if isinstance(b, NamedItems))
    for _, dates in block.items:
        assert not re.search(r"\b(Sat|Sun)\b", dates), dates


def test_missed_dose_adult_and_child() -> None:
    assert "skip the missed dose" in _text("adult-spasticity-ms")
    assert "wait at least 4 hours" in _text("child-cerebral-palsy")


def test_diary_once_with_a_row_per_day_of_the_titration() -> None:
    content = _build()
    diary = content.diary
    assert len(diary.days) == 12
    assert diary.days[0].date_text == "Tue 1 Dec" and diary.days[0].new_step
    assert diary.days[3].amount == "1 tablet (10 mg)" and diary.days[3].new_step
    assert [label for _, label in diary.time_labels] == ["Morning", "Midday", "Evening"]
    assert plain_text(content).count("Dose diary") == 1


# ---------------------------------------------------------------- refusals


def test_no_handout_without_a_regimen() -> None:
    with pytest.raises(HandoutError, match="no regimen"):
        build_handout(f.recommendation(regimen=None), printed_on=PRINTED)


def test_no_handout_for_a_withheld_regimen_says_why() -> None:
    """The issue-8 contract: `regimen_withheld` with a reason and no regimen."""
    from types import SimpleNamespace

    rec = f.recommendation(regimen=None)
    stand_in = SimpleNamespace(
        regimen=None,
        regimen_withheld={"reason": "dialysis and an opioid: specialist review first"},
        status=rec.status,
        status_reason=rec.status_reason,
    )
    with pytest.raises(HandoutError, match=r"withheld .dialysis and an opioid"):
        build_handout(stand_in, printed_on=PRINTED)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"clinic_phone": ""}, "no clinic phone number to call"),
        ({"country": None}, "country is not set"),
        ({"languages_enabled": ["en"]}, "language 'es' is not enabled"),
    ],
)
def test_no_handout_without_a_phone_a_country_or_an_enabled_language(
    policy: dict[str, Any], message: str
) -> None:
    base = f.recommendation()
    case = {**base.case, "handout_language": "es"}
    rec = replace(base, case=case, policy={**base.policy, **policy})
    with pytest.raises(HandoutError, match=message):
        build_handout(rec, printed_on=PRINTED)


def test_a_phone_given_at_print_time_is_enough() -> None:
    rec = replace(f.recommendation(), policy={**f.recommendation().policy, "clinic_phone": ""})
    content = build_handout(rec, printed_on=PRINTED, clinic_phone="01632 960000")
    assert "01632 960000" in _key_facts(content).contact[0]


# ---------------------------------------------------------------- language and safety


def test_spanish_handout_with_spanish_dates_and_decimal_commas() -> None:
    data = {**example_case("child-cerebral-palsy"), "handout_language": "es"}
    content = build_handout(engine(data), printed_on=PRINTED)
    text = plain_text(content)
    assert content.language == "es"
    assert content.title == "El plan de baclofeno de su hijo o hija"
    assert content.dose_plan.steps[0].dates == "mar 1 dic a lun 7 dic"
    assert content.dose_plan.steps[0].amount == "1,5 mL (1,5 mg)"
    assert content.dose_plan.steps[0].picture == Picture("syringe", ml=1.5, label="1,5")
    assert "Llame ya al 999 si hay:" in text
    assert "Impreso: 25 de noviembre de 2026" in text


def test_every_language_has_every_key_and_its_own_reviewer() -> None:
    from baclofen_cds.logic import load_knowledge_base
    from baclofen_cds.logic.handout_text import missing_class_lines

    kb = load_knowledge_base()
    results = check_languages(kb)
    assert [lang for lang, _, _, _ in results] == list(LANGUAGES) and "es" in LANGUAGES
    assert [problems for _, _, _, problems in results] == [[]] * len(LANGUAGES)
    # A line for what to do with every medicine class, in every language.
    assert [missing_class_lines(kb, lang) for lang in LANGUAGES] == [[]] * len(LANGUAGES)
    assert all(reviewed and reviewer for _, reviewed, reviewer, _ in results)
    en, es = raw_handout_text(None, "en"), raw_handout_text(None, "es")
    del es["tests"]["working_days"]
    assert missing_keys(en, es) == (["tests.working_days"], [])


@pytest.mark.parametrize("language", LANGUAGES)  # every handout text file present
@pytest.mark.parametrize("name", EXAMPLES)
def test_no_error_prone_abbreviations_in_any_example(name: str, language: str) -> None:
    data = {**example_case(name), "handout_language": language}
    text = plain_text(build_handout(engine(data), printed_on=PRINTED))
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text)


@settings(max_examples=25, deadline=None)
@given(
    doses=st.lists(st.sampled_from(sorted(f.TABLET_AMOUNTS)), min_size=1, max_size=6),
    times=st.integers(min_value=1, max_value=4),
)
def test_every_dose_printed_is_the_engines_dose(doses: list[int], times: int) -> None:
    rec = f.recommendation()
    assert rec.regimen is not None
    regimen = replace(rec.regimen, steps=f.steps(doses=tuple(doses), times=times))
    plan = build_handout(replace(rec, regimen=regimen), printed_on=PRINTED).dose_plan
    assert isinstance(plan, DosePlan)
    for step, shown in zip(regimen.steps, plan.steps, strict=True):
        assert shown.amount.endswith(f"({step.dose_mg:g} mg)")
        assert len(shown.times) == times
        assert shown.picture is not None and shown.picture.count * 10 == step.dose_mg


def test_prose_is_the_sentences_not_the_tables() -> None:
    units = prose(_build())
    assert "Never take more than 80 mg in one day." in units
    assert not any(u.startswith("Tue 1 Dec") for u in units)


def test_same_input_same_content() -> None:
    assert _build() == _build()


def test_a_dose_that_goes_down_never_says_it_goes_up() -> None:
    """A lower dose than now in steps (issue 8: the current dose tapered): its own words."""
    rec = f.recommendation()
    assert rec.regimen is not None
    regimen = replace(rec.regimen, steps=f.steps(doses=(20, 15, 10)))
    content = build_handout(replace(rec, regimen=regimen), printed_on=PRINTED)
    text = plain_text(content)
    assert "dose_goes_down" in content.facts
    assert "Your dose goes down in steps. Follow the dates. Do not stop all at once." in text
    assert "goes up" not in text and "step up" not in text
    assert "Keep taking the last dose" not in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_granules_name_each_packet_and_its_strength(language: str) -> None:
    data = {
        **example_case("adult-spasticity-ms"),
        "comedications": [],  # the full 3-day adult ladder (15, 30, 45, 60 mg a day)
        "formulation": "oral_granules",
        "handout_language": language,
    }
    steps = build_handout(engine(data), printed_on=PRINTED).dose_plan.steps
    if language == "en":
        assert steps[2].amount == "1 packet of 10 mg + 1 packet of 5 mg (15 mg)"
    else:
        assert steps[2].amount == "1 sobre de 10 mg + 1 sobre de 5 mg (15 mg)"
    assert steps[2].picture == Picture("packets", count=2)


@pytest.mark.parametrize(
    "form",
    ["tablet", "oral_solution_2_mg_per_ml", "oral_suspension_5_mg_per_ml", "oral_granules"],
)
@pytest.mark.parametrize("country", ["GB", "US"])
def test_every_form_and_country_builds_and_renders(form: str, country: str) -> None:
    from baclofen_cds.handout import render_handout
    from tests.handout.support import POLICY_GB

    data = {**example_case("adult-spasticity-ms"), "formulation": form}
    rec = engine(data, policy=POLICY_US if country == "US" else POLICY_GB)
    content = build_handout(rec, printed_on=PRINTED)
    assert render_handout(content).startswith(b"%PDF")
    text = plain_text(content)
    assert ("Call 911" in text) == (country == "US")
    assert ("Shake the bottle well" in text) == (form == "oral_suspension_5_mg_per_ml")


def test_printable_languages_follow_the_clinics_policy() -> None:
    from baclofen_cds.logic.handout_content import printable_languages

    rec = f.recommendation()
    assert printable_languages(rec) == ("en", "es")
    only_en = replace(rec, policy={**rec.policy, "languages_enabled": ["en"]})
    assert printable_languages(only_en) == ("en",)
    content = build_handout(rec, printed_on=PRINTED, language="es")  # the dialog's choice
    assert content.language == "es" and content.title == "Su plan de baclofeno"
