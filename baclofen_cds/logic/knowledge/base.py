"""The loaded knowledge base: every file validated and cross-checked, with its hash."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import msgspec

from baclofen_cds.logic.knowledge.errors import KnowledgeBaseError
from baclofen_cds.logic.knowledge.names import DrugName
from baclofen_cds.logic.knowledge.schema import (
    AlertTemplate,
    ConditionInfo,
    DosingFile,
    FormulationInfo,
    Hazard,
    IndicationInfo,
    InteractionClass,
    InteractionsFile,
    KbMeta,
    MonitoringFile,
    OverrideReason,
    PolicyDefaults,
    RenalFile,
    Rule,
    Source,
    TaperFile,
)


class KnowledgeBase(msgspec.Struct, frozen=True, eq=False):
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
    _documents: Mapping[str, bytes]  # every file's canonical JSON (the content the hash covers)

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
        """Another file of the knowledge folder as plain data, a fresh copy each time (it is
        part of the hash)."""
        key = f"{name}.yaml"
        if key not in self._documents:
            raise KnowledgeBaseError(f"{key}: no such file in the knowledge base")
        return msgspec.json.decode(self._documents[key])


class _Limits(msgspec.Struct, frozen=True):
    age_years: tuple[float, float]
    weight_kg: tuple[float, float]
    height_cm: tuple[float, float]
    creatinine_mg_dl: tuple[float, float]
    clearance: tuple[float, float]
    current_daily_mg: tuple[float, float]
    months_on_treatment: tuple[float, float]


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
