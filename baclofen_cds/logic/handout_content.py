"""The patient handout as frozen data, built from one Recommendation.

Pure and deterministic: the same recommendation, names and date always give the same
content, and the renderer (the `handout` package, one floor up) only lays it out. Every
dose, date and amount comes from the engine's result (`recommendation.regimen.steps`,
`.monitoring`, the matched medicines); the words around them come from the handout text of
the patient's language, each sentence chosen by its rule on this case (`handout_rules`).

Page 1 is the handout: the medicine and what it is for, a key-facts box (do not stop
suddenly, the most in a day, when to call the emergency number, the clinic's phone) and the
dose plan as steps. Page 2: side effects, the patient's own medicines, their health, tests
with due dates, a missed dose, storage. The dose diary is optional and printed once.

Strings here are plain text, never markup: user text is escaped by the renderer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from baclofen_cds.logic.handout_locale import LocaleFormat
from baclofen_cds.logic.handout_rules import Facts
from baclofen_cds.logic.handout_text import HandoutText, load_handout_text, pick
from baclofen_cds.logic.result import Recommendation, Regimen, TitrationStep

_EPS = 1e-9
_RENAL_IMPAIRED = frozenset({"mild", "moderate", "severe", "kidney_failure"})
_ALCOHOL = frozenset({"alcohol_use_disorder", "alcohol_withdrawal"})
#: The engine's packet words: "1 packet of 10 mg + 1 packet of 5 mg".
_PACKETS = re.compile(r"(\d+) packets? of (\d+(?:\.\d+)?) mg")


class HandoutError(ValueError):
    """No handout can be built from this recommendation: one clear sentence why."""


# ---------------------------------------------------------------- content blocks


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph. `kind`: body text, strong (bold) or note."""

    text: str
    kind: Literal["body", "strong", "note"] = "body"


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NamedItems:
    """Term and explanation, one line each: a medicine and what to do, a test and its date."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Picture:
    """What the renderer draws beside a dose: tablets (halves), a filled syringe, packets."""

    kind: Literal["tablets", "syringe", "packets"]
    count: float = 0  # tablets or packets, in halves
    ml: float = 0  # syringe: the fill line
    label: str = ""  # the syringe's scale end, e.g. "5 mL"


@dataclass(frozen=True, slots=True)
class DoseStep:
    dates: str  # "Tue 1 Dec to Thu 3 Dec", or "From Thu 10 Dec"
    amount: str  # "half a tablet (5 mg)"
    times: tuple[str, ...]  # Universal Medication Schedule codes
    time_words: str  # "morning, midday and evening"
    picture: Picture | None


@dataclass(frozen=True, slots=True)
class DosePlan:
    header: tuple[str, str, str]
    steps: tuple[DoseStep, ...]
    time_labels: tuple[tuple[str, str], ...]  # (code, label) in schedule order


@dataclass(frozen=True, slots=True)
class KeyFacts:
    """The boxed facts on page 1: never split, drawn with a warning sign and words."""

    heading: str
    lines: tuple[str, ...]
    help_intro: str  # "Call 999 now if:"
    help_signs: tuple[str, ...]
    contact: tuple[str, ...]  # the clinic's phone, the urgent-advice or poison line


@dataclass(frozen=True, slots=True)
class QandA:
    """Question-and-answer items (the parent and carer sections)."""

    items: tuple[tuple[str, str], ...]


Block = Para | Bullets | NamedItems | DosePlan | KeyFacts | QandA


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    heading: str
    blocks: tuple[Block, ...]
    page: int = 2  # 1: the first page (medicine, key facts, doses); 2: the rest


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str  # "" = blank line to write on


@dataclass(frozen=True, slots=True)
class DiaryDay:
    date_text: str
    amount: str
    times: tuple[str, ...]
    new_step: bool


@dataclass(frozen=True, slots=True)
class Diary:
    heading: str
    intro: str
    steps: tuple[str, ...]  # "Tue 1 Dec to Thu 3 Dec: half a tablet (5 mg) each time"
    date_label: str
    amount_label: str
    time_labels: tuple[tuple[str, str], ...]
    days: tuple[DiaryDay, ...]
    notes_heading: str
    notes_intro: str
    notes_lines: int


@dataclass(frozen=True, slots=True)
class HandoutContent:
    """Everything the patient handout says, in reading order."""

    title: str
    subject: str
    author: str
    language: str
    patient_name: str
    patient_id: str
    printed_on: date
    fields: tuple[Field, ...]
    sections: tuple[Section, ...]
    diary: Diary
    footer: str
    blank: str  # what a blank field shows
    page_word: str = "Page"
    of_word: str = "of"
    facts: frozenset[str] = frozenset()  # the rule facts true of this patient (for tests/basis)

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def has_section(self, section_id: str) -> bool:
        return any(s.id == section_id for s in self.sections)

    @property
    def dose_plan(self) -> DosePlan:
        for block in self.section("doses").blocks:
            if isinstance(block, DosePlan):
                return block
        raise KeyError("doses")


# ---------------------------------------------------------------- helpers


def _clean(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def _times(text: HandoutText, count: int) -> tuple[str, ...]:
    times = text.ums.times_by_doses_per_day.get(count)
    if times is None:
        raise HandoutError(
            f"regimen: {count} doses a day has no Universal Medication Schedule wording "
            "in the handout text"
        )
    return times


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(value: date) -> str:
    """ "Tuesday 1 December 2026" (English; the clinician summary): words, never 1/12."""
    return f"{_WEEKDAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def next_working_day(day: date) -> date:
    """Saturday and Sunday move to the Monday (public holidays are not known here)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _sorted_steps(regimen: Regimen) -> list[TitrationStep]:
    steps = sorted(regimen.steps, key=lambda s: s.from_day)
    if not steps:
        raise HandoutError("regimen: has no titration steps")
    for before, after in itertools.pairwise(steps):
        if before.to_day is None or after.from_day != before.to_day + 1:
            raise HandoutError(
                f"regimen: step starting on day {after.from_day} does not follow the step "
                f"starting on day {before.from_day}"
            )
    if steps[-1].to_day is not None and steps[-1].to_day < steps[-1].from_day:
        raise HandoutError(f"regimen: step from day {steps[-1].from_day} has no days")
    return steps


def _halves(dose_mg: float, strength_mg: float) -> int | None:
    """The dose in half tablets (or packets), or None when it is not a whole number of halves."""
    halves = dose_mg / strength_mg * 2
    if abs(halves - round(halves)) > _EPS or round(halves) < 1:
        return None
    return round(halves)


class _Words:
    """Amount wording and pictures for one regimen in one language."""

    def __init__(self, regimen: Regimen, text: HandoutText, fmt: LocaleFormat) -> None:
        self.form = regimen.formulation
        self.text = text
        self.fmt = fmt

    def count(self, halves: int, unit: Literal["tablet", "packet"]) -> str:
        a = self.text.amounts
        whole, half = divmod(halves, 2)
        if unit == "packet":
            if half:
                raise HandoutError("regimen: a dose of half a packet cannot be given")
            return a.packet_one if whole == 1 else a.packet_many.format(n=whole)
        if not half:
            return a.tablet_one if whole == 1 else a.tablet_many.format(n=whole)
        if whole == 0:
            return a.tablet_half
        return a.tablet_one_half if whole == 1 else a.tablet_many_half.format(n=whole)

    def packets(self, engine_amount: str, dose_mg: float) -> tuple[str, Picture | None]:
        """Packets of several strengths, from the engine's words ("1 packet of 10 mg + 1
        packet of 5 mg"), in the language, with the total dose."""
        parts = _PACKETS.findall(engine_amount)
        if not parts:
            return self.fmt.mg(dose_mg), None
        a = self.text.amounts
        words = " + ".join(
            a.packets_of.format(
                packets=self.count(int(n) * 2, "packet"), strength=self.fmt.mg(float(mg))
            )
            for n, mg in parts
        )
        total = sum(int(n) for n, _ in parts)
        return a.with_mg.format(amount=words, mg=self.fmt.mg(dose_mg)), Picture(
            "packets", count=total
        )

    def amount(
        self, dose_mg: float, volume_ml: float | None, engine_amount: str = ""
    ) -> tuple[str, Picture | None]:
        a = self.text.amounts
        mg = self.fmt.mg(dose_mg)
        form = self.form
        if form.unit == "mL":
            if volume_ml is None:
                if not form.concentration_mg_per_ml:
                    raise HandoutError("regimen: a liquid dose has no volume")
                volume_ml = dose_mg / form.concentration_mg_per_ml
            words = a.liquid.format(ml=self.fmt.number(volume_ml))
            picture = Picture("syringe", ml=volume_ml, label=self.fmt.number(volume_ml))
            return a.with_mg.format(amount=words, mg=mg), picture
        if form.unit == "packet" and not form.strength_mg:
            return self.packets(engine_amount, dose_mg)
        if form.strength_mg:
            halves = _halves(dose_mg, form.strength_mg)
            unit: Literal["tablet", "packet"] = "tablet" if form.unit == "tablet" else "packet"
            if halves is not None:
                words = self.count(halves, unit)
                kind: Literal["tablets", "packets"] = "tablets" if unit == "tablet" else "packets"
                return a.with_mg.format(amount=words, mg=mg), Picture(kind, count=halves / 2)
        return mg, None


# ---------------------------------------------------------------- facts


def case_facts(
    recommendation: Recommendation, regimen: Regimen, text: HandoutText, country: str | None
) -> Facts:
    """The rule facts true of this patient (see `handout_rules.FACTS`)."""
    case = recommendation.case
    true: set[str] = set()
    age = case.get("age_years")
    if recommendation.missed_dose.population == "child":
        true.add("child")
    if isinstance(age, int | float) and age >= text.side_effects.older_adult_age_years:
        true.add("older_adult")
    daily = [s.daily_mg for s in sorted(regimen.steps, key=lambda s: s.from_day)]
    rises = any(b > a for a, b in itertools.pairwise(daily))
    falls = any(b < a for a, b in itertools.pairwise(daily))
    true.add("titrating" if rises else "dose_goes_down" if falls else "fixed_dose")
    if (case.get("dialysis") or "none") != "none" or recommendation.renal.band == "dialysis":
        true.add("dialysis")
    elif recommendation.renal.band in _RENAL_IMPAIRED:
        true.add("renal_impaired")
    if (case.get("hepatic_impairment") or "none") != "none":
        true.add("hepatic_impairment")
    if case.get("indication") in _ALCOHOL:
        true.add("alcohol_use_disorder")
    true.update(_form_facts(regimen))
    if country:
        true.add(f"country_{country.lower()}")
    conditions = [str(c) for c in case.get("conditions") or ()]
    true.update(f"condition:{c}" for c in conditions)
    if "pregnancy" in conditions:
        true.add("pregnant")
    if "breastfeeding" in conditions:
        true.add("breastfeeding")
    for match in recommendation.comedications:
        if match.status == "matched":
            true.update(f"takes:{c}" for c in match.classes)
    if recommendation.unrecognized_comedications:
        true.add("has_unchecked_medicines")
    return Facts(frozenset(true))


def _form_facts(regimen: Regimen) -> set[str]:
    """Facts about the dispensed form: tablet (and halves), liquid (which one) or granules."""
    true: set[str] = set()
    form = regimen.formulation
    if form.unit == "tablet":
        true.add("tablet")
        strength = form.strength_mg or 0
        if strength and any((_halves(s.dose_mg, strength) or 0) % 2 for s in regimen.steps):
            true.add("half_tablet")
    elif form.unit == "mL":
        true.add("liquid")
    else:
        true.add("granules")
    if form.code == "oral_solution_1_mg_per_ml":
        true.add("solution_1")
    if form.code == "oral_suspension_5_mg_per_ml":
        true.add("suspension")
    return true


# ---------------------------------------------------------------- sections


def _medicine_section(
    recommendation: Recommendation,
    regimen: Regimen,
    text: HandoutText,
    facts: Facts,
    fmt: LocaleFormat,
) -> Section:
    purpose = text.purpose
    indication = str(recommendation.case.get("indication", ""))
    lines = purpose.by_indication.get(indication)
    if lines is None:
        raise HandoutError(f"case.indication: {indication!r} has no handout text")
    form = regimen.formulation
    strength = fmt.mg(form.strength_mg) if form.strength_mg else ""
    form_words = text.forms[form.code].format(strength=strength)
    blocks: list[Block] = [
        Para(purpose.medicine_line.format(form=form_words), "strong"),
        Para(purpose.for_line.format(purpose=" ".join(pick(lines, facts)))),
    ]
    if "child" in facts:
        blocks.append(Para(purpose.child_note, "note"))
    return Section("medicine", "", tuple(blocks), page=1)


def _key_facts(
    regimen: Regimen,
    *,
    text: HandoutText,
    facts: Facts,
    fmt: LocaleFormat,
    country: dict[str, str],
    clinic: str,
    phone: str,
) -> Section:
    kf = text.key_facts
    values = {
        "max": fmt.mg(regimen.max_daily_mg),
        "emergency": country["emergency_number"],
        "poison": country.get("poison_number", ""),
        "urgent": country.get("urgent_advice_number", ""),
    }
    contact = [
        (
            kf.clinic_line.format(clinic=clinic, phone=phone)
            if clinic
            else kf.clinic_line_no_name.format(phone=phone)
        )
    ]
    contact.extend(line.format(**values) for line in pick(kf.extra_lines, facts))
    box = KeyFacts(
        heading=kf.heading,
        lines=tuple(line.format(**values) for line in pick(kf.lines, facts)),
        help_intro=kf.help_intro.format(**values),
        help_signs=tuple(pick(kf.help_signs, facts)),
        contact=tuple(contact),
    )
    return Section("key_facts", kf.heading, (box,), page=1)


def _dose_section(
    regimen: Regimen, text: HandoutText, facts: Facts, fmt: LocaleFormat
) -> tuple[Section, list[tuple[TitrationStep, str, str]]]:
    dp = text.dose_plan
    words = _Words(regimen, text, fmt)
    steps = _sorted_steps(regimen)
    plan: list[DoseStep] = []
    described: list[tuple[TitrationStep, str, str]] = []
    used: set[str] = set()
    for step in steps:
        times = _times(text, step.times_per_day)
        used.update(times)
        if step.to_date is None:
            dates = text.dates.from_.format(start=fmt.short_date(step.from_date))
        elif step.to_date == step.from_date:
            dates = fmt.short_date(step.from_date)
        else:
            dates = text.dates.range.format(
                start=fmt.short_date(step.from_date), end=fmt.short_date(step.to_date)
            )
        amount, picture = words.amount(step.dose_mg, step.volume_ml, step.amount)
        time_words = fmt.join([text.ums.words[t] for t in times])
        plan.append(DoseStep(dates, amount, times, time_words, picture))
        described.append((step, dates, amount))
    order = sorted(used, key=text.ums.order)
    blocks: list[Block] = [Para(line) for line in pick(dp.intro, facts)]
    blocks.append(
        DosePlan(
            header=dp.header,
            steps=tuple(plan),
            time_labels=tuple((t, text.ums.labels[t]) for t in order),
        )
    )
    last_step, _, last_amount = described[-1]
    if last_step.to_date is None and len(steps) > 1 and "titrating" in facts:
        for line in pick(dp.keep_going, facts):
            blocks.append(
                Para(
                    line.format(date=fmt.long_date(last_step.from_date), amount=last_amount),
                    "strong",
                )
            )
    how = pick(dp.how, facts)
    if how:
        blocks.append(Bullets(tuple(how)))
    return Section("doses", dp.heading, tuple(blocks), page=1), described


def _side_effects(text: HandoutText, facts: Facts) -> Section:
    se = text.side_effects
    blocks: list[Block] = [Para(line) for line in pick(se.intro, facts)]
    blocks.append(Bullets(se.items))
    blocks.extend(Para(line) for line in pick(se.after, facts))
    return Section("side_effects", se.heading, tuple(blocks))


def _medicine_name(typed: str, generic: str) -> str:
    if generic and typed.lower() != generic.lower():
        return f"{typed} ({generic})"
    return typed or generic


def _medicines(
    recommendation: Recommendation, text: HandoutText, facts: Facts, fmt: LocaleFormat
) -> Section:
    """This patient's own medicines, one line each with what to do; then the general lines."""
    md = text.medicines
    items: list[tuple[str, str]] = []
    for match in recommendation.comedications:
        if match.status != "matched":
            continue
        name = _medicine_name(_clean(match.text), _clean(match.name))
        advice = next((md.by_class[c] for c in match.classes if c in md.by_class), "")
        if not match.classes:
            continue  # matched, with no interaction with baclofen: nothing to say
        if name and not any(name == n for n, _ in items):
            items.append((name, advice or md.default))
    blocks: list[Block] = []
    if items:
        blocks.append(Para(md.intro_child if "child" in facts else md.intro))
        blocks.append(NamedItems(tuple(items)))
    unchecked = [_clean(t) for t in recommendation.unrecognized_comedications if _clean(t)]
    for match in recommendation.comedications:  # unknown parts of a combination product
        unchecked.extend(_clean(p) for p in getattr(match, "unchecked_parts", ()) if _clean(p))
    if unchecked:
        blocks.append(Para(md.unchecked.format(names=fmt.join(unchecked))))
    general = pick(md.general, facts)
    if general:
        blocks.append(Bullets(tuple(general)))
    return Section("medicines", md.heading, tuple(blocks))


def _lines_section(section_id: str, source: Any, facts: Facts) -> Section | None:
    lines = pick(source.lines, facts)
    if not lines:
        return None
    blocks: tuple[Block, ...] = (Para(lines[0]),) if len(lines) == 1 else (Bullets(tuple(lines)),)
    return Section(section_id, source.heading, blocks)


def _tests(
    recommendation: Recommendation, text: HandoutText, facts: Facts, fmt: LocaleFormat
) -> Section:
    """Each check-up once, with its dates moved to the next working day."""
    tt = text.tests
    blocks: list[Block] = [Para(line) for line in pick(tt.intro, facts)]
    grouped: dict[str, list[date]] = {}
    for item in sorted(recommendation.monitoring, key=lambda m: (m.due_date or date.max, m.id)):
        name = tt.name(item.id)
        days = grouped.setdefault(name, [])
        if item.due_date is not None:
            due = next_working_day(item.due_date)
            if due not in days:
                days.append(due)
    rows: list[tuple[str, str]] = []
    moved = False
    for item_name, days in grouped.items():
        rows.append((item_name, fmt.join([fmt.short_date(d) for d in days])))
    for item in recommendation.monitoring:
        if item.due_date is not None and next_working_day(item.due_date) != item.due_date:
            moved = True
    if rows:
        blocks.append(NamedItems(tuple(rows)))
        if moved:
            blocks.append(Para(tt.working_days, "note"))
    else:
        blocks.append(Para(tt.none))
    return Section("tests", tt.heading, tuple(blocks))


def _missed_dose(text: HandoutText, facts: Facts) -> Section:
    md = text.missed_dose
    return Section("missed_dose", md.heading, (Para(md.child if "child" in facts else md.adult),))


def _child(text: HandoutText, facts: Facts, country: dict[str, str]) -> Section | None:
    if "child" not in facts:
        return None
    ch = text.child
    items = tuple(
        (item.heading, item.text.format(emergency=country["emergency_number"])) for item in ch.items
    )
    return Section("child", ch.heading, (QandA(items),))


def _pregnancy(recommendation: Recommendation, text: HandoutText, facts: Facts) -> Section | None:
    case = recommendation.case
    low, high = text.pregnancy.female_age_range
    age = case.get("age_years")
    could_be = case.get("sex") == "female" and isinstance(age, int | float) and low <= age <= high
    if not ("pregnant" in facts or "breastfeeding" in facts or could_be):
        return None
    return _lines_section("pregnancy", text.pregnancy, facts)


def _diary(
    described: list[tuple[TitrationStep, str, str]],
    regimen: Regimen,
    text: HandoutText,
    facts: Facts,
    fmt: LocaleFormat,
) -> Diary:
    dt = text.diary
    days: list[DiaryDay] = []
    lines: list[str] = []
    for step, dates, amount in described:
        times = _times(text, step.times_per_day)
        lines.append(dt.step_line.format(dates=dates, amount=amount))
        length = (
            step.to_day - step.from_day + 1
            if step.to_day is not None
            else max(1, regimen.step_interval_days)
        )
        for offset in range(length):
            days.append(
                DiaryDay(
                    date_text=fmt.short_date(step.from_date + timedelta(days=offset)),
                    amount=amount,
                    times=times,
                    new_step=offset == 0,
                )
            )
    used = sorted({t for d in days for t in d.times}, key=text.ums.order)
    return Diary(
        heading=dt.heading,
        intro=dt.intro_child if "child" in facts else dt.intro,
        steps=tuple(lines),
        date_label=text.dose_plan.header[0],
        amount_label=text.dose_plan.header[1],
        time_labels=tuple((t, text.ums.labels[t]) for t in used),
        days=tuple(days),
        notes_heading=dt.notes_heading,
        notes_intro=dt.notes_intro,
        notes_lines=dt.notes_lines,
    )


# ---------------------------------------------------------------- builder


def _country_facts(kb: Any | None, country: str) -> dict[str, str]:
    from baclofen_cds.logic.handout_countries import country_facts

    return country_facts(kb, country)


def build_handout(
    recommendation: Recommendation,
    *,
    printed_on: date,
    patient_name: str | None = None,
    patient_id: str | None = None,
    prescriber: str | None = None,
    clinic_name: str | None = None,
    clinic_phone: str | None = None,
    language: str | None = None,
    kb: Any | None = None,
    text: HandoutText | None = None,
) -> HandoutContent:
    """The patient handout for one recommendation.

    Names default to the case's `patient`; the clinic, its phone and the country come from
    the recommendation's policy (`clinic_name`, `clinic_phone`, `country`), the language from
    the case's `handout_language`. Raises `HandoutError` when there is nothing safe to print:
    no regimen (withheld or contraindicated), no clinic phone to call, no country (the
    emergency number), or a language the clinic's policy does not enable.
    """
    regimen = recommendation.regimen
    if regimen is None:
        withheld = getattr(recommendation, "regimen_withheld", None)
        reason = _clean(
            getattr(withheld, "reason", None)
            or (withheld.get("reason") if isinstance(withheld, dict) else None)
        )
        if reason:
            raise HandoutError(f"no patient handout: the regimen is withheld ({reason})")
        raise HandoutError(
            f"no patient handout: there is no regimen (status {recommendation.status}: "
            f"{_clean(recommendation.status_reason) or 'no dose can be suggested'})"
        )
    policy = recommendation.policy or {}
    case = recommendation.case
    lang = language or str(case.get("handout_language") or "en")
    enabled = tuple(policy.get("languages_enabled") or ("en",))
    if lang not in enabled:
        raise HandoutError(
            f"no patient handout: language {lang!r} is not enabled in the clinic's policy "
            f"(languages_enabled: {', '.join(enabled)})"
        )
    phone = _clean(clinic_phone if clinic_phone is not None else policy.get("clinic_phone"))
    if not phone:
        raise HandoutError(
            "no patient handout: no clinic phone number to call (set clinic_phone in the "
            "clinic's policy, or give --clinic-phone)"
        )
    country_code = _clean(policy.get("country"))
    if not country_code:
        raise HandoutError(
            "no patient handout: the clinic's country is not set (country GB or US in the "
            "clinic's policy, or --country): it decides the emergency number"
        )
    country = _country_facts(kb, country_code)
    if text is None:
        text = load_handout_text(kb, lang)
    fmt = LocaleFormat(text.locale, text.dates.short, text.dates.long, text.labels.and_word)
    facts = case_facts(recommendation, regimen, text, country_code)
    found = case.get("patient")
    patient: dict[str, Any] = found if isinstance(found, dict) else {}
    name = _clean(patient_name if patient_name is not None else patient.get("name"))
    pid = _clean(patient_id if patient_id is not None else patient.get("id"))
    clinic = _clean(clinic_name if clinic_name is not None else policy.get("clinic_name"))
    labels = text.labels
    fields = (
        Field(labels.name, name),
        Field(labels.patient_id, pid),
        Field(labels.printed_on, fmt.pattern_date(printed_on, text.dates.printed)),
        Field(labels.prescriber, _clean(prescriber)),
    )
    doses, described = _dose_section(regimen, text, facts, fmt)
    sections: list[Section | None] = [
        _medicine_section(recommendation, regimen, text, facts, fmt),
        _key_facts(
            regimen,
            text=text,
            facts=facts,
            fmt=fmt,
            country=country,
            clinic=clinic,
            phone=phone,
        ),
        doses,
        _side_effects(text, facts),
        _medicines(recommendation, text, facts, fmt),
        _lines_section("health", text.health, facts),
        _tests(recommendation, text, facts, fmt),
        _missed_dose(text, facts),
        _child(text, facts, country),
        _pregnancy(recommendation, text, facts),
        _lines_section("storage", text.storage, facts),
    ]
    title = text.document.title_child if "child" in facts else text.document.title
    return HandoutContent(
        title=title,
        subject=text.document.subject,
        author=clinic or "Baclofen CDS",
        language=text.language,
        patient_name=name,
        patient_id=pid,
        printed_on=printed_on,
        fields=fields,
        sections=tuple(s for s in sections if s is not None),
        diary=_diary(described, regimen, text, facts, fmt),
        footer=f"{title}: {name}" if name else title,
        blank=labels.blank,
        page_word=text.document.page_word,
        of_word=text.document.of_word,
        facts=facts.true,
    )


def printable_languages(recommendation: Recommendation) -> tuple[str, ...]:
    """The languages a handout may be printed in for this recommendation (the print
    dialog's choices): the text files that exist, as far as the clinic's policy enables them."""
    from baclofen_cds.logic.handout_text import LANGUAGES

    enabled = tuple((recommendation.policy or {}).get("languages_enabled") or ("en",))
    return tuple(code for code in LANGUAGES if code in enabled)


def prose(content: HandoutContent) -> list[str]:
    """The handout's sentences and list items a patient reads as prose (no tables, no dates).

    For the readability check: each item is one unit (a bullet is read as a sentence).
    """
    out: list[str] = []
    for section in content.sections:
        for block in section.blocks:
            if isinstance(block, Para):
                out.append(block.text)
            elif isinstance(block, Bullets):
                out.extend(block.items)
            elif isinstance(block, NamedItems) and section.id == "medicines":
                out.extend(desc for _, desc in block.items)
            elif isinstance(block, KeyFacts):
                out.extend(block.lines)
                out.extend(block.help_signs)
                out.extend(block.contact)
            elif isinstance(block, QandA):
                out.extend(answer for _, answer in block.items)
    return out


def plain_text(content: HandoutContent) -> str:
    """The handout's words in reading order, one line per paragraph, item or row."""
    lines: list[str] = [content.title]
    lines.extend(f"{f.label}: {f.value or content.blank}" for f in content.fields)
    for section in content.sections:
        if section.heading:
            lines.append(section.heading)
        for block in section.blocks:
            lines.extend(_block_lines(block))
    diary = content.diary
    lines.extend([diary.heading, diary.intro, *diary.steps, diary.notes_heading, diary.notes_intro])
    return "\n".join(lines)


def _block_lines(block: Block) -> Iterable[str]:
    if isinstance(block, Para):
        yield block.text
    elif isinstance(block, Bullets):
        yield from block.items
    elif isinstance(block, NamedItems | QandA):
        yield from (f"{term}: {desc}" for term, desc in block.items)
    elif isinstance(block, KeyFacts):
        yield from block.lines
        yield block.help_intro
        yield from block.help_signs
        yield from block.contact
    else:
        yield " ".join(block.header)
        for step in block.steps:
            yield f"{step.dates}: {step.amount}, {step.time_words}"
