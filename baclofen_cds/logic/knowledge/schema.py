"""The schema of every knowledge file: one model (a frozen msgspec Struct) per file and entry.

A missing field, a bad number or an unknown field is refused when a file is decoded into its
model (the loader turns the first error into one message naming the file and the entry); the
references between files are checked afterwards (`checks.py`). A check within one entry is a
`__post_init__` raising ValueError: msgspec reports it with the entry's location.
"""

from datetime import date
from typing import Annotated, Any, Literal, NamedTuple

from msgspec import Meta

from baclofen_cds.logic.knowledge.validation import (
    Strict,
    convert_or_explain,
    decode_hook,
    shape_error,
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


class Rule(Strict, frozen=True, kw_only=True):
    """Fields every rule carries: its id, its sources, and how sure we are of it."""

    id: Annotated[str, Meta(min_length=1)]
    sources: Annotated[tuple[str, ...], Meta(min_length=1)]
    derived: bool = False
    unverified: bool = False
    reviewed: date
    note: str = ""


# ------------------------------------------------------------------ kb.yaml
class Range(Strict, frozen=True, kw_only=True):
    min: Annotated[float, Meta(ge=0)]
    max: Annotated[float, Meta(gt=0)]

    def __post_init__(self) -> None:
        if not self.min < self.max:
            raise ValueError("min must be below max")


class InputLimits(Strict, frozen=True, kw_only=True):
    age_years: Range
    weight_kg: Range
    height_cm: Range
    creatinine_mg_dl: Range
    clearance: Range
    current_daily_mg: Range
    months_on_treatment: Range


class PopulationBand(Strict, frozen=True, kw_only=True):
    id: Population
    label: str
    min_age_years: Annotated[float, Meta(ge=0)]
    below_age_years: Annotated[float, Meta(gt=0)] | None = None


class HardCeiling(Rule, frozen=True, kw_only=True):
    max_daily_mg: Annotated[float, Meta(gt=0)]


class LabelMaximum(Rule, frozen=True, kw_only=True):
    """The highest daily oral dose any product label allows: no ceiling or dose rule of the
    knowledge base may go above it (checked at load)."""

    max_daily_mg: Annotated[float, Meta(gt=0)]


class IndicationInfo(Strict, frozen=True, kw_only=True):
    label: str
    patient_label: str


class TierMaps(Strict, frozen=True, kw_only=True):
    condition_indicator: dict[ConditionTier, IndicatorName]
    condition_status: dict[ConditionTier, StatusName]
    interaction_indicator: dict[InteractionTier, IndicatorName]
    interaction_status: dict[InteractionTier, StatusName]
    renal_status: dict[BandName, StatusName]


class KbMeta(Strict, frozen=True, kw_only=True):
    version: Annotated[str, Meta(min_length=1)]
    reviewed: date
    approved_by: Annotated[str, Meta(min_length=1)]
    label_maximum: LabelMaximum
    hard_ceiling: HardCeiling
    input_limits: InputLimits
    populations: Annotated[tuple[PopulationBand, ...], Meta(min_length=1)]
    tiers: TierMaps
    indications: dict[str, IndicationInfo]
    spasticity_origins: dict[str, str]
    adult_age_years: Annotated[float, Meta(gt=0)]


# ------------------------------------------------------------------ sources.yaml
class Source(Strict, frozen=True, kw_only=True):
    id: Annotated[str, Meta(min_length=1)]
    title: Annotated[str, Meta(min_length=1)]
    url: Annotated[str, Meta(min_length=1)]
    grade: Annotated[str, Meta(pattern=GRADE_PATTERN)]
    #: how the source is named in text a clinician reads ("UK SmPC"); required for every source
    #: an interaction cites (its facts are folded into an alert's detail with their sources)
    short: str = ""

    @property
    def unverified_only(self) -> bool:
        """Grade U: an unverified web article, not evidence."""
        return self.grade.startswith("U")


class SourcesFile(Strict, frozen=True, kw_only=True):
    sources: Annotated[tuple[Source, ...], Meta(min_length=1)]


# ------------------------------------------------------------------ renal.yaml
class BandCut(Strict, frozen=True, kw_only=True):
    id: BandName
    label: str
    min_value: Annotated[float, Meta(ge=0)]


class CockcroftGault(Rule, frozen=True, kw_only=True):
    age_constant: float
    divisor: float
    female_factor: float
    min_age_years: float


class WeightPolicy(Rule, frozen=True, kw_only=True):
    ibw_base_kg_male: float
    ibw_base_kg_female: float
    ibw_kg_per_inch: float
    ibw_base_height_in: float
    cm_per_inch: float
    adjusted_if_total_above_ibw_ratio: float
    adjusted_fraction_of_excess: float


class CkdEpi2021(Rule, frozen=True, kw_only=True):
    multiplier: float
    kappa_female: float
    kappa_male: float
    alpha_female: float
    alpha_male: float
    exponent_above_kappa: float
    age_base: float
    female_factor: float
    min_age_years: float


class SchwartzBedside(Rule, frozen=True, kw_only=True):
    k: float
    below_age_years: float


class RenalFile(Strict, frozen=True, kw_only=True):
    creatinine_umol_per_mg_dl: Annotated[float, Meta(gt=0)]
    display_decimals: Annotated[int, Meta(ge=0, le=3)]
    bands: Annotated[tuple[BandCut, ...], Meta(min_length=2)]
    band_rule: Rule
    cockcroft_gault: CockcroftGault
    weight_policy: WeightPolicy
    ckd_epi_2021: CkdEpi2021
    schwartz_bedside: SchwartzBedside
    measured_overrides: Rule
    dialysis: Rule

    def __post_init__(self) -> None:
        values = [b.min_value for b in self.bands]
        if values != sorted(values, reverse=True) or len(set(values)) != len(values):
            raise ValueError("bands must be listed from the highest cut-off down, no repeats")
        if values[-1] != 0:
            raise ValueError("the last band must start at 0")


# ------------------------------------------------------------------ formulations.yaml
class FormulationInfo(Strict, frozen=True, kw_only=True):
    code: str
    kind: Literal["tablet", "liquid", "granules"]
    label: str
    patient_label: str
    strengths_mg: tuple[Annotated[float, Meta(gt=0)], ...] = ()
    scored_strengths_mg: tuple[Annotated[float, Meta(gt=0)], ...] = ()
    concentration_mg_per_ml: Annotated[float, Meta(gt=0)] | None = None
    dose_step_mg: Annotated[float, Meta(gt=0)]
    whole_tablets_up_to: Annotated[int, Meta(ge=0)] = 0
    storage: str
    min_weight_kg: Annotated[float, Meta(ge=0)] | None = None
    # liquids: below `small_dose_below_ml` a dose is measured in `small_dose_step_ml` steps
    # (oral syringe), finer than `dose_step_mg`
    small_dose_below_ml: Annotated[float, Meta(gt=0)] | None = None
    small_dose_step_ml: Annotated[float, Meta(gt=0)] | None = None
    alert: str | None = None  # raised whenever this form is chosen
    sources: Annotated[tuple[str, ...], Meta(min_length=1)]
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind == "liquid" and not self.concentration_mg_per_ml:
            raise ValueError("a liquid needs concentration_mg_per_ml")
        if self.kind != "liquid" and not self.strengths_mg:
            raise ValueError("tablets and granules need strengths_mg")
        if not set(self.scored_strengths_mg) <= set(self.strengths_mg):
            raise ValueError("scored_strengths_mg must be among strengths_mg")


class FormulationsFile(Strict, frozen=True, kw_only=True):
    formulations: Annotated[tuple[FormulationInfo, ...], Meta(min_length=1)]


# ------------------------------------------------------------------ dosing.yaml
class Rung(NamedTuple):
    """One dose level; written `[mg per dose, times a day]` in the YAML."""

    dose_mg: Annotated[float, Meta(gt=0)]
    times_per_day: Annotated[int, Meta(ge=1, le=6)]


shape_error(Rung, "a dose level is [mg per dose, times a day]")


class AgeCap(Strict, frozen=True, kw_only=True):
    below_age_years: Annotated[float, Meta(gt=0)]
    max_daily_mg: Annotated[float, Meta(gt=0)]


class WeightBased(Strict, frozen=True, kw_only=True):
    start_mg_per_kg_day: Annotated[float, Meta(gt=0)]
    # the more conservative rule wins: never start above these either
    start_max_daily_mg: Annotated[float, Meta(gt=0)] | None = None
    start_max_mg_per_dose: Annotated[float, Meta(gt=0)] | None = None
    step_mg_per_kg_day: Annotated[float, Meta(gt=0)]
    step_max_daily_mg: Annotated[float, Meta(gt=0)] | None = None
    target_mg_per_kg_day: Annotated[float, Meta(gt=0)]
    max_mg_per_kg_day: Annotated[float, Meta(gt=0)]
    times_per_day: Annotated[int, Meta(ge=1, le=6)]
    age_caps: tuple[AgeCap, ...] = ()


class Applies(Strict, frozen=True, kw_only=True):
    indications: tuple[str, ...] | None = None
    populations: tuple[Population, ...] | None = None
    renal_bands: tuple[BandName, ...] | None = None
    spasticity_origins: tuple[str, ...] | None = None
    conditions: tuple[str, ...] | None = None  # any of them
    intrathecal: tuple[str, ...] | None = None
    hazards: tuple[str, ...] | None = None  # any of these raised at the critical tier


class DoseRule(Rule, frozen=True, kw_only=True):
    kind: Literal["indication", "age", "origin", "renal", "condition", "intrathecal", "interaction"]
    applies: Applies
    label: str
    ladder: tuple[Rung, ...] | None = None
    weight_based: WeightBased | None = None
    step_interval_days: Annotated[int, Meta(ge=1, le=28)] | None = None
    target_daily_mg: Annotated[float, Meta(gt=0)] | None = None
    max_daily_mg: Annotated[float, Meta(gt=0)] | None = None
    titrate: bool = True
    no_regimen: bool = False
    course_days: Annotated[int, Meta(ge=1, le=90)] | None = None  # a dated course with an end
    status: StatusName
    alert: str | None = None
    rationale: Annotated[str, Meta(min_length=1)]

    def __post_init__(self) -> None:
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


class BeersRule(Rule, frozen=True, kw_only=True):
    min_age_years: Annotated[float, Meta(gt=0)]
    egfr_below: Annotated[float, Meta(gt=0)]
    on_dialysis: bool = True  # dialysis counts as eGFR below the cut-off
    status: StatusName = "avoid"
    alert: str


class WeightForAge(Strict, frozen=True, kw_only=True):
    below_age_years: Annotated[float, Meta(gt=0)]
    min_kg: Annotated[float, Meta(gt=0)]
    max_kg: Annotated[float, Meta(gt=0)]


class PlausibilityRule(Rule, frozen=True, kw_only=True):
    """A value possible but implausible for the age: a critical "check this value" stop.

    `check` says what is compared: the weight for adults (`adult_weight`), the weight for a
    child's age (`child_weight_for_age`, from `bands`), or the computed clearance
    (`computed_clearance`). The stop lifts when every field in `fields` is in `confirmed`.
    """

    check: Literal["adult_weight", "child_weight_for_age", "computed_clearance"]
    fields: Annotated[tuple[str, ...], Meta(min_length=1)]
    min_value: float | None = None
    max_value: float | None = None
    bands: tuple[WeightForAge, ...] = ()
    alert: str


class HardStop(Rule, frozen=True, kw_only=True):
    """Which statuses withhold the regimen, and which of them a documented override lifts."""

    withheld_statuses: Annotated[tuple[StatusName, ...], Meta(min_length=1)]
    overridable_statuses: tuple[StatusName, ...]
    avoid_text: Annotated[str, Meta(min_length=1)]
    contraindicated_text: Annotated[str, Meta(min_length=1)]
    not_overridable_text: Annotated[str, Meta(min_length=1)]
    plausibility_text: Annotated[str, Meta(min_length=1)]
    override_note: Annotated[str, Meta(min_length=1)]


class OriginAlert(Strict, frozen=True, kw_only=True):
    origins: Annotated[tuple[str, ...], Meta(min_length=1)]
    alert: str


class DosingFile(Strict, frozen=True, kw_only=True):
    rules: Annotated[tuple[DoseRule, ...], Meta(min_length=1)]
    no_rule_alert: str
    beers: BeersRule
    origin_alerts: tuple[OriginAlert, ...] = ()
    start_not_dispensable_alert: str
    hard_stop: HardStop
    plausibility: tuple[PlausibilityRule, ...] = ()


# ------------------------------------------------------------------ alerts.yaml
class AlertTemplate(Rule, frozen=True, kw_only=True):
    indicator: IndicatorName
    category: CategoryName
    summary: Annotated[str, Meta(min_length=1, max_length=139)]
    detail: Annotated[str, Meta(min_length=1)]
    action: Annotated[str, Meta(min_length=1)]
    patient_text: str = ""
    evidence: str = ""
    tier_basis: str = ""  # what the tier rests on, when `evidence` does not say it


class AlertsFile(Strict, frozen=True, kw_only=True):
    alerts: Annotated[tuple[AlertTemplate, ...], Meta(min_length=1)]


# ------------------------------------------------------------------ conditions.yaml
class ConditionInfo(Rule, frozen=True, kw_only=True):
    label: str
    group: str
    tier: ConditionTier
    category: CategoryName = "condition"
    summary: Annotated[str, Meta(min_length=1, max_length=139)]
    detail: Annotated[str, Meta(min_length=1)]
    action: Annotated[str, Meta(min_length=1)]
    patient_text: str = ""
    evidence: str = ""


class ConditionsFile(Strict, frozen=True, kw_only=True):
    groups: Annotated[tuple[str, ...], Meta(min_length=1)]
    conditions: Annotated[tuple[ConditionInfo, ...], Meta(min_length=1)]


# ------------------------------------------------------------------ interactions.yaml
class Member(Strict, frozen=True, kw_only=True):
    name: Annotated[str, Meta(min_length=2)]
    brands: tuple[str, ...] = ()
    rxcui: Annotated[str, Meta(pattern=r"^[0-9]+$")] | None = None  # RxNorm ingredient code


class Members(tuple[Member, ...]):
    """The members of a class, written `generic: {brands: [...], rxcui: "..."}` or
    `generic: [brands]` in the YAML: one Member each, in the file's order."""

    __slots__ = ()


@decode_hook(Members)
def _members(value: Any) -> Members:
    if not isinstance(value, dict):
        raise ValueError("must be a mapping of generic name to its brands")
    if not value:
        raise ValueError("must list at least 1 item(s)")
    out: list[Member] = []
    for name, body in value.items():
        data = (
            {"name": name, **body}
            if isinstance(body, dict)
            else {"name": name, "brands": body or []}
        )
        out.append(convert_or_explain(data, Member, owner=repr(name)))
    return Members(out)


class Escalation(Strict, frozen=True, kw_only=True):
    tier: InteractionTier
    renal_bands: tuple[BandName, ...] = ()
    conditions: tuple[str, ...] = ()
    reason: str


class InteractionClass(Rule, frozen=True, kw_only=True):
    label: str
    tier: InteractionTier
    #: what the tier rests on, in words a clinician reads ("product label", "class inference")
    tier_basis: Annotated[str, Meta(min_length=3)]
    #: the clinical hazard (one alert card per hazard) this class contributes to
    hazard: Annotated[str, Meta(min_length=1)]
    cns_depressant: bool
    mechanism: Literal["PD_CNS", "PD_BP", "PD_tone", "PK_renal", "PD_glucose", "PD_other"]
    labeled: Literal["labeled", "class", "not labeled"]
    members: Members
    summary: Annotated[str, Meta(min_length=1, max_length=139)]
    member_kind: Literal["medicine", "factor"] = "medicine"
    #: the class is present for this patient when the indication is one of these (alcohol for
    #: alcohol use disorder), with its own wording
    raised_by_indications: tuple[str, ...] = ()
    indication_detail: str = ""
    indication_action: str = ""
    indication_patient_text: str = ""
    indication_sources: tuple[str, ...] = ()

    detail: Annotated[str, Meta(min_length=1)]
    action: Annotated[str, Meta(min_length=1)]
    patient_text: str = ""
    escalations: tuple[Escalation, ...] = ()

    def __post_init__(self) -> None:
        if self.raised_by_indications and not (
            self.indication_detail and self.indication_action and self.indication_patient_text
        ):
            raise ValueError(
                "raised_by_indications needs indication_detail, indication_action and "
                "indication_patient_text"
            )


class Hazard(Rule, frozen=True, kw_only=True):
    """One clinical hazard: every class and condition that adds to it makes one alert card."""

    label: Annotated[str, Meta(min_length=3)]
    category: CategoryName = "interaction"
    summary: Annotated[str, Meta(min_length=1, max_length=100)]  # "{members}" is filled in
    detail: Annotated[str, Meta(min_length=1)]
    action: Annotated[str, Meta(min_length=1)]
    patient_text: str = ""
    #: condition alerts folded into this hazard's card when it is raised
    conditions: tuple[str, ...] = ()


class SedationRule(Rule, frozen=True, kw_only=True):
    hazard: str
    min_depressants: Annotated[int, Meta(ge=2)]
    min_depressants_with_risk: Annotated[int, Meta(ge=1)]
    risk_conditions: tuple[str, ...]
    critical_if_at_least: Annotated[int, Meta(ge=2)]
    critical_with_risk: bool
    tier_basis: Annotated[str, Meta(min_length=3)]
    detail: Annotated[str, Meta(min_length=1)]


class Combination(Strict, frozen=True, kw_only=True):
    """A product with more than one active ingredient: each ingredient is checked."""

    name: Annotated[str, Meta(min_length=2)]
    brands: tuple[str, ...] = ()
    ingredients: Annotated[tuple[str, ...], Meta(min_length=2)]


class NoInteraction(Rule, frozen=True, kw_only=True):
    """Medicines checked against the sources with no interaction with baclofen listed."""

    members: Members


class MatchingVocabulary(Strict, frozen=True, kw_only=True):
    drop_words: tuple[str, ...]
    units: tuple[str, ...] = ()
    separators: tuple[str, ...]
    suggestion_cutoff: Annotated[float, Meta(gt=0, lt=1)]


class InteractionsFile(Strict, frozen=True, kw_only=True):
    matching: MatchingVocabulary
    unrecognized_alert: str
    cumulative_sedation: SedationRule
    hazards: Annotated[tuple[Hazard, ...], Meta(min_length=1)]
    classes: Annotated[tuple[InteractionClass, ...], Meta(min_length=1)]
    combinations: tuple[Combination, ...] = ()
    no_interaction: NoInteraction


# ------------------------------------------------------------------ monitoring.yaml
class MonitoringTrigger(Strict, frozen=True, kw_only=True):
    always: bool = False
    conditions: tuple[str, ...] = ()
    indications: tuple[str, ...] = ()
    hepatic_impairment: bool = False
    renal_impaired: bool = False
    renal_bands: tuple[BandName, ...] = ()
    min_age_years: float | None = None
    below_age_years: float | None = None
    except_indications: tuple[str, ...] = ()  # never for these, whatever else matches


class MonitoringRule(Rule, frozen=True, kw_only=True):
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
    offset_days: Annotated[int, Meta(ge=0)] = 0
    needs_regimen: bool = False  # only when a regimen is shown (a dose is being taken)
    triggers: MonitoringTrigger


class MonitoringFile(Strict, frozen=True, kw_only=True):
    items: Annotated[tuple[MonitoringRule, ...], Meta(min_length=1)]


# ------------------------------------------------------------------ taper.yaml
class TaperRule(Rule, frozen=True, kw_only=True):
    step_interval_days: Annotated[int, Meta(ge=1)]
    min_total_days: Annotated[int, Meta(ge=1)]
    step_down_mg_per_dose: Annotated[float, Meta(gt=0)]
    step_down_fraction: Annotated[float, Meta(gt=0, lt=1)]  # of the starting daily dose, per step
    times_per_day: Annotated[int, Meta(ge=1, le=6)]  # assumed for a current dose given as mg a day
    rationale: str


class SlowTaperRule(Rule, frozen=True, kw_only=True):
    """Slower after long-term or high-dose use: the interval is multiplied."""

    min_months: Annotated[float, Meta(gt=0)]
    above_daily_mg: Annotated[float, Meta(gt=0)]
    interval_factor: Annotated[int, Meta(ge=2)]
    min_total_days: Annotated[int, Meta(ge=1)]
    rationale: str


class SafetyNoteRule(Rule, frozen=True, kw_only=True):
    title: Annotated[str, Meta(min_length=1)]
    text: Annotated[str, Meta(min_length=1)]


class MissedDose(Rule, frozen=True, kw_only=True):
    population: Literal["adult", "child"]
    text: Annotated[str, Meta(min_length=1)]


class TaperFile(Strict, frozen=True, kw_only=True):
    taper: TaperRule
    slow_taper: SlowTaperRule
    missed_dose: Annotated[tuple[MissedDose, ...], Meta(min_length=2)]
    safety_notes: Annotated[tuple[SafetyNoteRule, ...], Meta(min_length=1)]


# ------------------------------------------------------------------ override_reasons.yaml
class OverrideReason(Strict, frozen=True, kw_only=True):
    code: Annotated[str, Meta(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")]
    label: Annotated[str, Meta(min_length=1)]


class OverrideReasonsFile(Strict, frozen=True, kw_only=True):
    reasons: Annotated[tuple[OverrideReason, ...], Meta(min_length=1)]


# ------------------------------------------------------------------ policy.yaml
class PolicyDefaults(Rule, frozen=True, kw_only=True):
    routine_interval_months_higher_risk: Annotated[int, Meta(ge=1, le=24)]
    routine_interval_months_standard: Annotated[int, Meta(ge=1, le=24)]
    higher_risk_if: MonitoringTrigger
    creatinine_max_age_days: Annotated[int, Meta(ge=1, le=3650)]
    default_formulation: str
    clinic_name: str = ""
    clinic_phone: str = ""


class PolicyFile(Strict, frozen=True, kw_only=True):
    policy: PolicyDefaults
