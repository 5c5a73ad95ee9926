"""Shared fixtures: the packaged knowledge base and a helper to run one case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from baclofen_cds.logic import (
    KnowledgeBase,
    LocalPolicy,
    Recommendation,
    load_knowledge_base,
    load_policy,
    parse_case,
    recommend,
)

TODAY = date(2026, 11, 22)

HEALTHY_ADULT: dict[str, Any] = {
    "indication": "spasticity",
    "spasticity_origin": "multiple_sclerosis",
    "age_years": 45,
    "sex": "female",
    "weight_kg": 70,
    "height_cm": 168,
    "serum_creatinine": {"value": 0.9, "unit": "mg/dL"},
    "formulation": "tablet",
    "start_date": "2026-12-01",
}


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def policy(kb: KnowledgeBase) -> LocalPolicy:
    return load_policy(kb)


Run = Callable[..., Recommendation]


@pytest.fixture(scope="session")
def run(kb: KnowledgeBase, policy: LocalPolicy) -> Run:
    """run(**fields) recommends for the healthy adult with `fields` changed (None removes one)."""

    def _run(**changes: Any) -> Recommendation:
        data = {**HEALTHY_ADULT, **changes}
        data = {k: v for k, v in data.items() if v is not None}
        if data.get("indication") != "spasticity":
            data.pop("spasticity_origin", None)
        return recommend(parse_case(data, kb, today=TODAY), kb, policy)

    return _run


def alert_ids(rec: Recommendation) -> set[str]:
    return {a.id for a in rec.alerts}
