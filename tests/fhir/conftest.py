from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from baclofen_cds.fhir.importer import import_case
from baclofen_cds.fhir.resources import read_resources
from baclofen_cds.logic import KnowledgeBase, LocalPolicy, load_knowledge_base, load_policy
from tests.fhir.helpers import START


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="session")
def policy(kb: KnowledgeBase) -> LocalPolicy:
    return load_policy(kb)


@pytest.fixture
def do_import(kb: KnowledgeBase, policy: LocalPolicy) -> Callable[..., dict[str, Any]]:
    def run(data: Any, **kw: Any) -> dict[str, Any]:
        resources, skipped = read_resources(data, "test.json")
        return import_case(
            resources,
            kb,
            policy,
            start_date=kw.get("start", START),
            source="test.json",
            skipped=skipped,
        )

    return run
