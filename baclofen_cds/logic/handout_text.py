"""The plain-language text of the handout, one validated file per language.

The words a patient reads are clinical content. They live in
`resources/knowledge/handout_text.yaml` (English) and `handout_text.<lang>.yaml` (one file
per other language, the same keys), each block with its source ids and each file with its
own reviewer and review date. A broken file stops the handout with one message naming the
field (fail closed), never a half-written leaflet; `missing_keys` lists the keys one
language has and another lacks (`baclofen-cds knowledge check` prints them).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from baclofen_cds.logic.handout_rules import Facts, known_fact
from baclofen_cds.logic.knowledge.validation import (
    Strict,
    convert,
    convert_or_explain,
    decode_hook,
    explain,
)
from baclofen_cds.logic.resource_files import handout_languages, resource_path

DOCUMENT_NAME = "handout_text"
SCHEMA = "handout_text/2"
#: Languages a handout can be printed in: "en", then one per `handout_text.<code>.yaml` present
#: (`resource_files.handout_languages`); the first is the reference for key checks.
LANGUAGES: tuple[str, ...] = handout_languages()


def document_name(language: str) -> str:
    """ "handout_text" for English, "handout_text.es" for Spanish."""
    return DOCUMENT_NAME if language == LANGUAGES[0] else f"{DOCUMENT_NAME}.{language}"


class HandoutTextError(ValueError):
    """A handout text file is missing or invalid: one message naming the field."""

    def __init__(self, field: str, message: str, document: str = DOCUMENT_NAME) -> None:
        super().__init__(f"{document}.yaml: {field}: {message}")
        self.field = field
        self.message = message


class _Text(Strict, frozen=True, kw_only=True):
    """A block of the handout text: frozen, every field known."""


class _LineFields(Strict, frozen=True, kw_only=True):
    text: Annotated[str, Meta(min_length=1)]
    when: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()


class Line:
    """One sentence, printed only when its rule holds for this patient.

    Written as a bare string, or as `{text, when, unless}` with the facts of its rule (a plain
    class, so that msgspec hands either form to its decode hook)."""

    __slots__ = ("text", "unless", "when")

    def __init__(self, text: str, when: tuple[str, ...] = (), unless: tuple[str, ...] = ()):
        self.text = text
        self.when = when
        self.unless = unless

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Line):
            return NotImplemented
        return (self.text, self.when, self.unless) == (other.text, other.when, other.unless)

    def __hash__(self) -> int:
        return hash((self.text, self.when, self.unless))

    def __repr__(self) -> str:
        return f"Line(text={self.text!r}, when={self.when!r}, unless={self.unless!r})"


@decode_hook(Line)
def _line(value: Any) -> Line:
    if isinstance(value, str):
        value = {"text": value}
    fields = convert_or_explain(value, _LineFields, owner="line")
    for fact in (*fields.when, *fields.unless):
        if not known_fact(fact):
            raise ValueError(f"unknown fact {fact!r}")
    return Line(fields.text, fields.when, fields.unless)


Lines = tuple[Line, ...]


def pick(lines: Lines, facts: Facts) -> list[str]:
    """The texts of the lines whose rule holds."""
    return [line.text for line in lines if facts.holds(line.when, line.unless)]


class DocumentText(_Text, frozen=True, kw_only=True):
    title: str
    title_child: str
    subject: str
    summary_title: str
    summary_subject: str
    page_word: str
    of_word: str


class UmsText(_Text, frozen=True, kw_only=True):
    """Universal Medication Schedule words (USP <17>) by number of doses a day."""

    times_by_doses_per_day: dict[int, tuple[str, ...]]
    labels: dict[str, str]
    words: dict[str, str]

    def __post_init__(self) -> None:
        for count, times in self.times_by_doses_per_day.items():
            if len(times) != count:
                raise ValueError(
                    f"times_by_doses_per_day: {count} doses a day must list {count} times, "
                    f"not {len(times)}"
                )

    def order(self, time: str) -> int:
        return list(self.labels).index(time)


class LabelsText(_Text, frozen=True, kw_only=True):
    name: str
    patient_id: str
    printed_on: str
    prescriber: str
    blank: str
    and_word: str


class DatesText(_Text, frozen=True, kw_only=True):
    short: str
    long: str
    printed: str
    range: str
    from_: str = msgspec.field(name="from")


class AmountsText(_Text, frozen=True, kw_only=True):
    tablet_half: str
    tablet_one: str
    tablet_many: str
    tablet_one_half: str
    tablet_many_half: str
    packet_one: str
    packet_many: str
    packets_of: str
    liquid: str
    with_mg: str


class PurposeText(_Text, frozen=True, kw_only=True):
    medicine_line: str
    for_line: str
    sources: tuple[str, ...]
    by_indication: dict[str, Lines]
    child_note: str


class KeyFactsText(_Text, frozen=True, kw_only=True):
    heading: str
    sources: tuple[str, ...]
    lines: Lines
    help_intro: str
    help_signs: Lines
    clinic_line: str
    clinic_line_no_name: str
    extra_lines: Lines


class DosePlanText(_Text, frozen=True, kw_only=True):
    heading: str
    sources: tuple[str, ...]
    intro: Lines
    header: tuple[str, str, str]
    keep_going: Lines
    how: Lines


class SideEffectsText(_Text, frozen=True, kw_only=True):
    heading: str
    sources: tuple[str, ...]
    older_adult_age_years: Annotated[float, Meta(ge=0, le=120)]
    intro: Lines
    items: tuple[str, ...]
    after: Lines


class MedicinesText(_Text, frozen=True, kw_only=True):
    heading: str
    sources: tuple[str, ...]
    intro: str
    intro_child: str
    by_class: dict[str, str]
    default: str
    unchecked: str
    general: Lines


class LinesSection(_Text, frozen=True, kw_only=True):
    heading: str
    sources: tuple[str, ...]
    lines: Lines


class PregnancyText(LinesSection, frozen=True, kw_only=True):
    female_age_range: tuple[float, float]


class TestsText(_Text, frozen=True, kw_only=True):
    heading: str
    sources: tuple[str, ...]
    intro: Lines
    working_days: str
    none: str
    #: By monitoring id, or by the id without its last part ("monitor.mood.step2").
    items: dict[str, str]
    other: str

    def name(self, item_id: str) -> str:
        return self.items.get(item_id) or self.items.get(item_id.rsplit(".", 1)[0]) or self.other


class MissedDoseText(_Text, frozen=True, kw_only=True):
    heading: str
    sources: tuple[str, ...]
    adult: str
    child: str


class ChildItem(_Text, frozen=True, kw_only=True):
    heading: str
    text: str


class ChildText(_Text, frozen=True, kw_only=True):
    heading: str
    sources: tuple[str, ...]
    items: tuple[ChildItem, ...]


class DiaryText(_Text, frozen=True, kw_only=True):
    heading: str
    intro: str
    intro_child: str
    step_line: str
    notes_heading: str
    notes_intro: str
    notes_lines: Annotated[int, Meta(ge=0, le=30)]
    sources: tuple[str, ...] = ()


class SummaryText(_Text, frozen=True, kw_only=True):
    """Labels of the clinician summary (its body is `logic.summary.clinician_note`)."""

    title: str
    heading_alerts: str
    heading_acknowledgements: str
    not_acknowledged: str
    acknowledged: str
    heading_override: str
    override_line: str
    withheld_line: str
    disclaimer: str


class HandoutText(_Text, frozen=True, kw_only=True):
    """Every word of the handout that is not computed from the recommendation."""

    schema_id: str = msgspec.field(name="schema")
    language: str
    locale: str
    reviewed: str
    reviewed_by: Annotated[str, Meta(min_length=1)]
    medicine: str
    document: DocumentText
    ums: UmsText
    labels: LabelsText
    dates: DatesText
    amounts: AmountsText
    purpose: PurposeText
    forms: dict[str, str]
    key_facts: KeyFactsText
    dose_plan: DosePlanText
    side_effects: SideEffectsText
    medicines: MedicinesText
    health: LinesSection
    tests: TestsText
    missed_dose: MissedDoseText
    child: ChildText
    pregnancy: PregnancyText
    storage: LinesSection
    diary: DiaryText
    summary: SummaryText

    def __post_init__(self) -> None:
        if self.schema_id != SCHEMA:
            raise ValueError(f"schema must be {SCHEMA!r}")
        for time in ("morning", "midday", "evening", "bedtime"):
            if time not in self.ums.labels or time not in self.ums.words:
                raise ValueError(f"ums has no label or word for {time!r}")

    def vocabulary_gaps(self, indications: Iterable[str], formulations: Iterable[str]) -> list[str]:
        """What this text lacks for the knowledge base's indications and formulations (each
        needs its purpose lines and its form words): empty when it has them all."""
        gaps = [
            f"purpose.by_indication has no text for {code!r}"
            for code in indications
            if code not in self.purpose.by_indication
        ]
        gaps += [
            f"forms has no text for {code!r}" for code in formulations if code not in self.forms
        ]
        return gaps

    def source_ids(self) -> frozenset[str]:
        """Every source id the text cites (for the check against the source register)."""
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, msgspec.Struct):
                for name in node.__struct_fields__:
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


def parse_handout_text(data: Any, document: str = DOCUMENT_NAME) -> HandoutText:
    """Validate the parsed YAML; raise `HandoutTextError` naming the first bad field."""
    if not isinstance(data, Mapping):
        raise HandoutTextError("document", "must be a mapping", document)
    try:
        return convert(dict(data), HandoutText)
    except msgspec.ValidationError as exc:
        where, msg = explain(exc, HandoutText, data)
        loc = ".".join(str(p) for p in where) or "document"
        raise HandoutTextError(loc, msg, document) from None


def _key_paths(node: Any, prefix: str = "") -> Iterator[str]:
    """Every mapping key path of a parsed YAML document ("key_facts.help_intro")."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in ("text", "when", "unless") and prefix:
                continue
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from _key_paths(value, path)


_NOT_TRANSLATED = frozenset({"language", "locale", "reviewed", "reviewed_by"})


def missing_keys(reference: Any, other: Any) -> tuple[list[str], list[str]]:
    """(keys of `reference` that `other` lacks, keys of `other` that `reference` lacks)."""
    ref = set(_key_paths(reference))
    oth = set(_key_paths(other))
    return sorted(ref - oth), sorted(oth - ref)


@functools.cache
def _packaged_raw(document: str) -> Any:
    import yaml

    try:
        path = resource_path("knowledge", f"{document}.yaml")
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HandoutTextError("document", f"cannot be read ({exc})", document) from None


@functools.cache
def _packaged_text(language: str) -> HandoutText:
    document = document_name(language)
    return parse_handout_text(_packaged_raw(document), document)


_BY_KB_HASH: dict[tuple[str, str], HandoutText] = {}


def raw_handout_text(kb: Any | None, language: str) -> Any:
    """The parsed (not validated) YAML of one language's text."""
    if language not in LANGUAGES:
        raise HandoutTextError("language", f"{language!r} is not one of {list(LANGUAGES)}")
    document = document_name(language)
    if kb is None or not hasattr(kb, "extra_document"):
        return _packaged_raw(document)
    try:
        return kb.extra_document(document)
    except Exception as exc:  # KnowledgeBaseError: file missing or not YAML
        raise HandoutTextError("document", str(exc), document) from None


def load_handout_text(kb: Any | None = None, language: str = "en") -> HandoutText:
    """One language's handout text, of a knowledge base (or the packaged one when `kb` is None).

    With a knowledge base, the text is read through `kb.extra_document(...)`, so it is covered
    by the knowledge-base hash recorded with every assessment.
    """
    if language not in LANGUAGES:
        raise HandoutTextError("language", f"{language!r} is not one of {list(LANGUAGES)}")
    if kb is None or not hasattr(kb, "extra_document"):
        return _packaged_text(language)
    key = (str(getattr(kb, "sha256", "")), language)
    cached = _BY_KB_HASH.get(key) if key[0] else None
    if cached is not None:
        return cached
    document = document_name(language)
    text = parse_handout_text(raw_handout_text(kb, language), document)
    if text.language != language:
        raise HandoutTextError("language", f"must be {language!r}", document)
    gaps = text.vocabulary_gaps(getattr(kb, "indications", {}), getattr(kb, "formulations", {}))
    if gaps:
        raise HandoutTextError("document", gaps[0], document)
    if key[0]:
        _BY_KB_HASH[key] = text
    return text


def missing_class_lines(kb: Any, language: str) -> list[str]:
    """Interaction classes of the knowledge base with no patient line in this language.

    Not an error: such a medicine is printed with the text's default ("Ask your pharmacist
    what to watch for"); `knowledge check` warns, and a test holds the shipped files to none.
    """
    lines = load_handout_text(kb, language).medicines.by_class
    return [cls for cls in getattr(kb, "classes_by_id", {}) if cls not in lines]


def check_languages(kb: Any | None = None) -> list[tuple[str, str, str, list[str]]]:
    """Every language's (code, reviewed, reviewed_by, problems): validation and missing keys."""
    out: list[tuple[str, str, str, list[str]]] = []
    reference = raw_handout_text(kb, LANGUAGES[0])
    for language in LANGUAGES:
        problems: list[str] = []
        reviewed = reviewed_by = ""
        try:
            text = load_handout_text(kb, language)
            reviewed, reviewed_by = text.reviewed, text.reviewed_by
        except HandoutTextError as exc:
            problems.append(str(exc))
        if language != LANGUAGES[0]:  # also beside a validation error: it names one field
            problems.extend(_key_problems(kb, reference, language))
        out.append((language, reviewed, reviewed_by, problems))
    return out


def _key_problems(kb: Any | None, reference: Any, language: str) -> list[str]:
    """The keys one language lacks or adds against the English text."""
    try:
        other = raw_handout_text(kb, language)
    except HandoutTextError:  # the file is missing or not YAML: already a problem
        return []
    lacks, extra = missing_keys(reference, other)
    return [f"missing key {k}" for k in lacks if k not in _NOT_TRANSLATED] + [
        f"key {k} is not in the English text" for k in extra if k not in _NOT_TRANSLATED
    ]
