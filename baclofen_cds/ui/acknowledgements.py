"""Acknowledgement of critical alerts: a coded reason and an optional comment.

Qt-free. Coded reasons follow the CDS Hooks `overrideReasons` model (code + display).
An acknowledgement holds only while the alert it answers is unchanged: when the inputs
change so that the alert fires for other medicines or disappears, it must be given again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple


def _reasons() -> tuple[Any, ...]:
    from baclofen_cds.logic.acknowledgement import acknowledgement_reasons

    return acknowledgement_reasons(_packaged_kb())


_KB: list[Any] = []


def _packaged_kb() -> Any:
    if not _KB:
        from baclofen_cds.logic import load_knowledge_base

        _KB.append(load_knowledge_base())
    return _KB[0]


def __getattr__(name: str) -> Any:
    """REASONS, REASON_TEXT and COMMENT_REQUIRED come from the knowledge base
    (acknowledgement_reasons.yaml, shared with the command line), read when first used."""
    if name == "REASONS":
        return tuple((r.code, r.label) for r in _reasons())
    if name == "REASON_TEXT":
        return {r.code: r.label for r in _reasons()}
    if name == "COMMENT_REQUIRED":
        return frozenset(r.code for r in _reasons() if r.comment_required)
    raise AttributeError(name)


class Acknowledgement(NamedTuple):
    alert_id: str
    triggered_by: tuple[str, ...]
    reason_code: str
    comment: str = ""
    acknowledged_at: str = ""  # ISO 8601, UTC
    clinician: str = ""

    @property
    def reason_text(self) -> str:
        return str(dict(__getattr__("REASON_TEXT")).get(self.reason_code, self.reason_code))

    def to_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "reason_code": self.reason_code,
            "reason": self.reason_text,
            "comment": self.comment,
            "acknowledged_at": self.acknowledged_at,
            "clinician": self.clinician,
            "triggered_by": list(self.triggered_by),
        }


def make_acknowledgement(
    alert: Any, reason_code: str, comment: str = "", *, clinician: str = ""
) -> Acknowledgement:
    from baclofen_cds.logic.acknowledgement import check_reason

    comment = comment.strip()
    try:
        check_reason(_packaged_kb(), reason_code, comment)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return Acknowledgement(
        alert_id=str(alert.id),
        triggered_by=tuple(alert.triggered_by),
        reason_code=reason_code,
        comment=comment,
        acknowledged_at=datetime.now(UTC).isoformat(timespec="seconds"),
        clinician=clinician,
    )


class AcknowledgementBook:
    """The acknowledgements given for the current case."""

    def __init__(self) -> None:
        self._acks: dict[str, Acknowledgement] = {}

    def add(self, ack: Acknowledgement) -> None:
        self._acks[ack.alert_id] = ack

    def clear(self) -> None:
        self._acks.clear()

    def current(self, alerts: Iterable[Any]) -> dict[str, Acknowledgement]:
        """The acknowledgements that still answer one of these alerts, unchanged."""
        from baclofen_cds.logic.acknowledgement import still_standing

        return still_standing(self._acks, alerts)

    def pending(self, recommendation: Any) -> list[Any]:
        """Critical alerts of this recommendation still without a valid acknowledgement."""
        if recommendation is None:
            return []
        from baclofen_cds.logic.acknowledgement import unacknowledged_critical

        alerts = recommendation.alerts
        return unacknowledged_critical(alerts, self.current(alerts))

    def for_output(self, recommendation: Any) -> tuple[Acknowledgement, ...]:
        """What goes with the handout and the saved assessment, in alert order."""
        if recommendation is None:
            return ()
        return tuple(self.current(recommendation.alerts).values())
