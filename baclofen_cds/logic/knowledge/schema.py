"""The schema of every knowledge file: one model per file and per entry.

A missing field, a bad number or an unknown field is refused when a file is parsed into its
model (`loader.parse_file` turns the first error into one message naming the file and the
entry); the references between files are checked afterwards (`checks.py`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from baclofen_cds.logic.result import Category, RenalBand

GRADE_PATTERN = r"^[ABCDU]( |/|$)"
ConditionTier = Literal["CI", "HIGH", "CAUTION", "INFO"]
InteractionTier = Literal["MAJOR", "MODERATE", "MINOR"]
IndicatorName = Literal["critical", "warning", "info"]
StatusName = Literal["recommended", "use_with_caution", "avoid", "contraindicated"]
Population = Literal["child", "adolescent", "adult", "older_adult"]
BandName = RenalBand
CategoryName = Category


class Strict(BaseModel):
    # No NaN or infinity anywhere (YAML .inf/.nan are refused, naming the entry).
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Rule(Strict):
    """Fields every rule carries: its id, its sources, and how sure we are of it."""

    id: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
    derived: bool = False
    unverified: bool = False
    reviewed: date
    note: str = ""


# ------------------------------------------------------------------ kb.yaml
class Range(Strict):
    min: float = Field(ge=0)
    max: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.min < self.max:
            raise ValueError("min must be below max")
        return self


class InputLimits(Strict):
    age_years: Range
    weight_kg: Range
    height_cm: Range
    creatinine_mg_dl: Range
    clearance: Range
    current_daily_mg: Range
    months_on_treatment: Range


class PopulationBand(Strict):
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


class IndicationInfo(Strict):
    label: str
    patient_label: str


class TierMaps(Strict):
    condition_indicator: dict[ConditionTier, IndicatorName]
    condition_status: dict[ConditionTier, StatusName]
    interaction_indicator: dict[InteractionTier, IndicatorName]
    interaction_status: dict[InteractionTier, StatusName]
    renal_status: dict[BandName, StatusName]


class KbMeta(Strict):
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
class Source(Strict):
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


class SourcesFile(Strict):
    sources: tuple[Source, ...] = Field(min_length=1)


# ------------------------------------------------------------------ renal.yaml
class BandCut(Strict):
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


class RenalFile(Strict):
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
class FormulationInfo(Strict):
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


class FormulationsFile(Strict):
    formulations: tuple[FormulationInfo, ...] = Field(min_length=1)


# ------------------------------------------------------------------ dosing.yaml
class Rung(Strict):
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


class AgeCap(Strict):
    below_age_years: float = Field(gt=0)
    max_daily_mg: float = Field(gt=0)


class WeightBased(Strict):
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


class Applies(Strict):
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


class WeightForAge(Strict):
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


class OriginAlert(Strict):
    origins: tuple[str, ...] = Field(min_length=1)
    alert: str


class DosingFile(Strict):
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


class AlertsFile(Strict):
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


class ConditionsFile(Strict):
    groups: tuple[str, ...] = Field(min_length=1)
    conditions: tuple[ConditionInfo, ...] = Field(min_length=1)


# ------------------------------------------------------------------ interactions.yaml
class Member(Strict):
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


class Escalation(Strict):
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


class Combination(Strict):
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


class MatchingVocabulary(Strict):
    drop_words: tuple[str, ...]
    units: tuple[str, ...] = ()
    separators: tuple[str, ...]
    suggestion_cutoff: float = Field(gt=0, lt=1)


class InteractionsFile(Strict):
    matching: MatchingVocabulary
    unrecognized_alert: str
    cumulative_sedation: SedationRule
    hazards: tuple[Hazard, ...] = Field(min_length=1)
    classes: tuple[InteractionClass, ...] = Field(min_length=1)
    combinations: tuple[Combination, ...] = ()
    no_interaction: NoInteraction


# ------------------------------------------------------------------ monitoring.yaml
class MonitoringTrigger(Strict):
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


class MonitoringFile(Strict):
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


class TaperFile(Strict):
    taper: TaperRule
    slow_taper: SlowTaperRule
    missed_dose: tuple[MissedDose, ...] = Field(min_length=2)
    safety_notes: tuple[SafetyNoteRule, ...] = Field(min_length=1)


# ------------------------------------------------------------------ override_reasons.yaml
class OverrideReason(Strict):
    code: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)


class OverrideReasonsFile(Strict):
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


class PolicyFile(Strict):
    policy: PolicyDefaults
