"""Co-medication matching as a clinician types, and the cumulative sedation rule."""

from __future__ import annotations

import pytest

from baclofen_cds.logic import Alert, KnowledgeBase, Recommendation
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
        ("Tylenol with Codeine", "codeine + paracetamol"),
        ("Nurofen", "ibuprofen"),
        ("co-codamol", "codeine + paracetamol"),
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
    assert m.status == "matched" and m.name == "oxycodone + paracetamol"
    assert m.classes == ("interaction.opioids",)
    m = match_one("carbidopa-levodopa", kb)
    assert m.status == "matched" and m.name == "carbidopa + levodopa"
    assert m.classes == ("interaction.levodopa",)


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


def _sedation(rec: Recommendation) -> Alert:
    return next(a for a in rec.alerts if a.id == "hazard.cns_depression")


def test_one_card_for_a_class_listing_every_member(run: Run) -> None:
    rec = run(comedications=["oxycodone", "morphine", "tramadol"])
    cards = [a for a in rec.alerts if a.category == "interaction"]
    assert len(cards) == 1 and cards[0].triggered_by == ("oxycodone", "morphine", "tramadol")
    assert [m.name for m in cards[0].members] == ["oxycodone", "morphine", "tramadol"]


def test_cumulative_sedation_levels(run: Run) -> None:
    two = run(comedications=["quetiapine", "amitriptyline"])
    assert _sedation(two).indicator == "warning"
    three = run(comedications=["quetiapine", "amitriptyline", "zolpidem"])
    sed = _sedation(three)
    assert sed.indicator == "critical"
    assert {"quetiapine", "amitriptyline", "zolpidem"} <= {m.name for m in sed.members}
    assert "sedative load" in sed.tier_basis and "3 sedating medicines" in sed.detail


def test_cumulative_sedation_counts_drugs_not_entries(run: Run) -> None:
    rec = run(comedications=["quetiapine", "Seroquel XR 50 mg"])  # the same drug twice
    sed = _sedation(rec)
    assert sed.indicator == "warning" and [m.name for m in sed.members] == ["quetiapine"]
    assert sed.members[0].entered_as == ("quetiapine", "Seroquel XR 50 mg")


def test_sedation_with_sleep_apnoea_is_critical(run: Run) -> None:
    rec = run(comedications=["pregabalin"], conditions=["sleep_apnea"])
    sed = _sedation(rec)
    assert sed.indicator == "critical"
    assert ("condition", "Sleep apnoea") in {(m.kind, m.name) for m in sed.members}
    assert "condition.sleep_apnea" not in alert_ids(rec)  # folded into the one card


@pytest.mark.parametrize("meds", [["lisinopril"], ["metformin"], ["ibuprofen"], []])
def test_no_sedation_alert_without_depressants(run: Run, meds: list[str]) -> None:
    assert "hazard.cns_depression" not in alert_ids(run(comedications=meds))


def test_nephrotoxin_escalates_in_ckd(run: Run) -> None:
    normal = next(
        a for a in run(comedications=["naproxen"]).alerts if a.id == "hazard.baclofen_accumulation"
    )
    ckd = next(
        a
        for a in run(
            comedications=["naproxen"], serum_creatinine={"value": 1.6, "unit": "mg/dL"}
        ).alerts
        if a.id == "hazard.baclofen_accumulation"
    )
    assert normal.indicator == "warning" and ckd.indicator == "critical"
    assert "kidney function already reduced" in ckd.detail


def test_completion_list_has_generics_and_brands(kb: KnowledgeBase) -> None:
    names = kb.comedication_names()
    for n in ("oxycodone", "OxyContin", "Xanax", "Lyrica", "Zimovane", "ibuprofen"):
        assert n in names
    assert names == sorted(names, key=str.casefold)
