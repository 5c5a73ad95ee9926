"""Cross-checks run at load: every id a rule refers to exists, every number within its bounds.

Each file has been validated against its schema; these checks span files (source ids, alert
ids, conditions, hazards, indications, ceilings) and raise `KnowledgeBaseError` naming the
file and the entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import msgspec

from baclofen_cds.logic.knowledge.errors import KnowledgeBaseError
from baclofen_cds.logic.knowledge.schema import (
    AlertsFile,
    AlertTemplate,
    ConditionInfo,
    ConditionsFile,
    DoseRule,
    DosingFile,
    FormulationInfo,
    FormulationsFile,
    Hazard,
    InteractionClass,
    InteractionsFile,
    KbMeta,
    MonitoringFile,
    MonitoringTrigger,
    OverrideReason,
    OverrideReasonsFile,
    PolicyFile,
    RenalFile,
    Rule,
    Source,
    SourcesFile,
    TaperFile,
)

_T = TypeVar("_T")


class Files(msgspec.Struct, frozen=True):
    """Every knowledge file, each validated against its schema (not yet cross-checked)."""

    meta: KbMeta
    sources: SourcesFile
    renal: RenalFile
    forms: FormulationsFile
    dosing: DosingFile
    alerts: AlertsFile
    conditions: ConditionsFile
    interactions: InteractionsFile
    monitoring: MonitoringFile
    taper: TaperFile
    policy: PolicyFile
    overrides: OverrideReasonsFile


class Indexes(msgspec.Struct, frozen=True):
    """The entries of the files by id, built while cross-checking them."""

    sources_by_id: dict[str, Source]
    formulations: dict[str, FormulationInfo]
    alerts: dict[str, AlertTemplate]
    conditions_by_id: dict[str, ConditionInfo]
    classes_by_id: dict[str, InteractionClass]
    hazards_by_id: dict[str, Hazard]
    override_reasons: dict[str, OverrideReason]


def cross_check(files: Files) -> Indexes:
    """Check every reference between the files; the entries by id. KnowledgeBaseError."""
    meta, sources, renal, forms = files.meta, files.sources, files.renal, files.forms
    dosing, alerts, conditions = files.dosing, files.alerts, files.conditions
    interactions, monitoring, taper = files.interactions, files.monitoring, files.taper
    policy, overrides = files.policy, files.overrides
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
    for item in monitoring.items:
        checker.rule("monitoring.yaml", item)
        _check_trigger(f"monitoring.yaml: {item.id}", item.triggers, meta, conditions_by_id)
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
    _check_trigger(
        "policy.yaml: higher_risk_if", policy.policy.higher_risk_if, meta, conditions_by_id
    )
    _check_engine_alerts(alert_map)
    _check_indication_rules(meta, dosing)
    checker.finish()
    return Indexes(
        sources_by_id=sources_by_id,
        formulations=formulations,
        alerts=alert_map,
        conditions_by_id=conditions_by_id,
        classes_by_id=classes_by_id,
        hazards_by_id=hazards_by_id,
        override_reasons=override_reasons,
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


#: Alert ids the engine raises by name in its code (`from_template(kb, "...")`): alerts.yaml
#: must have each one (tests/logic/test_knowledge_vocabulary.py holds this list to the code).
ENGINE_ALERTS: tuple[str, ...] = (
    "renal.unknown",
    "renal.creatinine_stale",
    "renal.creatinine_after_start",
    "renal.estimates_disagree",
    "hepatic.impairment",
    "dose.not_dispensable",
    "dose.tablets_low_weight",
    "dose.choice_capped",
    "dose.current_above_max",
    "dose.continue_from_current",
    "input.child_weight_missing",
    "dose.concentrate_5_mg_per_ml",
    "taper.not_measurable",
)

#: The population whose dose rule every indication must have (a case may be any age; a rule
#: for adults is the one the others are derived from).
_REQUIRED_POPULATION = "adult"


def _check_engine_alerts(alert_map: Mapping[str, AlertTemplate]) -> None:
    for alert_id in ENGINE_ALERTS:
        if alert_id not in alert_map:
            raise KnowledgeBaseError(
                f"alerts.yaml: alert {alert_id!r} is missing (the engine raises it)"
            )


def _check_indication_rules(meta: KbMeta, dosing: DosingFile) -> None:
    """Every indication of kb.yaml has an indication dose rule that applies to adults."""
    for code in meta.indications:
        if not any(
            rule.kind == "indication"
            and (rule.applies.indications is None or code in rule.applies.indications)
            and (
                rule.applies.populations is None or _REQUIRED_POPULATION in rule.applies.populations
            )
            for rule in dosing.rules
        ):
            raise KnowledgeBaseError(
                f"dosing.yaml: indication {code!r} (kb.yaml) has no dose rule for adults "
                f"(a rule of kind indication whose applies lists it and the adult population)"
            )


def _check_trigger(
    where: str,
    trigger: MonitoringTrigger,
    meta: KbMeta,
    conditions_by_id: Mapping[str, ConditionInfo],
) -> None:
    """A monitoring trigger names only known conditions and indications."""
    for cond in trigger.conditions:
        if cond not in conditions_by_id:
            raise KnowledgeBaseError(f"{where}: unknown condition {cond!r}")
    for ind in (*trigger.indications, *trigger.except_indications):
        if ind not in meta.indications:
            raise KnowledgeBaseError(f"{where}: unknown indication {ind!r}")


#: A handout text file: `handout_text.yaml` (English) or `handout_text.<language>.yaml`.
_HANDOUT_TEXT = re.compile(r"^handout_text(\.[a-z]{2,3})?\.yaml$")


def check_handout_vocabulary(
    documents: Mapping[str, Any], meta: KbMeta, formulations: Mapping[str, FormulationInfo]
) -> None:
    """Every handout language file has purpose lines for every indication and words for every
    formulation (the handout looks them up by code). The rest of each file is validated when
    the handout is made, and by `knowledge check`."""
    for name in sorted(documents, key=lambda n: (n != "handout_text.yaml", n)):  # English first
        if not _HANDOUT_TEXT.match(name):
            continue
        doc = documents[name]
        purpose = doc.get("purpose") if isinstance(doc, dict) else None
        by_indication = purpose.get("by_indication") if isinstance(purpose, dict) else None
        forms = doc.get("forms") if isinstance(doc, dict) else None
        for code in meta.indications:
            if not isinstance(by_indication, dict) or code not in by_indication:
                raise KnowledgeBaseError(
                    f"{name}: purpose.by_indication has no text for indication {code!r}"
                )
        for code in formulations:
            if not isinstance(forms, dict) or code not in forms:
                raise KnowledgeBaseError(f"{name}: forms has no text for formulation {code!r}")


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
        _check_dose_rule_refs(rule, meta, alert_map, conditions_by_id)
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


def _check_dose_rule_refs(
    rule: DoseRule,
    meta: KbMeta,
    alert_map: Mapping[str, AlertTemplate],
    conditions_by_id: Mapping[str, ConditionInfo],
) -> None:
    """A dose rule's alert, indications, origins and conditions all exist."""
    if rule.alert is not None and rule.alert not in alert_map:
        raise KnowledgeBaseError(f"dosing.yaml: {rule.id}: unknown alert {rule.alert!r}")
    for ind in rule.applies.indications or ():
        if ind not in meta.indications:
            raise KnowledgeBaseError(f"dosing.yaml: {rule.id}: unknown indication {ind!r}")
    for origin in rule.applies.spasticity_origins or ():
        if origin not in meta.spasticity_origins:
            raise KnowledgeBaseError(f"dosing.yaml: {rule.id}: unknown origin {origin!r}")
    for cond in rule.applies.conditions or ():
        if cond not in conditions_by_id:
            raise KnowledgeBaseError(f"dosing.yaml: {rule.id}: unknown condition {cond!r}")


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
