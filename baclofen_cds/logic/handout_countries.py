"""Country facts the handout prints (emergency, urgent-advice and poison numbers).

Read from the knowledge base's `countries.yaml` (part of its hash), validated here.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from baclofen_cds.logic.handout_text import HandoutTextError
from baclofen_cds.logic.knowledge.validation import Strict, convert, explain, to_data
from baclofen_cds.logic.resource_files import resource_path

DOCUMENT_NAME = "countries"


class CountryInfo(Strict, frozen=True, kw_only=True):
    name: str
    emergency_number: Annotated[str, Meta(min_length=1)]
    urgent_advice_number: str = ""
    poison_number: str = ""


class CountriesFile(Strict, frozen=True, kw_only=True):
    schema_id: Annotated[str, Meta(pattern=r"^countries/1$")] = msgspec.field(name="schema")
    countries: dict[str, CountryInfo]
    reviewed: str
    note: str = ""


def parse_countries(data: Any) -> CountriesFile:
    try:
        return convert(data, CountriesFile)
    except msgspec.ValidationError as exc:
        where, msg = explain(exc, CountriesFile, data)
        loc = ".".join(str(p) for p in where) or "document"
        raise HandoutTextError(loc, msg, DOCUMENT_NAME) from None


@functools.cache
def _packaged() -> CountriesFile:
    path = resource_path("knowledge", f"{DOCUMENT_NAME}.yaml")
    import yaml

    return parse_countries(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_countries(kb: Any | None = None) -> CountriesFile:
    if kb is None or not hasattr(kb, "extra_document"):
        return _packaged()
    return parse_countries(kb.extra_document(DOCUMENT_NAME))


def country_facts(kb: Any | None, country: str) -> dict[str, str]:
    """The numbers of one country as plain strings; HandoutTextError if it is not known."""
    countries = load_countries(kb).countries
    info = countries.get(country)
    if info is None:
        raise HandoutTextError(
            "countries", f"{country!r} is not one of {sorted(countries)}", DOCUMENT_NAME
        )
    facts: dict[str, str] = to_data(info)
    return facts
