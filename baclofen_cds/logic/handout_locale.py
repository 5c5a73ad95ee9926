"""Dates, numbers and lists in the handout's language (Babel, CLDR data).

English numbers keep the ISMP notation of `logic.formatting` (no trailing zero, a leading
zero, a space before the unit); other languages use their own decimal sign ("1,5 mL").
Dates are written with the month in words, so day and month cannot be swapped.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date

from baclofen_cds.logic.formatting import format_number


@functools.cache
def _babel_locale(locale: str) -> object:
    from babel import Locale

    return Locale.parse(locale)


class LocaleFormat:
    """Formatting for one handout language."""

    def __init__(self, locale: str, short_pattern: str, long_pattern: str, and_word: str):
        self.locale = locale
        self.language = locale.split("_", maxsplit=1)[0]
        self.short_pattern = short_pattern
        self.long_pattern = long_pattern
        self.and_word = and_word
        _babel_locale(locale)  # fail early on an unknown locale

    def _date(self, value: date, pattern: str) -> str:
        from babel.dates import format_date

        text = str(format_date(value, pattern, locale=self.locale))
        return text.replace(".", "") if self.language != "en" else text

    @functools.lru_cache(maxsize=512)  # noqa: B019 - a few formatters live for the process
    def short_date(self, value: date) -> str:
        """ "Tue 1 Dec" / "mar 1 dic"."""
        return self._date(value, self.short_pattern)

    @functools.lru_cache(maxsize=512)  # noqa: B019
    def long_date(self, value: date) -> str:
        """ "Tuesday 1 December 2026" / "martes 1 de diciembre de 2026"."""
        return self._date(value, self.long_pattern)

    def pattern_date(self, value: date, pattern: str) -> str:
        return self._date(value, pattern)

    def number(self, value: float) -> str:
        if self.language == "en":
            return format_number(value)
        from babel.numbers import format_decimal

        return str(format_decimal(round(value, 2), format="#,##0.##", locale=self.locale))

    def mg(self, value: float) -> str:
        return f"{self.number(value)} mg"

    def ml(self, value: float) -> str:
        return f"{self.number(value)} mL"

    def join(self, items: Sequence[str]) -> str:
        """ "a, b and c" (no serial comma: the leaflets this follows do not use one)."""
        items = [i for i in items if i]
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.and_word} {items[-1]}"
