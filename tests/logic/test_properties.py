"""Safety invariants over random valid cases (hypothesis)."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from baclofen_cds.logic import KnowledgeBase, parse_case, recommend
from baclofen_cds.logic.knowledge import load_knowledge_base
from baclofen_cds.logic.result import STATUS_ORDER, Recommendation

KB: KnowledgeBase = load_knowledge_base()
TODAY = date(2026, 11, 22)
CEILING = KB.hard_ceiling_mg_per_day
MEDS = [*sorted(KB.comedication_names())[::7], "foobarazole", "Xanaxx", "ibuprofen 400 mg"]
ISMP_MG = re.compile(r"(?<![\d.,])(\d{1,3}(,\d{3})*|\d+)(\.\d*[1-9])? mg\b")
BAD_DOSE = re.compile(r"(\d\.0+ mg)|((?<![\d])\.\d+ ?mg)|\b(QD|QOD|TIW|HS|qhs|cc|µg|TID|BID|QID)\b")

cases = st.fixed_dictionaries(
    {
        "indication": st.sampled_from(list(KB.indications)),
        "age_years": st.floats(0, 120, allow_nan=False).map(lambda x: round(x, 1)),
        "sex": st.sampled_from(["female", "male"]),
        "start_date": st.dates(date(2025, 1, 1), date(2030, 12, 31)).map(date.isoformat),
        "dialysis": st.sampled_from(["none", "none", "none", "hemodialysis", "peritoneal"]),
        "hepatic_impairment": st.sampled_from(["none", "mild", "moderate", "severe"]),
        "formulation": st.sampled_from(list(KB.formulations)),
        "conditions": st.lists(st.sampled_from(sorted(KB.condition_ids)), max_size=3, unique=True),
        "comedications": st.lists(st.sampled_from(MEDS), max_size=4, unique=True),
    },
    optional={
        "weight_kg": st.floats(0.5, 350).map(lambda x: round(x, 1)),
        "height_cm": st.floats(30, 250).map(lambda x: round(x, 1)),
        "serum_creatinine": st.floats(0.1, 20).map(
            lambda x: {"value": round(x, 2), "unit": "mg/dL"}
        ),
        "creatinine_clearance_ml_min": st.floats(1, 250).map(lambda x: round(x, 1)),
        "egfr_ml_min_1_73m2": st.floats(1, 250).map(lambda x: round(x, 1)),
        "override": st.sampled_from(
            [{"reason": code, "clinician": "Dr Test", "note": ""} for code in KB.override_reasons]
        ),
        "confirmed": st.lists(
            st.sampled_from(["weight_kg", "age_years", "serum_creatinine"]), unique=True
        ),
        "current_daily_mg": st.floats(0.5, 120).map(lambda x: round(x, 1)),
        "months_on_treatment": st.floats(0, 240).map(lambda x: round(x, 1)),
        "intrathecal": st.sampled_from(["none", "pump_in_situ", "pump_removed_or_failed"]),
    },
)

settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")


def rec_for(data: dict[str, Any]) -> Recommendation:
    return recommend(parse_case(data, KB, today=TODAY), KB)


def all_doses(rec: Recommendation) -> list[tuple[float, float]]:
    g = rec.regimen
    if g is None:
        return []
    out = [(s.dose_mg, s.daily_mg) for s in g.steps] + [(t.dose_mg, t.daily_mg) for t in rec.taper]
    return [*out, (g.start.dose_mg, g.start.daily_mg)]


@given(cases)
def test_no_step_above_the_maximum_and_maximum_never_above_80(data: dict[str, Any]) -> None:
    rec = rec_for(data)
    if rec.regimen is None:
        if data.get("current_daily_mg") is None:
            assert rec.taper == ()
        return
    assert rec.regimen.max_daily_mg <= CEILING
    # a taper starts from the dose actually taken, which may be above this patient's maximum
    highest = max(rec.regimen.max_daily_mg, data.get("current_daily_mg") or 0)
    for _, daily in all_doses(rec):
        assert 0 < daily <= highest + 1e-9
    for step in rec.regimen.steps:
        assert step.daily_mg <= rec.regimen.max_daily_mg + 1e-9
    assert data.get("current_daily_mg", 0) <= rec.regimen.max_daily_mg
    assert rec.regimen.target_daily_mg <= rec.regimen.max_daily_mg
    days = [s.from_day for s in rec.regimen.steps]
    assert days == sorted(days) and days[0] == 1


@given(cases, st.sampled_from([None, 79, 49, 29, 14]))
def test_worse_kidney_function_never_gives_higher_start_or_maximum(
    data: dict[str, Any], lower: int | None
) -> None:
    data = {
        k: v
        for k, v in data.items()
        # a current dose sets where someone already on baclofen goes on from (tested below)
        if k
        not in (
            "serum_creatinine",
            "creatinine_clearance_ml_min",
            "egfr_ml_min_1_73m2",
            "current_daily_mg",
        )
    }
    data["dialysis"] = "none"
    data["creatinine_clearance_ml_min"] = 120
    better = rec_for(data)
    worse_data = (
        dict(data, creatinine_clearance_ml_min=lower)
        if lower
        else dict(data, dialysis="hemodialysis")
    )
    worse = rec_for(worse_data)
    if better.regimen is None or worse.regimen is None:
        return
    assert worse.regimen.start.daily_mg <= better.regimen.start.daily_mg
    assert worse.regimen.max_daily_mg <= better.regimen.max_daily_mg
    assert STATUS_ORDER[worse.status] >= STATUS_ORDER[better.status]


@given(cases)
def test_every_alert_cites_a_source_in_the_register(data: dict[str, Any]) -> None:
    rec = rec_for(data)
    cited = {s.id for s in rec.sources}
    for alert in rec.alerts:
        assert alert.sources and set(alert.sources) <= cited
        assert len(alert.summary) < 140
        assert alert.indicator in ("critical", "warning", "info")
    for entry in rec.basis:
        assert entry.sources and set(entry.sources) <= cited


@given(cases)
def test_every_dose_string_follows_ismp_notation(data: dict[str, Any]) -> None:
    rec = rec_for(data)
    text = rec.to_json()
    assert not BAD_DOSE.search(text), BAD_DOSE.search(text)
    for step in rec.regimen.steps if rec.regimen else ():
        assert ISMP_MG.search(step.amount) or "tablet" in step.amount or "packet" in step.amount


@given(cases)
def test_the_result_is_identical_on_a_second_run(data: dict[str, Any]) -> None:
    assert rec_for(data).to_json() == rec_for(data).to_json()


@given(cases)
def test_unknown_comedications_are_never_silently_passed(data: dict[str, Any]) -> None:
    rec = rec_for(data)
    unknown = rec.unrecognized_comedications
    if unknown:
        alert = next(a for a in rec.alerts if a.id == "interaction.not_checked")
        assert set(unknown) <= set(alert.triggered_by)
        assert rec.status != "recommended"


@given(cases)
def test_contraindicated_never_has_a_regimen(data: dict[str, Any]) -> None:
    rec = rec_for(data)
    if "baclofen_hypersensitivity" in data["conditions"]:
        assert rec.status == "contraindicated" and rec.regimen is None


@given(
    st.floats(0.5, 20).map(lambda x: round(x * 2) / 2),
    st.integers(1, 4),
    st.sampled_from(list(KB.formulations)),
)
def test_taper_from_any_dose_lasts_two_weeks_and_only_goes_down(
    dose: float, times: int, form: str
) -> None:
    from baclofen_cds.logic.taper import taper_from_dose

    steps = taper_from_dose(dose, times, form, KB)
    if not steps:  # already the smallest dose the form can give
        return
    assert steps[-1].to_day >= KB.taper.taper.min_total_days
    dailies = [s.daily_mg for s in steps]
    assert dailies == sorted(dailies, reverse=True)
    assert len(set(dailies)) == len(dailies)
    assert dailies[0] < dose * times
    assert steps[0].from_day == 1


ADULT_START = KB.dosing.rules[0].ladder[0].dose_mg * KB.dosing.rules[0].ladder[0].times_per_day  # type: ignore[index]
HIGH_RISK_BANDS = {"mild", "moderate", "severe", "kidney_failure", "dialysis"}


@given(cases)
def test_no_regimen_for_avoid_without_an_override(data: dict[str, Any]) -> None:
    rec = rec_for(data)
    if rec.status in ("avoid", "contraindicated") and "override" not in data:
        assert rec.regimen is None
        assert rec.regimen_withheld is not None and rec.regimen_withheld.reason
    if rec.status == "contraindicated":
        assert rec.regimen is None
        assert rec.regimen_withheld is not None and not rec.regimen_withheld.override_allowed
    if rec.regimen is None:
        assert rec.regimen_withheld is not None  # every missing regimen says why
    if rec.regimen_withheld is not None and rec.regimen is not None:
        assert rec.override is not None and rec.override.applied  # only an override shows it
        assert rec.status == "avoid"  # and the status stays avoid


@given(cases)
def test_an_override_never_removes_an_alert_or_changes_the_status(data: dict[str, Any]) -> None:
    data.pop("override", None)
    without = rec_for(data)
    with_override = rec_for({**data, "override": {"reason": "palliative_care", "clinician": "X"}})
    assert with_override.status == without.status
    assert [a.id for a in with_override.alerts] == [a.id for a in without.alerts]


@given(cases)
@example(  # found by hypothesis: an infant already on 1 mg a day, above 0.3 mg/kg
    {
        "indication": "spasticity",
        "age_years": 0.0,
        "sex": "female",
        "start_date": "2025-01-01",
        "dialysis": "none",
        "hepatic_impairment": "none",
        "formulation": "oral_solution_1_mg_per_ml",
        "conditions": [],
        "comedications": [],
        "weight_kg": 1.0,
        "current_daily_mg": 1.0,
    }
)
def test_no_child_start_above_the_adult_start(data: dict[str, Any]) -> None:
    rec = rec_for(data)
    if rec.regimen is None or data["age_years"] >= KB.meta.adult_age_years:
        return
    start = rec.regimen.start.daily_mg
    current = data.get("current_daily_mg")
    if current is not None and start <= current + 1e-9:
        # A child already on baclofen goes on from their dose (never a sudden cut): a start at
        # or below the current dose is bounded by it; above it, the new-start limits hold.
        return
    assert start <= ADULT_START + 1e-9
    if data.get("weight_kg") is not None:
        assert start <= 0.3 * data["weight_kg"] + 1e-9  # never above 0.3 mg/kg a day


@given(cases)
def test_high_risk_groups_always_have_a_first_week_watch(data: dict[str, Any]) -> None:
    rec = rec_for(data)
    high_risk = (
        data["age_years"] >= KB.dosing.beers.min_age_years
        or rec.renal.band in HIGH_RISK_BANDS
        or "acute_kidney_injury" in data["conditions"]
    )
    if rec.regimen is None or not high_risk:
        return
    start = rec.regimen.steps[0].from_date
    watch = [
        m.due_date
        for m in rec.monitoring
        if m.id.startswith("monitor.encephalopathy") and m.due_date is not None
    ]
    assert any(0 < (due - start).days < 7 for due in watch), rec.monitoring


@given(cases)
def test_someone_already_on_baclofen_is_never_cut_or_jumped_at_the_start(
    data: dict[str, Any],
) -> None:
    """Already on baclofen: no new-start restart below the current dose when the ladder has a
    step at or under it, no first step above it, and nothing new at all above the maximum
    (the taper from the current dose is the plan; a sudden cut risks withdrawal)."""
    current = data.get("current_daily_mg")
    if current is None:
        return
    rec = rec_for(data)
    ids = {a.id for a in rec.alerts}
    if rec.regimen is None:
        if "dose.current_above_max" in ids:
            assert rec.taper and rec.taper[0].daily_mg <= current + 1e-9
        return
    first = rec.regimen.steps[0].daily_mg
    if first > current + 1e-9:
        # only when even the first rung of this patient's ladder is above the current dose
        assert "dose.continue_from_current" not in ids
    else:
        later = [s.daily_mg for s in rec.regimen.steps[1:]]
        assert all(d > current - 1e-9 for d in later)


children = st.fixed_dictionaries(
    {
        "indication": st.just("spasticity"),
        "spasticity_origin": st.sampled_from(sorted(KB.spasticity_origins)),
        "age_years": st.floats(0, 17.9, allow_nan=False).map(lambda x: round(x, 1)),
        "sex": st.sampled_from(["female", "male"]),
        "weight_kg": st.floats(2, 120).map(lambda x: round(x, 1)),
        "height_cm": st.floats(45, 190).map(lambda x: round(x, 1)),
        "serum_creatinine": st.floats(0.1, 6).map(
            lambda x: {"value": round(x, 2), "unit": "mg/dL"}
        ),
        "start_date": st.just("2026-12-01"),
        "formulation": st.sampled_from(list(KB.formulations)),
        "conditions": st.lists(st.sampled_from(sorted(KB.condition_ids)), max_size=2, unique=True),
        "comedications": st.lists(st.sampled_from(MEDS), max_size=2, unique=True),
        "confirmed": st.just(["weight_kg", "age_years", "serum_creatinine"]),
    },
    optional={
        "override": st.just({"reason": "specialist_supervision", "clinician": "Dr Test"}),
    },
)


# found by this property: a kidney-band ladder that won a 35 kg child's start took her to 45 mg
# a day (the mg/kg target of 26 mg was dropped with the mg/kg ladder); fixed in choose_target
MILD_KIDNEYS_35_KG = {
    "indication": "spasticity",
    "spasticity_origin": "spinal_cord",
    "age_years": 9,
    "sex": "female",
    "weight_kg": 35,
    "height_cm": 135,
    "serum_creatinine": {"value": 1.0, "unit": "mg/dL"},
    "start_date": "2026-12-01",
    "formulation": "oral_solution_1_mg_per_ml",
    "conditions": [],
    "comedications": [],
    "confirmed": ["weight_kg", "age_years", "serum_creatinine"],
}


@given(children)
@example(MILD_KIDNEYS_35_KG)
@example(
    {**MILD_KIDNEYS_35_KG, "weight_kg": 40, "serum_creatinine": {"value": 1.2, "unit": "mg/dL"}}
)
def test_a_childs_schedule_is_never_ahead_of_their_own_mg_per_kg_schedule(
    data: dict[str, Any],
) -> None:
    """Whatever else applies (a kidney ladder, a cautious schedule, an override), a child never
    starts above the most conservative of 0.3 mg/kg a day, the adult start and the per-dose
    start cap; by the k-th step never gets more than that start plus k mg/kg steps (each at
    most the adult step); never passes 0.75 mg/kg a day or the child's ceiling (2 mg/kg a day,
    the age cap); and the dated steps only ever go up, one week or more apart (S8, S47, S1)."""
    rec = rec_for(data)
    if rec.regimen is None:
        return
    population = next(
        p.id
        for p in KB.meta.populations
        if data["age_years"] >= p.min_age_years
        and (p.below_age_years is None or data["age_years"] < p.below_age_years)
    )
    rule = next(
        r
        for r in KB.dosing.rules
        if r.weight_based is not None and population in (r.applies.populations or ())
    )
    wb, w = rule.weight_based, data["weight_kg"]
    assert wb is not None
    start = min(
        wb.start_mg_per_kg_day * w,
        wb.start_max_daily_mg or math.inf,
        (wb.start_max_mg_per_dose or math.inf) * wb.times_per_day,
    )
    step = min(wb.step_mg_per_kg_day * w, wb.step_max_daily_mg or math.inf)
    ceiling = wb.max_mg_per_kg_day * w
    for cap in sorted(wb.age_caps, key=lambda c: c.below_age_years):
        if data["age_years"] < cap.below_age_years:
            ceiling = min(ceiling, cap.max_daily_mg)
            break
    dailies = [s.daily_mg for s in rec.regimen.steps]
    assert rec.regimen.start.daily_mg <= start + 1e-9
    for k, daily in enumerate(dailies):
        assert daily <= start + k * step + 1e-9, (k, dailies, start, step)
        assert daily <= max(wb.target_mg_per_kg_day * w, dailies[0]) + 1e-9, dailies
        assert daily <= ceiling + 1e-9
    assert dailies == sorted(dailies) and len(set(dailies)) == len(dailies)
    assert rec.regimen.step_interval_days >= (rule.step_interval_days or 0)
