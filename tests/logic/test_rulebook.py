"""The rulebook a clinician signs: complete, marked, and honest about what changed."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from baclofen_cds.logic import KnowledgeBase, load_knowledge_base
from baclofen_cds.logic.approval import (
    NOT_APPROVED,
    Approval,
    ApprovalError,
    approval_from_mapping,
    approval_of,
    approval_status,
    sign_off_status,
)
from baclofen_cds.logic.rulebook import build_rulebook, diff_folders
from tests.logic.test_knowledge import PACKAGED, edit


def yaml_rules(folder: Path) -> dict[str, list[str]]:
    """Every entry of the YAML files that cites sources, by its id or code -> its sources.

    Read straight from the files, not through the engine's list of rules, so a rule added to
    the knowledge base in a new place is still required to appear in the rulebook."""
    found: dict[str, list[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ident = node.get("id") or node.get("code")
            if isinstance(ident, str) and isinstance(node.get("sources"), list):
                found[ident] = [str(s) for s in node["sources"]]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(folder.glob("*.yaml")):
        if path.name != "sources.yaml":
            walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def source_ids(folder: Path) -> list[str]:
    data = yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))
    return [str(s["id"]) for s in data["sources"]]


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(PACKAGED, target)
    return target


def test_every_rule_of_the_yaml_is_in_the_rulebook_with_its_sources(kb: KnowledgeBase) -> None:
    book = build_rulebook(kb)
    entries = {r.id: r for s in book.sections for r in s.rules}
    formulations = {row[0]: row for t in book.tables if t.title == "Formulations" for row in t.rows}
    expected = yaml_rules(PACKAGED)
    assert len(expected) > 100
    for ident, sources in expected.items():
        if ident in formulations:
            assert all(sid in formulations[ident][3] for sid in sources), ident
            continue
        assert ident in entries, f"{ident} is missing from the rulebook"
        assert [s.id for s in entries[ident].sources] == sources, ident
        assert all(s.grade != "?" for s in entries[ident].sources), ident
    assert [s.id for s in book.sources] == source_ids(PACKAGED)
    assert book.rule_count == len(entries)  # each rule once


def test_marks_numbers_and_local_policy(kb: KnowledgeBase) -> None:
    book = build_rulebook(kb)
    entries = {r.id: r for s in book.sections for r in s.rules}
    ceiling = entries["dose.ceiling.oral"]
    assert ceiling.derived and not ceiling.local_policy
    assert ("max daily mg", "80") in ceiling.values
    adult = dict(entries["dose.adult.spasticity"].values)
    assert adult["ladder"].startswith("5 mg × 3 a day → 10 mg × 3 a day")
    assert adult["max daily mg"] == "80"
    policy = entries["policy.local"]
    assert policy.local_policy and policy.unverified
    assert book.sections[0].key == "doses"
    assert "policy" in [s.key for s in book.sections]
    assert book.marked("derived") == sum(r.derived for r in entries.values()) > 0


def test_same_folder_has_no_differences(kb: KnowledgeBase) -> None:
    comparison = diff_folders(PACKAGED, PACKAGED)
    assert comparison.changes == ()
    assert comparison.old_sha256 == kb.sha256


def test_since_shows_an_edited_dose(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "dosing.yaml",
        "    target_daily_mg: 60\n    max_daily_mg: 80\n",
        "    target_daily_mg: 60\n    max_daily_mg: 70\n",
    )
    book = build_rulebook(load_knowledge_base(kb_copy), since=PACKAGED)
    assert book.comparison is not None
    changes = [(c.file, c.where, c.kind, c.old, c.new) for c in book.comparison.changes]
    assert changes == [
        ("dosing.yaml", "rules › dose.adult.spasticity › max_daily_mg", "changed", "80", "70")
    ]
    assert book.comparison.old_version == "2026.11.1"


def test_since_shows_added_and_removed_entries(kb_copy: Path) -> None:
    edit(kb_copy, "monitoring.yaml", "  - id: ", "  - id: monitor.new_test\n    what: x\n  - id: ")
    path = kb_copy / "sources.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    gone = data["sources"][-1]["id"]
    comparison = diff_folders(PACKAGED, kb_copy)
    kinds = {(c.file, c.where.split(" › ")[-1], c.kind) for c in comparison.changes}
    assert ("monitoring.yaml", "monitor.new_test", "added") in kinds
    (path).write_text(
        path.read_text(encoding="utf-8").replace(f"id: {gone}\n", f"id: {gone}_renamed\n"),
        encoding="utf-8",
    )
    kinds = {(c.where.split(" › ")[-1], c.kind) for c in diff_folders(PACKAGED, kb_copy).changes}
    assert (gone, "removed") in kinds and (f"{gone}_renamed", "added") in kinds


def test_since_needs_a_knowledge_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no knowledge-base files"):
        diff_folders(tmp_path, PACKAGED)


# ------------------------------------------------------------------ sign-off
SIGNED = {"approved_by": "Dr A. Reviewer", "approved_on": date(2026, 12, 2)}


def test_not_approved_until_the_loaded_hash_is_the_signed_one(kb: KnowledgeBase) -> None:
    assert approval_status(kb.sha256, None).text.startswith(NOT_APPROVED)
    assert not approval_status(kb.sha256, None).approved
    signed = approval_from_mapping(SIGNED | {"approved_sha256": kb.sha256})
    status = approval_status(kb.sha256, signed)
    assert status.approved
    assert status.text == "Knowledge base clinically approved by Dr A. Reviewer on 2026-12-02"
    other = approval_status("0" * 64, signed)
    assert not other.approved and other.text.startswith(NOT_APPROVED)
    assert "other content" in other.text


def test_an_edit_after_sign_off_withdraws_the_approval(kb: KnowledgeBase, kb_copy: Path) -> None:
    signed = Approval("Dr A. Reviewer", date(2026, 12, 2), kb.sha256)
    edit(kb_copy, "dosing.yaml", "max_daily_mg: 80", "max_daily_mg: 75")
    edited = load_knowledge_base(kb_copy)
    assert not approval_status(edited.sha256, signed).approved
    assert not build_rulebook(edited, approval=signed).approval.approved
    assert build_rulebook(kb, approval=signed).approval.approved


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"approved_by": "Dr A"}, "policy.approved_on"),
        (SIGNED | {"approved_sha256": "abc"}, "policy.approved_sha256"),
        (SIGNED | {"approved_sha256": "a" * 64, "approved_on": "2 Dec"}, "policy.approved_on"),
        (SIGNED | {"approved_sha256": "a" * 64, "approved_by": " "}, "policy.approved_by"),
        ({"approved_by": 3, "approved_on": "2026-12-02", "approved_sha256": "a" * 64}, None),
    ],
)
def test_a_half_or_malformed_sign_off_is_an_error_naming_the_field(
    data: dict[str, Any], field: str | None
) -> None:
    with pytest.raises(ApprovalError) as err:
        approval_from_mapping(data)
    assert err.value.field == (field or "policy.approved_by")


def test_no_sign_off_fields_is_no_approval() -> None:
    assert approval_from_mapping({"country": "GB"}) is None
    assert approval_of(None) is None

    class Policy:  # a loaded clinic policy carrying the fields as attributes
        approved_by = "Dr B"
        approved_on = "2026-12-02"
        approved_sha256 = "A" * 64

    got = approval_of(Policy())
    assert got == Approval("Dr B", date(2026, 12, 2), "a" * 64)


def test_sign_off_status_never_raises(kb: KnowledgeBase) -> None:
    status = sign_off_status(kb.sha256, {"approved_by": "Dr A"})
    assert not status.approved
    assert status.text == (
        "Knowledge base not clinically approved (sign-off record: "
        "policy.approved_on: is required with the other approval fields)"
    )
    signed = SIGNED | {"approved_sha256": kb.sha256}
    assert sign_off_status(kb.sha256, signed).approved
