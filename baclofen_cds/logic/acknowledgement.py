"""Acknowledging critical alerts: the coded reasons (knowledge-base data) and the checks that
the window and the command line share.

The reasons live in `resources/knowledge/acknowledgement_reasons.yaml` (CDS Hooks
`overrideReasons` style: code + display). A result with critical alerts may be printed or
saved only when every critical alert has an acknowledgement with a known reason; a reason
marked `comment_required` needs a comment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import msgspec
from msgspec import Meta

from baclofen_cds.logic.knowledge.validation import Strict, convert, explain

if TYPE_CHECKING:
    from baclofen_cds.logic.knowledge import KnowledgeBase

DOCUMENT = "acknowledgement_reasons"


class AcknowledgementError(ValueError):
    """A bad acknowledgement: one message naming the alert or the reason."""


class _Reason(Strict, frozen=True, kw_only=True):
    code: Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]
    label: Annotated[str, Meta(min_length=1, max_length=200)]
    comment_required: bool = False


class _ReasonsFile(Strict, frozen=True, kw_only=True):
    reasons: Annotated[tuple[_Reason, ...], Meta(min_length=1)]


class AcknowledgementReason(msgspec.Struct, frozen=True):
    code: str
    label: str
    comment_required: bool


class GivenAcknowledgement(msgspec.Struct, frozen=True):
    """One critical (or other) alert acknowledged with a coded reason."""

    alert_id: str
    reason_code: str
    comment: str = ""


_CACHE: dict[int, tuple[Any, tuple[AcknowledgementReason, ...]]] = {}


def acknowledgement_reasons(kb: KnowledgeBase) -> tuple[AcknowledgementReason, ...]:
    """The coded reasons of this knowledge base, in their order. Raises `KnowledgeBaseError`
    when the file is missing or malformed."""
    from baclofen_cds.logic.knowledge import KnowledgeBaseError

    cached = _CACHE.get(id(kb))
    if cached is not None and cached[0] is kb:
        return cached[1]
    data = kb.extra_document(DOCUMENT)
    try:
        parsed = convert(data, _ReasonsFile)
    except msgspec.ValidationError as exc:
        loc, msg = explain(exc, _ReasonsFile, data)
        where = ".".join(str(p) for p in loc) or "(top level)"
        raise KnowledgeBaseError(f"{DOCUMENT}.yaml: {where}: {msg}") from None
    codes = [r.code for r in parsed.reasons]
    if len(set(codes)) != len(codes):
        raise KnowledgeBaseError(f"{DOCUMENT}.yaml: a reason code is listed twice")
    reasons = tuple(
        AcknowledgementReason(r.code, r.label, r.comment_required) for r in parsed.reasons
    )
    _CACHE[id(kb)] = (kb, reasons)
    return reasons


def reason_labels(kb: KnowledgeBase) -> dict[str, str]:
    return {r.code: r.label for r in acknowledgement_reasons(kb)}


def check_reason(kb: KnowledgeBase, code: str, comment: str = "") -> AcknowledgementReason:
    """The reason for `code`, or `AcknowledgementError` (unknown code, comment missing)."""
    for reason in acknowledgement_reasons(kb):
        if reason.code == code:
            if reason.comment_required and not comment.strip():
                raise AcknowledgementError(f"reason {code!r} needs a comment saying why")
            return reason
    known = ", ".join(r.code for r in acknowledgement_reasons(kb))
    raise AcknowledgementError(f"{code!r} is not a known reason (one of: {known})")


def acknowledge(
    kb: KnowledgeBase,
    alerts: Sequence[Any],
    given: Mapping[str, tuple[str, str]],
    *,
    all_reason: str | None = None,
) -> list[GivenAcknowledgement]:
    """Check the acknowledgements given for a result's alerts, in alert order.

    `given`: alert id -> (reason code, comment); `all_reason`: a reason for every critical
    alert not named in `given`. Raises `AcknowledgementError` for an id that is not an alert
    of this result, an unknown reason, or a missing comment.
    """
    by_id = {str(a.id): a for a in alerts}
    for alert_id, (code, comment) in given.items():
        if alert_id not in by_id:
            raise AcknowledgementError(f"{alert_id!r} is not an alert of this result")
        check_reason(kb, code, comment)
    if all_reason is not None:
        check_reason(kb, all_reason)
    out: list[GivenAcknowledgement] = []
    for alert in alerts:
        alert_id = str(alert.id)
        if alert_id in given:
            code, comment = given[alert_id]
            out.append(GivenAcknowledgement(alert_id, code, comment.strip()))
        elif all_reason is not None and alert.indicator == "critical":
            out.append(GivenAcknowledgement(alert_id, all_reason))
    return out


def unacknowledged_critical(alerts: Iterable[Any], acknowledged: Iterable[str]) -> list[Any]:
    """The critical alerts without an acknowledgement, in alert order."""
    done = set(acknowledged)
    return [a for a in alerts if a.indicator == "critical" and str(a.id) not in done]


class AnswersAnAlert(Protocol):
    """An acknowledgement given for an alert as it was: the medicines that triggered it."""

    @property
    def triggered_by(self) -> tuple[str, ...]: ...


A = TypeVar("A", bound=AnswersAnAlert)


def still_standing(acknowledged: Mapping[str, A], alerts: Iterable[Any]) -> dict[str, A]:
    """The acknowledgements (alert id -> acknowledgement) that still answer one of these
    alerts, in alert order. An acknowledgement holds only while its alert is unchanged: when
    the inputs change so that the alert fires for other medicines, or no longer fires, it
    must be given again."""
    out: dict[str, A] = {}
    for alert in alerts:
        ack = acknowledged.get(str(alert.id))
        if ack is not None and ack.triggered_by == tuple(alert.triggered_by):
            out[str(alert.id)] = ack
    return out


def printed_reasons(
    kb: KnowledgeBase, acknowledgements: Iterable[GivenAcknowledgement]
) -> dict[str, str]:
    """Alert id -> the reason as printed on the clinician summary ("label: comment")."""
    labels = reason_labels(kb)
    out = {}
    for ack in acknowledgements:
        text = labels.get(ack.reason_code, ack.reason_code)
        out[ack.alert_id] = f"{text}: {ack.comment}" if ack.comment else text
    return out
