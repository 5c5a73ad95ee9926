"""The "none" confirmations of the window's ticks are case fields, never dosing inputs."""

from __future__ import annotations

from typing import Any

import pytest

from baclofen_cds.logic import CaseInputError, KnowledgeBase, parse_case, recommend
from tests.logic.conftest import HEALTHY_ADULT, TODAY

FLAGS = ("comedications_confirmed_none", "conditions_confirmed_none")


def test_default_false_and_kept_with_the_case(kb: KnowledgeBase) -> None:
    plain = parse_case(HEALTHY_ADULT, kb, today=TODAY)
    assert (plain.comedications_confirmed_none, plain.conditions_confirmed_none) == (False, False)
    ticked = parse_case({**HEALTHY_ADULT, **dict.fromkeys(FLAGS, True)}, kb, today=TODAY)
    stored = ticked.to_dict()
    assert stored["comedications_confirmed_none"] is True
    assert stored["conditions_confirmed_none"] is True
    assert parse_case(stored, kb, today=TODAY) == ticked  # what records store reads back


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("comedications_confirmed_none", {"comedications": ["oxycodone"]}),
        ("conditions_confirmed_none", {"conditions": ["epilepsy"]}),
    ],
)
def test_true_with_a_listed_entry_names_the_field(
    kb: KnowledgeBase, field: str, change: dict[str, Any]
) -> None:
    with pytest.raises(CaseInputError) as err:
        parse_case({**HEALTHY_ADULT, **change, field: True}, kb, today=TODAY)
    assert err.value.field == field
    assert "\n" not in str(err.value)
    # false beside a list is simply the ordinary case
    parse_case({**HEALTHY_ADULT, **change, field: False}, kb, today=TODAY)


@pytest.mark.parametrize("field", FLAGS)
@pytest.mark.parametrize("value", ["yes", 1, None, "true"])
def test_only_json_booleans(kb: KnowledgeBase, field: str, value: Any) -> None:
    with pytest.raises(CaseInputError) as err:
        parse_case({**HEALTHY_ADULT, field: value}, kb, today=TODAY)
    assert err.value.field == field


def test_the_engine_ignores_them_for_dosing(kb: KnowledgeBase) -> None:
    plain = recommend(parse_case(HEALTHY_ADULT, kb, today=TODAY), kb)
    ticked = recommend(
        parse_case({**HEALTHY_ADULT, **dict.fromkeys(FLAGS, True)}, kb, today=TODAY), kb
    )
    assert ticked.status == plain.status
    assert ticked.regimen == plain.regimen
    assert [a.id for a in ticked.alerts] == [a.id for a in plain.alerts]
