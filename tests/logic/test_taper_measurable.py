"""Someone already on baclofen always has a way down (reference §15): a taper, or an alert that
none can be measured in the chosen form, never an empty taper that reads as "nothing to do"."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from baclofen_cds.logic import Recommendation
from tests.logic.conftest import Run
from tests.logic.test_properties import cases, rec_for

ALERT = "taper.not_measurable"

#: Toddler with cerebral palsy on dialysis, already on 3 mg a day for six months.
INFANT: dict[str, Any] = {
    "spasticity_origin": "cerebral_palsy",
    "age_years": 2,
    "sex": "male",
    "weight_kg": 11,
    "height_cm": 85,
    "serum_creatinine": None,
    "dialysis": "hemodialysis",
    "current_daily_mg": 3,
    "months_on_treatment": 6,
}


def ids(rec: Recommendation) -> set[str]:
    return {a.id for a in rec.alerts}


def test_a_current_dose_tablets_cannot_measure_says_so(run: Run) -> None:
    rec = run(**INFANT, formulation="tablet")
    assert rec.taper == ()
    assert ALERT in ids(rec)
    (alert,) = [a for a in rec.alerts if a.id == ALERT]
    assert alert.indicator == "warning"
    assert "3 mg a day" in alert.summary and "tablets" in alert.summary
    assert "oral solution" in alert.action and "never stop at once" in alert.action
    (entry,) = [b for b in rec.basis if b.output == "taper"]
    assert "cannot be measured" in entry.note and "smallest dose" not in entry.note


def test_the_oral_solution_gives_the_taper_and_no_alert(run: Run) -> None:
    rec = run(**INFANT, formulation="oral_solution_1_mg_per_ml")
    assert rec.taper, "the 1 mg/mL solution measures the steps down from 3 mg a day"
    assert rec.taper[0].daily_mg < 3 and ALERT not in ids(rec)


def test_must_not_fire_for_an_adult_on_tablets_or_without_a_current_dose(run: Run) -> None:
    adult = run(current_daily_mg=30, months_on_treatment=12)
    assert adult.taper and ALERT not in ids(adult)
    new = run(**{**INFANT, "current_daily_mg": None, "months_on_treatment": None})
    assert ALERT not in ids(new)


@given(cases)
def test_someone_on_baclofen_has_a_taper_or_is_told_why_not(data: dict[str, Any]) -> None:
    current = data.get("current_daily_mg")
    rec = rec_for(data)
    if current is None or rec.taper:
        assert ALERT not in ids(rec)
        return
    (entry,) = [b for b in rec.basis if b.output == "taper"]
    # no steps: either the dose cannot be measured in this form (and the alert says so), or it
    # is already the smallest dose the form gives (the basis says: stop under supervision)
    assert (ALERT in ids(rec)) != ("smallest dose" in entry.note)
