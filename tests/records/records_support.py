"""Stand-in recommendations for the records tests (shaped exactly like the engine's output).

The records code only needs `Recommendation.to_json()`, `.case`, `.alerts`, `.status` and
`.knowledge_base`, so a realistic Recommendation built from the result contract exercises
it fully. Tests that need the real engine live in test_reproducibility.py.
Also used by the subprocess scripts of the fault tests (imported by path).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

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

KB_SHA = "3f" * 32


def case_dict(patient_id: str = "MRN-001", name: str = "Jane Doe", **extra: Any) -> dict[str, Any]:
    """A normalised case as CaseInput.to_dict() gives it."""
    case: dict[str, Any] = {
        "patient": {"id": patient_id, "name": name},
        "indication": "spasticity",
        "spasticity_origin": "multiple_sclerosis",
        "age_years": 45.0,
        "sex": "female",
        "weight_kg": 70.0,
        "height_cm": 168.0,
        "serum_creatinine": {"value": 0.9, "unit": "mg/dL"},
        "creatinine_clearance_ml_min": None,
        "egfr_ml_min_1_73m2": None,
        "dialysis": "none",
        "hepatic_impairment": "none",
        "conditions": ["epilepsy"],
        "comedications": ["oxycodone", "Xanax"],
        "formulation": "tablet",
        "start_date": "2026-12-01",
        "regimen_choice": None,
    }
    case.update(extra)
    return case


def make_recommendation(
    patient_id: str = "MRN-001",
    name: str = "Jane Doe",
    *,
    status: str = "use_with_caution",
    comedications: tuple[str, ...] = ("oxycodone", "Xanax"),
    kb_version: str = "2026.11.0",
    kb_sha256: str = KB_SHA,
    policy: dict[str, Any] | None = None,
) -> Recommendation:
    start = date(2026, 12, 1)
    tablet = Formulation(
        code="tablet",
        label="baclofen 10 mg tablets",
        patient_label="10 mg tablets",
        unit="tablet",
        strength_mg=10.0,
        concentration_mg_per_ml=None,
        storage="Keep at room temperature.",
    )
    steps = tuple(
        TitrationStep(
            from_day=1 + 3 * i,
            to_day=None if i == 3 else 3 + 3 * i,
            from_date=start + timedelta(days=3 * i),
            to_date=None if i == 3 else start + timedelta(days=2 + 3 * i),
            dose_mg=5.0 * (i + 1),
            times_per_day=3,
            daily_mg=15.0 * (i + 1),
            amount=f"{(i + 1) / 2:g} tablet ({5 * (i + 1)} mg)",
        )
        for i in range(4)
    )
    alerts = (
        Alert(
            id="interaction.opioids",
            indicator="critical",
            category="interaction",
            summary="Opioid + baclofen: additive sedation and breathing depression.",
            detail="Both depress the central nervous system.",
            action="Use the lowest doses; watch breathing and alertness.",
            triggered_by=("oxycodone",),
            sources=("S10", "S8"),
            evidence="labeled",
            patient_text="Tell your doctor if you feel very sleepy.",
        ),
        Alert(
            id="condition.epilepsy",
            indicator="warning",
            category="condition",
            summary="Epilepsy: baclofen may lower the seizure threshold.",
            detail="Seizures have been reported.",
            action="Monitor seizure control.",
            triggered_by=("epilepsy",),
            sources=("S1",),
        ),
    )
    case = case_dict(patient_id, name, comedications=list(comedications))
    return Recommendation(
        status=status,  # type: ignore[arg-type]
        status_reason="Interaction with an opioid.",
        case=case,
        renal=RenalAssessment(
            creatinine_clearance_ml_min=87.2,
            egfr_ml_min_1_73m2=80.3,
            band="normal",
            driven_by="ckd_epi_2021",
            weight_used="total",
            weight_used_kg=70.0,
            estimates=(
                RenalEstimate(
                    method="cockcroft_gault",
                    label="Creatinine clearance (Cockcroft-Gault)",
                    value=87.2,
                    unit="mL/min",
                    band="normal",
                    equation="(140 − 45) × 70 × 0.85 / (72 × 0.9)",
                ),
            ),
        ),
        regimen=Regimen(
            start=Dose(dose_mg=5.0, times_per_day=3, daily_mg=15.0, amount="½ tablet (5 mg)"),
            target_daily_mg=60.0,
            max_daily_mg=80.0,
            step_interval_days=3,
            steps=steps,
            formulation=tablet,
            derived=False,
        ),
        taper=(
            TaperStep(
                from_day=1,
                to_day=7,
                dose_mg=10.0,
                times_per_day=3,
                daily_mg=30.0,
                amount="1 tablet (10 mg)",
            ),
        ),
        missed_dose=MissedDoseRule(
            rule_id="missed.adult",
            population="adult",
            text="Skip it if it is nearly time.",
            sources=("S1",),
        ),
        monitoring=(
            MonitoringItem(
                id="kidney.baseline",
                what="kidney function (serum creatinine, eGFR)",
                when="before starting",
                every_months=None,
                due_date=start,
                sources=("S8",),
            ),
        ),
        alerts=alerts,
        comedications=tuple(
            ComedicationMatch(
                text=c, status="matched", name=c.lower(), classes=("cns",), suggestion=None
            )
            for c in comedications
        ),
        basis=(
            BasisEntry(
                output="regimen.max_daily_mg",
                rule="dose.adult.spasticity",
                inputs=(("age_years", 45.0),),
                sources=("S1",),
            ),
        ),
        knowledge_base=KnowledgeBaseStamp(
            version=kb_version, sha256=kb_sha256, reviewed="2026-11-01"
        ),
        sources=(
            SourceRef(id="S1", title="Baclofen label", url="https://example.org/s1", grade="A"),
            SourceRef(id="S8", title="Renal dosing", url="https://example.org/s8", grade="B"),
            SourceRef(id="S10", title="Opioid warning", url="https://example.org/s10", grade="A"),
        ),
        policy=policy if policy is not None else {"clinic_name": "Test Clinic"},
    )
