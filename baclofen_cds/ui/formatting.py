"""Display wording of engine numbers. Never a computation: only how a number reads.

Doses are written the ISMP way by the engine's own `format_mg`; dates in ISO form with
the day name, so that a schedule cannot be misread across locales.
"""

from __future__ import annotations

from datetime import date

_TIMES = {1: "once a day", 2: "twice a day", 3: "three times a day", 4: "four times a day"}


def mg(value: float) -> str:
    """The engine's ISMP dose notation ("5 mg", "2.5 mg", "0.5 mg", "1,000 mg")."""
    # Imported here, not at module level: the logic package is loaded after the first paint.
    from baclofen_cds.logic import format_mg

    return str(format_mg(value))


def times_a_day(n: int) -> str:
    return _TIMES.get(n, f"{n} times a day")


def day_date(value: date | None) -> str:
    if value is None:
        return "until review"
    return f"{value:%a} {value.isoformat()}"


def plain(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
