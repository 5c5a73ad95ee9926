"""The FHIR mapping tables (`resources/knowledge/fhir.yaml`), validated against the knowledge base.

Codes are data: LOINC, SNOMED CT, ICD-10-CM and RxNorm codes, UCUM unit factors and staleness
windows all live in the YAML file. `load_mappings(kb)` parses it and checks that every target
is a condition code, field or medicine name this knowledge base knows (`MappingError` names the
entry otherwise); `baclofen-cds knowledge check` runs the same check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from baclofen_cds.logic.knowledge import KnowledgeBase, normalise_name

DOCUMENT = "fhir"
ObservationField = Literal[
    "weight_kg",
    "height_cm",
    "serum_creatinine",
    "egfr_ml_min_1_73m2",
    "creatinine_clearance_ml_min",
]


class MappingError(RuntimeError):
    """fhir.yaml is broken: no import or export is made from it."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Systems(_Strict):
    loinc: str
    snomed: str
    icd10cm: str
    rxnorm: str
    ucum: str
    route: str


class ObservationCode(_Strict):
    loinc: str = Field(min_length=3)
    display: str
    race_based: bool = False


class ObservationMap(_Strict):
    label: str
    codes: tuple[ObservationCode, ...] = Field(min_length=1)
    units: dict[str, tuple[str, float]] = Field(min_length=1)
    max_age_days: int | Literal["policy"]
    local_policy: bool = False


class ConditionMap(_Strict):
    condition: str | None = None
    dialysis: Literal["hemodialysis", "peritoneal"] | None = None
    ask: str | None = None
    snomed: tuple[str, ...] = ()
    icd10cm: tuple[str, ...] = ()
    unverified: bool = False

    @model_validator(mode="after")
    def _one_target(self) -> ConditionMap:
        targets = [t for t in (self.condition, self.dialysis, self.ask) if t]
        if len(targets) != 1:
            raise ValueError("give exactly one of condition, dialysis or ask")
        if not self.snomed and not self.icd10cm:
            raise ValueError("give at least one SNOMED CT or ICD-10-CM code")
        return self


class BaclofenMap(_Strict):
    rxcui: str
    names: tuple[str, ...] = Field(min_length=1)
    display: str


class Coded(_Strict):
    code: str
    display: str


class DoseUnit(_Strict):
    code: str
    unit: str


class LoincCode(_Strict):
    loinc: str
    display: str


class ExportMap(_Strict):
    route: Coded
    dose_unit: DoseUnit
    medication_text: str
    monitoring_codes: dict[str, tuple[LoincCode, ...]]
    #: formulation code -> RxNorm product (SCD) coding, added beside the ingredient when known
    products: dict[str, Coded] = Field(default_factory=dict)


class PatientSex(_Strict):
    extension: str
    codes: dict[str, Literal["female", "male"]]


class FhirFile(_Strict):
    version: str
    reviewed: date
    systems: Systems
    patient_sex: PatientSex
    observations: dict[ObservationField, ObservationMap]
    conditions: tuple[ConditionMap, ...]
    rxnorm_ingredients: dict[str, str]
    baclofen: BaclofenMap
    export: ExportMap


@dataclass(frozen=True, slots=True)
class Mappings:
    """The parsed tables with the look-ups the importer needs."""

    file: FhirFile
    #: LOINC code -> (case field, its code entry)
    by_loinc: Mapping[str, tuple[ObservationField, ObservationCode]]
    #: RxCUI -> knowledge-base generic name (fhir.yaml plus interactions.yaml `rxcui` fields)
    ingredients: Mapping[str, str]

    @property
    def systems(self) -> Systems:
        return self.file.systems

    def condition_for(self, system: str, code: str) -> ConditionMap | None:
        """The mapping entry for one coding, or None."""
        if system == self.systems.snomed:
            return next((c for c in self.file.conditions if code in c.snomed), None)
        if system == self.systems.icd10cm:
            wanted = code.replace(".", "").upper()
            for c in self.file.conditions:
                for prefix in c.icd10cm:
                    if wanted.startswith(prefix.replace(".", "").upper()):
                        return c
        return None


def _kb_rxcuis(kb: KnowledgeBase) -> dict[str, str]:
    """RxCUIs the interactions file carries itself (issue 9 adds `rxcui` to its members)."""
    out: dict[str, str] = {}
    for cls in kb.interactions.classes:
        for member in cls.members:
            rxcui = getattr(member, "rxcui", None)
            if rxcui:
                out[str(rxcui)] = member.name
    return out


@lru_cache(maxsize=4)
def load_mappings(kb: KnowledgeBase) -> Mappings:
    """Parse and cross-check fhir.yaml; `MappingError` names the bad entry."""
    try:
        data: Any = kb.extra_document(DOCUMENT)
    except Exception as exc:  # KnowledgeBaseError: missing file or bad YAML
        raise MappingError(str(exc)) from None
    try:
        parsed = FhirFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise MappingError(f"fhir.yaml: {where}: {msg}") from None
    by_loinc: dict[str, tuple[ObservationField, ObservationCode]] = {}
    for field, obs in parsed.observations.items():
        for oc in obs.codes:
            if oc.loinc in by_loinc:
                raise MappingError(f"fhir.yaml: observations: LOINC {oc.loinc} listed twice")
            by_loinc[oc.loinc] = (field, oc)
    known = kb.condition_ids
    seen: dict[tuple[str, str], int] = {}
    for i, cm in enumerate(parsed.conditions):
        if cm.condition is not None and cm.condition not in known:
            raise MappingError(f"fhir.yaml: conditions[{i}]: unknown condition {cm.condition!r}")
        for system, codes in (("snomed", cm.snomed), ("icd10cm", cm.icd10cm)):
            for code in codes:
                if (system, code) in seen:
                    raise MappingError(f"fhir.yaml: conditions[{i}]: {system} {code} listed twice")
                seen[(system, code)] = i
    vocab = kb.interactions.matching
    ingredients = _kb_rxcuis(kb)
    for rxcui, name in parsed.rxnorm_ingredients.items():
        if normalise_name(name, vocab) not in kb.names:
            raise MappingError(f"fhir.yaml: rxnorm_ingredients: {rxcui}: unknown medicine {name!r}")
        if rxcui in ingredients and normalise_name(ingredients[rxcui], vocab) != normalise_name(
            name, vocab
        ):
            raise MappingError(
                f"fhir.yaml: rxnorm_ingredients: {rxcui} is {name!r} here but "
                f"{ingredients[rxcui]!r} in interactions.yaml"
            )
        ingredients.setdefault(rxcui, name)
    if parsed.baclofen.rxcui in ingredients:
        raise MappingError("fhir.yaml: baclofen's RxCUI is also listed as a co-medication")
    for item in parsed.export.monitoring_codes:
        if item not in {m.id for m in kb.monitoring.items}:
            raise MappingError(f"fhir.yaml: export.monitoring_codes: unknown item {item!r}")
    for form in parsed.export.products:
        if form not in kb.formulations:
            raise MappingError(f"fhir.yaml: export.products: unknown formulation {form!r}")
    return Mappings(file=parsed, by_loinc=by_loinc, ingredients=ingredients)


def check(kb: KnowledgeBase) -> str:
    """One line for `knowledge check` (raises MappingError when the file is broken)."""
    m = load_mappings(kb)
    codes = sum(len(c.snomed) + len(c.icd10cm) for c in m.file.conditions)
    return (
        f"fhir.yaml OK: {len(m.by_loinc)} LOINC codes, {codes} condition codes, "
        f"{len(m.ingredients)} RxNorm ingredients"
    )
