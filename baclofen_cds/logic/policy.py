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
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from msgspec import Meta

from baclofen_cds.logic.case import CaseInputError, field_error, jsonable
from baclofen_cds.logic.resource_files import handout_languages

if TYPE_CHECKING:
    from baclofen_cds.logic.knowledge import KnowledgeBase

Country = Literal["GB", "US"]
COUNTRIES: tuple[str, ...] = Country.__args__  # type: ignore[attr-defined]
#: Handout languages: one per handout text file present (`resource_files.handout_languages`);
#: "en" is always enabled.
HANDOUT_LANGUAGES: tuple[str, ...] = handout_languages()
POLICY_SCHEMA = "clinic_policy/1"
ENV_VAR = "BACLOFEN_CDS_POLICY"

_Months = Annotated[int, Meta(ge=1, le=24)]
_Days = Annotated[int, Meta(ge=1, le=3650)]
_Name = Annotated[str, Meta(max_length=200)]
_Phone = Annotated[str, Meta(max_length=64)]


def _languages(value: Any) -> Any:
    if value is None:
        return ["en"]
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError("must be a list of language codes")
    for code in value:
        if code not in HANDOUT_LANGUAGES:
            raise ValueError(f"{code!r} is not one of {list(HANDOUT_LANGUAGES)}")
    if "en" not in value:
        value = ["en", *value]
    return list(dict.fromkeys(value))


class LocalPolicy(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Clinic settings. Defaults come from `policy.yaml`; a policy file or Settings override."""

    clinic_name: _Name = ""
    clinic_phone: _Phone = ""
    default_formulation: str
    routine_interval_months_higher_risk: _Months
    routine_interval_months_standard: _Months
    creatinine_max_age_days: _Days
    country: Country | None = None
    languages_enabled: tuple[str, ...] = ("en",)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(msgspec.to_builtins(self))  # type: ignore[no-any-return]


class PolicyFile(
    msgspec.Struct,
    frozen=True,
    forbid_unknown_fields=True,
    kw_only=True,
    rename={"schema_id": "schema"},
):
    """A clinic's own policy file (YAML). Every field but `schema` is optional."""

    schema_id: str
    country: Country | None = None
    clinic_name: _Name | None = None
    clinic_phone: _Phone | None = None
    languages_enabled: tuple[str, ...] | None = None
    default_formulation: str | None = None
    routine_interval_months_higher_risk: _Months | None = None
    routine_interval_months_standard: _Months | None = None
    creatinine_max_age_days: _Days | None = None
    reviewed_by: str | None = None
    reviewed: date | None = None
    # clinical sign-off of the knowledge base (logic/approval.py reads them)
    approved_by: str | None = None
    approved_on: date | None = None
    approved_sha256: str | None = None


#: Fields of a policy file that are not settings (the review and the sign-off).
_NOT_SETTINGS = frozenset(
    {"schema_id", "reviewed_by", "reviewed", "approved_by", "approved_on", "approved_sha256"}
)


def _prepared(data: Mapping[str, Any]) -> dict[str, Any]:
    """The values as the models take them: clinic name and phone on one line, the languages
    checked and "en" added (CaseInputError naming the field, without the `policy.` prefix)."""
    raw = dict(data)
    for name in ("clinic_name", "clinic_phone"):
        if isinstance(raw.get(name), str):
            raw[name] = " ".join(raw[name].split())
    if "languages_enabled" in raw:
        try:
            raw["languages_enabled"] = _languages(raw["languages_enabled"])
        except ValueError as exc:
            raise CaseInputError("languages_enabled", str(exc)) from None
    return raw


def _convert(model: type[Any], data: Mapping[str, Any]) -> Any:
    """`data` as `model`, or CaseInputError naming the field (without the `policy.` prefix)."""
    raw = _prepared(data)
    if model is PolicyFile and raw.get("schema", POLICY_SCHEMA) != POLICY_SCHEMA:
        raise CaseInputError("schema", f"must be {POLICY_SCHEMA!r}")
    try:
        return msgspec.convert(raw, model, strict=True)
    except msgspec.ValidationError as exc:
        field, message = field_error(
            exc,
            raw,
            choices={"country": COUNTRIES},
            unknown="is not a known policy field",
            rename={"schema_id": "schema"},
            listed=lambda values: str(list(values)),  # "['GB', 'US']", as the window shows it
        )
        raise CaseInputError(field or "policy", message) from None


def load_policy_file(path: Path | str) -> dict[str, Any]:
    """A clinic policy file as overrides for `load_policy` (CaseInputError naming the field)."""
    import yaml

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
        parsed = _convert(PolicyFile, data)
    except CaseInputError as exc:
        raise CaseInputError(f"policy.{exc.field}", f"{exc.message} (in {where})") from None
    return {
        name: getattr(parsed, name)
        for name in parsed.__struct_fields__
        if name not in _NOT_SETTINGS and getattr(parsed, name) is not None
    }


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
        policy: LocalPolicy = _convert(LocalPolicy, values)
    except CaseInputError as exc:
        raise CaseInputError(f"policy.{exc.field}", exc.message) from None
    if policy.default_formulation not in kb.formulations:
        raise CaseInputError(
            "policy.default_formulation",
            f"{policy.default_formulation!r} is not a known formulation",
        )
    return policy
