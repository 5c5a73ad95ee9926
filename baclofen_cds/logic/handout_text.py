"""The plain-language text of the handout, as validated data.

The words a patient reads (what the medicine is for, how to take it, side effects, the
"get help now" signs, withdrawal, driving, alcohol, storage, pregnancy) are clinical
content. They live in `resources/knowledge/handout_text.yaml`, each block with its source
ids, and are validated here: a broken file stops the handout with one clear message
naming the field (fail closed), never a half-written leaflet.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from baclofen_cds.logic.case import FORMULATIONS, INDICATIONS

DOCUMENT_NAME = "handout_text"
SCHEMA = "handout_text/1"


class HandoutTextError(ValueError):
    """The handout text file is missing or invalid: one message naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{DOCUMENT_NAME}.yaml: {field}: {message}")
        self.field = field
        self.message = message


class _Text(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DocumentText(_Text):
    title: str
    subject: str
    summary_title: str
    summary_subject: str


class UmsText(_Text):
    """Universal Medication Schedule words (USP <17>) by number of doses a day."""

    times_by_doses_per_day: dict[int, tuple[str, ...]]
    labels: dict[str, str]

    @model_validator(mode="after")
    def _times_have_labels(self) -> UmsText:
        for count, times in self.times_by_doses_per_day.items():
            if len(times) != count:
                raise ValueError(f"{count} doses a day must list {count} times, not {len(times)}")
            for time in times:
                if time not in self.labels:
                    raise ValueError(f"time {time!r} has no label")
        return self

    def order(self, time: str) -> int:
        return list(self.labels).index(time)


class LabelsText(_Text):
    name: str
    patient_id: str
    printed_on: str
    prescriber: str
    clinic: str
    phone: str
    blank: str
    day: str
    date: str
    total: str
    days: str
    each_dose: str
    when: str
    test: str
    due: str
    no_dose: str
    child_note: str


class PurposeText(_Text):
    heading: str
    medicine_line: str
    for_line: str
    sources: tuple[str, ...]
    by_indication: dict[str, str]
    origin_line: str
    origins: dict[str, str]


class CalendarText(_Text):
    heading: str
    intro: str
    liquid_line: str
    after_line: str
    most_line: str
    same_line: str
    sources: tuple[str, ...]


class BulletSection(_Text):
    heading: str
    intro: str = ""
    bullets: tuple[str, ...] = ()
    outro: str = ""
    sources: tuple[str, ...]


class DoNotStopText(_Text):
    heading: str
    intro: str
    signs_intro: str
    bullets: tuple[str, ...]
    outro: str
    supply: str
    taper_intro: str
    taper_row_days: str
    taper_end: str
    no_taper: str
    sources: tuple[str, ...]


class MissedDoseText(_Text):
    """The rule itself is the engine's (`recommendation.missed_dose.text`)."""

    heading: str
    fallback: str
    sources: tuple[str, ...]


class YourHealthText(_Text):
    """Wraps the patient wording of the engine's alerts about this patient's health."""

    heading: str
    intro: str
    sources: tuple[str, ...] = ()


class AlcoholMedicinesText(_Text):
    heading: str
    alcohol: str
    yours_intro: str
    watch_default: str
    unchecked_intro: str
    general: str
    sources: tuple[str, ...]


class DrivingText(_Text):
    heading: str
    text: str
    sources: tuple[str, ...]


class TestWords(_Text):
    name: str
    when: str  # "{months}" is replaced by the item's interval in months


class TestsText(_Text):
    heading: str
    intro: str
    none: str
    no_date: str
    sources: tuple[str, ...]
    #: By monitoring id, or by the id without its last part ("monitor.mood.step2" ->
    #: "monitor.mood"). An id missing here is shown with the engine's own words.
    items: dict[str, TestWords]

    def plain(self, item_id: str, every_months: int | None) -> tuple[str, str]:
        """The patient's words (name, when) for a monitoring item; ("", "") if none."""
        words = self.items.get(item_id) or self.items.get(item_id.rsplit(".", 1)[0])
        if words is None:
            return "", ""
        when = words.when
        if "{months}" in when:
            when = when.format(months=every_months) if every_months else ""
        return words.name, when


class PregnancyText(_Text):
    heading: str
    female_age_range: tuple[float, float]
    pregnancy: tuple[str, ...]
    breastfeeding: tuple[str, ...]
    sources: tuple[str, ...]


class StorageText(_Text):
    heading: str
    general: str
    sources: tuple[str, ...]


class SectionsText(_Text):
    how_to_take: BulletSection
    first_weeks: BulletSection
    side_effects: BulletSection
    get_help: BulletSection
    do_not_stop: DoNotStopText
    missed_dose: MissedDoseText
    alcohol_medicines: AlcoholMedicinesText
    your_health: YourHealthText
    driving: DrivingText
    tests: TestsText
    pregnancy: PregnancyText
    storage: StorageText


class FormulationText(_Text):
    unit_words: str
    how_to_take: tuple[str, ...]
    half: str = ""
    storage: str


class DiaryText(_Text):
    heading: str
    intro: str
    notes_heading: str
    notes_intro: str
    notes_lines: int = Field(ge=0, le=30)
    box: str = Field(min_length=1, max_length=1)
    sources: tuple[str, ...] = ()


class SummaryText(_Text):
    """Labels of the clinician summary (its body is `logic.summary.clinician_note`)."""

    title: str
    heading_alerts: str
    heading_acknowledgements: str
    not_acknowledged: str
    acknowledged: str
    disclaimer: str


class HandoutText(_Text):
    """Every word of the handout that is not computed from the recommendation."""

    schema_id: str = Field(alias="schema")
    reviewed: str
    language: str
    medicine: str
    document: DocumentText
    ums: UmsText
    labels: LabelsText
    purpose: PurposeText
    calendar: CalendarText
    sections: SectionsText
    formulations: dict[str, FormulationText]
    diary: DiaryText
    summary: SummaryText

    @model_validator(mode="after")
    def _complete(self) -> HandoutText:
        if self.schema_id != SCHEMA:
            raise ValueError(f"schema must be {SCHEMA!r}")
        for code in INDICATIONS:
            if code not in self.purpose.by_indication:
                raise ValueError(f"purpose.by_indication has no text for {code!r}")
        for code in FORMULATIONS:
            if code not in self.formulations:
                raise ValueError(f"formulations has no text for {code!r}")
        return self

    def source_ids(self) -> frozenset[str]:
        """Every source id the text cites (for the check against the source register)."""
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, BaseModel):
                for name in type(node).model_fields:
                    value = getattr(node, name)
                    if name == "sources":
                        found.update(value)
                    else:
                        walk(value)
            elif isinstance(node, dict):
                for value in node.values():
                    walk(value)
            elif isinstance(node, tuple):
                for value in node:
                    walk(value)

        walk(self)
        return frozenset(found)


def parse_handout_text(data: Any) -> HandoutText:
    """Validate the parsed YAML; raise `HandoutTextError` naming the first bad field."""
    if not isinstance(data, Mapping):
        raise HandoutTextError("document", "must be a mapping")
    try:
        return HandoutText.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ())) or "document"
        raise HandoutTextError(loc, str(first.get("msg", "is not valid"))) from None


@functools.cache
def _packaged_text() -> HandoutText:
    path = resources.files("baclofen_cds").joinpath(
        "resources", "knowledge", f"{DOCUMENT_NAME}.yaml"
    )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HandoutTextError("document", f"cannot be read ({exc})") from None
    return parse_handout_text(data)


_BY_KB_HASH: dict[str, HandoutText] = {}


def load_handout_text(kb: Any | None = None) -> HandoutText:
    """The handout text of a knowledge base (or of the packaged one when `kb` is None).

    With a knowledge base, the text is read through `kb.extra_document("handout_text")`,
    so it is covered by the knowledge-base hash recorded with every assessment.
    """
    if kb is None or not hasattr(kb, "extra_document"):
        return _packaged_text()
    key = str(getattr(kb, "sha256", ""))
    cached = _BY_KB_HASH.get(key) if key else None
    if cached is not None:
        return cached
    text = parse_handout_text(kb.extra_document(DOCUMENT_NAME))
    if key:
        _BY_KB_HASH[key] = text
    return text
