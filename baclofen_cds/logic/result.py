"""The engine's output: frozen, plain data.

Every layer above `logic` (window, handout, records, command line) reads these objects
and never computes a dose itself. `Recommendation.to_dict()` gives the public JSON
contract of DESIGN.md (fields may be added, never renamed).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

import msgspec

Status = Literal["recommended", "use_with_caution", "avoid", "contraindicated"]
Indicator = Literal["critical", "warning", "info"]
Category = Literal[
    "interaction",
    "renal",
    "hepatic",
    "condition",
    "pregnancy",
    "age",
    "indication",
    "dose",
    "input",
]
RenalBand = Literal["normal", "mild", "moderate", "severe", "kidney_failure", "dialysis", "unknown"]

#: Severity order for sorting: most severe first.
INDICATOR_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}
STATUS_ORDER: dict[str, int] = {
    "recommended": 0,
    "use_with_caution": 1,
    "avoid": 2,
    "contraindicated": 3,
}


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _num(value: float | None) -> float | int | None:
    """Whole numbers as integers in JSON ("5", not "5.0"): the same bytes every time."""
    if value is None:
        return None
    return int(value) if value == int(value) else value


class RenalEstimate(msgspec.Struct, frozen=True):
    """One kidney-function figure (estimated or reported) and the band it falls in."""

    method: str  # cockcroft_gault | ckd_epi_2021 | schwartz_bedside | measured_crcl | reported_egfr
    label: str  # e.g. "Creatinine clearance (Cockcroft-Gault)"
    value: float
    unit: str  # "mL/min" or "mL/min/1.73 m²"
    band: RenalBand
    equation: str  # the equation with this patient's numbers substituted

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "label": self.label,
            "value": _num(self.value),
            "unit": self.unit,
            "band": self.band,
            "equation": self.equation,
        }


class RenalAssessment(msgspec.Struct, frozen=True):
    creatinine_clearance_ml_min: float | None
    egfr_ml_min_1_73m2: float | None
    band: RenalBand
    driven_by: str | None  # method of the estimate that set the band, or "dialysis"
    weight_used: str | None  # total | ideal | adjusted (Cockcroft-Gault only)
    weight_used_kg: float | None
    estimates: tuple[RenalEstimate, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "creatinine_clearance_ml_min": _num(self.creatinine_clearance_ml_min),
            "egfr_ml_min_1_73m2": _num(self.egfr_ml_min_1_73m2),
            "band": self.band,
            "driven_by": self.driven_by,
            "weight_used": self.weight_used,
            "weight_used_kg": _num(self.weight_used_kg),
            "estimates": [e.to_dict() for e in self.estimates],
        }


class Dose(msgspec.Struct, frozen=True):
    """One dosing level: `dose_mg` taken `times_per_day` times a day."""

    dose_mg: float
    times_per_day: int
    daily_mg: float
    amount: str  # what to measure in the dispensed form, e.g. "1 tablet of 10 mg"
    volume_ml: float | None = None  # liquids only: mL per dose

    def to_dict(self) -> dict[str, Any]:
        return {
            "dose_mg": _num(self.dose_mg),
            "times_per_day": self.times_per_day,
            "daily_mg": _num(self.daily_mg),
            "amount": self.amount,
            "volume_ml": _num(self.volume_ml),
        }


class TitrationStep(msgspec.Struct, frozen=True):
    """Days `from_day`..`to_day` (1-based, inclusive) of the titration.

    The last step has `to_day`/`to_date` of None: it continues until the next review.
    """

    from_day: int
    to_day: int | None
    from_date: date
    to_date: date | None
    dose_mg: float
    times_per_day: int
    daily_mg: float
    amount: str
    volume_ml: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_day": self.from_day,
            "to_day": self.to_day,
            "from_date": _iso(self.from_date),
            "to_date": _iso(self.to_date),
            "dose_mg": _num(self.dose_mg),
            "times_per_day": self.times_per_day,
            "daily_mg": _num(self.daily_mg),
            "amount": self.amount,
            "volume_ml": _num(self.volume_ml),
        }


class Formulation(msgspec.Struct, frozen=True):
    code: str  # contract code, e.g. "tablet", "oral_solution_1_mg_per_ml"
    label: str  # clinician wording, e.g. "baclofen 10 mg tablets"
    patient_label: str  # plain words, e.g. "10 mg tablets"
    unit: str  # "tablet" | "mL" | "packet"
    strength_mg: float | None  # tablet strength dispensed (tablets), None otherwise
    concentration_mg_per_ml: float | None  # liquids only
    storage: str  # storage instructions for the patient

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "patient_label": self.patient_label,
            "unit": self.unit,
            "strength_mg": _num(self.strength_mg),
            "concentration_mg_per_ml": _num(self.concentration_mg_per_ml),
            "storage": self.storage,
        }


class Regimen(msgspec.Struct, frozen=True):
    start: Dose
    target_daily_mg: float  # where the dated titration stops
    max_daily_mg: float  # ceiling for this patient: nothing above it, ever
    step_interval_days: int
    steps: tuple[TitrationStep, ...]
    formulation: Formulation
    derived: bool  # True when any number comes from a DERIVED rule
    course_days: int | None = None  # a dated course: the last step ends on this day

    def to_dict(self) -> dict[str, Any]:
        return {
            "course_days": self.course_days,
            "start": self.start.to_dict(),
            "target_daily_mg": _num(self.target_daily_mg),
            "max_daily_mg": _num(self.max_daily_mg),
            "step_interval_days": self.step_interval_days,
            "steps": [s.to_dict() for s in self.steps],
            "formulation": self.formulation.to_dict(),
            "derived": self.derived,
        }


class OverrideReasonRef(msgspec.Struct, frozen=True):
    code: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label}


class RegimenWithheld(msgspec.Struct, frozen=True):
    """Why no regimen is shown (or, under an override, why it would not be shown)."""

    reason: str  # clinician wording
    alert_ids: tuple[str, ...]  # the alerts that stop it
    override_allowed: bool
    override_reasons: tuple[OverrideReasonRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "alert_ids": list(self.alert_ids),
            "override_allowed": self.override_allowed,
            "override_reasons": [r.to_dict() for r in self.override_reasons],
        }


class OverrideRecord(msgspec.Struct, frozen=True):
    """The case's override, echoed with the label of its reason and whether it was applied."""

    reason: str
    label: str
    clinician: str
    note: str
    applied: bool  # False when there was nothing it could lift (no stop, or a stop it cannot lift)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "label": self.label,
            "clinician": self.clinician,
            "note": self.note,
            "applied": self.applied,
        }


class SafetyNote(msgspec.Struct, frozen=True):
    """Text every prescriber should see (stopping, withdrawal, overdose), with its sources."""

    id: str
    title: str
    text: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "sources": list(self.sources),
        }


class TaperStep(msgspec.Struct, frozen=True):
    from_day: int
    to_day: int
    dose_mg: float
    times_per_day: int
    daily_mg: float
    amount: str
    volume_ml: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_day": self.from_day,
            "to_day": self.to_day,
            "dose_mg": _num(self.dose_mg),
            "times_per_day": self.times_per_day,
            "daily_mg": _num(self.daily_mg),
            "amount": self.amount,
            "volume_ml": _num(self.volume_ml),
        }


class MissedDoseRule(msgspec.Struct, frozen=True):
    rule_id: str
    population: Literal["adult", "child"]
    text: str  # plain-language rule for the patient
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "population": self.population,
            "text": self.text,
            "sources": list(self.sources),
        }


class MonitoringItem(msgspec.Struct, frozen=True):
    id: str
    what: str
    when: str  # plain description, e.g. "before starting", "every 3 months"
    every_months: int | None
    due_date: date | None
    sources: tuple[str, ...]
    local_policy: bool = False  # True when the interval is the clinic's policy, not a label rule

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "what": self.what,
            "when": self.when,
            "every_months": self.every_months,
            "due_date": _iso(self.due_date),
            "sources": list(self.sources),
            "local_policy": self.local_policy,
        }


class AlertMember(msgspec.Struct, frozen=True):
    """One medicine, factor or condition that adds to an alert's hazard."""

    kind: Literal["medicine", "condition", "factor"]
    name: str  # generic name ("oxycodone"), factor ("alcohol") or condition label
    detail: str  # the pairwise fact: effect, management, and the sources named in words
    sources: tuple[str, ...]
    entered_as: tuple[str, ...] = ()  # the co-medication entries it was read from

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "detail": self.detail,
            "sources": list(self.sources),
            "entered_as": list(self.entered_as),
        }


class Alert(msgspec.Struct, frozen=True):
    """A CDS Hooks-style card: one per clinical hazard, listing what adds to it."""

    id: str
    indicator: Indicator
    category: Category
    summary: str  # one sentence, < 140 characters
    detail: str
    action: str
    triggered_by: tuple[str, ...]
    sources: tuple[str, ...]
    evidence: str = ""  # e.g. "labeled", "class effect", "DERIVED", "UNVERIFIED"
    patient_text: str = ""  # plain-language wording for the handout, if any
    members: tuple[AlertMember, ...] = ()  # hazard alerts: every contributor
    tier_basis: str = ""  # what the tier rests on ("product label", "cohort study", ...)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "indicator": self.indicator,
            "category": self.category,
            "summary": self.summary,
            "detail": self.detail,
            "action": self.action,
            "triggered_by": list(self.triggered_by),
            "sources": list(self.sources),
            "evidence": self.evidence,
            "patient_text": self.patient_text,
            "members": [m.to_dict() for m in self.members],
            "tier_basis": self.tier_basis,
        }


class ComedicationMatch(msgspec.Struct, frozen=True):
    """How one co-medication, as typed, was read."""

    text: str  # as typed
    status: Literal["matched", "unrecognized"]
    name: str | None  # the generic name it was matched to
    classes: tuple[str, ...]  # interaction class ids
    suggestion: str | None  # "did you mean" for near misses (never matched silently)
    #: each active ingredient (a combination product has several) with its RxNorm code, if known
    ingredients: tuple[tuple[str, str | None], ...] = ()
    #: parts of a matched entry that name nothing known ("oxycodone/acetaminophn"): not checked
    unchecked_parts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "status": self.status,
            "name": self.name,
            "classes": list(self.classes),
            "suggestion": self.suggestion,
            "ingredients": [{"name": n, "rxcui": code} for n, code in self.ingredients],
            "unchecked_parts": list(self.unchecked_parts),
        }


class BasisEntry(msgspec.Struct, frozen=True):
    """Why one output has the value it has (FDA CDS criterion 4)."""

    output: str  # e.g. "regimen.max_daily_mg"
    rule: str  # knowledge-base rule id
    inputs: tuple[tuple[str, Any], ...]  # the inputs it used, in order
    sources: tuple[str, ...]
    equation: str | None = None
    note: str = ""
    derived: bool = False
    unverified: bool = False
    local_policy: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "rule": self.rule,
            "inputs": dict(self.inputs),
            "equation": self.equation,
            "sources": list(self.sources),
            "note": self.note,
            "derived": self.derived,
            "unverified": self.unverified,
            "local_policy": self.local_policy,
        }


class SourceRef(msgspec.Struct, frozen=True):
    id: str
    title: str
    url: str
    grade: str

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "url": self.url, "grade": self.grade}


class KnowledgeBaseStamp(msgspec.Struct, frozen=True):
    version: str
    sha256: str
    reviewed: str  # date of the last review of the knowledge base as a whole

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "sha256": self.sha256, "reviewed": self.reviewed}


class Recommendation(msgspec.Struct, frozen=True):
    status: Status
    status_reason: str
    case: dict[str, Any]  # the normalised case the result was computed from
    renal: RenalAssessment
    regimen: Regimen | None
    taper: tuple[TaperStep, ...]
    missed_dose: MissedDoseRule
    monitoring: tuple[MonitoringItem, ...]
    alerts: tuple[Alert, ...]
    comedications: tuple[ComedicationMatch, ...]
    basis: tuple[BasisEntry, ...]
    knowledge_base: KnowledgeBaseStamp
    sources: tuple[SourceRef, ...]
    policy: dict[str, Any] = msgspec.field(default_factory=dict)
    regimen_withheld: RegimenWithheld | None = None
    override: OverrideRecord | None = None
    safety_notes: tuple[SafetyNote, ...] = ()

    @property
    def unrecognized_comedications(self) -> tuple[str, ...]:
        return tuple(m.text for m in self.comedications if m.status == "unrecognized")

    @property
    def critical_alerts(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.indicator == "critical")

    def source(self, source_id: str) -> SourceRef:
        for ref in self.sources:
            if ref.id == source_id:
                return ref
        raise KeyError(source_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "status_reason": self.status_reason,
            "renal": self.renal.to_dict(),
            "regimen": None if self.regimen is None else self.regimen.to_dict(),
            "regimen_withheld": (
                None if self.regimen_withheld is None else self.regimen_withheld.to_dict()
            ),
            "override": None if self.override is None else self.override.to_dict(),
            "taper": [t.to_dict() for t in self.taper],
            "missed_dose": self.missed_dose.to_dict(),
            "monitoring": [m.to_dict() for m in self.monitoring],
            "alerts": [a.to_dict() for a in self.alerts],
            "unrecognized_comedications": list(self.unrecognized_comedications),
            "comedications": [m.to_dict() for m in self.comedications],
            "basis": [b.to_dict() for b in self.basis],
            "knowledge_base": self.knowledge_base.to_dict(),
            "sources": {s.id: s.to_dict() for s in self.sources},
            "safety_notes": [n.to_dict() for n in self.safety_notes],
            "policy": self.policy,
            "case": self.case,
        }

    def to_json(self) -> str:
        """Canonical JSON: the same recommendation always gives the same bytes."""
        return indented_json(self.to_dict()) + "\n"


#: Where msgspec may write a number otherwise than Python: an exponent ("1e-5", "1e16" where
#: Python writes "1e-05", "1e+16") or a float below 1e-4 written out ("0.00001"). Any other
#: finite float, every integer and every text are written alike.
#: Matched on number tokens only (after a key's ": " or at the start of an indented line), so
#: text such as the knowledge base's hex hash ("...6e1...") never sends it the slow way.
_MAY_DIFFER = re.compile(rb"(?m)(?:: |^ *)-?(?:[0-9]+(?:\.[0-9]+)?[eE]|0\.0000[0-9])")
#: The types `json.dumps` writes as such (exactly these: a subclass, an enum member say, may
#: be written otherwise, so it goes to the standard library).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(data: Any) -> bool:
    """True when `data` holds only dicts with text keys, lists, tuples and JSON scalars."""
    kind = type(data)
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in data.items())
    if kind is list or kind is tuple:
        return all(_plain(v) for v in data)
    return kind in _SCALARS


def indented_json(data: Any) -> str:
    """Exactly `json.dumps(data, ensure_ascii=False, indent=2)`, about 25 times faster.

    With `indent`, the standard library falls back to its pure-Python encoder. msgspec's
    encoder and formatter write the same bytes for every text, integer, dict, list and finite
    float, except floats it spells with another exponent or written out (below 1e-4, from
    1e16): when its output may hold one, or the data holds anything but plain JSON types (a
    key that is not text, a date, an enum, a subclass), or msgspec refuses it (an integer
    beyond 64 bits), the standard library writes it. (A NaN or infinity, which no
    recommendation holds since the case refuses them, goes the same way.) Records store this
    text and `reproduce` compares it, so the bytes never change
    (tests/logic/test_json_output.py). msgspec rather than orjson: orjson imports dataclasses
    and inspect at start (~6 ms of every command)."""
    try:
        if not _plain(data):
            return _stdlib_json(data)
        out = msgspec.json.format(msgspec.json.encode(data), indent=2)
    except (TypeError, ValueError, OverflowError, RecursionError, msgspec.EncodeError):
        return _stdlib_json(data)
    if _MAY_DIFFER.search(out):
        return _stdlib_json(data)
    return out.decode("utf-8")


def _stdlib_json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2)
