"""Co-medication matching as a clinician types, and the cumulative sedation rule."""

from __future__ import annotations

import pytest

from baclofen_cds.logic import KnowledgeBase
from baclofen_cds.logic.interactions import match_one
from tests.logic.conftest import Run, alert_ids


@pytest.mark.parametrize(
    ("typed", "generic"),
    [
        ("oxycodone", "oxycodone"),
        ("OXYCODONE", "oxycodone"),
        ("  Oxycodone   HCl  ", "oxycodone"),
        ("oxycodone hydrochloride 5 mg", "oxycodone"),
        ("OxyContin 20mg ER", "oxycodone"),
        ("Xanax", "alprazolam"),
        ("xanax xr 0.5 mg", "alprazolam"),
        ("Lyrica", "pregabalin"),
        ("lithium carbonate", "lithium"),
        ("Tylenol with Codeine", "codeine"),
        ("Nurofen", "ibuprofen"),
        ("co-codamol", "co-codamol"),
        ("Toprol-XL", "metoprolol"),
        ("metoprolol succinate", "metoprolol"),
        ("Zimovane®", "zopiclone"),
    ],
)
def test_matches_names_as_typed(kb: KnowledgeBase, typed: str, generic: str) -> None:
    m = match_one(typed, kb)
    assert m.status == "matched" and m.name == generic


def test_combination_products_match_by_parts(kb: KnowledgeBase) -> None:
    m = match_one("oxycodone/acetaminophen", kb)
    assert m.status == "matched" and m.name == "oxycodone"
    m = match_one("carbidopa-levodopa", kb)
    assert m.status == "matched" and m.name == "levodopa"


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [("oxycodon", "oxycodone"), ("Xanaxx", "Xanax"), ("gabapentine", "gabapentin")],
)
def test_near_miss_is_suggested_not_matched(kb: KnowledgeBase, typed: str, suggestion: str) -> None:
    m = match_one(typed, kb)
    assert m.status == "unrecognized" and m.classes == ()
    assert m.suggestion == suggestion


def test_nonsense_is_not_checked_never_safe(run: Run) -> None:
    rec = run(comedications=["foobarazole", "oxycodone"])
    assert rec.unrecognized_comedications == ("foobarazole",)
    alert = next(a for a in rec.alerts if a.id == "interaction.not_checked")
    assert "foobarazole" in alert.summary and alert.indicator == "warning"
    assert rec.to_dict()["unrecognized_comedications"] == ["foobarazole"]


def test_one_alert_per_class_listing_every_member(run: Run) -> None:
    rec = run(comedications=["oxycodone", "morphine", "tramadol"])
    opioid = [a for a in rec.alerts if a.id == "interaction.opioids"]
    assert len(opioid) == 1 and opioid[0].triggered_by == ("oxycodone", "morphine", "tramadol")


def test_cumulative_sedation_levels(run: Run) -> None:
    two = run(comedications=["quetiapine", "amitriptyline"])
    sed = next(a for a in two.alerts if a.id == "interaction.cumulative_sedation")
    assert sed.indicator == "warning"
    three = run(comedications=["quetiapine", "amitriptyline", "zolpidem"])
    sed = next(a for a in three.alerts if a.id == "interaction.cumulative_sedation")
    assert sed.indicator == "critical"
    assert {"quetiapine", "amitriptyline", "zolpidem"} <= set(sed.triggered_by)


def test_cumulative_sedation_counts_drugs_not_entries(run: Run) -> None:
    rec = run(comedications=["oxycodone", "OxyContin"])  # the same drug twice
    assert "interaction.cumulative_sedation" not in alert_ids(rec)


def test_sedation_with_sleep_apnoea_is_critical(run: Run) -> None:
    rec = run(comedications=["pregabalin"], conditions=["sleep_apnea"])
    sed = next(a for a in rec.alerts if a.id == "interaction.cumulative_sedation")
    assert sed.indicator == "critical" and "sleep apnoea" in sed.triggered_by


@pytest.mark.parametrize("meds", [["lisinopril"], ["metformin"], ["sertraline"], ["ibuprofen"], []])
def test_no_sedation_alert_without_depressants(run: Run, meds: list[str]) -> None:
    assert "interaction.cumulative_sedation" not in alert_ids(run(comedications=meds))


def test_nephrotoxin_escalates_in_ckd(run: Run) -> None:
    normal = next(
        a for a in run(comedications=["naproxen"]).alerts if a.id == "interaction.nephrotoxins"
    )
    ckd = next(
        a
        for a in run(
            comedications=["naproxen"], serum_creatinine={"value": 1.6, "unit": "mg/dL"}
        ).alerts
        if a.id == "interaction.nephrotoxins"
    )
    assert normal.indicator == "warning" and ckd.indicator == "critical"
    assert "kidney function already reduced" in ckd.detail


def test_completion_list_has_generics_and_brands(kb: KnowledgeBase) -> None:
    names = kb.comedication_names()
    for n in ("oxycodone", "OxyContin", "Xanax", "Lyrica", "Zimovane", "ibuprofen"):
        assert n in names
    assert names == sorted(names, key=str.casefold)
