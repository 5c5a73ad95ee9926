"""Case input: what the clinician entered, validated and normalised.

`parse_case` turns a JSON-like mapping into a frozen `CaseInput` or raises
`CaseInputError` with one message naming the field. Units are normalised (creatinine is
kept in mg/dL; the unit given is remembered for display). Missing is not zero: an
absent weight stays None, and nothing downstream invents it.

The models are msgspec Structs (strict: JSON numbers only, never `true` or a string for a
number); msgspec's errors ("Expected `float`, got `str` - at `$.age_years`") are mapped to
the project's one-line messages naming the field (`field_error`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from msgspec import Meta

from baclofen_cds.logic.resource_files import handout_languages

if TYPE_CHECKING:
    from baclofen_cds.logic.knowledge import KnowledgeBase

# The closed vocabularies of indications, spasticity origins and formulations belong to the
# knowledge base (kb.yaml, formulations.yaml): the case takes any code the loaded knowledge
# base lists (`kb.indications`, `kb.spasticity_origins`, `kb.formulations`), so a new
# indication needs no change here.
Sex = Literal["female", "male"]
CreatinineUnit = Literal["mg/dL", "umol/L"]
Dialysis = Literal["none", "hemodialysis", "peritoneal"]
Hepatic = Literal["none", "mild", "moderate", "severe"]
Intrathecal = Literal["none", "pump_in_situ", "pump_removed_or_failed"]

#: The bounds of a chosen step interval, in days (the contract's limits, not a dosing rule).
STEP_INTERVAL_DAYS: tuple[int, int] = (1, 28)


class CaseInputError(ValueError):
    """Bad input: one clear message naming the field. Nothing is computed or written."""

    def __init__(self, field: str, message: str) -> None:
        # one line whatever the input's field names hold (`field` itself is kept as given)
        super().__init__(f"{re.sub(_CONTROL, _escaped, field)}: {message}")
        self.field = field
        self.message = message


#: compiled on first use (re caches it): only error messages need it
_CONTROL = "[\x00-\x1f\x7f-\x9f\u2028\u2029]"


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


class _Frozen(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Frozen, unknown fields refused (each model is keyword-only: required fields may follow
    defaults)."""

    def to_dict(self) -> dict[str, Any]:
        """The model as JSON-ready data (dates as ISO text, lists for tuples)."""
        return jsonable(msgspec.to_builtins(self))  # type: ignore[no-any-return]


class PatientRef(_Frozen, frozen=True, kw_only=True):
    id: Annotated[str, Meta(max_length=200)] | None = None
    name: Annotated[str, Meta(max_length=500)] | None = None


class Creatinine(_Frozen, frozen=True, kw_only=True):
    value: float
    unit: CreatinineUnit
    measured_on: date | None = None  # when the sample was taken (stale results are flagged)


class RegimenChoice(_Frozen, frozen=True, kw_only=True):
    """The clinician's own, more cautious choice: a lower target or a slower titration."""

    target_daily_mg: Annotated[float, Meta(gt=0)] | None = None
    step_interval_days: (
        Annotated[int, Meta(ge=STEP_INTERVAL_DAYS[0], le=STEP_INTERVAL_DAYS[1])] | None
    ) = None


class Override(_Frozen, frozen=True, kw_only=True):
    """A clinician's documented decision to go ahead despite an "avoid" stop."""

    # a code of override_reasons.yaml
    reason: Annotated[str, Meta(min_length=1, max_length=100)]
    clinician: Annotated[str, Meta(min_length=1, max_length=200)]
    note: Annotated[str, Meta(max_length=2000)] = ""


class CaseInput(_Frozen, frozen=True, kw_only=True):
    patient: PatientRef | None = None
    indication: str  # a code of kb.indications
    spasticity_origin: str | None = None  # a code of kb.spasticity_origins
    age_years: float
    sex: Sex
    weight_kg: float | None = None
    height_cm: float | None = None
    serum_creatinine: Creatinine | None = None
    creatinine_clearance_ml_min: float | None = None
    egfr_ml_min_1_73m2: float | None = None
    dialysis: Dialysis = "none"
    hepatic_impairment: Hepatic = "none"
    conditions: tuple[str, ...] = ()
    comedications: tuple[str, ...] = ()
    formulation: str | None = None  # a code of kb.formulations
    start_date: date
    regimen_choice: RegimenChoice | None = None
    override: Override | None = None
    confirmed: tuple[str, ...] = ()  # fields the clinician has checked (lifts plausibility stops)
    # the clinician confirmed there are none (not used for dosing; an empty list alone may
    # mean nobody asked)
    comedications_confirmed_none: bool = False
    conditions_confirmed_none: bool = False
    current_daily_mg: float | None = None  # already taking baclofen at this dose
    months_on_treatment: float | None = None
    intrathecal: Intrathecal = "none"
    handout_language: str = "en"  # the patient handout's language (issue 12)
    # where imported values came from (FHIR import, issue 13): kept with the case, never used
    # by a rule. Shape: docs/contract.md "provenance".
    provenance: dict[str, Any] | None = None
    # `to_dict()` (of _Frozen): the normalised case as JSON-ready data (what records store)


def jsonable(value: Any) -> Any:
    """`msgspec.to_builtins` output with tuples as lists (JSON arrays), recursively."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


#: The fields whose text is stripped of surrounding blanks (codes are taken exactly).
_STRIPPED: dict[str, frozenset[str]] = {
    "": frozenset({"conditions", "comedications", "confirmed"}),
    "patient": frozenset({"id", "name"}),
    "override": frozenset({"reason", "clinician", "note"}),
}
_LISTS = ("conditions", "comedications", "confirmed")

#: The closed choices of the case (field -> allowed values, in the order they are listed);
#: `choices(kb)` adds the knowledge base's vocabularies.
CHOICES: dict[str, tuple[str, ...]] = {
    "sex": Sex.__args__,  # type: ignore[attr-defined]
    "serum_creatinine.unit": CreatinineUnit.__args__,  # type: ignore[attr-defined]
    "dialysis": Dialysis.__args__,  # type: ignore[attr-defined]
    "hepatic_impairment": Hepatic.__args__,  # type: ignore[attr-defined]
    "intrathecal": Intrathecal.__args__,  # type: ignore[attr-defined]
    # one per handout text file present (resource_files.handout_languages)
    "handout_language": handout_languages(),
}


def choices(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Every closed choice of the case: the fixed ones and the knowledge base's vocabularies."""
    return {
        **CHOICES,
        "indication": tuple(kb.indications),
        "spasticity_origin": tuple(kb.spasticity_origins),
        "formulation": tuple(kb.formulations),
    }


def _prepared(data: Mapping[str, Any]) -> dict[str, Any]:
    """The input as the models take it: lists checked and blank entries dropped, free text
    stripped (codes are not), nested objects copied. Raises CaseInputError."""
    raw = dict(data)
    for name in _LISTS:
        if name in raw:
            raw[name] = _list_of_strings(name, raw[name])
    for parent, names in _STRIPPED.items():
        target = raw
        if parent:
            if not isinstance(raw.get(parent), Mapping):
                continue
            target = raw[parent] = dict(raw[parent])
        for name in names & target.keys():
            value = target[name]
            if isinstance(value, str):
                target[name] = value.strip()
            elif isinstance(value, list):
                target[name] = [v.strip() if isinstance(v, str) else v for v in value]
    meds = raw.get("comedications")
    if isinstance(meds, list) and all(isinstance(v, str) for v in meds):
        raw["comedications"] = [v for v in (" ".join(m.split()) for m in meds) if v]
    return raw


def _list_of_strings(field: str, value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise CaseInputError(field, "must be a list of strings")
    if len(value) > MAX_LIST_ITEMS:
        raise CaseInputError(field, f"must have at most {MAX_LIST_ITEMS} entries")
    for item in value:
        if isinstance(item, str) and len(item) > MAX_NAME_CHARS:
            raise CaseInputError(field, f"each entry must be at most {MAX_NAME_CHARS} characters")
    return list(value)


# ------------------------------------------------------------------ msgspec's errors, in words
#: patterns of msgspec's messages, compiled on first use (re caches them): errors only
_WHERE = r"\$(?:\.\w+|\[\d+\])*"
_PART = r"\.([^.\[]+)|\[(\d+)\]"
_BOUND = r"^Expected `(?P<type>\w+)` (?P<op>[<>]=?) (?P<n>\S+)$"
_LENGTH = r"^Expected `str` of length (?P<op>[<>]=?) (?P<n>\d+)$"
_EXPECTED = r"^Expected `(?P<type>[^`]*)`(?:, got `(?P<got>[^`]*)`)?$"
_WORDS = {">=": "greater than or equal to", "<=": "less than or equal to", ">": "greater than",
          "<": "less than"}  # fmt: skip


def _path(text: str) -> list[str]:
    """`$.serum_creatinine.value` -> ["serum_creatinine", "value"]; `$.conditions[0]` ->
    ["conditions", "0"] (the field names of the messages: `conditions.0`)."""
    return [name or index for name, index in re.findall(_PART, text.removeprefix("$"))]


def _lookup(data: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list | tuple) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def one_of(values: tuple[str, ...] | list[str]) -> str:
    """The allowed values of a choice, in a message: "'a', 'b' or 'c'"."""
    quoted = [repr(v) for v in values]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def field_error(
    exc: msgspec.ValidationError,
    data: Any,
    *,
    choices: Mapping[str, tuple[str, ...] | list[str]] | None = None,
    unknown: str = "is not a known field",
    rename: Mapping[str, str] | None = None,
    listed: Callable[[tuple[str, ...] | list[str]], str] = one_of,
) -> tuple[str, str]:
    """(field, message) of msgspec's error, in the words of this project.

    `data` is the input that was validated (the value at fault is read from it); `choices`
    maps a field to its allowed values ("'x' is not one of ..."); `rename` maps attribute
    names to the names the input uses; `listed` writes the allowed values."""
    # "WHAT - at `$.path`"; a field name in WHAT may hold any character, even "`" or a newline
    text = str(exc)
    what, _, where = text.rpartition(" - at `")
    where = where.removesuffix("`")
    if not (re.fullmatch(_WHERE, where) or where.startswith("key` in `$")):
        what, where = text, ""  # no location, or a " - at `" that belongs to a field name
    if where.startswith("key` in `"):  # "Expected `str` - at `key` in `$...`": a non-text key
        return ".".join(_path(where.removeprefix("key` in `"))) or "case", (
            "has a field name that is not text"
        )
    parts = _path(where)
    named = re.match(r"Object (missing required|contains unknown) field `(.*)`\Z", what, re.S)
    if named:
        parts.append(named[2])
    field = ".".join((rename or {}).get(p, p) or '""' for p in parts)  # "" named as ""
    if named:
        return field, "is required" if named[1].startswith("missing") else unknown
    value = _lookup(data, parts)
    allowed = (choices or {}).get(field)
    if allowed is not None and value is not None:
        return field, f"{value!r} is not one of {listed(allowed)}"
    return field, _words(what, value)


def _words(what: str, value: Any) -> str:
    if what.startswith("Invalid enum value"):
        return what.removeprefix("Invalid enum value ") + " is not an allowed value"
    if "date" in what:  # "Expected `date`...", "Invalid RFC3339 encoded date"
        return "must be a date (YYYY-MM-DD)"
    if what == "Number out of range":
        return "is not a number that can be used (out of range)"
    bound = re.match(_BOUND, what)
    if bound:
        return f"must be {_WORDS[bound['op']]} {bound['n']}"
    length = re.match(_LENGTH, what)
    if length:
        if length["op"] == ">=" and length["n"] == "1":
            return "must not be empty"
        more = "at most" if "<" in length["op"] else "at least"
        return f"must be {more} {int(length['n']):,} characters"
    expected = re.match(_EXPECTED, what)
    if not expected:
        return what
    kind, got = expected["type"], expected["got"]
    if got == "null":
        return "is required"
    if ("float" in kind or "int" in kind) and isinstance(value, bool):
        return "must be a number, not true or false"
    for name, words in (
        ("float", "must be a number"),
        ("int", "must be a whole number"),
        ("bool", "must be true or false (JSON true/false)"),
        ("str", "must be text"),
        ("array", "must be a list"),
        ("object", "must be an object"),
    ):
        if kind.startswith(name):
            return words
    return what


def parse_case(data: Any, kb: KnowledgeBase, *, today: date) -> CaseInput:
    """Validate and normalise a case.

    `today` fills a missing start date (the engine itself never reads the clock), so the
    stored case always says which start date the schedule was computed from.
    Raises `CaseInputError` naming the first bad field.
    """
    if not isinstance(data, Mapping):
        raise CaseInputError("case", "must be a JSON object")
    check_shape(data)
    raw = _prepared(data)
    if raw.get("start_date") in (None, ""):
        raw["start_date"] = today.isoformat()
    allowed = choices(kb)
    try:
        case = msgspec.convert(raw, CaseInput, strict=True)
    except msgspec.ValidationError as exc:
        raise CaseInputError(*field_error(exc, raw, choices=allowed)) from None
    for name in ("indication", "spasticity_origin", "formulation", "handout_language"):
        value = getattr(case, name)
        if value is not None and value not in allowed[name]:
            raise CaseInputError(name, f"{value!r} is not one of {one_of(allowed[name])}")

    _check_start_date(case.start_date)
    measured = case.serum_creatinine.measured_on if case.serum_creatinine else None
    if measured is not None and not EARLIEST_START <= measured <= LATEST_START:
        raise CaseInputError(
            "serum_creatinine.measured_on",
            f"{measured.isoformat()} is not between {EARLIEST_START.isoformat()} and "
            f"{LATEST_START.isoformat()}",
        )
    _check_numbers(case, kb)
    if case.spasticity_origin is not None and case.indication != "spasticity":
        raise CaseInputError("spasticity_origin", "applies only when the indication is spasticity")
    _known_once("conditions", case.conditions, kb.condition_ids, "a known condition code")
    _check_safety_fields(case, kb)
    for flag, listed in (
        ("comedications_confirmed_none", case.comedications),
        ("conditions_confirmed_none", case.conditions),
    ):
        if getattr(case, flag) and listed:
            raise CaseInputError(flag, f"cannot be true when {flag.split('_')[0]} are listed")
    if case.regimen_choice is not None and case.regimen_choice.target_daily_mg is not None:
        ceiling = kb.hard_ceiling_mg_per_day
        if case.regimen_choice.target_daily_mg > ceiling:
            raise CaseInputError(
                "regimen_choice.target_daily_mg",
                f"must not be above the {_fmt(ceiling)} mg a day ceiling",
            )
    return case


def _check_numbers(case: CaseInput, kb: KnowledgeBase) -> None:
    """Every number within its physically possible range (kb.yaml `input_limits`)."""
    limits = kb.input_limits
    _check_range("age_years", case.age_years, limits.age_years, "years")
    if case.weight_kg is not None:
        _check_range("weight_kg", case.weight_kg, limits.weight_kg, "kg")
    if case.height_cm is not None:
        _check_range("height_cm", case.height_cm, limits.height_cm, "cm")
    if case.creatinine_clearance_ml_min is not None:
        _check_range(
            "creatinine_clearance_ml_min",
            case.creatinine_clearance_ml_min,
            limits.clearance,
            "mL/min",
        )
    if case.egfr_ml_min_1_73m2 is not None:
        _check_range(
            "egfr_ml_min_1_73m2", case.egfr_ml_min_1_73m2, limits.clearance, "mL/min/1.73 m²"
        )
    if case.serum_creatinine is not None:
        scr = case.serum_creatinine
        factor = kb.renal.creatinine_umol_per_mg_dl
        low, high = limits.creatinine_mg_dl
        if scr.unit == "umol/L":
            _check_range(
                "serum_creatinine.value", scr.value, (low * factor, high * factor), "µmol/L"
            )
        else:
            _check_range("serum_creatinine.value", scr.value, (low, high), "mg/dL")


#: Fields a clinician may list in `confirmed` (values a plausibility check can question).
CONFIRMABLE: frozenset[str] = frozenset(
    {
        "age_years",
        "weight_kg",
        "height_cm",
        "serum_creatinine",
        "creatinine_clearance_ml_min",
        "egfr_ml_min_1_73m2",
    }
)


def _check_safety_fields(case: CaseInput, kb: KnowledgeBase) -> None:
    limits = kb.input_limits
    if case.current_daily_mg is not None:
        _check_range("current_daily_mg", case.current_daily_mg, limits.current_daily_mg, "mg")
    if case.months_on_treatment is not None:
        _check_range(
            "months_on_treatment", case.months_on_treatment, limits.months_on_treatment, "months"
        )
    if case.override is not None and case.override.reason not in kb.override_reasons:
        known = ", ".join(sorted(kb.override_reasons))
        raise CaseInputError("override.reason", f"{case.override.reason!r} is not one of {known}")
    _known_once("confirmed", case.confirmed, CONFIRMABLE, "a field that can be confirmed")


def _known_once(field: str, values: Any, known: Any, what: str) -> None:
    """Every value is one of `known`, and none is listed twice (one message naming the field)."""
    seen: set[str] = set()
    for value in values:
        if value not in known:
            raise CaseInputError(field, f"{value!r} is not {what}")
        if value in seen:
            raise CaseInputError(field, f"{value!r} is listed twice")
        seen.add(value)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _check_range(field: str, value: float, bounds: tuple[float, float], unit: str) -> None:
    low, high = bounds
    if math.isnan(value) or not (low <= value <= high):
        raise CaseInputError(
            field,
            f"{_fmt(value)} {unit} is outside the possible range {_fmt(low)}–{_fmt(high)} {unit}",
        )


# ------------------------------------------------------------------ strict input
# Technical limits of the input (not clinical numbers): far above what any real case needs,
# low enough that no input can exhaust memory or time. Documented in docs/contract.md.
#: Largest case file or standard input accepted, in bytes.
MAX_CASE_BYTES = 1_000_000
#: Deepest nesting of objects and lists (the contract needs 3).
MAX_DEPTH = 8
#: Longest text value, in characters (patient names are limited further by the schema).
MAX_TEXT_CHARS = 2_000
#: Longest medicine or condition name, in characters.
MAX_NAME_CHARS = 200
#: Most entries in one list (medicines, conditions, ...).
MAX_LIST_ITEMS = 100
#: Most characters in one number as written in JSON.
MAX_NUMBER_CHARS = 32
#: Start dates accepted (a schedule computed from a date outside them is a typing error and
#: would run past the calendar's end).
EARLIEST_START = date(1900, 1, 1)
LATEST_START = date(2199, 12, 31)


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _number(text: str, kind: type) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise CaseInputError("case", f"a number has more than {MAX_NUMBER_CHARS} characters")
    value = kind(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise CaseInputError("case", f"{text} is not a finite number")
    return value


def _constant(text: str) -> Any:
    raise CaseInputError("case", f"{text} is not a number JSON allows")


def loads_case(text: str | bytes, where: str = "the case") -> Any:
    """Parse case JSON strictly: duplicate keys, NaN/Infinity, over-long numbers, deep
    nesting and oversize input are refused with `CaseInputError` naming the field."""
    import json

    if len(text) > MAX_CASE_BYTES:
        raise CaseInputError("case", f"{where} is larger than {MAX_CASE_BYTES:,} bytes")
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_int=lambda t: _number(t, int),
            parse_float=lambda t: _number(t, float),
            parse_constant=_constant,
        )
    except _DuplicateKeyError as exc:
        raise CaseInputError(exc.key, "is given more than once") from None
    except RecursionError:
        raise CaseInputError("case", f"{where} is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise CaseInputError(
            "case",
            f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
        ) from None
    except UnicodeDecodeError:
        raise CaseInputError("case", f"{where} is not UTF-8 text") from None
    check_shape(data)
    return data


def check_shape(data: Any) -> None:
    """Depth, text length and list length within the limits above (iterative: any depth)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        name = path or "case"
        if depth > MAX_DEPTH:
            raise CaseInputError(name, f"is nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, str):
            if len(node) > MAX_TEXT_CHARS:
                raise CaseInputError(name, f"must be at most {MAX_TEXT_CHARS:,} characters")
        elif isinstance(node, float):
            if not math.isfinite(node):
                raise CaseInputError(name, "must be a finite number")
        elif isinstance(node, Mapping):
            if len(node) > MAX_LIST_ITEMS:
                raise CaseInputError(name, f"has more than {MAX_LIST_ITEMS} fields")
            for key, value in node.items():
                stack.append((value, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(node, list | tuple):
            if len(node) > MAX_LIST_ITEMS:
                raise CaseInputError(name, f"must have at most {MAX_LIST_ITEMS} entries")
            for index, value in enumerate(node):
                stack.append((value, f"{name}[{index}]", depth + 1))


def _check_start_date(start: date) -> None:
    if not EARLIEST_START <= start <= LATEST_START:
        raise CaseInputError(
            "start_date",
            f"{start.isoformat()} is not between {EARLIEST_START.isoformat()} and "
            f"{LATEST_START.isoformat()}",
        )
