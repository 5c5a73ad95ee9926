"""The acknowledgement rules the window and the command line share (logic.acknowledgement)."""

from __future__ import annotations

from dataclasses import dataclass

from baclofen_cds.logic.acknowledgement import still_standing, unacknowledged_critical


@dataclass(frozen=True)
class _Alert:
    id: str
    indicator: str
    triggered_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Ack:
    alert_id: str
    triggered_by: tuple[str, ...]


SEDATION = _Alert("hazard.cns_depression", "critical", ("oxycodone", "alprazolam"))
BUILD_UP = _Alert("hazard.baclofen_accumulation", "critical", ("ibuprofen",))
INFO = _Alert("monitoring.liver", "info")


def test_an_acknowledgement_stands_while_its_alert_is_unchanged() -> None:
    given = {SEDATION.id: _Ack(SEDATION.id, ("oxycodone", "alprazolam"))}
    assert still_standing(given, [BUILD_UP, SEDATION]) == given
    assert unacknowledged_critical([BUILD_UP, SEDATION, INFO], given) == [BUILD_UP]


def test_it_must_be_given_again_when_other_medicines_trigger_the_alert() -> None:
    given = {SEDATION.id: _Ack(SEDATION.id, ("oxycodone", "alprazolam"))}
    changed = _Alert(SEDATION.id, "critical", ("oxycodone", "diazepam"))
    assert still_standing(given, [changed]) == {}
    assert unacknowledged_critical([changed], still_standing(given, [changed])) == [changed]


def test_it_lapses_when_the_alert_no_longer_fires_and_follows_alert_order() -> None:
    given = {
        SEDATION.id: _Ack(SEDATION.id, SEDATION.triggered_by),
        BUILD_UP.id: _Ack(BUILD_UP.id, BUILD_UP.triggered_by),
    }
    assert still_standing(given, [INFO]) == {}
    assert list(still_standing(given, [BUILD_UP, INFO, SEDATION])) == [BUILD_UP.id, SEDATION.id]
    assert unacknowledged_critical([INFO], {}) == []  # only critical alerts need one
