"""The knowledge base cannot lie (issue 11): bounds, strict YAML, and a hash of what is loaded."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from baclofen_cds.logic.knowledge import (
    BUNDLE_NAME,
    KnowledgeBaseError,
    build_bundle,
    bundle_problem,
    load_knowledge_base,
)
from tests.logic.test_knowledge import edit, kb_copy  # noqa: F401 - fixture

KB_CEILING = "hard_ceiling:\n  id: dose.ceiling.oral\n  max_daily_mg: 80"


def _refused(folder: Path, message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        load_knowledge_base(folder)
    out = subprocess.run(
        [sys.executable, "-m", "baclofen_cds", "knowledge", "check", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 1 and "INVALID" in out.stderr and "Traceback" not in out.stderr


def test_a_ceiling_above_the_label_maximum_is_refused(kb_copy: Path) -> None:  # noqa: F811
    edit(kb_copy, "kb.yaml", KB_CEILING, KB_CEILING.replace("80", "1000"))
    _refused(kb_copy, "above the label maximum")


def test_the_label_maximum_is_the_knowledge_bases_own(kb_copy: Path) -> None:  # noqa: F811
    """The bound comes from the label data, not a number in the code: raise both, it loads."""
    edit(
        kb_copy,
        "kb.yaml",
        "  id: dose.label_maximum.oral\n  max_daily_mg: 80",
        "  id: dose.label_maximum.oral\n  max_daily_mg: 90",
    )
    edit(kb_copy, "kb.yaml", KB_CEILING, KB_CEILING.replace("80", "90"))
    assert load_knowledge_base(kb_copy).hard_ceiling_mg_per_day == 90


def test_a_dose_rule_above_the_ceiling_is_refused(kb_copy: Path) -> None:  # noqa: F811
    edit(kb_copy, "dosing.yaml", "    max_daily_mg: 80\n", "    max_daily_mg: 800\n")
    _refused(kb_copy, "above the hard ceiling")


@pytest.mark.parametrize("value", [".inf", ".nan", "-.inf"])
def test_non_finite_numbers_are_refused(kb_copy: Path, value: str) -> None:  # noqa: F811
    edit(kb_copy, "kb.yaml", KB_CEILING, KB_CEILING.replace("80", value))
    _refused(kb_copy, "hard_ceiling")


def test_a_negative_strength_is_refused(kb_copy: Path) -> None:  # noqa: F811
    edit(kb_copy, "formulations.yaml", "strengths_mg: [5, 10, 20]", "strengths_mg: [-5, 10, 20]")
    _refused(kb_copy, "strengths_mg")


def test_duplicate_yaml_keys_are_refused(kb_copy: Path) -> None:  # noqa: F811
    edit(kb_copy, "kb.yaml", KB_CEILING, KB_CEILING + "\n  max_daily_mg: 60")
    _refused(kb_copy, "duplicate key 'max_daily_mg'")


def test_aliases_are_refused_without_expanding_them(kb_copy: Path) -> None:  # noqa: F811
    """A billion-laughs file is refused at once, in little memory (it used 2.7 GB)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    (kb_copy / "laughs.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(KnowledgeBaseError, match="aliases"):
        load_knowledge_base(kb_copy)
    with pytest.raises(KnowledgeBaseError, match="aliases"):
        build_bundle(kb_copy)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 200_000  # kilobytes
    assert not (kb_copy / "laughs.json").exists()


def test_an_oversize_file_is_refused(kb_copy: Path) -> None:  # noqa: F811
    (kb_copy / "big.yaml").write_text("x: '" + "a" * 2_100_000 + "'\n", encoding="utf-8")
    _refused(kb_copy, "larger than")


def _tamper_bundle(folder: Path, *, recompute: bool) -> None:
    """Edit a dose in the bundle, keeping the YAML hash it claims to be built from."""
    from baclofen_cds.logic.knowledge import canonical_hash

    path = folder / BUNDLE_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    data["documents"]["dosing.yaml"]["rules"][0]["target_daily_mg"] = 45
    if recompute:
        data["sha256"] = canonical_hash(data["documents"])
    path.write_text(json.dumps(data), encoding="utf-8")


def test_an_edited_bundle_is_not_used(kb_copy: Path) -> None:  # noqa: F811
    pristine = load_knowledge_base(kb_copy)
    _tamper_bundle(kb_copy, recompute=False)
    kb = load_knowledge_base(kb_copy)
    assert kb.dosing.rules[0].target_daily_mg == pristine.dosing.rules[0].target_daily_mg
    assert kb.sha256 == pristine.sha256
    refused, message = bundle_problem(kb_copy) or (False, "")
    assert refused and "not used" in message


def test_the_hash_is_of_what_was_loaded(kb_copy: Path) -> None:  # noqa: F811
    """A bundle edited by someone who also fixed its own hash: whatever is loaded, the result
    never reports the pristine hash for other content, and `knowledge check` refuses it."""
    pristine = load_knowledge_base(kb_copy)
    _tamper_bundle(kb_copy, recompute=True)
    kb = load_knowledge_base(kb_copy)
    assert kb.dosing.rules[0].target_daily_mg == 45  # the bundle was used (it is fast) ...
    assert kb.sha256 != pristine.sha256  # ... and the result says it is other knowledge
    out = subprocess.run(
        [sys.executable, "-m", "baclofen_cds", "knowledge", "check", str(kb_copy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 1 and "disagrees" in out.stderr
    build_bundle(kb_copy)  # rebuilt: trusted again, and the same knowledge as before
    assert bundle_problem(kb_copy) is None
    assert load_knowledge_base(kb_copy).sha256 == pristine.sha256


def test_yaml_and_bundle_give_the_same_hash(kb_copy: Path) -> None:  # noqa: F811
    with_bundle = load_knowledge_base(kb_copy)
    (kb_copy / BUNDLE_NAME).unlink()
    assert load_knowledge_base(kb_copy).sha256 == with_bundle.sha256


def test_the_packaged_bundle_agrees_with_its_yaml() -> None:
    assert bundle_problem() is None


def test_the_stored_name_index_is_the_one_built_from_the_yaml() -> None:
    """The bundle carries the medicine-name index (built once, not at every start): it is
    exactly the index built from interactions.yaml, key for key and in the same order."""
    stored, built = load_knowledge_base(), load_knowledge_base(use_bundle=False)
    assert list(stored.names.items()) == list(built.names.items())
    assert stored.names["diazepam"].classes == built.names["diazepam"].classes != ()


def test_an_edited_name_index_is_not_used(kb_copy: Path) -> None:  # noqa: F811
    """Someone points "diazepam" at a medicine without interactions in the bundle's index:
    the index is built from the YAML instead, and the benzodiazepine is still recognised."""
    path = kb_copy / BUNDLE_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    drugs = data["names"]["drugs"]
    harmless = next(i for i, row in enumerate(drugs) if row["classes"] == [])
    data["names"]["keys"]["diazepam"] = harmless
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    kb = load_knowledge_base(kb_copy)
    assert kb.names["diazepam"] == load_knowledge_base(kb_copy, use_bundle=False).names["diazepam"]
    assert kb.names["diazepam"].classes != ()
    refused, message = bundle_problem(kb_copy) or (True, "")
    assert not refused and "name index" in message
