"""One alert card per clinical hazard, tiers that follow the evidence, and a status line that
names the most severe alert (issue 9)."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen_cds.logic import (
    Alert,
    KnowledgeBase,
    KnowledgeBaseError,
    Recommendation,
    load_knowledge_base,
)
from baclofen_cds.logic.result import INDICATOR_ORDER
from tests.logic.conftest import Run, alert_ids

PACKAGED = Path(__file__).resolve().parents[2] / "resources" / "knowledge"


def card(rec: Recommendation, hazard: str = "hazard.cns_depression") -> Alert:
    found = [a for a in rec.alerts if a.id == hazard]
    assert len(found) == 1, [a.id for a in rec.alerts]
    return found[0]


def member_names(alert: Alert) -> list[str]:
    return [m.name for m in alert.members]


# ------------------------------------------------------------------ the issue's cases
def test_one_critical_sedation_card_names_every_contributor(run: Run) -> None:
    """Was: three critical cards (opioid, benzodiazepine, '4 sedating factors together')."""
    rec = run(
        comedications=["oxycodone 10 mg bd", "Xanax 0.5 mg", "gabapentin 300 mg TID"],
        conditions=["sleep_apnea", "epilepsy"],
    )
    sed = card(rec)
    assert sed.indicator == "critical"
    assert [a.id for a in rec.critical_alerts] == ["hazard.cns_depression"]
    assert member_names(sed) == ["oxycodone", "alprazolam", "gabapentin", "Sleep apnoea"]
    assert [m.kind for m in sed.members] == ["medicine", "medicine", "medicine", "condition"]
    # the pairwise facts are folded into the one card, each with its sources named in words
    for words in ("Opioids", "Benzodiazepines", "Gabapentinoids", "Sleep apnoea", "FDA"):
        assert words in sed.detail
    assert "Canadian product monograph" in sed.detail
    assert all(m.sources for m in sed.members)
    # the condition's own card is folded in: one card for the hazard
    assert "condition.sleep_apnea" not in alert_ids(rec)
    assert "condition.epilepsy" in alert_ids(rec)  # another hazard keeps its card
    # the status names the most severe alert, not the epilepsy warning
    assert rec.status_reason.startswith("Sedation and slowed breathing")
    assert "Epilepsy" not in rec.status_reason
    assert rec.status_reason.endswith("(1 critical alert)")


@pytest.mark.parametrize(
    ("typed", "member"),
    [
        ("pregabalin (Lyrica)", "pregabalin"),
        ("co-codamol 30/500", "codeine"),
        ("Tylenol #3", "codeine"),
        ("gabapentin 300 mg TID", "gabapentin"),
    ],
)
def test_the_issues_lost_entries_now_raise_the_card(run: Run, typed: str, member: str) -> None:
    rec = run(comedications=[typed])
    sed = card(rec)
    assert sed.indicator == "critical"
    assert member in member_names(sed)
    assert rec.unrecognized_comedications == ()
    assert next(m for m in sed.members if m.name == member).entered_as == (typed,)


def test_combination_product_counts_each_sedating_ingredient_once(run: Run) -> None:
    # co-codamol and Tylenol #3 are both codeine: one medicine, two entries
    rec = run(comedications=["co-codamol 8/500", "Tylenol #3", "zopiclone 7.5 mg nocte"])
    sed = card(rec)
    assert member_names(sed) == ["codeine", "zopiclone"]
    assert sed.members[0].entered_as == ("co-codamol 8/500", "Tylenol #3")
    paracetamol = [m for m in rec.comedications if "paracetamol" in (m.name or "")]
    assert len(paracetamol) == 2  # recognised, and interacts with nothing


@pytest.mark.parametrize("indication", ["alcohol_use_disorder", "alcohol_withdrawal"])
def test_alcohol_use_disorder_raises_the_alcohol_card_by_itself(run: Run, indication: str) -> None:
    rec = run(indication=indication)
    sed = card(rec)
    assert sed.indicator == "critical"
    assert [(m.kind, m.name) for m in sed.members] == [("factor", "alcohol")]
    # worded for someone being treated to drink less, not "do not drink"
    assert "cut" in sed.patient_text and "never take extra baclofen" in sed.patient_text
    assert "Do not drink alcohol" not in sed.patient_text
    assert "cuts down" in sed.detail
    assert indication in sed.triggered_by
    assert rec.status_reason.startswith(sed.summary.rstrip("."))


def test_alcohol_typed_and_alcohol_use_disorder_give_one_alcohol_member(run: Run) -> None:
    rec = run(
        indication="alcohol_use_disorder",
        comedications=["alcohol", "zopiclone", "Sativex", "mirtazapine 15mg nocte"],
    )
    sed = card(rec)
    assert member_names(sed) == ["alcohol", "zopiclone", "mirtazapine", "nabiximols"]
    assert sed.indicator == "critical"
    assert sum(a.indicator == "critical" for a in rec.alerts) == len(rec.critical_alerts)
    assert "4 sedating medicines or factors" in sed.detail


def test_status_counts_the_critical_alerts(run: Run) -> None:
    rec = run(
        comedications=["oxycodone", "ibuprofen"],
        serum_creatinine={"value": 1.6, "unit": "mg/dL"},  # eGFR about 40: NSAID raised to major
    )
    assert {a.id for a in rec.critical_alerts} == {
        "hazard.cns_depression",
        "hazard.baclofen_accumulation",
    }
    assert rec.status_reason.endswith("(2 critical alerts)")
    assert rec.status_reason.startswith(rec.alerts[0].summary.rstrip("."))


def test_status_reason_without_alerts_is_unchanged(run: Run) -> None:
    assert run().status_reason == "no rule raises a concern"


def test_a_warning_only_status_names_it_without_a_count(run: Run) -> None:
    rec = run(comedications=["lisinopril"])
    assert (
        rec.status_reason == "Blood pressure medicine + baclofen: additive fall in blood pressure"
    )


def test_other_hazards_fold_their_condition(run: Run) -> None:
    rec = run(comedications=["metformin 500mg bd"], conditions=["diabetes"])
    glucose = card(rec, "hazard.blood_glucose")
    assert member_names(glucose) == ["metformin", "Diabetes mellitus"]
    assert glucose.indicator == "warning"  # the condition (caution) is above the class (minor)
    assert "condition.diabetes" not in alert_ids(rec)
    # without the medicine the condition keeps its own card
    assert "condition.diabetes" in alert_ids(run(conditions=["diabetes"]))


# ------------------------------------------------------------------ tiers follow the evidence
@pytest.mark.parametrize("meds", [["sertraline"], ["valerian"], ["melatonin 2mg nocte"]])
def test_grade_u_only_is_information_at_most(run: Run, meds: list[str]) -> None:
    rec = run(comedications=meds)
    sed = card(rec)
    assert sed.indicator == "info"
    assert rec.status == "recommended"
    assert "unverified" in sed.tier_basis


def test_grade_u_members_are_listed_but_not_counted(run: Run) -> None:
    rec = run(comedications=["quetiapine", "sertraline", "valerian"])
    sed = card(rec)
    assert member_names(sed) == ["quetiapine", "sertraline", "valerian"]
    assert sed.indicator == "warning"  # quetiapine alone: moderate; no sedative-load rule
    assert "sedating medicines or factors together" not in sed.detail


def test_every_interaction_class_has_sources_and_a_tier_basis(kb: KnowledgeBase) -> None:
    for cls in kb.interactions.classes:
        assert cls.sources and len(cls.tier_basis) > 5, cls.id
        assert cls.hazard in kb.hazards_by_id
        grades = [kb.sources_by_id[s].grade for s in cls.sources]
        if all(g.startswith("U") for g in grades):
            assert cls.tier == "MINOR" and not cls.cns_depressant, cls.id


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(PACKAGED, target)
    return target


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "interactions.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '    tier_basis: "product labels (Canada, UK, Switzerland) name opioids"\n',
            "",
            r"interaction\.opioids'\)\.tier_basis: Field required",
        ),
        (
            "    sources: [S10, S8, S11]\n    reviewed: 2026-12-02\n    members:\n      morphine",
            "    sources: []\n    reviewed: 2026-12-02\n    members:\n      morphine",
            r"interaction\.opioids'\)\.sources: .*at least 1",
        ),
        (
            '    tier: MINOR\n    tier_basis: "an unverified web article only: information at most"\n'
            "    hazard: hazard.cns_depression\n    cns_depressant: false\n    mechanism: PD_CNS\n"
            '    labeled: "not labeled"\n    unverified: true\n    summary: "SSRI',
            '    tier: MODERATE\n    tier_basis: "an unverified web article only: information at most"\n'
            "    hazard: hazard.cns_depression\n    cns_depressant: false\n    mechanism: PD_CNS\n"
            '    labeled: "not labeled"\n    unverified: true\n    summary: "SSRI',
            r"interaction\.ssri_snri: every source is grade U .* MINOR at most",
        ),
        (
            "    hazard: hazard.low_blood_pressure\n",
            "    hazard: hazard.nonsense\n",
            r"interaction\.antihypertensives: unknown hazard 'hazard\.nonsense'",
        ),
        (
            "ingredients: [codeine, paracetamol]}",
            "ingredients: [codeine, paracetamoll]}",
            r"combination 'co-codamol': unknown ingredient 'paracetamoll'",
        ),
    ],
)
def test_knowledge_check_rejects_unsupported_interaction_classes(
    kb_copy: Path, old: str, new: str, message: str
) -> None:
    _edit(kb_copy, old, new)
    with pytest.raises(KnowledgeBaseError, match=message):
        load_knowledge_base(kb_copy)


# ------------------------------------------------------------------ words a clinician reads
INTERNAL = re.compile(
    r"\bS\d{1,2}\b|\bR\d\b|SEED|\bseed\b|grade U|source register|[Rr]eference §"
    r"|\b(?:hazard|interaction|condition|renal|dose|age|indication|input|hepatic|monitor|taper"
    r"|policy)\.[a-z_]+"
)


def _readable_texts(rec: Recommendation) -> list[str]:
    out = [rec.status_reason]
    for a in rec.alerts:
        out += [a.summary, a.detail, a.action, a.patient_text, a.tier_basis]
        out += [t for m in a.members for t in (m.name, m.detail)]
    return out


def _many_cases(kb: KnowledgeBase) -> list[dict[str, Any]]:
    rng = random.Random(9)  # fixed: the same cases every run
    names = [m.name for c in kb.interactions.classes for m in c.members]
    names += [c.name for c in kb.interactions.combinations] + ["foobarazole", "oxycodon"]
    conditions = sorted(kb.condition_ids)
    indications = list(kb.indications)
    cases: list[dict[str, Any]] = [{"comedications": [n]} for n in names]
    people = [
        {"age_years": 45},
        {"age_years": 82, "weight_kg": 60},
        {
            "age_years": 6,
            "weight_kg": 20,
            "height_cm": 115,
            "formulation": "oral_solution_1_mg_per_ml",
        },
        {"age_years": 70, "dialysis": "hemodialysis"},
    ]
    for _ in range(200):
        cases.append(
            {
                "comedications": rng.sample(names, rng.randint(1, 6)),
                "conditions": rng.sample(conditions, rng.randint(0, 3)),
                "indication": rng.choice(indications),
                "serum_creatinine": {"value": rng.choice([0.4, 0.9, 1.6, 3.0]), "unit": "mg/dL"},
                **rng.choice(people),
            }
        )
    return cases


def test_no_internal_ids_or_register_words_in_clinician_or_patient_text(
    run: Run, kb: KnowledgeBase
) -> None:
    cases = _many_cases(kb)
    assert len(cases) > 400
    seen = 0
    for changes in cases:
        rec = run(**changes)
        for text in _readable_texts(rec):
            hit = INTERNAL.search(text)
            assert hit is None, f"{hit.group(0)!r} in {text!r} ({changes})"
            seen += 1
    assert seen > 2000


# ------------------------------------------------------------------ invariants
SAMPLE = sorted({m.name for c in load_knowledge_base().interactions.classes for m in c.members})


@given(
    st.lists(st.sampled_from(SAMPLE), min_size=1, max_size=6, unique=True),
    st.lists(st.sampled_from(["sleep_apnea", "respiratory_impairment", "diabetes"]), unique=True),
)
def test_one_card_per_hazard_and_its_tier_is_the_highest_member(
    run: Run, meds: list[str], conditions: list[str]
) -> None:
    rec = run(comedications=meds, conditions=conditions)
    ids = [a.id for a in rec.alerts]
    assert len(ids) == len(set(ids))  # one card per hazard
    kb = load_knowledge_base()
    tiers = kb.meta.tiers.interaction_indicator
    for a in rec.alerts:
        if not a.id.startswith("hazard."):
            continue
        for m in a.members:
            if m.kind == "condition":
                continue
            cls = next(
                c for c in kb.interactions.classes if c.hazard == a.id and m.name in _names(c)
            )
            assert INDICATOR_ORDER[a.indicator] <= INDICATOR_ORDER[tiers[cls.tier]] or all(
                kb.sources_by_id[s].grade.startswith("U") for s in cls.sources
            )
    # every recognised medicine of a class appears as a member of its hazard's card
    for match in rec.comedications:
        for cid in match.classes:
            hazard = kb.classes_by_id[cid].hazard
            hazard_card = next(a for a in rec.alerts if a.id == hazard)
            assert any(match.text in m.entered_as for m in hazard_card.members)
    assert rec.status_reason.startswith(rec.alerts[0].summary.rstrip(". "))
    critical = len(rec.critical_alerts)
    assert (f"({critical} critical alert" in rec.status_reason) == (critical > 0)


def _names(cls: Any) -> set[str]:
    return {m.name for m in cls.members}


def test_a_stricter_status_says_which_rule_set_it(run: Run) -> None:
    """Not indicated (avoid) with an opioid: the critical card first, then why it is 'avoid'."""
    rec = run(indication="musculoskeletal_pain", comedications=["oxycodone"])
    assert rec.status == "avoid"
    top, _, why = rec.status_reason.partition("; ")
    assert top == "Opioid + baclofen: additive sedation and breathing depression (1 critical alert)"
    assert "not indicated" in why.lower()


def test_knowledge_check_caps_any_grade_u_only_alert(kb_copy: Path) -> None:
    path = kb_copy / "alerts.yaml"
    text = path.read_text(encoding="utf-8")
    old = '    evidence: "Pilot study (C)"\n    sources: [S34]'
    assert old in text
    path.write_text(text.replace(old, '    evidence: "web"\n    sources: [SEED2]'), "utf-8")
    # the trigeminal neuralgia alert is info: allowed on grade U alone
    load_knowledge_base(kb_copy)
    text = path.read_text(encoding="utf-8").replace(
        "  - id: indication.hiccups\n    indicator: info",
        "  - id: indication.hiccups\n    indicator: info",
    )
    old = '    evidence: "Guideline (B), studies (C)"\n    sources: [S33, S29]'
    assert old in text
    text = text.replace(old, '    evidence: "web"\n    sources: [SEED2]')
    text = text.replace(
        "  - id: indication.hiccups\n    indicator: info",
        "  - id: indication.hiccups\n    indicator: warning",
    )
    path.write_text(text, "utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"indication\.hiccups: every source is grade U"):
        load_knowledge_base(kb_copy)
