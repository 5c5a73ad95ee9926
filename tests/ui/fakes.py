"""A hand-built stand-in for the engine, built from the frozen result dataclasses.

Used to test the window's wiring independently of the real knowledge base; the clinical
cases in test_cases.py run against the real engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from baclofen_cds.logic.case import CaseInputError, parse_case
from baclofen_cds.logic.result import (
    Alert,
    BasisEntry,
    ComedicationMatch,
    Dose,
    Formulation,
    KnowledgeBaseStamp,
    MissedDoseRule,
    MonitoringItem,
    Recommendation,
    Regimen,
    RenalAssessment,
    RenalEstimate,
    SourceRef,
    TaperStep,
    TitrationStep,
)
from baclofen_cds.ui.engine import Engine

KNOWN = {"oxycodone": "oxycodone", "xanax": "alprazolam", "alprazolam": "alprazolam",
         "ibuprofen": "ibuprofen"}


@dataclass
class FakeKB:
    version: str = "test-1"
    sha256: str = "ab" * 32
    reviewed: str = "2026-11-01"
    hard_ceiling_mg_per_day: float = 80.0
    input_limits: Any = field(default_factory=lambda: SimpleNamespace(
        age_years=(0.0, 120.0), weight_kg=(0.5, 400.0), height_cm=(30.0, 250.0),
        clearance=(0.0, 250.0), creatinine_mg_dl=(0.1, 25.0)))
    renal: Any = field(default_factory=lambda: SimpleNamespace(creatinine_umol_per_mg_dl=88.4))
    sources: list[Any] = field(default_factory=lambda: [
        SourceRef("S1", "Baclofen tablets label", "https://example.org/label", "A")])
    conditions: list[Any] = field(default_factory=lambda: [
        SimpleNamespace(id="baclofen_hypersensitivity", label="Baclofen hypersensitivity",
                        group="Allergy"),
        SimpleNamespace(id="epilepsy", label="Epilepsy or seizures", group="Neurological"),
        SimpleNamespace(id="pregnancy", label="Pregnancy", group="Pregnancy"),
    ])
    indications: dict[str, Any] = field(default_factory=lambda: {
        "spasticity": SimpleNamespace(label="Spasticity", patient_label="stiffness"),
        "hiccups": SimpleNamespace(label="Hiccups", patient_label="hiccups")})
    spasticity_origins: dict[str, str] = field(default_factory=lambda: {
        "multiple_sclerosis": "Multiple sclerosis", "stroke": "Stroke"})
    formulations: dict[str, Any] = field(default_factory=lambda: {
        "tablet": SimpleNamespace(label="baclofen 10 mg tablets"),
        "oral_solution_1_mg_per_ml": SimpleNamespace(label="oral solution 1 mg/mL")})

    @property
    def condition_ids(self) -> set[str]:
        return {c.id for c in self.conditions}

    def comedication_names(self) -> list[str]:
        return sorted({"oxycodone", "Xanax", "alprazolam", "ibuprofen", "oxazepam"})


def fake_recommend(case: Any, kb: Any, policy: Any) -> Recommendation:
    stamp = KnowledgeBaseStamp(kb.version, kb.sha256, kb.reviewed)
    matches = []
    alerts = []
    for text in case.comedications:
        name = KNOWN.get(text.casefold())
        if name:
            matches.append(ComedicationMatch(text, "matched", name, ("cns",), None))
        else:
            suggestion = "oxycodone" if text.casefold().startswith("oxyc") else None
            matches.append(ComedicationMatch(text, "unrecognized", None, (), suggestion))
            alerts.append(Alert(f"comedication.unrecognized.{text}", "warning", "input",
                                f"{text} was not checked.", "Unknown name.", "Check it by hand.",
                                (text,), ("S1",)))
    if any(m.name == "oxycodone" for m in matches):
        alerts.append(Alert("interaction.opioids", "critical", "interaction",
                            "Opioid + baclofen: additive sedation and breathing depression.",
                            "Both depress breathing.", "Avoid or use lowest doses.",
                            ("oxycodone",), ("S1",)))
    alerts.append(Alert("info.driving", "info", "condition", "Drowsiness: avoid driving.",
                        "May cause drowsiness.", "Counsel the patient.", (), ("S1",)))
    contraindicated = "baclofen_hypersensitivity" in case.conditions
    crcl = case.creatinine_clearance_ml_min
    estimates = ()
    if crcl is not None:
        estimates = (RenalEstimate("measured_crcl", "Measured creatinine clearance", crcl,
                                   "mL/min", "normal" if crcl >= 80 else "moderate",
                                   f"measured = {crcl}"),)
    renal = RenalAssessment(crcl, None, estimates[0].band if estimates else "unknown",
                            "measured_crcl" if estimates else None, None, None, estimates)
    regimen = None
    if not contraindicated:
        target = 60.0
        interval = 3
        if case.regimen_choice is not None:
            target = case.regimen_choice.target_daily_mg or target
            interval = case.regimen_choice.step_interval_days or interval
        steps = []
        day = 1
        daily = 15.0
        while daily <= target:
            last = daily + 15 > target
            start = case.start_date + timedelta(days=day - 1)
            steps.append(TitrationStep(day, None if last else day + interval - 1, start,
                                       None if last else start + timedelta(days=interval - 1),
                                       daily / 3, 3, daily, f"{daily / 15:g} × half tablet"))
            day += interval
            daily += 15
        form = Formulation("tablet", "baclofen 10 mg tablets", "10 mg tablets", "tablet", 10,
                           None, "room temperature")
        regimen = Regimen(Dose(5, 3, 15, "half a 10 mg tablet"), target, 80.0, interval,
                          tuple(steps), form, False)
    return Recommendation(
        status="contraindicated" if contraindicated else (
            "use_with_caution" if alerts[:-1] else "recommended"),
        status_reason="hypersensitivity" if contraindicated else "adult spasticity",
        case=case.to_dict(),
        renal=renal,
        regimen=regimen,
        taper=(TaperStep(1, 3, 15, 3, 45, "1.5 tablets"), TaperStep(4, 6, 10, 3, 30, "1 tablet")),
        missed_dose=MissedDoseRule("missed.adult", "adult", "Take it when you remember.",
                                   ("S1",)),
        monitoring=(MonitoringItem("renal.baseline", "kidney function", "before starting", None,
                                   case.start_date, ("S1",)),),
        alerts=tuple(alerts),
        comedications=tuple(matches),
        basis=(BasisEntry("regimen.start", "dose.adult.spasticity", (("age_years",
                          case.age_years),), ("S1",)),
               BasisEntry("regimen.max_daily_mg", "ceiling.adult", (), ("S1",),
                          equation="min(80, band cap)"),
               BasisEntry("renal.band", "renal.bands", (("crcl", crcl),), ("S1",))),
        knowledge_base=stamp,
        sources=tuple(kb.sources),
        policy={},
    )


def fake_engine() -> Engine:
    kb = FakeKB()
    return Engine(
        kb,
        parse_case=parse_case,
        recommend=fake_recommend,
        load_policy=lambda kb, overrides=None: SimpleNamespace(
            clinic_name="", clinic_phone="", default_formulation="tablet", **{}),
        case_error=CaseInputError,
    )
