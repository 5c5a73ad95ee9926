"""Country facts the handout prints (emergency, urgent-advice and poison numbers).

Read from the knowledge base's `countries.yaml` (part of its hash), validated here.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from baclofen_cds.logic.handout_text import HandoutTextError
from baclofen_cds.logic.resource_files import resource_path

DOCUMENT_NAME = "countries"


class CountryInfo(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    emergency_number: str = Field(min_length=1)
    urgent_advice_number: str = ""
    poison_number: str = ""


class CountriesFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_id: str = Field(alias="schema", pattern=r"^countries/1$")
    countries: dict[str, CountryInfo]
    reviewed: str
    note: str = ""


def parse_countries(data: Any) -> CountriesFile:
    try:
        return CountriesFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ())) or "document"
        raise HandoutTextError(loc, str(first.get("msg")), DOCUMENT_NAME) from None


@functools.cache
def _packaged() -> CountriesFile:
    path = resource_path("knowledge", f"{DOCUMENT_NAME}.yaml")
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
    return info.model_dump()
