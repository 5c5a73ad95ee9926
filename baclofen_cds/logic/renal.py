"""Kidney function: Cockcroft-Gault, CKD-EPI 2021, bedside Schwartz, and the dosing band.

Every constant comes from `renal.yaml`. The lower estimate drives the band; a measured
clearance or a reported eGFR replaces the estimate of its kind; dialysis overrides every
number. No creatinine (and nothing measured) gives the band "unknown" — never "normal".
"""

from __future__ import annotations

import msgspec

from baclofen_cds.logic.alerts import from_template
from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.formatting import format_number
from baclofen_cds.logic.knowledge import KnowledgeBase
from baclofen_cds.logic.result import Alert, BasisEntry, RenalAssessment, RenalBand, RenalEstimate

CRCL_UNIT = "mL/min"
EGFR_UNIT = "mL/min/1.73 m²"


class RenalResult(msgspec.Struct, frozen=True):
    assessment: RenalAssessment
    basis: tuple[BasisEntry, ...]
    alerts: tuple[Alert, ...]
    why_unknown: str = ""  # why no kidney figure could be computed, for the "unknown" alert


def creatinine_mg_dl(case: CaseInput, kb: KnowledgeBase) -> float | None:
    scr = case.serum_creatinine
    if scr is None:
        return None
    if scr.unit == "umol/L":
        return scr.value / kb.renal.creatinine_umol_per_mg_dl
    return scr.value


def band_for(value: float, kb: KnowledgeBase) -> RenalBand:
    """The band a displayed value falls in; a value on a cut-off belongs to the band above."""
    for band in kb.renal.bands:
        if value >= band.min_value:
            return band.id
    return kb.renal.bands[-1].id


def band_label(band: str, kb: KnowledgeBase) -> str:
    for cut in kb.renal.bands:
        if cut.id == band:
            return cut.label
    return band.replace("_", " ")


def ideal_body_weight(sex: str, height_cm: float, kb: KnowledgeBase) -> float | None:
    """Devine ideal body weight; None below the formula's base height (it is not valid there)."""
    wp = kb.renal.weight_policy
    inches = height_cm / wp.cm_per_inch
    if inches < wp.ibw_base_height_in:
        return None
    base = wp.ibw_base_kg_female if sex == "female" else wp.ibw_base_kg_male
    return base + wp.ibw_kg_per_inch * (inches - wp.ibw_base_height_in)


def cockcroft_gault_weight(case: CaseInput, kb: KnowledgeBase) -> tuple[float, str, str]:
    """(weight used, total|adjusted, explanation) per the documented weight policy."""
    assert case.weight_kg is not None
    wp = kb.renal.weight_policy
    total = case.weight_kg
    if case.height_cm is None:
        return total, "total", "no height entered, so ideal weight is unknown: total weight used"
    ibw = ideal_body_weight(case.sex, case.height_cm, kb)
    if ibw is None:
        return total, "total", "height below the ideal-weight formula's range: total weight used"
    ratio = wp.adjusted_if_total_above_ibw_ratio
    if total > ratio * ibw:
        adjusted = ibw + wp.adjusted_fraction_of_excess * (total - ibw)
        return (
            adjusted,
            "adjusted",
            f"total {format_number(total, 1)} kg > {format_number(ratio)} × ideal "
            f"{format_number(ibw, 1)} kg: adjusted weight = {format_number(ibw, 1)} + "
            f"{format_number(wp.adjusted_fraction_of_excess)} × ({format_number(total, 1)} − "
            f"{format_number(ibw, 1)}) = {format_number(adjusted, 1)} kg",
        )
    return (
        total,
        "total",
        f"total {format_number(total, 1)} kg ≤ {format_number(ratio)} × ideal "
        f"{format_number(ibw, 1)} kg: total weight used",
    )


def cockcroft_gault(age: float, weight: float, scr: float, sex: str, kb: KnowledgeBase) -> float:
    cg = kb.renal.cockcroft_gault
    value = (cg.age_constant - age) * weight / (cg.divisor * scr)
    return value * cg.female_factor if sex == "female" else value


def ckd_epi_2021(age: float, scr: float, sex: str, kb: KnowledgeBase) -> float:
    c = kb.renal.ckd_epi_2021
    female = sex == "female"
    kappa = c.kappa_female if female else c.kappa_male
    alpha = c.alpha_female if female else c.alpha_male
    ratio = scr / kappa
    value = (
        c.multiplier
        * min(ratio, 1.0) ** alpha
        * max(ratio, 1.0) ** c.exponent_above_kappa
        * c.age_base**age
    )
    return float(value * c.female_factor if female else value)


def schwartz_bedside(height_cm: float, scr: float, kb: KnowledgeBase) -> float:
    return kb.renal.schwartz_bedside.k * height_cm / scr


def assess_renal(case: CaseInput, kb: KnowledgeBase) -> RenalResult:
    r = kb.renal
    decimals = r.display_decimals
    scr = creatinine_mg_dl(case, kb)
    estimates: list[RenalEstimate] = []
    basis: list[BasisEntry] = []
    alerts: list[Alert] = []
    weight_used: str | None = None
    weight_used_kg: float | None = None
    crcl: float | None = None
    egfr: float | None = None
    adult = case.age_years >= r.ckd_epi_2021.min_age_years
    why_unknown: list[str] = []

    def add(method: str, label: str, raw: float, unit: str, equation: str) -> float:
        shown = round(raw, decimals)
        estimates.append(RenalEstimate(method, label, shown, unit, band_for(shown, kb), equation))
        return shown

    # --- creatinine clearance: measured beats Cockcroft-Gault
    if case.creatinine_clearance_ml_min is not None:
        crcl = add(
            "measured_crcl",
            "Creatinine clearance (measured)",
            case.creatinine_clearance_ml_min,
            CRCL_UNIT,
            "measured value entered by the clinician",
        )
        basis.append(
            BasisEntry(
                output="renal.creatinine_clearance_ml_min",
                rule=r.measured_overrides.id,
                inputs=(("creatinine_clearance_ml_min", case.creatinine_clearance_ml_min),),
                sources=r.measured_overrides.sources,
                note=r.measured_overrides.note,
                derived=r.measured_overrides.derived,
            )
        )
    elif (
        scr is not None
        and case.weight_kg is not None
        and case.age_years >= r.cockcroft_gault.min_age_years
    ):
        weight, weight_used, why = cockcroft_gault_weight(case, kb)
        weight_used_kg = round(weight, 1)
        raw = cockcroft_gault(case.age_years, weight, scr, case.sex, kb)
        cg = r.cockcroft_gault
        factor = f" × {format_number(cg.female_factor)}" if case.sex == "female" else ""
        equation = (
            f"({format_number(cg.age_constant)} − {format_number(case.age_years, 1)}) × "
            f"{format_number(weight, 1)} kg / ({format_number(cg.divisor)} × "
            f"{format_number(scr, 2)} mg/dL){factor} = {format_number(raw, decimals)} mL/min"
        )
        crcl = add(
            "cockcroft_gault", "Creatinine clearance (Cockcroft-Gault)", raw, CRCL_UNIT, equation
        )
        basis.append(
            BasisEntry(
                output="renal.creatinine_clearance_ml_min",
                rule=cg.id,
                inputs=(
                    ("age_years", case.age_years),
                    ("sex", case.sex),
                    ("weight_used_kg", weight_used_kg),
                    ("serum_creatinine_mg_dl", round(scr, 2)),
                ),
                sources=cg.sources,
                equation=equation,
                note=cg.note,
            )
        )
        basis.append(
            BasisEntry(
                output="renal.weight_used",
                rule=r.weight_policy.id,
                inputs=(
                    ("weight_kg", case.weight_kg),
                    ("height_cm", case.height_cm),
                    ("sex", case.sex),
                ),
                sources=r.weight_policy.sources,
                equation=why,
                note=r.weight_policy.note,
            )
        )

    # --- eGFR: reported beats CKD-EPI (adults) or bedside Schwartz (children)
    if case.egfr_ml_min_1_73m2 is not None:
        egfr = add(
            "reported_egfr",
            "eGFR (reported by the laboratory)",
            case.egfr_ml_min_1_73m2,
            EGFR_UNIT,
            "laboratory-reported value entered by the clinician",
        )
        basis.append(
            BasisEntry(
                output="renal.egfr_ml_min_1_73m2",
                rule=r.measured_overrides.id,
                inputs=(("egfr_ml_min_1_73m2", case.egfr_ml_min_1_73m2),),
                sources=r.measured_overrides.sources,
                note=r.measured_overrides.note,
                derived=r.measured_overrides.derived,
            )
        )
    elif scr is not None and adult:
        c = r.ckd_epi_2021
        raw = ckd_epi_2021(case.age_years, scr, case.sex, kb)
        female = case.sex == "female"
        kappa = c.kappa_female if female else c.kappa_male
        alpha = c.alpha_female if female else c.alpha_male
        equation = (
            f"{format_number(c.multiplier)} × "
            f"min({format_number(scr, 2)}/{format_number(kappa)}, 1)"
            f"^{format_number(alpha, 3)} × max({format_number(scr, 2)}/{format_number(kappa)}, 1)"
            f"^{format_number(c.exponent_above_kappa, 3)} × {format_number(c.age_base, 4)}"
            f"^{format_number(case.age_years, 1)}"
            + (f" × {format_number(c.female_factor, 3)}" if female else "")
            + f" = {format_number(raw, decimals)} mL/min/1.73 m²"
        )
        egfr = add("ckd_epi_2021", "eGFR (CKD-EPI 2021)", raw, EGFR_UNIT, equation)
        basis.append(
            BasisEntry(
                output="renal.egfr_ml_min_1_73m2",
                rule=c.id,
                inputs=(
                    ("age_years", case.age_years),
                    ("sex", case.sex),
                    ("serum_creatinine_mg_dl", round(scr, 2)),
                ),
                sources=c.sources,
                equation=equation,
                note=c.note,
            )
        )
    elif scr is not None and case.age_years < r.schwartz_bedside.below_age_years:
        if case.height_cm is not None:
            s = r.schwartz_bedside
            raw = schwartz_bedside(case.height_cm, scr, kb)
            equation = (
                f"{format_number(s.k, 3)} × {format_number(case.height_cm, 1)} cm / "
                f"{format_number(scr, 2)} mg/dL = {format_number(raw, decimals)} mL/min/1.73 m²"
            )
            egfr = add(
                "schwartz_bedside", "eGFR (bedside Schwartz, child)", raw, EGFR_UNIT, equation
            )
            basis.append(
                BasisEntry(
                    output="renal.egfr_ml_min_1_73m2",
                    rule=s.id,
                    inputs=(
                        ("height_cm", case.height_cm),
                        ("serum_creatinine_mg_dl", round(scr, 2)),
                    ),
                    sources=s.sources,
                    equation=equation,
                    note=s.note,
                )
            )
        else:
            why_unknown.append("a child's eGFR needs a height (bedside Schwartz)")

    # --- band
    driven_by: str | None = None
    if case.dialysis != "none":
        band: RenalBand = "dialysis"
        driven_by = "dialysis"
        basis.append(
            BasisEntry(
                output="renal.band",
                rule=r.dialysis.id,
                inputs=(("dialysis", case.dialysis),),
                sources=r.dialysis.sources,
                note=r.dialysis.note,
            )
        )
    elif estimates:
        lowest = min(estimates, key=lambda e: (e.value, e.method))
        band = lowest.band
        driven_by = lowest.method
        basis.append(
            BasisEntry(
                output="renal.band",
                rule=r.band_rule.id,
                inputs=tuple((e.method, e.value) for e in estimates),
                sources=r.band_rule.sources,
                note=f"lowest: {lowest.label} {format_number(lowest.value, decimals)} "
                f"{lowest.unit} "
                f"→ {band_label(band, kb)}. {r.band_rule.note}",
            )
        )
        bands = {e.band for e in estimates}
        if len(bands) > 1:
            alerts.append(
                from_template(
                    kb,
                    "renal.estimates_disagree",
                    triggered_by=[e.method for e in estimates],
                    bands=" vs ".join(e.band.replace("_", " ") for e in estimates),
                    estimates="; ".join(
                        f"{e.label}: {format_number(e.value, decimals)} {e.unit} "
                        f"({band_label(e.band, kb)})"
                        for e in estimates
                    ),
                    driver=lowest.label,
                )
            )
    else:
        band = "unknown"
        why = f" ({'; '.join(why_unknown)})" if why_unknown else ""
        basis.append(
            BasisEntry(
                output="renal.band",
                rule=r.band_rule.id,
                inputs=(
                    ("serum_creatinine", None if scr is None else round(scr, 2)),
                    ("weight_kg", case.weight_kg),
                    ("height_cm", case.height_cm),
                ),
                sources=r.band_rule.sources,
                note="no kidney figure could be computed" + why,
            )
        )

    assessment = RenalAssessment(
        creatinine_clearance_ml_min=crcl,
        egfr_ml_min_1_73m2=egfr,
        band=band,
        driven_by=driven_by,
        weight_used=weight_used,
        weight_used_kg=weight_used_kg,
        estimates=tuple(estimates),
    )
    why_text = f" ({'; '.join(why_unknown)})" if why_unknown and band == "unknown" else ""
    return RenalResult(assessment, tuple(basis), tuple(alerts), why_text)


def display_value(assessment: RenalAssessment, kb: KnowledgeBase) -> str:
    """The driving figure as shown in alerts, e.g. "CrCl 42.1 mL/min"."""
    for e in assessment.estimates:
        if e.method == assessment.driven_by:
            short = "CrCl" if e.unit == CRCL_UNIT else "eGFR"
            return f"{short} {format_number(e.value, kb.renal.display_decimals)} {e.unit}"
    return "not known"
