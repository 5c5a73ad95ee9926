"""Case input: what the clinician entered, validated and normalised.

`parse_case` turns a JSON-like mapping into a frozen `CaseInput` or raises
`CaseInputError` with one message naming the field. Units are normalised (creatinine is
kept in mg/dL; the unit given is remembered for display). Missing is not zero: an
absent weight stays None, and nothing downstream invents it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

if TYPE_CHECKING:
    from baclofen_cds.logic.knowledge import KnowledgeBase

Indication = Literal[
    "spasticity",
    "alcohol_use_disorder",
    "alcohol_withdrawal",
    "hiccups",
    "trigeminal_neuralgia",
    "musculoskeletal_pain",
]
SpasticityOrigin = Literal[
    "multiple_sclerosis", "spinal_cord", "cerebral_palsy", "stroke", "brain_injury", "other"
]
Sex = Literal["female", "male"]
HandoutLanguage = Literal["en", "es"]
CreatinineUnit = Literal["mg/dL", "umol/L"]
Dialysis = Literal["none", "hemodialysis", "peritoneal"]
Hepatic = Literal["none", "mild", "moderate", "severe"]
Intrathecal = Literal["none", "pump_in_situ", "pump_removed_or_failed"]
FormulationCode = Literal[
    "tablet",
    "oral_solution_1_mg_per_ml",
    "oral_solution_2_mg_per_ml",
    "oral_suspension_5_mg_per_ml",
    "oral_granules",
]

INDICATIONS: tuple[str, ...] = Indication.__args__  # type: ignore[attr-defined]
SPASTICITY_ORIGINS: tuple[str, ...] = SpasticityOrigin.__args__  # type: ignore[attr-defined]
FORMULATIONS: tuple[str, ...] = FormulationCode.__args__  # type: ignore[attr-defined]


class CaseInputError(ValueError):
    """Bad input: one clear message naming the field. Nothing is computed or written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, allow_inf_nan=False
    )


class PatientRef(_Frozen):
    id: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=500)


class Creatinine(_Frozen):
    value: float
    unit: CreatinineUnit
    measured_on: date | None = None  # when the sample was taken (stale results are flagged)


class RegimenChoice(_Frozen):
    """The clinician's own, more cautious choice: a lower target or a slower titration."""

    target_daily_mg: float | None = Field(default=None, gt=0)
    step_interval_days: int | None = Field(default=None, ge=1, le=28)


class Override(_Frozen):
    """A clinician's documented decision to go ahead despite an "avoid" stop."""

    reason: str = Field(min_length=1, max_length=100)  # a code of override_reasons.yaml
    clinician: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


class CaseInput(_Frozen):
    patient: PatientRef | None = None
    indication: Indication
    spasticity_origin: SpasticityOrigin | None = None
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
    formulation: FormulationCode | None = None
    start_date: date
    regimen_choice: RegimenChoice | None = None
    override: Override | None = None
    confirmed: tuple[str, ...] = ()  # fields the clinician has checked (lifts plausibility stops)
    # the clinician confirmed there are none (not used for dosing; an empty list alone may
    # mean nobody asked)
    comedications_confirmed_none: bool = Field(default=False, strict=True)
    conditions_confirmed_none: bool = Field(default=False, strict=True)
    current_daily_mg: float | None = None  # already taking baclofen at this dose
    months_on_treatment: float | None = None
    intrathecal: Intrathecal = "none"
    handout_language: HandoutLanguage = "en"  # the patient handout's language (issue 12)
    # where imported values came from (FHIR import, issue 13): kept with the case, never used
    # by a rule. Shape: docs/contract.md "provenance".
    provenance: dict[str, Any] | None = None

    @field_validator("conditions", "comedications", "confirmed", mode="before")
    @classmethod
    def _list_of_strings(cls, value: Any) -> Any:
        if value is None:
            return ()
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ValueError("must be a list of strings")
        if len(value) > MAX_LIST_ITEMS:
            raise ValueError(f"must have at most {MAX_LIST_ITEMS} entries")
        for item in value:
            if isinstance(item, str) and len(item) > MAX_NAME_CHARS:
                raise ValueError(f"each entry must be at most {MAX_NAME_CHARS} characters")
        return value

    @field_validator("comedications")
    @classmethod
    def _drop_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = [" ".join(v.split()) for v in value]
        return tuple(v for v in cleaned if v)

    def to_dict(self) -> dict[str, Any]:
        """The normalised case as JSON-ready data (this is what records store)."""
        return self.model_dump(mode="json", exclude_none=False)


def _field_of(error: Mapping[str, Any]) -> str:
    loc = [str(p) for p in error.get("loc", ())]
    return ".".join(loc) if loc else "case"


def _message_of(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{error.get('input')!r} is not one of {expected}"
    return str(error.get("msg", "is not valid")).removeprefix("Value error, ")


def parse_case(data: Any, kb: KnowledgeBase, *, today: date) -> CaseInput:
    """Validate and normalise a case.

    `today` fills a missing start date (the engine itself never reads the clock), so the
    stored case always says which start date the schedule was computed from.
    Raises `CaseInputError` naming the first bad field.
    """
    if not isinstance(data, Mapping):
        raise CaseInputError("case", "must be a JSON object")
    check_shape(data)
    _refuse_booleans(CaseInput, data, "")
    raw = dict(data)
    if raw.get("start_date") in (None, ""):
        raw["start_date"] = today.isoformat()
    try:
        case = CaseInput.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CaseInputError(_field_of(first), _message_of(first)) from None

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


def _is_numeric(annotation: Any) -> bool:
    from typing import get_args

    if annotation in (int, float):
        return True
    return any(_is_numeric(arg) for arg in get_args(annotation))


def _model_of(annotation: Any) -> type[BaseModel] | None:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _refuse_booleans(model: type[BaseModel], data: Any, prefix: str) -> None:
    """true/false where a number belongs is refused (JSON true is not age 1)."""
    if not isinstance(data, Mapping):
        return
    for name, info in model.model_fields.items():
        if name not in data:
            continue
        value = data[name]
        where = f"{prefix}{name}"
        if isinstance(value, bool) and _is_numeric(info.annotation):
            raise CaseInputError(where, "must be a number, not true or false")
        inner = _model_of(info.annotation)
        if inner is not None:
            _refuse_booleans(inner, value, f"{where}.")


def _check_start_date(start: date) -> None:
    if not EARLIEST_START <= start <= LATEST_START:
        raise CaseInputError(
            "start_date",
            f"{start.isoformat()} is not between {EARLIEST_START.isoformat()} and "
            f"{LATEST_START.isoformat()}",
        )
