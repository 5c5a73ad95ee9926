"""The patient handout as frozen data, built from one Recommendation.

Pure and deterministic: the same recommendation, names and date always give the same
content, and the renderer (the `handout` package, one floor up) only lays it out. Every
dose, date and amount comes from the engine's result (`recommendation.regimen.steps`, `.taper`,
`.monitoring`, `.missed_dose`, the interaction alerts), so the handout cannot contradict
the clinician's screen. The words around them come from `handout_text.yaml`.

Strings here are plain text, never markup: user text (names, medicines as typed) is kept
as typed and escaped by the renderer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from baclofen_cds.logic.formatting import format_mg, format_ml
from baclofen_cds.logic.handout_text import HandoutText, load_handout_text
from baclofen_cds.logic.result import Alert, Recommendation, Regimen, TitrationStep

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


class HandoutError(ValueError):
    """No handout can be built from this recommendation: one clear sentence why."""


# ---------------------------------------------------------------- formatting


def long_date(value: date) -> str:
    """ "Tuesday 1 December 2026": words, so day and month cannot be swapped."""
    return f"{_WEEKDAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def short_date(value: date) -> str:
    """ "Tue 1 Dec 2026"."""
    return (
        f"{_WEEKDAYS[value.weekday()][:3]} {value.day} {_MONTHS[value.month - 1][:3]} {value.year}"
    )


# ---------------------------------------------------------------- content blocks


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph. `kind`: body text, strong (bold) or note (smaller print)."""

    text: str
    kind: Literal["body", "strong", "note"] = "body"


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NamedItems:
    """Term and explanation: this patient's medicines and what to watch for."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A plain table; `kind` tells the renderer which column widths to use."""

    kind: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class DoseTime:
    time: str  # Universal Medication Schedule code: morning | midday | evening | bedtime
    label: str  # "Morning"
    amount: str  # in the dispensed form, e.g. "1 tablet (5 mg)"


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: int  # 1-based day of the titration
    date: date
    date_text: str
    doses: tuple[DoseTime, ...]
    daily_mg: float
    daily_total: str  # "15 mg" (liquids: "15 mg (15 mL)")
    new_dose: bool  # first day of a titration step

    def amount_at(self, time: str) -> str | None:
        for dose in self.doses:
            if dose.time == time:
                return dose.amount
        return None


@dataclass(frozen=True, slots=True)
class DoseCalendar:
    """One row per day; one column per dose time used anywhere in the calendar."""

    times: tuple[str, ...]
    time_labels: tuple[str, ...]
    day_label: str
    date_label: str
    total_label: str
    no_dose: str
    days: tuple[CalendarDay, ...]


Block = Para | Bullets | NamedItems | Table | DoseCalendar


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    heading: str
    blocks: tuple[Block, ...]
    urgent: bool = False  # drawn in a box with a warning sign and the heading in words


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str  # "" = blank line to write on


@dataclass(frozen=True, slots=True)
class DiaryDay:
    day: int
    date_text: str
    cells: tuple[str, ...]  # amount per dose time; "" where no dose is due


@dataclass(frozen=True, slots=True)
class Diary:
    heading: str
    intro: str
    day_label: str
    date_label: str
    time_labels: tuple[str, ...]
    box: str
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

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    @property
    def calendar(self) -> DoseCalendar:
        for block in self.section("calendar").blocks:
            if isinstance(block, DoseCalendar):
                return block
        raise KeyError("calendar")


# ---------------------------------------------------------------- builder


def _clean(value: str | None) -> str:
    return "" if value is None else " ".join(str(value).split())


def _case_patient(case: dict[str, Any]) -> dict[str, Any]:
    patient = case.get("patient")
    return patient if isinstance(patient, dict) else {}


def _times(text: HandoutText, count: int) -> tuple[str, ...]:
    times = text.ums.times_by_doses_per_day.get(count)
    if times is None:
        raise HandoutError(
            f"regimen: {count} doses a day has no Universal Medication Schedule wording "
            "in the handout text"
        )
    return times


def _amount(amount: str, volume_ml: float | None, dose_mg: float) -> str:
    """The engine's amount in the dispensed form, with the dose in mg when it does not say it.

    Liquids always carry the mL to measure. "2 tablets of 10 mg" becomes
    "2 tablets of 10 mg (20 mg)", so the tablet strength is never read as the dose.
    """
    amount = _clean(amount)
    if volume_ml is not None and "mL" not in amount:
        amount = f"{format_ml(volume_ml)} ({amount})" if amount else format_ml(volume_ml)
    dose = format_mg(dose_mg)
    if not amount:
        return dose
    if amount.endswith(dose) or amount.endswith(f"({dose})"):
        return amount
    return f"{amount} ({dose})"


def _cell_amount(step: TitrationStep) -> str:
    """The amount in one calendar or diary box.

    Liquids: the mL to measure and the mg, "1.5 mL (1.5 mg)" (the concentration is named
    once above the calendar: a narrow box repeating it wraps onto five lines). Tablets and
    packets: the engine's words with the dose in mg.
    """
    if step.volume_ml is not None:
        return f"{format_ml(step.volume_ml)} ({format_mg(step.dose_mg)})"
    return _amount(step.amount, step.volume_ml, step.dose_mg)


def _daily_total(daily_mg: float, volume_ml: float | None, times_per_day: int) -> str:
    total = format_mg(daily_mg)
    if volume_ml is not None:
        total += f" ({format_ml(volume_ml * times_per_day)})"
    return total


def _calendar_steps(regimen: Regimen) -> list[tuple[TitrationStep, int]]:
    """Each step with the number of days it fills in the calendar.

    The open-ended last step gets one step interval of rows; the calendar then says to
    keep going until the next check-up.
    """
    steps = sorted(regimen.steps, key=lambda s: s.from_day)
    if not steps:
        raise HandoutError("regimen: has no titration steps")
    result: list[tuple[TitrationStep, int]] = []
    expected_day = steps[0].from_day
    for step in steps:
        if step.from_day != expected_day:
            raise HandoutError(
                f"regimen: step starting on day {step.from_day} does not follow day "
                f"{expected_day - 1}"
            )
        if step.to_day is None:
            if step is not steps[-1]:
                raise HandoutError("regimen: only the last step may be open-ended")
            length = max(1, regimen.step_interval_days)
        else:
            length = step.to_day - step.from_day + 1
            if length < 1:
                raise HandoutError(f"regimen: step from day {step.from_day} has no days")
            if step.to_date is not None and step.to_date != step.from_date + timedelta(
                days=length - 1
            ):
                raise HandoutError(
                    f"regimen: step from day {step.from_day} has dates that do not match its days"
                )
        result.append((step, length))
        expected_day = step.from_day + length
    return result


def _dose_calendar(regimen: Regimen, text: HandoutText) -> DoseCalendar:
    labels = text.ums.labels
    used: set[str] = set()
    days: list[CalendarDay] = []
    for step, length in _calendar_steps(regimen):
        times = _times(text, step.times_per_day)
        used.update(times)
        amount = _cell_amount(step)
        doses = tuple(DoseTime(time=t, label=labels[t], amount=amount) for t in times)
        total = _daily_total(step.daily_mg, step.volume_ml, step.times_per_day)
        for offset in range(length):
            when = step.from_date + timedelta(days=offset)
            days.append(
                CalendarDay(
                    day=step.from_day + offset,
                    date=when,
                    date_text=short_date(when),
                    doses=doses,
                    daily_mg=step.daily_mg,
                    daily_total=total,
                    new_dose=offset == 0,
                )
            )
    columns = tuple(sorted(used, key=text.ums.order))
    return DoseCalendar(
        times=columns,
        time_labels=tuple(labels[t] for t in columns),
        day_label=text.labels.day,
        date_label=text.labels.date,
        total_label=text.labels.total,
        no_dose=text.labels.no_dose,
        days=tuple(days),
    )


def _needs_half_tablet(regimen: Regimen, recommendation: Recommendation) -> bool:
    strength = regimen.formulation.strength_mg
    if regimen.formulation.unit != "tablet" or not strength:
        return False
    doses = [s.dose_mg for s in regimen.steps] + [t.dose_mg for t in recommendation.taper]
    return any(abs(d / strength - round(d / strength)) > 1e-9 for d in doses)


def _medicine_names(alert: Alert, recommendation: Recommendation) -> str:
    """This patient's own medicines named by an alert: as typed, with the generic name.

    Only medicines the engine matched are named (a condition or an unchecked medicine in
    `triggered_by` is not a medicine the patient takes with a known interaction).
    """
    shown: list[str] = []
    for trigger in alert.triggered_by:
        for match in recommendation.comedications:
            if match.status != "matched" or trigger not in (match.text, match.name):
                continue
            typed, generic = _clean(match.text), _clean(match.name)
            if generic and typed.lower() != generic.lower():
                name = f"{typed} ({generic})"
            else:
                name = typed or generic
            if name and name not in shown:
                shown.append(name)
            break
    return ", ".join(shown)


def _purpose_section(
    recommendation: Recommendation, regimen: Regimen, text: HandoutText
) -> Section:
    purpose = text.purpose
    case = recommendation.case
    indication = str(case.get("indication", ""))
    what_for = purpose.by_indication.get(indication)
    if what_for is None:
        raise HandoutError(f"case.indication: {indication!r} has no handout text")
    blocks: list[Block] = [
        Para(
            purpose.medicine_line.format(form=_clean(regimen.formulation.patient_label)), "strong"
        ),
        Para(purpose.for_line.format(purpose=what_for)),
    ]
    origin = purpose.origins.get(str(case.get("spasticity_origin") or ""))
    if indication == "spasticity" and origin:
        blocks.append(Para(purpose.origin_line.format(origin=origin)))
    if recommendation.missed_dose.population == "child":
        blocks.append(Para(text.labels.child_note, "note"))
    return Section("medicine", purpose.heading, tuple(blocks))


def _calendar_section(regimen: Regimen, text: HandoutText) -> Section:
    calendar = _dose_calendar(regimen, text)
    cal = text.calendar
    blocks: list[Block] = [Para(cal.intro)]
    if regimen.formulation.unit == "mL":
        form = _clean(regimen.formulation.patient_label)
        blocks.append(Para(cal.liquid_line.format(form=form), "strong"))
    blocks.append(calendar)
    last = max(regimen.steps, key=lambda s: s.from_day)
    if last.to_day is None:
        after = calendar.days[-1].date + timedelta(days=1)
        times = _times(text, last.times_per_day)
        blocks.append(
            Para(
                cal.after_line.format(
                    date=long_date(after),
                    amount=_amount(last.amount, last.volume_ml, last.dose_mg),
                    times=", ".join(text.ums.labels[t].lower() for t in times),
                ),
                "strong",
            )
        )
    blocks.append(Para(cal.same_line))
    blocks.append(Para(cal.most_line.format(max=format_mg(regimen.max_daily_mg)), "strong"))
    return Section("calendar", cal.heading, tuple(blocks))


def _bullet_section(section_id: str, source: Any, *, urgent: bool = False) -> Section:
    blocks: list[Block] = []
    if source.intro:
        blocks.append(Para(source.intro))
    if source.bullets:
        blocks.append(Bullets(tuple(source.bullets)))
    if source.outro:
        blocks.append(Para(source.outro, "strong" if urgent else "body"))
    return Section(section_id, source.heading, tuple(blocks), urgent=urgent)


def _how_to_take(recommendation: Recommendation, regimen: Regimen, text: HandoutText) -> Section:
    general = text.sections.how_to_take
    form = text.formulations.get(regimen.formulation.code)
    if form is None:
        raise HandoutError(f"regimen.formulation: {regimen.formulation.code!r} has no handout text")
    items = list(form.how_to_take)
    if form.half and _needs_half_tablet(regimen, recommendation):
        items.append(form.half)
    items.extend(general.bullets)
    return Section("how_to_take", general.heading, (Bullets(tuple(items)),))


def _do_not_stop(recommendation: Recommendation, text: HandoutText) -> Section:
    dns = text.sections.do_not_stop
    labels = text.labels
    blocks: list[Block] = [
        Para(dns.intro, "strong"),
        Para(dns.signs_intro),
        Bullets(dns.bullets),
        Para(dns.outro, "strong"),
        Para(dns.supply),
    ]
    if recommendation.taper:
        rows: list[tuple[str, ...]] = []
        for step in sorted(recommendation.taper, key=lambda t: t.from_day):
            times = _times(text, step.times_per_day)
            rows.append(
                (
                    dns.taper_row_days.format(start=step.from_day, end=step.to_day),
                    ", ".join(text.ums.labels[t] for t in times),
                    _amount(step.amount, step.volume_ml, step.dose_mg),
                    _daily_total(step.daily_mg, step.volume_ml, step.times_per_day),
                )
            )
        blocks.append(Para(dns.taper_intro))
        blocks.append(
            Table(
                "taper",
                (labels.days, labels.when, labels.each_dose, labels.total),
                tuple(rows),
            )
        )
        blocks.append(Para(dns.taper_end))
    else:
        blocks.append(Para(dns.no_taper))
    return Section("do_not_stop", dns.heading, tuple(blocks))


def _missed_dose(recommendation: Recommendation, text: HandoutText) -> Section:
    """The engine's rule for this patient (the adult or the child version), word for word."""
    md = text.sections.missed_dose
    rule = _clean(recommendation.missed_dose.text) or md.fallback
    return Section("missed_dose", md.heading, (Para(rule, "strong"),))


def _your_health(recommendation: Recommendation, text: HandoutText) -> Section | None:
    """What the alerts about this patient's health say to the patient (kidneys, liver, ...)."""
    yh = text.sections.your_health
    items: list[str] = []
    for alert in recommendation.alerts:
        if alert.category == "interaction":
            continue
        words = _clean(alert.patient_text)
        if words and words not in items:
            items.append(words)
    if not items:
        return None
    return Section("your_health", yh.heading, (Para(yh.intro), Bullets(tuple(items))))


def _alcohol_medicines(recommendation: Recommendation, text: HandoutText) -> Section:
    am = text.sections.alcohol_medicines
    blocks: list[Block] = [Para(am.alcohol, "strong")]
    items: list[tuple[str, str]] = []
    general: list[str] = []
    for alert in recommendation.alerts:
        if alert.category != "interaction":
            continue
        names = _medicine_names(alert, recommendation)
        words = _clean(alert.patient_text)
        if names:
            items.append((names, words or am.watch_default))
        elif words and words not in general:
            general.append(words)
    if items:
        blocks.append(Para(am.yours_intro))
        blocks.append(NamedItems(tuple(items)))
    if general:
        blocks.append(Bullets(tuple(general)))
    unchecked = tuple(_clean(t) for t in recommendation.unrecognized_comedications if _clean(t))
    if unchecked:
        blocks.append(Para(am.unchecked_intro))
        blocks.append(Bullets(unchecked))
    blocks.append(Para(am.general))
    return Section("alcohol_medicines", am.heading, tuple(blocks))


def _tests(recommendation: Recommendation, text: HandoutText) -> Section:
    """Every monitoring item of the plan with its date, in the patient's words."""
    tests = text.sections.tests
    labels = text.labels
    blocks: list[Block] = [Para(tests.intro)]
    items = sorted(
        recommendation.monitoring,
        key=lambda m: (m.due_date is None, m.due_date or date.max, m.id),
    )
    rows: list[tuple[str, ...]] = []
    for item in items:
        name, when = tests.plain(item.id, item.every_months)
        rows.append(
            (
                name or _clean(item.what),
                when or _clean(item.when),
                long_date(item.due_date) if item.due_date else tests.no_date,
            )
        )
    if rows:
        blocks.append(Table("tests", (labels.test, labels.when, labels.due), tuple(rows)))
    else:
        blocks.append(Para(tests.none))
    return Section("tests", tests.heading, tuple(blocks))


def _pregnancy(recommendation: Recommendation, text: HandoutText) -> Section | None:
    preg = text.sections.pregnancy
    case = recommendation.case
    conditions = set(case.get("conditions") or ())
    pregnant = "pregnancy" in conditions
    breastfeeding = "breastfeeding" in conditions
    low, high = preg.female_age_range
    age = case.get("age_years")
    could_be = case.get("sex") == "female" and isinstance(age, int | float) and low <= age <= high
    if not (pregnant or breastfeeding or could_be):
        return None
    paragraphs: list[str] = []
    if pregnant or not breastfeeding:
        paragraphs.extend(preg.pregnancy)
    if breastfeeding or not pregnant:
        paragraphs.extend(preg.breastfeeding)
    return Section("pregnancy", preg.heading, tuple(Para(p) for p in paragraphs))


def _storage(regimen: Regimen, text: HandoutText) -> Section:
    """The engine's storage words for the dispensed product (some liquids: the fridge)."""
    st = text.sections.storage
    form = text.formulations[regimen.formulation.code]
    specific = _clean(regimen.formulation.storage) or form.storage
    items = [specific]
    if "children" not in specific.lower():
        items.append(st.general)
    return Section("storage", st.heading, (Bullets(tuple(items)),))


def _diary(calendar: DoseCalendar, text: HandoutText) -> Diary:
    dt = text.diary
    days = tuple(
        DiaryDay(
            day=d.day,
            date_text=d.date_text,
            cells=tuple(d.amount_at(t) or "" for t in calendar.times),
        )
        for d in calendar.days
    )
    return Diary(
        heading=dt.heading,
        intro=dt.intro,
        day_label=text.labels.day,
        date_label=text.labels.date,
        time_labels=calendar.time_labels,
        box=dt.box,
        days=days,
        notes_heading=dt.notes_heading,
        notes_intro=dt.notes_intro,
        notes_lines=dt.notes_lines,
    )


def build_handout(
    recommendation: Recommendation,
    *,
    printed_on: date,
    patient_name: str | None = None,
    patient_id: str | None = None,
    prescriber: str | None = None,
    clinic_name: str | None = None,
    clinic_phone: str | None = None,
    kb: Any | None = None,
    text: HandoutText | None = None,
) -> HandoutContent:
    """The patient handout for one recommendation.

    Names default to the case's `patient` and the recommendation's local policy
    (`clinic_name`, `clinic_phone`); a field left empty is printed as a line to write on.
    Raises `HandoutError` when there is no regimen to explain (contraindicated, or no
    dose could be suggested) or the regimen breaks the contract.
    """
    regimen = recommendation.regimen
    if regimen is None:
        raise HandoutError(
            f"no patient handout: there is no regimen (status {recommendation.status}: "
            f"{_clean(recommendation.status_reason) or 'no dose can be suggested'})"
        )
    if text is None:
        text = load_handout_text(kb)
    patient = _case_patient(recommendation.case)
    policy = recommendation.policy or {}
    name = _clean(patient_name if patient_name is not None else patient.get("name"))
    pid = _clean(patient_id if patient_id is not None else patient.get("id"))
    clinic = _clean(clinic_name if clinic_name is not None else policy.get("clinic_name"))
    phone = _clean(clinic_phone if clinic_phone is not None else policy.get("clinic_phone"))
    labels = text.labels
    fields = (
        Field(labels.name, name),
        Field(labels.patient_id, pid),
        Field(labels.printed_on, long_date(printed_on)),
        Field(labels.prescriber, _clean(prescriber)),
        Field(labels.clinic, clinic),
        Field(labels.phone, phone),
    )
    sections: list[Section | None] = [
        _purpose_section(recommendation, regimen, text),
        _calendar_section(regimen, text),
        _how_to_take(recommendation, regimen, text),
        _bullet_section("first_weeks", text.sections.first_weeks),
        _bullet_section("side_effects", text.sections.side_effects),
        _bullet_section("get_help", text.sections.get_help, urgent=True),
        _do_not_stop(recommendation, text),
        _missed_dose(recommendation, text),
        _alcohol_medicines(recommendation, text),
        _your_health(recommendation, text),
        Section("driving", text.sections.driving.heading, (Para(text.sections.driving.text),)),
        _tests(recommendation, text),
    ]
    sections.append(_pregnancy(recommendation, text))
    sections.append(_storage(regimen, text))
    built = tuple(s for s in sections if s is not None)
    calendar = next(
        b for s in built if s.id == "calendar" for b in s.blocks if isinstance(b, DoseCalendar)
    )
    footer = f"{text.document.title}: {name}" if name else text.document.title
    return HandoutContent(
        title=text.document.title,
        subject=text.document.subject,
        author=clinic or "Baclofen CDS",
        language=text.language,
        patient_name=name,
        patient_id=pid,
        printed_on=printed_on,
        fields=fields,
        sections=built,
        diary=_diary(calendar, text),
        footer=footer,
        blank=labels.blank,
    )


def plain_text(content: HandoutContent) -> str:
    """The handout's words in reading order, one line per paragraph or row.

    For a readability check before printing (the window can show the grade) and for tests.
    """
    lines: list[str] = [content.title]
    lines.extend(f"{f.label}: {f.value or content.blank}" for f in content.fields)
    for section in content.sections:
        lines.append(section.heading)
        for block in section.blocks:
            lines.extend(_block_lines(block))
    lines.append(content.diary.heading)
    lines.append(content.diary.intro)
    return "\n".join(lines)


def _block_lines(block: Block) -> Iterable[str]:
    if isinstance(block, Para):
        yield block.text
    elif isinstance(block, Bullets):
        yield from block.items
    elif isinstance(block, NamedItems):
        yield from (f"{term}: {desc}" for term, desc in block.items)
    elif isinstance(block, Table):
        yield " ".join(block.header)
        yield from (" ".join(row) for row in block.rows)
    else:
        yield " ".join((block.day_label, block.date_label, *block.time_labels, block.total_label))
        for day in block.days:
            cells = [day.amount_at(t) or block.no_dose for t in block.times]
            yield " ".join((str(day.day), day.date_text, *cells, day.daily_total))
