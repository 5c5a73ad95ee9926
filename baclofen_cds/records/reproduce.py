"""Run the engine again on a stored assessment and prove it gives the stored result.

Same case + same knowledge base (by hash) + same local policy = the same result, byte for byte
(the engine is a pure function). This is what makes a reprint identical to the first print,
and it lets a pharmacist or an auditor check a stored assessment independently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from baclofen_cds.records.types import RecordsError, StoredAssessment

if TYPE_CHECKING:
    from baclofen_cds.logic import KnowledgeBase, Recommendation


class NotReproducible(RecordsError):  # noqa: N818
    """The stored assessment cannot be recomputed exactly (the knowledge base changed, ...)."""


def reproduce(stored: StoredAssessment, kb: KnowledgeBase | None = None) -> Recommendation:
    """The `Recommendation` of a stored assessment, recomputed and checked against the record.

    Raises `NotReproducible` when the knowledge base in use is not the one the assessment was
    made with, or when the recomputed result differs from the stored text in any byte.
    """
    from baclofen_cds.logic import (
        CaseInputError,
        load_knowledge_base,
        load_policy,
        parse_case,
        recommend,
    )

    if kb is None:
        kb = load_knowledge_base()
    if kb.sha256 != stored.knowledge_base_sha256:
        raise NotReproducible(
            f"Assessment {stored.id} was made with knowledge base "
            f"{stored.knowledge_base_version} ({stored.knowledge_base_sha256[:12]}); this "
            f"installation has {kb.version} ({kb.sha256[:12]}). It cannot be recomputed "
            "exactly; its stored result is shown as it was."
        )
    try:
        case = parse_case(stored.case, kb, today=stored.created_at.date())
        policy = load_policy(kb, overrides=stored.policy)
    except CaseInputError as exc:
        raise NotReproducible(
            f"Assessment {stored.id} cannot be recomputed: its stored case is not accepted "
            f"any more ({exc})."
        ) from None
    recommendation = recommend(case, kb, policy)
    if recommendation.to_json() != stored.result_json:
        raise NotReproducible(
            f"Assessment {stored.id} does not recompute to its stored result with the same "
            "knowledge base; use the stored result and report this."
        )
    return recommendation
