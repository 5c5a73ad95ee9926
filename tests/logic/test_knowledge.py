"""The knowledge base: validated at load, fails closed with one message naming file and entry."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from baclofen_cds.logic import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from baclofen_cds.logic.engine import REQUIRED_ALERTS
from baclofen_cds.logic.knowledge import iter_rules

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = ROOT / "resources" / "knowledge"


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(PACKAGED, target)
    return target


def edit(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_copy_loads_with_the_same_hash(kb_copy: Path, kb: KnowledgeBase) -> None:
    assert load_knowledge_base(kb_copy).sha256 == kb.sha256


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "interactions.yaml",
            "sources: [S10, S8, S11]",
            "sources: [S10, S99]",
            r"interactions\.yaml: interaction\.opioids: unknown source id 'S99'",
        ),
        (
            "conditions.yaml",
            "  - id: psychotic_disorder",
            "  - id: epilepsy",
            r"conditions\.yaml: duplicate condition id 'epilepsy'",
        ),
        (
            "dosing.yaml",
            "max_daily_mg: 80\n    status: recommended\n    sources: [S1, S3",
            "max_daily_mg: -80\n    status: recommended\n    sources: [S1, S3",
            r"dosing\.yaml: rules\[0\] \(id 'dose\.adult\.spasticity'\)\.max_daily_mg",
        ),
        (
            "dosing.yaml",
            "    target_daily_mg: 60\n    max_daily_mg: 80\n    status: recommended\n    sources: [S1, S3",
            "    target_daily_mg: sixty\n    max_daily_mg: 80\n    status: recommended\n    sources: [S1, S3",
            r"dosing\.yaml: rules\[0\] \(id 'dose\.adult\.spasticity'\)\.target_daily_mg",
        ),
        (
            "renal.yaml",
            "  divisor: 72\n",
            "",
            r"renal\.yaml: cockcroft_gault\.divisor: Field required",
        ),
        (
            "sources.yaml",
            'grade: "A (via D copy)"',
            'grade: "excellent"',
            r"sources\.yaml: sources\[\d+\] \(id 'S5'\)\.grade",
        ),
        (
            "alerts.yaml",
            "  - id: renal.moderate",
            "  - id: renal.mild",
            r"alerts\.yaml: duplicate alert id 'renal\.mild'",
        ),
        (
            "dosing.yaml",
            "alert: renal.severe",
            "alert: renal.nope",
            r"dosing\.yaml: dose\.renal\.severe: unknown alert 'renal\.nope'",
        ),
        (
            "dosing.yaml",
            "      - [10, 3]\n      - [15, 3]",
            "      - [1, 3]\n      - [15, 3]",
            r"ladder rungs must rise",
        ),
        (
            "dosing.yaml",
            "      - [10, 3]\n      - [15, 3]",
            "      - [10, 3, 1]\n      - [15, 3]",
            r"a dose level is \[mg per dose, times a day\]",
        ),
        (
            "interactions.yaml",
            "tramadol: {brands: [Ultram",
            "tramadol: {brands: [Xanax, Ultram",
            r"brand 'Xanax' is listed for both",
        ),
        (
            "renal.yaml",
            '  - {id: mild, label: "mild impairment (50 to 79)", min_value: 50}',
            '  - {id: mild, label: "mild", min_value: 90}',
            r"renal\.yaml: bands must be listed from the highest",
        ),
        (
            "policy.yaml",
            "default_formulation: tablet",
            "default_formulation: patch",
            r"policy\.yaml: default_formulation 'patch' is unknown",
        ),
        (
            "kb.yaml",
            'version: "2026.11.1"',
            'version: "2026.11.1"\nsurprise: 1',
            r"kb\.yaml: surprise: Extra inputs are not permitted",
        ),
        (
            "taper.yaml",
            "step_interval_days: 3",
            "step_interval_days: [3]",
            r"taper\.yaml: taper\.step_interval_days",
        ),
    ],
)
def test_broken_knowledge_stops_with_one_clear_message(
    kb_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    edit(kb_copy, file, old, new)
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(kb_copy)
    assert re.search(message, str(err.value)), str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file_and_bad_yaml(kb_copy: Path) -> None:
    (kb_copy / "taper.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"taper\.yaml: file is missing"):
        load_knowledge_base(kb_copy)
    (kb_copy / "taper.yaml").write_text("taper: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"taper\.yaml: not valid YAML"):
        load_knowledge_base(kb_copy)


def test_hash_changes_with_any_edit(kb_copy: Path, kb: KnowledgeBase) -> None:
    edit(
        kb_copy,
        "policy.yaml",
        "routine_interval_months_standard: 6",
        "routine_interval_months_standard: 5",
    )
    assert load_knowledge_base(kb_copy).sha256 != kb.sha256


def test_every_rule_cites_known_sources_and_is_dated(kb: KnowledgeBase) -> None:
    rules = list(iter_rules(kb))
    assert len(rules) > 80
    for rule in rules:
        assert rule.sources and set(rule.sources) <= set(kb.sources_by_id), rule.id
        assert rule.reviewed.year >= 2026


def test_reference_marks_are_kept(kb: KnowledgeBase) -> None:
    """The reference marks these DERIVED or UNVERIFIED; the data must say so too."""
    by_id = {r.id: r for r in iter_rules(kb)}
    for rid in (
        "dose.renal.mild",
        "dose.renal.moderate",
        "dose.renal.severe",
        "dose.older_adult",
        "taper.default",
        "dose.adult.hiccups",
    ):
        assert by_id[rid].derived, rid
    for rid in (
        "dose.older_adult",
        "policy.local",
        "monitor.routine_liver_kidney",
        "interaction.ssri_snri",
        "interaction.herbal_sedatives",
    ):
        assert by_id[rid].unverified, rid
    assert kb.sources_by_id["SEED3"].grade == "U"


def test_tier_mapping_table(kb: KnowledgeBase) -> None:
    t = kb.meta.tiers
    assert t.interaction_indicator == {"MAJOR": "critical", "MODERATE": "warning", "MINOR": "info"}
    assert t.condition_indicator == {
        "CI": "critical",
        "HIGH": "critical",
        "CAUTION": "warning",
        "INFO": "info",
    }
    assert t.condition_status["CI"] == "contraindicated" and t.condition_status["HIGH"] == "avoid"


def test_engine_alert_templates_exist(kb: KnowledgeBase) -> None:
    assert set(REQUIRED_ALERTS) <= set(kb.alerts)


def test_ceiling_and_seed_conflicts_encoded(kb: KnowledgeBase) -> None:
    assert kb.hard_ceiling_mg_per_day == 80
    rules = {r.id: r for r in kb.dosing.rules}
    # Seed 0 said 30 mg three times a day for withdrawal: never above 80, studied 30 mg a day.
    assert rules["dose.adult.alcohol_withdrawal"].max_daily_mg == 30
    # Seed 3 said start 5-10 mg 3-4 times a day: the label start is 5 mg three times a day.
    first = rules["dose.adult.spasticity"].ladder[0]  # type: ignore[index]
    assert (first.dose_mg, first.times_per_day) == (5, 3)
    assert "interaction.carbamazepine" in kb.classes_by_id
    assert kb.classes_by_id["interaction.carbamazepine"].tier == "MINOR"


def test_no_clinical_numbers_in_python() -> None:
    """Doses and cut-offs live in resources/: a literal dose in logic code is a review failure."""
    pattern = re.compile(r"\b(80|60|40|15|0\.3|0\.75|88\.4|142|0\.413|0\.85|72)\b")
    for path in (ROOT / "baclofen_cds" / "logic").glob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if '"""' in line or code.strip().startswith(('"', "'")):
                continue
            assert not pattern.search(code), f"{path.name}:{n}: {line.strip()}"


def test_packaged_bundle_is_current(kb: KnowledgeBase) -> None:
    """Run `baclofen-cds knowledge bundle` after editing the YAML (CI fails otherwise)."""
    import json

    from baclofen_cds.logic.knowledge import BUNDLE_NAME

    bundle = json.loads((PACKAGED / BUNDLE_NAME).read_text(encoding="utf-8"))
    assert bundle["sha256"] == kb.sha256


def test_bundle_and_yaml_give_the_same_knowledge(kb_copy: Path, kb: KnowledgeBase) -> None:
    from baclofen_cds.logic.knowledge import BUNDLE_NAME

    (kb_copy / BUNDLE_NAME).unlink()
    plain = load_knowledge_base(kb_copy)
    assert plain.sha256 == kb.sha256
    assert (
        plain.meta == kb.meta
        and plain.dosing == kb.dosing
        and plain.interactions == kb.interactions
    )
    assert plain.names == kb.names


def test_stale_bundle_is_ignored(kb_copy: Path) -> None:
    edit(kb_copy, "kb.yaml", 'version: "2026.11.1"', 'version: "2026.11.2-local"')
    assert load_knowledge_base(kb_copy).version == "2026.11.2-local"  # YAML wins, not the bundle
