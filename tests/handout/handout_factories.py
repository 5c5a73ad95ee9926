"""Hand-made recommendations for the handout tests (frozen result objects, no engine).

They follow the engine contract in logic/result.py: a normal adult spasticity case on
10 mg tablets, 5 mg three times a day rising every 3 days to 20 mg three times a day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from msgspec.structs import replace

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

START = date(2026, 12, 1)

TABLET = Formulation(
    code="tablet",
    label="baclofen 10 mg tablets",
    patient_label="10 mg tablets",
    unit="tablet",
    strength_mg=10,
    concentration_mg_per_ml=None,
    storage="Store at room temperature, away from heat and damp.",
)

SOLUTION_1 = Formulation(
    code="oral_solution_1_mg_per_ml",
    label="baclofen oral solution 5 mg/5 mL (1 mg/mL)",
    patient_label="liquid, 5 mg in 5 mL (1 mg in each mL)",
    unit="mL",
    strength_mg=None,
    concentration_mg_per_ml=1,
    storage="Keep in the fridge (2 °C to 8 °C). Do not freeze.",
)

TABLET_AMOUNTS = {
    5: "half a tablet (5 mg)",
    10: "1 tablet (10 mg)",
    15: "1 and a half tablets (15 mg)",
    20: "2 tablets (20 mg)",
}


def _amount(formulation: Formulation, dose: float) -> tuple[str, float | None]:
    if formulation.unit == "mL":
        assert formulation.concentration_mg_per_ml
        ml = dose / formulation.concentration_mg_per_ml
        return f"{ml:g} mL ({dose:g} mg)", ml
    return TABLET_AMOUNTS[int(dose)], None


def steps(
    doses: tuple[float, ...] = (5, 10, 15, 20),
    times: int = 3,
    interval: int = 3,
    start: date = START,
    formulation: Formulation = TABLET,
) -> tuple[TitrationStep, ...]:
    out = []
    for i, dose in enumerate(doses):
        last = i == len(doses) - 1
        from_day = 1 + i * interval
        amount, volume = _amount(formulation, dose)
        out.append(
            TitrationStep(
                from_day=from_day,
                to_day=None if last else from_day + interval - 1,
                from_date=start + timedelta(days=from_day - 1),
                to_date=None if last else start + timedelta(days=from_day + interval - 2),
                dose_mg=dose,
                times_per_day=times,
                daily_mg=dose * times,
                amount=amount,
                volume_ml=volume,
            )
        )
    return tuple(out)


def taper(
    doses: tuple[float, ...] = (15, 10, 5), times: int = 3, formulation: Formulation = TABLET
) -> tuple[TaperStep, ...]:
    out = []
    for i, dose in enumerate(doses):
        amount, volume = _amount(formulation, dose)
        out.append(
            TaperStep(
                from_day=1 + 3 * i,
                to_day=3 + 3 * i,
                dose_mg=dose,
                times_per_day=times,
                daily_mg=dose * times,
                amount=amount,
                volume_ml=volume,
            )
        )
    return tuple(out)


SOURCES = (
    SourceRef("S1", "Baclofen Tablets USP, FDA label", "https://dailymed.nlm.nih.gov/", "A"),
    SourceRef("S8", "UK SmPC, Baclofen tablets", "https://rxreasoner.com/", "A"),
    SourceRef("S10", "Canadian product monograph, pms-BACLOFEN", "https://mims.com/", "A"),
    SourceRef("S36", "NHS, How and when to take baclofen", "https://nhs.uk/", "D"),
)

OPIOID_ALERT = Alert(
    id="interaction.opioids",
    indicator="critical",
    category="interaction",
    summary="Opioid + baclofen: additive sedation and breathing depression.",
    detail="Additive CNS and respiratory depression.",
    action="Avoid, or use the lowest doses and monitor breathing and sedation.",
    triggered_by=("oxycodone",),
    sources=("S10", "S8"),
    evidence="labeled",
    patient_text="Together they can make you very sleepy and slow your breathing.",
)

BENZO_ALERT = Alert(
    id="interaction.benzodiazepines",
    indicator="critical",
    category="interaction",
    summary="Benzodiazepine + baclofen: additive sedation.",
    detail="Additive sedation and respiratory depression.",
    action="Avoid or reduce; monitor.",
    triggered_by=("Xanax",),
    sources=("S1",),
    evidence="labeled",
    patient_text="Together they can make you very sleepy.",
)

UNRECOGNIZED_ALERT = Alert(
    id="input.unrecognized_comedication",
    indicator="warning",
    category="input",
    summary="1 co-medication was not recognised and was not checked: Zzyzxomab.",
    detail="Unknown is never treated as safe.",
    action="Check it by hand.",
    triggered_by=("Zzyzxomab",),
    sources=("S8",),
)


def recommendation(**changes: Any) -> Recommendation:
    """A normal adult spasticity recommendation; keyword arguments replace fields."""
    regimen = Regimen(
        start=Dose(dose_mg=5, times_per_day=3, daily_mg=15, amount=TABLET_AMOUNTS[5]),
        target_daily_mg=60,
        max_daily_mg=80,
        step_interval_days=3,
        steps=steps(),
        formulation=TABLET,
        derived=False,
    )
    case = {
        "patient": {"id": "MRN-001", "name": "Jane Doe"},
        "indication": "spasticity",
        "spasticity_origin": "multiple_sclerosis",
        "age_years": 61,
        "sex": "female",
        "weight_kg": 70,
        "height_cm": 168,
        "serum_creatinine": {"value": 0.9, "unit": "mg/dL"},
        "creatinine_clearance_ml_min": None,
        "egfr_ml_min_1_73m2": None,
        "dialysis": "none",
        "hepatic_impairment": "none",
        "conditions": [],
        "comedications": ["oxycodone", "Xanax", "Zzyzxomab"],
        "formulation": "tablet",
        "start_date": START.isoformat(),
        "regimen_choice": None,
    }
    base = Recommendation(
        status="use_with_caution",
        status_reason="Interacting co-medications: opioid and benzodiazepine.",
        case=case,
        renal=RenalAssessment(
            creatinine_clearance_ml_min=76.4,
            egfr_ml_min_1_73m2=71.2,
            band="mild",
            driven_by="ckd_epi_2021",
            weight_used="total",
            weight_used_kg=70,
            estimates=(
                RenalEstimate(
                    method="cockcroft_gault",
                    label="Creatinine clearance (Cockcroft-Gault)",
                    value=76.4,
                    unit="mL/min",
                    band="normal",
                    equation="(140 − 61) × 70 × 0.85 / (72 × 0.9) = 76.4 mL/min",
                ),
                RenalEstimate(
                    method="ckd_epi_2021",
                    label="eGFR (CKD-EPI 2021)",
                    value=71.2,
                    unit="mL/min/1.73 m²",
                    band="mild",
                    equation="142 × min(0.9/0.7, 1)^-0.241 × … = 71.2",
                ),
            ),
        ),
        regimen=regimen,
        taper=taper(),
        missed_dose=MissedDoseRule(
            rule_id="missed_dose.adult",
            population="adult",
            text=(
                "If you forget a dose, take it when you remember. If your next dose is due "
                "in less than 2 hours, skip the missed dose. Never take 2 doses at once."
            ),
            sources=("S36",),
        ),
        monitoring=(
            MonitoringItem(
                id="monitoring.renal.baseline",
                what="kidney function (serum creatinine, eGFR)",
                when="before starting",
                every_months=None,
                due_date=START,
                sources=("S8",),
            ),
            MonitoringItem(
                id="monitoring.renal.routine",
                what="kidney function (serum creatinine, eGFR)",
                when="every 3 months",
                every_months=3,
                due_date=date(2027, 3, 1),
                sources=("S8",),
                local_policy=True,
            ),
            MonitoringItem(
                id="monitoring.liver.routine",
                what="liver tests (AST, ALT, alkaline phosphatase)",
                when="every 6 months",
                every_months=6,
                due_date=date(2027, 6, 1),
                sources=("S10",),
                local_policy=True,
            ),
        ),
        alerts=(OPIOID_ALERT, BENZO_ALERT, UNRECOGNIZED_ALERT),
        comedications=(
            ComedicationMatch("oxycodone", "matched", "oxycodone", ("interaction.opioids",), None),
            ComedicationMatch(
                "Xanax", "matched", "alprazolam", ("interaction.benzodiazepines",), None
            ),
            ComedicationMatch("Zzyzxomab", "unrecognized", None, (), None),
        ),
        basis=(
            BasisEntry(
                output="regimen.start",
                rule="dose.adult.spasticity",
                inputs=(("indication", "spasticity"), ("age_years", 61)),
                sources=("S1",),
            ),
            BasisEntry(
                output="regimen.max_daily_mg",
                rule="dose.adult.spasticity.max",
                inputs=(("renal.band", "mild"),),
                sources=("S1", "S8"),
                note="Hard ceiling 80 mg a day.",
            ),
        ),
        knowledge_base=KnowledgeBaseStamp(
            version="2026.11.0", sha256="ab" * 32, reviewed="2026-11-20"
        ),
        sources=SOURCES,
        policy={
            "clinic_name": "Riverside Neurology",
            "clinic_phone": "555-0100",
            "country": "GB",
            "languages_enabled": ["en", "es"],
        },
    )
    return replace(base, **changes) if changes else base
