"""Local policy: what a clinic may change, kept apart from label facts.

Defaults come from the knowledge base's `policy.yaml`. A clinic can own a policy file of its
own (`--policy FILE`, `BACLOFEN_CDS_POLICY`, or the window's Settings), validated like the
knowledge base: `load_policy_file` reads it into overrides for `load_policy`, and one bad
field stops everything with one message naming it. The policy decides the country (emergency
numbers, brand and storage lines of the handout), the clinic's name and phone printed on the
handout, and which handout languages may be printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from baclofen_cds.logic.case import CaseInputError
from baclofen_cds.logic.knowledge import KnowledgeBase

Country = Literal["GB", "US"]
COUNTRIES: tuple[str, ...] = Country.__args__  # type: ignore[attr-defined]
#: Handout languages (the text files exist for these); "en" is always enabled.
HANDOUT_LANGUAGES: tuple[str, ...] = ("en", "es")
POLICY_SCHEMA = "clinic_policy/1"
ENV_VAR = "BACLOFEN_CDS_POLICY"


def _languages(value: Any) -> Any:
    if value is None:
        return ("en",)
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError("must be a list of language codes")
    for code in value:
        if code not in HANDOUT_LANGUAGES:
            raise ValueError(f"{code!r} is not one of {list(HANDOUT_LANGUAGES)}")
    if "en" not in value:
        value = ["en", *value]
    return tuple(dict.fromkeys(value))


class LocalPolicy(BaseModel):
    """Clinic settings. Defaults come from `policy.yaml`; a policy file or Settings override."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clinic_name: str = Field(default="", max_length=200)
    clinic_phone: str = Field(default="", max_length=64)
    default_formulation: str
    routine_interval_months_higher_risk: int = Field(ge=1, le=24)
    routine_interval_months_standard: int = Field(ge=1, le=24)
    creatinine_max_age_days: int = Field(ge=1, le=3650)
    country: Country | None = None
    languages_enabled: tuple[str, ...] = ("en",)

    @field_validator("languages_enabled", mode="before")
    @classmethod
    def _check_languages(cls, value: Any) -> Any:
        return _languages(value)

    @field_validator("clinic_name", "clinic_phone", mode="before")
    @classmethod
    def _one_line(cls, value: Any) -> Any:
        return " ".join(value.split()) if isinstance(value, str) else value

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class PolicyFile(BaseModel):
    """A clinic's own policy file (YAML). Every field but `schema` is optional."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_id: str = Field(alias="schema")
    country: Country | None = None
    clinic_name: str | None = Field(default=None, max_length=200)
    clinic_phone: str | None = Field(default=None, max_length=64)
    languages_enabled: tuple[str, ...] | None = None
    default_formulation: str | None = None
    routine_interval_months_higher_risk: int | None = Field(default=None, ge=1, le=24)
    routine_interval_months_standard: int | None = Field(default=None, ge=1, le=24)
    creatinine_max_age_days: int | None = Field(default=None, ge=1, le=3650)
    reviewed_by: str | None = None
    reviewed: date | None = None

    @field_validator("schema_id")
    @classmethod
    def _schema(cls, value: str) -> str:
        if value != POLICY_SCHEMA:
            raise ValueError(f"must be {POLICY_SCHEMA!r}")
        return value

    @field_validator("languages_enabled", mode="before")
    @classmethod
    def _check_languages(cls, value: Any) -> Any:
        return None if value is None else _languages(value)


def _first_error(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "policy"
    if field == "schema_id":
        field = "schema"
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return field, "is not a known policy field"
    if kind == "missing":
        return field, "is required"
    if kind == "literal_error":
        return field, f"{err.get('input')!r} is not one of {list(COUNTRIES)}"
    return field, str(err["msg"]).removeprefix("Value error, ")


def load_policy_file(path: Path | str) -> dict[str, Any]:
    """A clinic policy file as overrides for `load_policy` (CaseInputError naming the field)."""
    where = Path(path)
    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CaseInputError("policy", f"cannot read {where}: {exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise CaseInputError("policy", f"{where} is not valid YAML{line}") from None
    if not isinstance(data, Mapping):
        raise CaseInputError("policy", f"{where} must be a mapping of policy fields")
    try:
        parsed = PolicyFile.model_validate(dict(data))
    except ValidationError as exc:
        field, message = _first_error(exc)
        raise CaseInputError(f"policy.{field}", f"{message} (in {where})") from None
    values = parsed.model_dump(exclude_none=True, exclude={"schema_id", "reviewed_by", "reviewed"})
    return values


def load_policy(kb: KnowledgeBase, overrides: Mapping[str, Any] | None = None) -> LocalPolicy:
    """The knowledge base's policy defaults with `overrides` applied (unknown keys are an error)."""
    base = kb.policy_defaults
    values: dict[str, Any] = {
        "clinic_name": base.clinic_name,
        "clinic_phone": base.clinic_phone,
        "default_formulation": base.default_formulation,
        "routine_interval_months_higher_risk": base.routine_interval_months_higher_risk,
        "routine_interval_months_standard": base.routine_interval_months_standard,
        "creatinine_max_age_days": base.creatinine_max_age_days,
    }
    values.update(dict(overrides or {}))
    try:
        policy = LocalPolicy.model_validate(values)
    except ValidationError as exc:
        field, message = _first_error(exc)
        raise CaseInputError(f"policy.{field}", message) from None
    if policy.default_formulation not in kb.formulations:
        raise CaseInputError(
            "policy.default_formulation",
            f"{policy.default_formulation!r} is not a known formulation",
        )
    return policy
