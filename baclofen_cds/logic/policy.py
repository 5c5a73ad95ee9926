"""Local policy: what a clinic may change, kept apart from label facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from baclofen_cds.logic.case import CaseInputError
from baclofen_cds.logic.knowledge import KnowledgeBase


class LocalPolicy(BaseModel):
    """Clinic settings. Defaults come from `policy.yaml`; the window's Settings override them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clinic_name: str = Field(default="", max_length=200)
    clinic_phone: str = Field(default="", max_length=64)
    default_formulation: str
    routine_interval_months_higher_risk: int = Field(ge=1, le=24)
    routine_interval_months_standard: int = Field(ge=1, le=24)
    creatinine_max_age_days: int = Field(ge=1, le=3650)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


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
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "policy"
        raise CaseInputError(f"policy.{field}", str(err["msg"])) from None
    if policy.default_formulation not in kb.formulations:
        raise CaseInputError(
            "policy.default_formulation",
            f"{policy.default_formulation!r} is not a known formulation",
        )
    return policy
