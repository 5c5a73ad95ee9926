"""ISMP-safe number formatting: no trailing zeros, always a leading zero, thousands commas."""

from __future__ import annotations


def format_number(value: float, max_decimals: int = 2) -> str:
    """`5` -> "5", `2.50` -> "2.5", `0.5` -> "0.5", `1000` -> "1,000"."""
    rounded = round(value, max_decimals)
    if rounded == int(rounded):
        return f"{int(rounded):,}"
    return f"{rounded:,.{max_decimals}f}".rstrip("0").rstrip(".")


def format_mg(mg: float) -> str:
    """A dose in ISMP notation: "5 mg", "2.5 mg", "0.5 mg"."""
    return f"{format_number(mg)} mg"


def format_ml(ml: float) -> str:
    return f"{format_number(ml)} mL"


def times_a_day(times: int) -> str:
    """Plain words, never abbreviations such as TID or QD."""
    words = {1: "once a day", 2: "twice a day", 3: "three times a day", 4: "four times a day"}
    return words.get(times, f"{times} times a day")
