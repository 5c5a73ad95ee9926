"""ISMP notation: no trailing zeros, leading zeros, thousands commas, no banned abbreviations."""

from __future__ import annotations

import pytest

from baclofen_cds.logic import format_mg, times_a_day


@pytest.mark.parametrize(
    ("mg", "text"),
    [
        (5, "5 mg"),
        (5.0, "5 mg"),
        (2.5, "2.5 mg"),
        (0.5, "0.5 mg"),
        (12.5, "12.5 mg"),
        (1000, "1,000 mg"),
        (0.25, "0.25 mg"),
        (7.50, "7.5 mg"),
    ],
)
def test_format_mg(mg: float, text: str) -> None:
    assert format_mg(mg) == text


def test_times_a_day_in_words() -> None:
    assert [times_a_day(n) for n in (1, 2, 3, 4)] == [
        "once a day",
        "twice a day",
        "three times a day",
        "four times a day",
    ]
