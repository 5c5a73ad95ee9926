"""The knowledge base owns the closed vocabularies of the case (issue 14 point 2): a code the
loaded knowledge base lists is accepted, any other is refused naming the field and listing
the allowed codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from baclofen_cds.logic import (
    CaseInputError,
    KnowledgeBase,
    load_knowledge_base,
    load_policy,
    parse_case,
    recommend,
)
from tests.logic.conftest import HEALTHY_ADULT, TODAY

PACKAGED = Path(__file__).resolve().parents[2] / "resources" / "knowledge"
NEW = "restless_legs"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def kb_with_new_indication(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A copy of the knowledge base with one more indication, complete: its label, a dose
    rule (the hiccups ladder, shared) and the handout's words for it."""
    folder = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(PACKAGED, folder)
    _edit(
        folder / "kb.yaml",
        "\nspasticity_origins:",
        f'  {NEW}:\n    label: "Restless legs"\n    patient_label: "restless legs"\n'
        "\nspasticity_origins:",
    )
    _edit(folder / "dosing.yaml", "indications: [hiccups]", f"indications: [hiccups, {NEW}]")
    for name in ("handout_text.yaml", "handout_text.es.yaml"):
        _edit(
            folder / name, "    hiccups:\n", f"    {NEW}:\n      - Restless legs.\n    hiccups:\n"
        )
    return load_knowledge_base(folder)


def test_a_new_indication_in_the_knowledge_base_is_accepted(
    kb_with_new_indication: KnowledgeBase,
) -> None:
    kb = kb_with_new_indication
    assert NEW in kb.indications
    data = {**HEALTHY_ADULT, "indication": NEW}
    del data["spasticity_origin"]
    case = parse_case(data, kb, today=TODAY)
    assert case.indication == NEW
    rec = recommend(case, kb, load_policy(kb))  # no KeyError anywhere on the way
    assert rec.case["indication"] == NEW
    assert rec.regimen is not None and rec.regimen.steps  # the new dose rule applies
    assert rec.to_json()


def test_the_packaged_knowledge_base_refuses_it_listing_its_codes(kb: KnowledgeBase) -> None:
    data = {**HEALTHY_ADULT, "indication": NEW}
    del data["spasticity_origin"]
    with pytest.raises(CaseInputError) as err:
        parse_case(data, kb, today=TODAY)
    assert err.value.field == "indication"
    assert f"{NEW!r} is not one of" in err.value.message
    for code in kb.indications:
        assert repr(code) in err.value.message


@pytest.mark.parametrize(
    ("field", "codes"),
    [("spasticity_origin", "spasticity_origins"), ("formulation", "formulations")],
)
def test_origins_and_formulations_come_from_the_knowledge_base(
    kb: KnowledgeBase, field: str, codes: str
) -> None:
    for code in getattr(kb, codes):
        assert getattr(parse_case({**HEALTHY_ADULT, field: code}, kb, today=TODAY), field) == code
    for bad in ("patch", 7, ["tablet"]):
        with pytest.raises(CaseInputError) as err:
            parse_case({**HEALTHY_ADULT, field: bad}, kb, today=TODAY)
        assert err.value.field == field and "is not one of" in err.value.message
        assert "\n" not in str(err.value)
