"""The recommendation's JSON is byte-identical to `json.dumps(..., ensure_ascii=False,
indent=2)` (issue 14 point 3): records store it and `reproduce` compares it, so the faster
encoder must never change a byte."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen_cds.logic import KnowledgeBase, load_policy, parse_case, recommend
from baclofen_cds.logic.case import loads_case
from baclofen_cds.logic.result import indented_json
from benchmarks.cases import random_case
from tests.logic.conftest import TODAY

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))


def reference(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_is_byte_identical(kb: KnowledgeBase, path: Path) -> None:
    case = parse_case(loads_case(path.read_text(encoding="utf-8")), kb, today=TODAY)
    rec = recommend(case, kb, load_policy(kb))
    assert rec.to_json() == reference(rec.to_dict()) + "\n"


def test_three_hundred_random_cases_are_byte_identical(kb: KnowledgeBase) -> None:
    rng = random.Random(20261122)
    policy = load_policy(kb)
    for _ in range(300):
        rec = recommend(parse_case(random_case(rng), kb, today=TODAY), kb, policy)
        assert rec.to_json() == reference(rec.to_dict()) + "\n"


@pytest.mark.parametrize(
    "value",
    [
        1e-05,  # msgspec: 0.00001
        -1.5e-07,  # msgspec: -1.5e-7
        5e-324,
        1e16,  # msgspec: 1e16, Python: 1e+16
        2**64,  # beyond msgspec's 64 bits
        {1: "a key that is not text"},
        "text with 1e-5 and 0.00001 in it",  # looks like a small float: the slow path, same bytes
        '\x00\x1f\x7f\u2028\ud7ff é 😀 \\ " \n\t',
        [[], {}, [None, True, False, 0, -0.0, 1e16, 1e22, 0.0001, 123.456]],
    ],
)
def test_the_values_msgspec_writes_otherwise_fall_back(value: Any) -> None:
    data = {"case": {"provenance": {"x": value}}, "n": [value]}
    assert indented_json(data) == reference(data)


@pytest.mark.parametrize(
    "value",
    [
        date(2026, 12, 2),  # json.dumps refuses a date: so must this
        {"a", "set"},
        b"bytes",
    ],
)
def test_what_json_refuses_is_still_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        indented_json({"x": [value]})


def test_a_real_recommendation_takes_the_fast_way(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The knowledge base's hex hash and the case's texts do not send it to the slow encoder
    (it would still be right, but ~25 times slower)."""
    import baclofen_cds.logic.result as result

    def slow(data: Any) -> str:
        raise AssertionError("the standard library encoder was used")

    rng = random.Random(7)
    policy = load_policy(kb)
    recs = [recommend(parse_case(random_case(rng), kb, today=TODAY), kb, policy) for _ in range(50)]
    monkeypatch.setattr(result, "_stdlib_json", slow)
    for rec in recs:
        assert rec.to_json().startswith("{")


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_data_is_byte_identical(data: Any) -> None:
    assert indented_json(data) == reference(data)
