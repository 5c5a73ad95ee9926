"""The knowledge base: clinical facts as data, validated at load.

Every file under `resources/knowledge/` is parsed with a schema; a missing field, an
unknown source id, a duplicate id or a bad number stops the engine with one message
naming the file and the entry (`KnowledgeBaseError`). The knowledge base carries a
version and a sha256 of its content, both stamped on every recommendation.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from baclofen_cds.logic.resource_files import resource_path
from baclofen_cds.logic.result import Category, RenalBand

# libyaml is an order of magnitude faster; fall back to the pure-Python loader without it
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Largest knowledge file read, in bytes (the biggest real one is under 100 kB).
MAX_FILE_BYTES = 2_000_000
#: Most YAML nodes in one file (the biggest real one has a few thousand).
MAX_NODES = 200_000


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, stricter: a duplicate key, an anchor/alias (the "billion laughs")
    or a merge key is refused, and a file has at most MAX_NODES nodes."""

    def construct_document(self, node: Any) -> Any:
        _check_graph(node)
        return super().construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                duplicate = False
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key) if _hashable(key) else None
        return super().construct_mapping(node, deep=deep)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _check_graph(root: Any) -> None:
    """Refuse aliases (a node reached twice) and oversize documents, without expanding."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (&, *) are not allowed", node.start_mark
            )
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise yaml.constructor.ConstructorError(
                None, None, f"more than {MAX_NODES:,} values", node.start_mark
            )
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


GRADE_PATTERN = r"^[ABCDU]( |/|$)"
ConditionTier = Literal["CI", "HIGH", "CAUTION", "INFO"]
InteractionTier = Literal["MAJOR", "MODERATE", "MINOR"]
IndicatorName = Literal["critical", "warning", "info"]
StatusName = Literal["recommended", "use_with_caution", "avoid", "contraindicated"]
Population = Literal["child", "adolescent", "adult", "older_adult"]
BandName = RenalBand
CategoryName = Category

#: Files the engine reads. Every *.yaml in the folder counts towards the hash.
KB_FILES: tuple[str, ...] = (
    "kb.yaml",
    "sources.yaml",
    "renal.yaml",
    "formulations.yaml",
    "dosing.yaml",
    "alerts.yaml",
    "conditions.yaml",
    "interactions.yaml",
    "monitoring.yaml",
    "taper.yaml",
    "policy.yaml",
    "override_reasons.yaml",
)


_M = TypeVar("_M", bound=BaseModel)
_T = TypeVar("_T")


class KnowledgeBaseError(RuntimeError):
    """The knowledge base is broken: no recommendation can be made from it."""


class _Strict(BaseModel):
    # No NaN or infinity anywhere (YAML .inf/.nan are refused, naming the entry).
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Rule(_Strict):
    """Fields every rule carries: its id, its sources, and how sure we are of it."""

    id: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
    derived: bool = False
    unverified: bool = False
    reviewed: date
    note: str = ""


# ------------------------------------------------------------------ kb.yaml
class Range(_Strict):
    min: float = Field(ge=0)
    max: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.min < self.max:
            raise ValueError("min must be below max")
        return self


class InputLimits(_Strict):
    age_years: Range
    weight_kg: Range
    height_cm: Range
    creatinine_mg_dl: Range
    clearance: Range
    current_daily_mg: Range
    months_on_treatment: Range


class PopulationBand(_Strict):
    id: Population
    label: str
    min_age_years: float = Field(ge=0)
    below_age_years: float | None = Field(default=None, gt=0)


class HardCeiling(Rule):
    max_daily_mg: float = Field(gt=0)


class LabelMaximum(Rule):
    """The highest daily oral dose any product label allows: no ceiling or dose rule of the
    knowledge base may go above it (checked at load)."""

    max_daily_mg: float = Field(gt=0)


class IndicationInfo(_Strict):
    label: str
    patient_label: str


class TierMaps(_Strict):
    condition_indicator: dict[ConditionTier, IndicatorName]
    condition_status: dict[ConditionTier, StatusName]
    interaction_indicator: dict[InteractionTier, IndicatorName]
    interaction_status: dict[InteractionTier, StatusName]
    renal_status: dict[BandName, StatusName]


class KbMeta(_Strict):
    version: str = Field(min_length=1)
    reviewed: date
    approved_by: str = Field(min_length=1)
    label_maximum: LabelMaximum
    hard_ceiling: HardCeiling
    input_limits: InputLimits
    populations: tuple[PopulationBand, ...] = Field(min_length=1)
    tiers: TierMaps
    indications: dict[str, IndicationInfo]
    spasticity_origins: dict[str, str]
    adult_age_years: float = Field(gt=0)


# ------------------------------------------------------------------ sources.yaml
class Source(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    url: str = Field(min_length=1)
    grade: str = Field(pattern=GRADE_PATTERN)
    #: how the source is named in text a clinician reads ("UK SmPC"); required for every source
    #: an interaction cites (its facts are folded into an alert's detail with their sources)
    short: str = ""

    @property
    def unverified_only(self) -> bool:
        """Grade U: an unverified web article, not evidence."""
        return self.grade.startswith("U")


class SourcesFile(_Strict):
    sources: tuple[Source, ...] = Field(min_length=1)


# ------------------------------------------------------------------ renal.yaml
class BandCut(_Strict):
    id: BandName
    label: str
    min_value: float = Field(ge=0)


class CockcroftGault(Rule):
    age_constant: float
    divisor: float
    female_factor: float
    min_age_years: float


class WeightPolicy(Rule):
    ibw_base_kg_male: float
    ibw_base_kg_female: float
    ibw_kg_per_inch: float
    ibw_base_height_in: float
    cm_per_inch: float
    adjusted_if_total_above_ibw_ratio: float
    adjusted_fraction_of_excess: float


class CkdEpi2021(Rule):
    multiplier: float
    kappa_female: float
    kappa_male: float
    alpha_female: float
    alpha_male: float
    exponent_above_kappa: float
    age_base: float
    female_factor: float
    min_age_years: float


class SchwartzBedside(Rule):
    k: float
    below_age_years: float


class RenalFile(_Strict):
    creatinine_umol_per_mg_dl: float = Field(gt=0)
    display_decimals: int = Field(ge=0, le=3)
    bands: tuple[BandCut, ...] = Field(min_length=2)
    band_rule: Rule
    cockcroft_gault: CockcroftGault
    weight_policy: WeightPolicy
    ckd_epi_2021: CkdEpi2021
    schwartz_bedside: SchwartzBedside
    measured_overrides: Rule
    dialysis: Rule

    @model_validator(mode="after")
    def _descending(self) -> RenalFile:
        values = [b.min_value for b in self.bands]
        if values != sorted(values, reverse=True) or len(set(values)) != len(values):
            raise ValueError("bands must be listed from the highest cut-off down, no repeats")
        if values[-1] != 0:
            raise ValueError("the last band must start at 0")
        return self


# ------------------------------------------------------------------ formulations.yaml
class FormulationInfo(_Strict):
    code: str
    kind: Literal["tablet", "liquid", "granules"]
    label: str
    patient_label: str
    strengths_mg: tuple[Annotated[float, Field(gt=0)], ...] = ()
    scored_strengths_mg: tuple[Annotated[float, Field(gt=0)], ...] = ()
    concentration_mg_per_ml: float | None = Field(default=None, gt=0)
    dose_step_mg: float = Field(gt=0)
    whole_tablets_up_to: int = Field(default=0, ge=0)
    storage: str
    min_weight_kg: float | None = Field(default=None, ge=0)
    # liquids: below `small_dose_below_ml` a dose is measured in `small_dose_step_ml` steps
    # (oral syringe), finer than `dose_step_mg`
    small_dose_below_ml: float | None = Field(default=None, gt=0)
    small_dose_step_ml: float | None = Field(default=None, gt=0)
    alert: str | None = None  # raised whenever this form is chosen
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> FormulationInfo:
        if self.kind == "liquid" and not self.concentration_mg_per_ml:
            raise ValueError("a liquid needs concentration_mg_per_ml")
        if self.kind != "liquid" and not self.strengths_mg:
            raise ValueError("tablets and granules need strengths_mg")
        if not set(self.scored_strengths_mg) <= set(self.strengths_mg):
            raise ValueError("scored_strengths_mg must be among strengths_mg")
        return self


class FormulationsFile(_Strict):
    formulations: tuple[FormulationInfo, ...] = Field(min_length=1)


# ------------------------------------------------------------------ dosing.yaml
class Rung(_Strict):
    """One dose level; written `[mg per dose, times a day]` in the YAML."""

    dose_mg: float = Field(gt=0)
    times_per_day: int = Field(ge=1, le=6)

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError("a dose level is [mg per dose, times a day]")
            return {"dose_mg": value[0], "times_per_day": value[1]}
        return value


class AgeCap(_Strict):
    below_age_years: float = Field(gt=0)
    max_daily_mg: float = Field(gt=0)


class WeightBased(_Strict):
    start_mg_per_kg_day: float = Field(gt=0)
    # the more conservative rule wins: never start above these either
    start_max_daily_mg: float | None = Field(default=None, gt=0)
    start_max_mg_per_dose: float | None = Field(default=None, gt=0)
    step_mg_per_kg_day: float = Field(gt=0)
    step_max_daily_mg: float | None = Field(default=None, gt=0)
    target_mg_per_kg_day: float = Field(gt=0)
    max_mg_per_kg_day: float = Field(gt=0)
    times_per_day: int = Field(ge=1, le=6)
    age_caps: tuple[AgeCap, ...] = ()


class Applies(_Strict):
    indications: tuple[str, ...] | None = None
    populations: tuple[Population, ...] | None = None
    renal_bands: tuple[BandName, ...] | None = None
    spasticity_origins: tuple[str, ...] | None = None
    conditions: tuple[str, ...] | None = None  # any of them
    intrathecal: tuple[str, ...] | None = None
    hazards: tuple[str, ...] | None = None  # any of these raised at the critical tier


class DoseRule(Rule):
    kind: Literal["indication", "age", "origin", "renal", "condition", "intrathecal", "interaction"]
    applies: Applies
    label: str
    ladder: tuple[Rung, ...] | None = None
    weight_based: WeightBased | None = None
    step_interval_days: int | None = Field(default=None, ge=1, le=28)
    target_daily_mg: float | None = Field(default=None, gt=0)
    max_daily_mg: float | None = Field(default=None, gt=0)
    titrate: bool = True
    no_regimen: bool = False
    course_days: int | None = Field(default=None, ge=1, le=90)  # a dated course with an end
    status: StatusName
    alert: str | None = None
    rationale: str = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> DoseRule:
        if self.ladder is not None and self.weight_based is not None:
            raise ValueError("a rule has a ladder or a weight-based schedule, not both")
        if self.ladder is not None:
            dailies = [r.dose_mg * r.times_per_day for r in self.ladder]
            if dailies != sorted(dailies) or len(set(dailies)) != len(dailies):
                raise ValueError("ladder rungs must rise in daily dose")
            if self.max_daily_mg is not None and dailies[0] > self.max_daily_mg:
                raise ValueError("the first rung is above max_daily_mg")
        if self.kind == "indication" and not self.no_regimen:
            if self.ladder is None and self.weight_based is None:
                raise ValueError("an indication rule needs a ladder or weight_based")
            if self.step_interval_days is None or self.max_daily_mg is None:
                raise ValueError("an indication rule needs step_interval_days and max_daily_mg")
        return self


class BeersRule(Rule):
    min_age_years: float = Field(gt=0)
    egfr_below: float = Field(gt=0)
    on_dialysis: bool = True  # dialysis counts as eGFR below the cut-off
    status: StatusName = "avoid"
    alert: str


class WeightForAge(_Strict):
    below_age_years: float = Field(gt=0)
    min_kg: float = Field(gt=0)
    max_kg: float = Field(gt=0)


class PlausibilityRule(Rule):
    """A value possible but implausible for the age: a critical "check this value" stop.

    `check` says what is compared: the weight for adults (`adult_weight`), the weight for a
    child's age (`child_weight_for_age`, from `bands`), or the computed clearance
    (`computed_clearance`). The stop lifts when every field in `fields` is in `confirmed`.
    """

    check: Literal["adult_weight", "child_weight_for_age", "computed_clearance"]
    fields: tuple[str, ...] = Field(min_length=1)
    min_value: float | None = None
    max_value: float | None = None
    bands: tuple[WeightForAge, ...] = ()
    alert: str


class HardStop(Rule):
    """Which statuses withhold the regimen, and which of them a documented override lifts."""

    withheld_statuses: tuple[StatusName, ...] = Field(min_length=1)
    overridable_statuses: tuple[StatusName, ...]
    avoid_text: str = Field(min_length=1)
    contraindicated_text: str = Field(min_length=1)
    not_overridable_text: str = Field(min_length=1)
    plausibility_text: str = Field(min_length=1)
    override_note: str = Field(min_length=1)


class OriginAlert(_Strict):
    origins: tuple[str, ...] = Field(min_length=1)
    alert: str


class DosingFile(_Strict):
    rules: tuple[DoseRule, ...] = Field(min_length=1)
    no_rule_alert: str
    beers: BeersRule
    origin_alerts: tuple[OriginAlert, ...] = ()
    start_not_dispensable_alert: str
    hard_stop: HardStop
    plausibility: tuple[PlausibilityRule, ...] = ()


# ------------------------------------------------------------------ alerts.yaml
class AlertTemplate(Rule):
    indicator: IndicatorName
    category: CategoryName
    summary: str = Field(min_length=1, max_length=139)
    detail: str = Field(min_length=1)
    action: str = Field(min_length=1)
    patient_text: str = ""
    evidence: str = ""
    tier_basis: str = ""  # what the tier rests on, when `evidence` does not say it


class AlertsFile(_Strict):
    alerts: tuple[AlertTemplate, ...] = Field(min_length=1)


# ------------------------------------------------------------------ conditions.yaml
class ConditionInfo(Rule):
    label: str
    group: str
    tier: ConditionTier
    category: CategoryName = "condition"
    summary: str = Field(min_length=1, max_length=139)
    detail: str = Field(min_length=1)
    action: str = Field(min_length=1)
    patient_text: str = ""
    evidence: str = ""


class ConditionsFile(_Strict):
    groups: tuple[str, ...] = Field(min_length=1)
    conditions: tuple[ConditionInfo, ...] = Field(min_length=1)


# ------------------------------------------------------------------ interactions.yaml
class Member(_Strict):
    name: str = Field(min_length=2)
    brands: tuple[str, ...] = ()
    rxcui: str | None = Field(default=None, pattern=r"^[0-9]+$")  # RxNorm ingredient code

    @model_validator(mode="before")
    @classmethod
    def _from_value(cls, value: Any) -> Any:
        """`generic: {brands: [...], rxcui: "..."}` or `generic: [brands]` in the YAML."""
        if isinstance(value, tuple) and len(value) == 2:
            name, body = value
            if isinstance(body, dict):
                return {"name": name, **body}
            return {"name": name, "brands": body or []}
        return value


def _members_from_mapping(value: Any) -> Any:
    if isinstance(value, dict):
        return [(k, v) for k, v in value.items()]
    return value


class Escalation(_Strict):
    tier: InteractionTier
    renal_bands: tuple[BandName, ...] = ()
    conditions: tuple[str, ...] = ()
    reason: str


class InteractionClass(Rule):
    label: str
    tier: InteractionTier
    #: what the tier rests on, in words a clinician reads ("product label", "class inference")
    tier_basis: str = Field(min_length=3)
    #: the clinical hazard (one alert card per hazard) this class contributes to
    hazard: str = Field(min_length=1)
    cns_depressant: bool
    mechanism: Literal["PD_CNS", "PD_BP", "PD_tone", "PK_renal", "PD_glucose", "PD_other"]
    labeled: Literal["labeled", "class", "not labeled"]
    members: tuple[Member, ...] = Field(min_length=1)
    summary: str = Field(min_length=1, max_length=139)
    member_kind: Literal["medicine", "factor"] = "medicine"
    #: the class is present for this patient when the indication is one of these (alcohol for
    #: alcohol use disorder), with its own wording
    raised_by_indications: tuple[str, ...] = ()
    indication_detail: str = ""
    indication_action: str = ""
    indication_patient_text: str = ""
    indication_sources: tuple[str, ...] = ()

    @field_validator("members", mode="before")
    @classmethod
    def _from_mapping(cls, value: Any) -> Any:
        """`generic: [brands]` in the YAML becomes one Member each."""
        return _members_from_mapping(value)

    detail: str = Field(min_length=1)
    action: str = Field(min_length=1)
    patient_text: str = ""
    escalations: tuple[Escalation, ...] = ()

    @model_validator(mode="after")
    def _indication_wording(self) -> InteractionClass:
        if self.raised_by_indications and not (
            self.indication_detail and self.indication_action and self.indication_patient_text
        ):
            raise ValueError(
                "raised_by_indications needs indication_detail, indication_action and "
                "indication_patient_text"
            )
        return self


class Hazard(Rule):
    """One clinical hazard: every class and condition that adds to it makes one alert card."""

    label: str = Field(min_length=3)
    category: CategoryName = "interaction"
    summary: str = Field(min_length=1, max_length=100)  # "{members}" is filled in
    detail: str = Field(min_length=1)
    action: str = Field(min_length=1)
    patient_text: str = ""
    #: condition alerts folded into this hazard's card when it is raised
    conditions: tuple[str, ...] = ()


class SedationRule(Rule):
    hazard: str
    min_depressants: int = Field(ge=2)
    min_depressants_with_risk: int = Field(ge=1)
    risk_conditions: tuple[str, ...]
    critical_if_at_least: int = Field(ge=2)
    critical_with_risk: bool
    tier_basis: str = Field(min_length=3)
    detail: str = Field(min_length=1)


class Combination(_Strict):
    """A product with more than one active ingredient: each ingredient is checked."""

    name: str = Field(min_length=2)
    brands: tuple[str, ...] = ()
    ingredients: tuple[str, ...] = Field(min_length=2)


class NoInteraction(Rule):
    """Medicines checked against the sources with no interaction with baclofen listed."""

    members: tuple[Member, ...] = Field(min_length=1)

    @field_validator("members", mode="before")
    @classmethod
    def _from_mapping(cls, value: Any) -> Any:
        return _members_from_mapping(value)


class MatchingVocabulary(_Strict):
    drop_words: tuple[str, ...]
    units: tuple[str, ...] = ()
    separators: tuple[str, ...]
    suggestion_cutoff: float = Field(gt=0, lt=1)


class InteractionsFile(_Strict):
    matching: MatchingVocabulary
    unrecognized_alert: str
    cumulative_sedation: SedationRule
    hazards: tuple[Hazard, ...] = Field(min_length=1)
    classes: tuple[InteractionClass, ...] = Field(min_length=1)
    combinations: tuple[Combination, ...] = ()
    no_interaction: NoInteraction


# ------------------------------------------------------------------ monitoring.yaml
class MonitoringTrigger(_Strict):
    always: bool = False
    conditions: tuple[str, ...] = ()
    indications: tuple[str, ...] = ()
    hepatic_impairment: bool = False
    renal_impaired: bool = False
    renal_bands: tuple[BandName, ...] = ()
    min_age_years: float | None = None
    below_age_years: float | None = None
    except_indications: tuple[str, ...] = ()  # never for these, whatever else matches


class MonitoringRule(Rule):
    what: str
    when: str
    schedule: Literal[
        "at_start",
        "routine_policy",
        "after_each_step",
        "after_target",
        "from_first_dose",
        "end_of_each_step",
        "course_end",
    ]
    offset_days: int = Field(default=0, ge=0)
    needs_regimen: bool = False  # only when a regimen is shown (a dose is being taken)
    triggers: MonitoringTrigger


class MonitoringFile(_Strict):
    items: tuple[MonitoringRule, ...] = Field(min_length=1)


# ------------------------------------------------------------------ taper.yaml
class TaperRule(Rule):
    step_interval_days: int = Field(ge=1)
    min_total_days: int = Field(ge=1)
    step_down_mg_per_dose: float = Field(gt=0)
    step_down_fraction: float = Field(gt=0, lt=1)  # of the starting daily dose, per step
    times_per_day: int = Field(ge=1, le=6)  # assumed for a current dose given as mg a day
    rationale: str


class SlowTaperRule(Rule):
    """Slower after long-term or high-dose use: the interval is multiplied."""

    min_months: float = Field(gt=0)
    above_daily_mg: float = Field(gt=0)
    interval_factor: int = Field(ge=2)
    min_total_days: int = Field(ge=1)
    rationale: str


class SafetyNoteRule(Rule):
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)


class MissedDose(Rule):
    population: Literal["adult", "child"]
    text: str = Field(min_length=1)


class TaperFile(_Strict):
    taper: TaperRule
    slow_taper: SlowTaperRule
    missed_dose: tuple[MissedDose, ...] = Field(min_length=2)
    safety_notes: tuple[SafetyNoteRule, ...] = Field(min_length=1)


# ------------------------------------------------------------------ override_reasons.yaml
class OverrideReason(_Strict):
    code: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)


class OverrideReasonsFile(_Strict):
    reasons: tuple[OverrideReason, ...] = Field(min_length=1)


# ------------------------------------------------------------------ policy.yaml
class PolicyDefaults(Rule):
    routine_interval_months_higher_risk: int = Field(ge=1, le=24)
    routine_interval_months_standard: int = Field(ge=1, le=24)
    higher_risk_if: MonitoringTrigger
    creatinine_max_age_days: int = Field(ge=1, le=3650)
    default_formulation: str
    clinic_name: str = ""
    clinic_phone: str = ""


class PolicyFile(_Strict):
    policy: PolicyDefaults


# ------------------------------------------------------------------ the loaded KB
@dataclass(frozen=True, slots=True)
class DrugName:
    """One name a clinician may type, and what it stands for.

    A single medicine has one ingredient (`generic`); a combination product lists each
    ingredient with its own classes, and `generic` joins their names ("codeine + paracetamol").
    """

    generic: str
    classes: tuple[str, ...]
    ingredients: tuple[Ingredient, ...] = ()


@dataclass(frozen=True, slots=True)
class Ingredient:
    name: str
    classes: tuple[str, ...]
    rxcui: str | None = None


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """Validated, cross-checked knowledge. Build it with `load_knowledge_base`."""

    meta: KbMeta
    sources_by_id: Mapping[str, Source]
    renal: RenalFile
    formulations: Mapping[str, FormulationInfo]
    dosing: DosingFile
    alerts: Mapping[str, AlertTemplate]
    conditions_by_id: Mapping[str, ConditionInfo]
    condition_groups: tuple[str, ...]
    interactions: InteractionsFile
    classes_by_id: Mapping[str, InteractionClass]
    hazards_by_id: Mapping[str, Hazard]
    names: Mapping[str, DrugName]  # normalised name -> drug
    monitoring: MonitoringFile
    taper: TaperFile
    policy_defaults: PolicyDefaults
    override_reasons: Mapping[str, OverrideReason]
    sha256: str
    directory: Path | None
    _documents: Mapping[str, Any]  # every file as parsed (the content the hash covers)

    # --- convenience used across the layers
    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def reviewed(self) -> str:
        return self.meta.reviewed.isoformat()

    @property
    def input_limits(self) -> _Limits:
        lim = self.meta.input_limits
        return _Limits(
            age_years=(lim.age_years.min, lim.age_years.max),
            weight_kg=(lim.weight_kg.min, lim.weight_kg.max),
            height_cm=(lim.height_cm.min, lim.height_cm.max),
            creatinine_mg_dl=(lim.creatinine_mg_dl.min, lim.creatinine_mg_dl.max),
            clearance=(lim.clearance.min, lim.clearance.max),
            current_daily_mg=(lim.current_daily_mg.min, lim.current_daily_mg.max),
            months_on_treatment=(lim.months_on_treatment.min, lim.months_on_treatment.max),
        )

    @property
    def hard_ceiling_mg_per_day(self) -> float:
        return self.meta.hard_ceiling.max_daily_mg

    @property
    def condition_ids(self) -> frozenset[str]:
        return frozenset(self.conditions_by_id)

    @property
    def conditions(self) -> tuple[ConditionInfo, ...]:
        return tuple(self.conditions_by_id.values())

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(self.sources_by_id.values())

    @property
    def indications(self) -> Mapping[str, IndicationInfo]:
        return self.meta.indications

    @property
    def spasticity_origins(self) -> Mapping[str, str]:
        return self.meta.spasticity_origins

    def comedication_names(self) -> list[str]:
        """Every generic and brand name known, as a clinician would type it."""
        out: set[str] = set()
        for cls in self.interactions.classes:
            for member in cls.members:
                out.add(member.name)
                out.update(member.brands)
        for combo in self.interactions.combinations:
            out.add(combo.name)
            out.update(combo.brands)
        for member in self.interactions.no_interaction.members:
            out.add(member.name)
            out.update(member.brands)
        return sorted(out, key=str.casefold)

    def extra_document(self, name: str) -> Any:
        """Parse another YAML file of the knowledge folder (it is part of the hash)."""
        key = f"{name}.yaml"
        if key not in self._documents:
            raise KnowledgeBaseError(f"{key}: no such file in the knowledge base")
        return copy.deepcopy(self._documents[key])


@dataclass(frozen=True, slots=True)
class _Limits:
    age_years: tuple[float, float]
    weight_kg: tuple[float, float]
    height_cm: tuple[float, float]
    creatinine_mg_dl: tuple[float, float]
    clearance: tuple[float, float]
    current_daily_mg: tuple[float, float]
    months_on_treatment: tuple[float, float]


# ------------------------------------------------------------------ loading
#: The YAML files pre-parsed to JSON (`baclofen-cds knowledge bundle`): used only when its
#: recorded sha256 equals the hash of the YAML files beside it, so it can never disagree with
#: them; a stale or missing bundle just means the YAML is parsed (slower, same result).
BUNDLE_NAME = "knowledge.bundle.json"


def _read_documents(directory: Path | None) -> tuple[dict[str, bytes], bytes | None]:
    docs: dict[str, bytes] = {}
    bundle: bytes | None = None
    if directory is None:
        entries: Iterable[Any] = resource_path("knowledge").iterdir()
    else:
        if not directory.is_dir():
            raise KnowledgeBaseError(f"{directory}: not a folder")
        entries = directory.iterdir()
    for entry in entries:
        if entry.name.endswith(".yaml"):
            docs[entry.name] = _read_bounded(entry, MAX_FILE_BYTES)
        elif entry.name == BUNDLE_NAME:
            bundle = _read_bounded(entry, 4 * MAX_FILE_BYTES)
    return docs, bundle


def _read_bounded(entry: Any, limit: int) -> bytes:
    with entry.open("rb") as handle:
        data = bytes(handle.read(limit + 1))
    if len(data) > limit:
        raise KnowledgeBaseError(f"{entry.name}: larger than {limit:,} bytes")
    return data


def _bundled(bundle: bytes | None, source_sha256: str) -> dict[str, Any]:
    """The pre-parsed documents, if the bundle was built from exactly these YAML files and
    its content is the content it records (an edited bundle is refused: the YAML is used)."""
    if bundle is None:
        return {}
    try:
        data = json.loads(bundle)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("source_sha256") != source_sha256:
        return {}
    docs = data.get("documents")
    if not isinstance(docs, dict) or canonical_hash(docs) != data.get("sha256"):
        return {}
    return docs


def parse_documents(documents: Mapping[str, bytes]) -> dict[str, Any]:
    """Every YAML file parsed (strict loader); KnowledgeBaseError naming a broken file."""
    parsed: dict[str, Any] = {}
    for name in sorted(documents):
        try:
            parsed[name] = yaml.load(documents[name], Loader=_Loader)  # noqa: S506 - safe loader
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(f"{name}: not valid YAML: {exc}") from None
        except RecursionError:
            raise KnowledgeBaseError(f"{name}: nested too deeply") from None
    return parsed


def build_bundle(directory: Path) -> Path:
    """Write the JSON bundle of the YAML files in `directory` (after validating them)."""
    load_knowledge_base(directory, use_bundle=False)
    docs, _ = _read_documents(directory)
    parsed = json.loads(_canonical(parse_documents(docs)))
    out = {
        "sha256": canonical_hash(parsed),
        "source_sha256": content_hash(docs),
        "documents": parsed,
    }
    path = directory / BUNDLE_NAME
    path.write_text(
        json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    return path


def bundle_problem(directory: Path | None = None) -> tuple[bool, str] | None:
    """What is wrong with the bundle beside the YAML files: None when it is current and says
    exactly what the YAML says; else (refused, message). refused=True: the bundle claims to
    be current but its content is not what the YAML says (edited); False: absent or stale
    (the loader simply parses the YAML). Parses every file: for `knowledge check` and tests.
    """
    documents, bundle = _read_documents(directory)
    rebuild = "run `baclofen-cds knowledge bundle`"
    if bundle is None:
        return False, f"there is no bundle, so the YAML files are parsed ({rebuild})"
    try:
        data = json.loads(bundle)
    except (ValueError, RecursionError):
        return True, f"the bundle is not valid JSON; it is not used ({rebuild})"
    if not isinstance(data, dict) or data.get("source_sha256") != content_hash(documents):
        return False, f"the bundle is stale, so the YAML files are parsed ({rebuild})"
    parsed = json.loads(_canonical(parse_documents(documents)))
    if data.get("documents") != parsed or data.get("sha256") != canonical_hash(parsed):
        return True, f"the bundle disagrees with the YAML files; it is not used ({rebuild})"
    return None


def content_hash(documents: Mapping[str, bytes]) -> str:
    """sha256 of the YAML files as bytes (only to tell whether a bundle is current)."""
    digest = hashlib.sha256()
    for name in sorted(documents):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(documents[name])
        digest.update(b"\0")
    return digest.hexdigest()


def _canonical(parsed: Mapping[str, Any]) -> str:
    return json.dumps(
        parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def canonical_hash(parsed: Mapping[str, Any]) -> str:
    """sha256 of the knowledge as loaded (canonical JSON of every parsed document): the hash
    stamped on every result, whichever way (YAML or bundle) the content was read."""
    return hashlib.sha256(_canonical(parsed).encode("utf-8")).hexdigest()


def _entry_name(data: Any, loc: tuple[Any, ...]) -> str:
    """Walk the error location and name the entry by its id where it has one."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
            ident = (
                node.get("id") or node.get("code") or node.get("name")
                if isinstance(node, dict)
                else None
            )
            parts.append(f"[{step}]" + (f" (id {ident!r})" if ident else ""))
            continue
        parts.append(("." if parts else "") + str(step))
        node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _parse(
    model: type[_M], name: str, documents: Mapping[str, bytes], parsed: Mapping[str, Any]
) -> _M:
    if name not in documents:
        raise KnowledgeBaseError(f"{name}: file is missing from the knowledge base")
    data = parsed[name]
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"{name}: must be a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        where = f"{_entry_name(data, loc)}: " if loc else ""
        raise KnowledgeBaseError(f"{name}: {where}{msg}") from None


_NUMBERED = re.compile(r"\bno\.?\s*(?=\d)|#\s*(?=\d)")  # "Tylenol No. 3", "# 3" -> "#3"
_EVERY_HOURS = re.compile(r"\bq\s*\d+(?:\s*-\s*\d+)?\s*(?:h|hr|hrs|hours?)\b")  # q4h, q4-6h
_TIMES = re.compile(r"\b(?:x\s*\d+|\d+\s*x)\b")  # x2, 2x
_NUMBER_UNIT = re.compile(r"(?<=\d)(?=[a-z%\u00b5\u03bc])")  # 300mg -> 300 mg
_NOT_WORD = re.compile(r"[^0-9a-z#%.\u00b5\u03bc]+")
_NUMBERISH = re.compile(r"[0-9.,%]+")
_DOTTED = re.compile(r"(?<=\b[a-z])\.(?=[a-z]\b)")


def normalise_name(text: str, vocabulary: MatchingVocabulary, *, light: bool = False) -> str:
    """The key of a medicine name as typed: 'Oxycodone HCl 5 mg ER PO q12h' -> 'oxycodone'.

    Case, marks, strengths and units, frequencies, routes, release words and salts are set
    aside (the vocabulary in interactions.yaml lists them); "#3" / "No. 3" stay as "#3";
    punctuation (hyphens, slashes) becomes a space. `light` keeps the words and sets aside only
    numbers, units and punctuation ("Panadol Night 500 mg" -> "panadol night").
    """
    cleaned = text.casefold().replace("\u00ae", " ").replace("\u2122", " ")
    if not _PLAIN.fullmatch(cleaned):  # digits, dots or marks: strengths, "#3", "t.d.s."
        cleaned = _DOTTED.sub("", _NUMBERED.sub("#", cleaned).replace("#", " #"))
        cleaned = _EVERY_HOURS.sub(" ", cleaned)
        cleaned = _TIMES.sub(" ", cleaned)
        cleaned = _NUMBER_UNIT.sub(" ", cleaned)
    words = (w.strip(".") for w in _NOT_WORD.sub(" ", cleaned).split())
    units, drop = _drop_sets(vocabulary)
    skip = units if light else drop
    return " ".join(w for w in words if w and w not in skip and not _NUMBERISH.fullmatch(w))


_PLAIN = re.compile(r"[a-z -]*")
_DROP_SETS: dict[int, tuple[MatchingVocabulary, frozenset[str], frozenset[str]]] = {}


def _drop_sets(vocabulary: MatchingVocabulary) -> tuple[frozenset[str], frozenset[str]]:
    """(units, every word set aside) of a vocabulary: built once per vocabulary object."""
    hit = _DROP_SETS.get(id(vocabulary))
    if hit is None or hit[0] is not vocabulary:
        if len(_DROP_SETS) > 16:  # knowledge bases loaded and dropped (tests): keep it small
            _DROP_SETS.clear()
        units = frozenset(vocabulary.units)
        hit = (vocabulary, units, units | frozenset(vocabulary.drop_words))
        _DROP_SETS[id(vocabulary)] = hit
    return hit[1], hit[2]


def split_parts(text: str, vocabulary: MatchingVocabulary) -> list[str]:
    """The parts of a combination as typed ("oxycodone/acetaminophen 5/325")."""
    parts = [text.casefold()]
    for sep in vocabulary.separators:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [p for p in (q.strip() for q in parts) if p]


def load_knowledge_base(directory: Path | None = None, *, use_bundle: bool = True) -> KnowledgeBase:
    """Load and validate the knowledge base (the packaged one unless `directory` is given).

    The bundle is used only when it was built from these very YAML files and holds the
    content it records; otherwise every YAML file is parsed. `sha256` is the hash of the
    content actually loaded (`canonical_hash`)."""
    documents, bundle = _read_documents(directory)
    pre = _bundled(bundle, content_hash(documents)) if use_bundle else {}
    if set(pre) != set(documents):
        pre = json.loads(_canonical(parse_documents(documents)))
    sha256 = canonical_hash(pre)
    meta = _parse(KbMeta, "kb.yaml", documents, pre)
    sources = _parse(SourcesFile, "sources.yaml", documents, pre)
    renal = _parse(RenalFile, "renal.yaml", documents, pre)
    forms = _parse(FormulationsFile, "formulations.yaml", documents, pre)
    dosing = _parse(DosingFile, "dosing.yaml", documents, pre)
    alerts = _parse(AlertsFile, "alerts.yaml", documents, pre)
    conditions = _parse(ConditionsFile, "conditions.yaml", documents, pre)
    interactions = _parse(InteractionsFile, "interactions.yaml", documents, pre)
    monitoring = _parse(MonitoringFile, "monitoring.yaml", documents, pre)
    taper = _parse(TaperFile, "taper.yaml", documents, pre)
    policy = _parse(PolicyFile, "policy.yaml", documents, pre)
    overrides = _parse(OverrideReasonsFile, "override_reasons.yaml", documents, pre)

    sources_by_id = _unique("sources.yaml", "source", ((s.id, s) for s in sources.sources))
    checker = _CrossCheck(sources_by_id)
    checker.rule("kb.yaml", meta.label_maximum)
    checker.rule("kb.yaml", meta.hard_ceiling)
    _check_ceilings(meta, dosing)
    _check_renal(renal, checker)
    formulations = _unique(
        "formulations.yaml", "formulation", ((f.code, f) for f in forms.formulations)
    )
    alert_map = _unique("alerts.yaml", "alert", ((a.id, a) for a in alerts.alerts))
    _check_formulations(forms, alert_map, checker)
    for a in alerts.alerts:
        checker.rule("alerts.yaml", a)
        if a.indicator != "info" and _unverified_only(a.sources, sources_by_id):
            raise KnowledgeBaseError(
                f"alerts.yaml: {a.id}: every source is grade U (unverified), "
                "so it can be info at most"
            )
    conditions_by_id = _unique(
        "conditions.yaml", "condition", ((c.id, c) for c in conditions.conditions)
    )
    _check_dosing(dosing, meta, alert_map, conditions_by_id, checker)
    for c in conditions.conditions:
        checker.rule("conditions.yaml", c)
        if c.tier != "INFO" and _unverified_only(c.sources, sources_by_id):
            raise KnowledgeBaseError(
                f"conditions.yaml: {c.id}: every source is grade U (unverified), "
                "so it can be INFO at most"
            )
        if c.group not in conditions.groups:
            raise KnowledgeBaseError(f"conditions.yaml: {c.id}: unknown group {c.group!r}")
    classes_by_id, hazards_by_id = _check_interactions(
        interactions,
        meta=meta,
        sources_by_id=sources_by_id,
        alert_map=alert_map,
        conditions_by_id=conditions_by_id,
        checker=checker,
    )
    for rule in dosing.rules:
        for hz in rule.applies.hazards or ():
            if hz not in hazards_by_id:
                raise KnowledgeBaseError(f"dosing.yaml: {rule.id}: unknown hazard {hz!r}")
    names = _build_names(interactions)
    for item in monitoring.items:
        checker.rule("monitoring.yaml", item)
    _unique("monitoring.yaml", "monitoring item", ((m.id, m) for m in monitoring.items))
    for tr in (taper.taper, taper.slow_taper, *taper.missed_dose, *taper.safety_notes):
        checker.rule("taper.yaml", tr)
    override_reasons = _unique(
        "override_reasons.yaml", "override reason", ((r.code, r) for r in overrides.reasons)
    )
    checker.rule("policy.yaml", policy.policy)
    if policy.policy.default_formulation not in formulations:
        raise KnowledgeBaseError(
            f"policy.yaml: default_formulation {policy.policy.default_formulation!r} is unknown"
        )
    checker.finish()
    return KnowledgeBase(
        meta=meta,
        sources_by_id=sources_by_id,
        renal=renal,
        formulations=formulations,
        dosing=dosing,
        alerts=alert_map,
        conditions_by_id=conditions_by_id,
        condition_groups=conditions.groups,
        interactions=interactions,
        classes_by_id=classes_by_id,
        hazards_by_id=hazards_by_id,
        names=names,
        monitoring=monitoring,
        taper=taper,
        policy_defaults=policy.policy,
        override_reasons=override_reasons,
        sha256=sha256,
        directory=directory,
        _documents=pre,
    )


def _check_ceilings(meta: KbMeta, dosing: DosingFile) -> None:
    """No ceiling above the label's maximum; no dose rule above the ceiling."""
    label = meta.label_maximum.max_daily_mg
    ceiling = meta.hard_ceiling.max_daily_mg
    if ceiling > label:
        raise KnowledgeBaseError(
            f"kb.yaml: hard_ceiling: {ceiling:g} mg a day is above the label maximum "
            f"({label:g} mg a day, {meta.label_maximum.id})"
        )
    for rule in dosing.rules:
        for name in ("max_daily_mg", "target_daily_mg"):
            value = getattr(rule, name)
            if value is not None and value > ceiling:
                raise KnowledgeBaseError(
                    f"dosing.yaml: {rule.id}: {name} {value:g} is above the hard ceiling "
                    f"({ceiling:g} mg a day)"
                )
        for rung in rule.ladder or ():
            if rung.dose_mg * rung.times_per_day > ceiling:
                raise KnowledgeBaseError(
                    f"dosing.yaml: {rule.id}: a ladder step of "
                    f"{rung.dose_mg * rung.times_per_day:g} mg a day is above the hard ceiling "
                    f"({ceiling:g} mg a day)"
                )
        for cap in rule.weight_based.age_caps if rule.weight_based else ():
            if cap.max_daily_mg > ceiling:
                raise KnowledgeBaseError(
                    f"dosing.yaml: {rule.id}: an age cap of {cap.max_daily_mg:g} mg a day is "
                    f"above the hard ceiling ({ceiling:g} mg a day)"
                )


_TIER_RANK: dict[str, int] = {"MINOR": 0, "MODERATE": 1, "MAJOR": 2}


def _unverified_only(ids: Iterable[str], sources: Mapping[str, Source]) -> bool:
    cited = [sources[s] for s in ids if s in sources]
    return bool(cited) and all(s.unverified_only for s in cited)


def _check_class_evidence(
    ic: InteractionClass,
    sources: Mapping[str, Source],
    hazards: Mapping[str, Hazard],
    meta: KbMeta,
) -> None:
    """An interaction class names its hazard, and its tier follows its evidence."""
    where = f"interactions.yaml: {ic.id}"
    if ic.hazard not in hazards:
        raise KnowledgeBaseError(f"{where}: unknown hazard {ic.hazard!r}")
    for sid in ic.indication_sources:
        if sid not in sources:
            raise KnowledgeBaseError(f"{where}: unknown source id {sid!r}")
    for ind in ic.raised_by_indications:
        if ind not in meta.indications:
            raise KnowledgeBaseError(f"{where}: unknown indication {ind!r}")
    cited = [sources[s] for s in ic.sources if s in sources]
    if _unverified_only(ic.sources, sources):
        tiers = [ic.tier, *(e.tier for e in ic.escalations)]
        if any(_TIER_RANK[t] > _TIER_RANK["MINOR"] for t in tiers):
            raise KnowledgeBaseError(
                f"{where}: every source is grade U (unverified), so the tier can be MINOR at most"
            )
        if ic.cns_depressant:
            raise KnowledgeBaseError(
                f"{where}: every source is grade U (unverified): it cannot count towards the "
                "cumulative sedation rule"
            )
    for s in cited:
        if not s.short:
            raise KnowledgeBaseError(
                f"{where}: source {s.id} needs a short name (sources.yaml 'short') to be cited "
                "in an alert"
            )


def _check_renal(renal: RenalFile, checker: _CrossCheck) -> None:
    for r in (
        renal.band_rule,
        renal.cockcroft_gault,
        renal.weight_policy,
        renal.ckd_epi_2021,
        renal.schwartz_bedside,
        renal.measured_overrides,
        renal.dialysis,
    ):
        checker.rule("renal.yaml", r)


def _check_formulations(
    forms: FormulationsFile, alert_map: Mapping[str, AlertTemplate], checker: _CrossCheck
) -> None:
    for f in forms.formulations:
        checker.source_ids("formulations.yaml", f.code, f.sources)
        if f.alert is not None and f.alert not in alert_map:
            raise KnowledgeBaseError(f"formulations.yaml: {f.code}: unknown alert {f.alert!r}")


def _check_dosing(
    dosing: DosingFile,
    meta: KbMeta,
    alert_map: Mapping[str, AlertTemplate],
    conditions_by_id: Mapping[str, ConditionInfo],
    checker: _CrossCheck,
) -> None:
    """Every dose rule, the Beers rule, the hard stop and the plausibility rules."""
    for rule in dosing.rules:
        checker.rule("dosing.yaml", rule)
        if rule.alert is not None and rule.alert not in alert_map:
            raise KnowledgeBaseError(f"dosing.yaml: {rule.id}: unknown alert {rule.alert!r}")
        for ind in rule.applies.indications or ():
            if ind not in meta.indications:
                raise KnowledgeBaseError(f"dosing.yaml: {rule.id}: unknown indication {ind!r}")
        for cond in rule.applies.conditions or ():
            if cond not in conditions_by_id:
                raise KnowledgeBaseError(f"dosing.yaml: {rule.id}: unknown condition {cond!r}")
    for oa in dosing.origin_alerts:
        if oa.alert not in alert_map:
            raise KnowledgeBaseError(f"dosing.yaml: origin_alerts: unknown alert {oa.alert!r}")
        for origin in oa.origins:
            if origin not in meta.spasticity_origins:
                raise KnowledgeBaseError(f"dosing.yaml: origin_alerts: unknown origin {origin!r}")
    checker.rule("dosing.yaml", dosing.beers)
    checker.rule("dosing.yaml", dosing.hard_stop)
    refs = [dosing.beers.alert, dosing.no_rule_alert, dosing.start_not_dispensable_alert]
    for pr in dosing.plausibility:
        checker.rule("dosing.yaml", pr)
        refs.append(pr.alert)
    for ref in refs:
        if ref not in alert_map:
            raise KnowledgeBaseError(f"dosing.yaml: unknown alert {ref!r}")


def _check_interactions(
    interactions: InteractionsFile,
    *,
    meta: KbMeta,
    sources_by_id: Mapping[str, Source],
    alert_map: Mapping[str, AlertTemplate],
    conditions_by_id: Mapping[str, ConditionInfo],
    checker: _CrossCheck,
) -> tuple[dict[str, InteractionClass], dict[str, Hazard]]:
    """Classes, hazards, the sedative-load rule: ids, sources and the names they refer to."""
    classes_by_id = _unique(
        "interactions.yaml", "interaction class", ((c.id, c) for c in interactions.classes)
    )
    hazards_by_id = _unique(
        "interactions.yaml", "hazard", ((h.id, h) for h in interactions.hazards)
    )
    for hz in interactions.hazards:
        checker.rule("interactions.yaml", hz)
        for cond in hz.conditions:
            if cond not in conditions_by_id:
                raise KnowledgeBaseError(f"interactions.yaml: {hz.id}: unknown condition {cond!r}")
    for ic in interactions.classes:
        checker.rule("interactions.yaml", ic)
        _check_class_evidence(ic, sources_by_id, hazards_by_id, meta)
        for esc in ic.escalations:
            for cond in esc.conditions:
                if cond not in conditions_by_id:
                    raise KnowledgeBaseError(
                        f"interactions.yaml: {ic.id}: escalation names unknown condition {cond!r}"
                    )
    sedation = interactions.cumulative_sedation
    checker.rule("interactions.yaml", sedation)
    if sedation.hazard not in hazards_by_id:
        raise KnowledgeBaseError(
            f"interactions.yaml: {sedation.id}: unknown hazard {sedation.hazard!r}"
        )
    for cond in sedation.risk_conditions:
        if cond not in conditions_by_id:
            raise KnowledgeBaseError(
                f"interactions.yaml: {sedation.id}: unknown condition {cond!r}"
            )
    checker.rule("interactions.yaml", interactions.no_interaction)
    if interactions.unrecognized_alert not in alert_map:
        raise KnowledgeBaseError(
            f"interactions.yaml: unknown alert {interactions.unrecognized_alert!r}"
        )
    return classes_by_id, hazards_by_id


def _unique(file: str, what: str, pairs: Iterable[tuple[str, _T]]) -> dict[str, _T]:
    out: dict[str, _T] = {}
    for key, value in pairs:
        if key in out:
            raise KnowledgeBaseError(f"{file}: duplicate {what} id {key!r}")
        out[key] = value
    return out


class _CrossCheck:
    """Source ids must exist, and rule ids must be unique across the whole knowledge base."""

    def __init__(self, sources: Mapping[str, Source]) -> None:
        self._sources = sources
        self._rule_files: dict[str, str] = {}

    def source_ids(self, file: str, owner: str, ids: Iterable[str]) -> None:
        for sid in ids:
            if sid not in self._sources:
                raise KnowledgeBaseError(f"{file}: {owner}: unknown source id {sid!r}")

    def rule(self, file: str, rule: Rule) -> None:
        if rule.id in self._rule_files:
            raise KnowledgeBaseError(
                f"{file}: duplicate rule id {rule.id!r} (also in {self._rule_files[rule.id]})"
            )
        self._rule_files[rule.id] = file
        self.source_ids(file, rule.id, rule.sources)

    def finish(self) -> None:
        return None


class _IngredientIndex:
    """Ingredients by normalised generic name, their brands, and every name as written."""

    def __init__(self, vocab: MatchingVocabulary) -> None:
        self.vocab = vocab
        self.ingredient: dict[str, Ingredient] = {}  # generic key -> ingredient
        self.brand_of: dict[str, str] = {}  # brand key -> generic key
        self.display_names: dict[str, str] = {}  # every name as written -> its generic key

    def add(self, member: Member, class_id: str | None, owner: str) -> None:
        generic = _key_of(member.name, owner, self.vocab)
        known = self.ingredient.get(generic)
        _check_member(member, known, class_id, owner)
        rxcui = member.rxcui or (known.rxcui if known else None)
        classes = (known.classes if known else ()) + ((class_id,) if class_id else ())
        self.ingredient[generic] = Ingredient(
            name=known.name if known else member.name, classes=classes, rxcui=rxcui
        )
        self.display_names[member.name] = generic
        for brand in member.brands:
            self.display_names[brand] = generic
            key = _key_of(brand, owner, self.vocab)
            if self.brand_of.get(key, generic) != generic:
                raise KnowledgeBaseError(
                    f"interactions.yaml: brand {brand!r} is listed for both "
                    f"{self.brand_of[key]!r} and {generic!r}"
                )
            self.brand_of[key] = generic


def _check_member(
    member: Member, known: Ingredient | None, class_id: str | None, owner: str
) -> None:
    """A generic is in classes or in no_interaction, never both, never twice, one RxCUI."""
    if known is None:
        return
    if class_id is None:
        raise KnowledgeBaseError(
            f"interactions.yaml: {member.name!r} is listed as not interacting and in "
            f"{', '.join(known.classes) or 'no_interaction'} too"
        )
    if known.classes == ():
        raise KnowledgeBaseError(
            f"interactions.yaml: {member.name!r} is in {owner} and listed as not interacting"
        )
    if class_id in known.classes:
        raise KnowledgeBaseError(f"interactions.yaml: {owner}: member {member.name!r} listed twice")
    if member.rxcui and known.rxcui and member.rxcui != known.rxcui:
        raise KnowledgeBaseError(f"interactions.yaml: {member.name!r} has two RxCUIs")


def _build_names(interactions: InteractionsFile) -> dict[str, DrugName]:
    """The index every typed name is looked up in: built once, when the knowledge base loads.

    Keys are normalised names, and the same without spaces ("co codamol" and "cocodamol").
    """
    vocab = interactions.matching
    index = _IngredientIndex(vocab)
    ingredient, brand_of, display_names = index.ingredient, index.brand_of, index.display_names
    for cls in interactions.classes:
        for member in cls.members:
            index.add(member, cls.id, cls.id)
    for member in interactions.no_interaction.members:
        index.add(member, None, interactions.no_interaction.id)

    names: dict[str, DrugName] = {}
    for generic, ing in ingredient.items():
        names[generic] = DrugName(generic=ing.name, classes=ing.classes, ingredients=(ing,))
    light_keys: dict[str, DrugName] = {}
    for brand, generic in brand_of.items():
        if brand in ingredient and brand != generic:
            raise KnowledgeBaseError(
                f"interactions.yaml: {brand!r} is both a generic name and a brand of {generic!r}"
            )
        names[brand] = names[generic]
    light_keys.update(_combination_keys(interactions, ingredient, names))
    for member_name, generic in display_names.items():
        light_keys.setdefault(normalise_name(member_name, vocab, light=True), names[generic])
    for key, drug in light_keys.items():
        names.setdefault(key, drug)
    for key, drug in list(names.items()):
        names.setdefault(key.replace(" ", ""), drug)
    return names


def _combination_keys(
    interactions: InteractionsFile,
    ingredient: Mapping[str, Ingredient],
    names: Mapping[str, DrugName],
) -> dict[str, DrugName]:
    """Every combination product's names (lightly and fully normalised) -> its ingredients."""
    vocab = interactions.matching
    light_keys: dict[str, DrugName] = {}
    for combo in interactions.combinations:
        parts: list[Ingredient] = []
        for part in combo.ingredients:
            found = ingredient.get(normalise_name(part, vocab))
            if found is None:
                raise KnowledgeBaseError(
                    f"interactions.yaml: combination {combo.name!r}: unknown ingredient {part!r}"
                )
            parts.append(found)
        classes = tuple(dict.fromkeys(c for ing in parts for c in ing.classes))
        drug = DrugName(
            generic=" + ".join(i.name for i in parts), classes=classes, ingredients=tuple(parts)
        )
        for name in (combo.name, *combo.brands):
            key = normalise_name(name, vocab, light=True)
            if key in names and names[key] != drug:
                raise KnowledgeBaseError(
                    f"interactions.yaml: combination name {name!r} is already the name of "
                    f"{names[key].generic!r}"
                )
            light_keys[key] = drug
            # the fully normalised key too, unless it is another medicine's ("Panadol Night")
            full = _key_of(name, f"combination {combo.name!r}", vocab)
            if full not in names:
                light_keys.setdefault(full, drug)
    return light_keys


def _key_of(name: str, owner: str, vocab: MatchingVocabulary) -> str:
    key = normalise_name(name, vocab)
    if not key:
        raise KnowledgeBaseError(f"interactions.yaml: {owner}: {name!r} is empty once normalised")
    return key


def iter_rules(kb: KnowledgeBase) -> Iterator[Rule]:
    """Every rule of the knowledge base (for reviewers and tests)."""
    yield kb.meta.label_maximum
    yield kb.meta.hard_ceiling
    r = kb.renal
    yield from (
        r.band_rule,
        r.cockcroft_gault,
        r.weight_policy,
        r.ckd_epi_2021,
        r.schwartz_bedside,
        r.measured_overrides,
        r.dialysis,
    )
    yield from kb.dosing.rules
    yield kb.dosing.beers
    yield kb.dosing.hard_stop
    yield from kb.dosing.plausibility
    yield from kb.alerts.values()
    yield from kb.conditions_by_id.values()
    yield from kb.interactions.hazards
    yield from kb.interactions.classes
    yield kb.interactions.cumulative_sedation
    yield kb.interactions.no_interaction
    yield from kb.monitoring.items
    yield kb.taper.taper
    yield kb.taper.slow_taper
    yield from kb.taper.missed_dose
    yield from kb.taper.safety_notes
    yield kb.policy_defaults
