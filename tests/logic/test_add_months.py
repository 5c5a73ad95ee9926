"""Due dates months ahead (monitoring): the same day, or the month's last day when shorter."""

from __future__ import annotations

import calendar
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from baclofen_cds.logic.monitoring import add_months


def reference(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31)), st.integers(0, 120))
def test_same_as_the_calendar_module(day: date, months: int) -> None:
    assert add_months(day, months) == reference(day, months)


def test_month_ends_and_leap_years() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # leap year
    assert add_months(date(2026, 12, 2), 3) == date(2027, 3, 2)  # across the year's end
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 31), 12) == date(2027, 12, 31)
