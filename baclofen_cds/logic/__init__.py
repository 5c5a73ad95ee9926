"""Pure clinical logic: no Qt, no database, no PDF. Everything above builds on this API."""

# First, before any module of the package imports msgspec (see _lean_imports).
from baclofen_cds.logic import _lean_imports  # noqa: F401  # isort: skip

from baclofen_cds.logic.case import CaseInput, CaseInputError, parse_case
from baclofen_cds.logic.engine import recommend
from baclofen_cds.logic.formatting import format_mg, format_ml, format_number, times_a_day
from baclofen_cds.logic.knowledge import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from baclofen_cds.logic.policy import LocalPolicy, load_policy, load_policy_file
from baclofen_cds.logic.result import (
    Alert,
    AlertMember,
    BasisEntry,
    ComedicationMatch,
    Dose,
    Formulation,
    MissedDoseRule,
    MonitoringItem,
    Recommendation,
    Regimen,
    RenalAssessment,
    RenalEstimate,
    SourceRef,
    TaperStep,
    TitrationStep,
)
from baclofen_cds.logic.taper import taper_from_dose

__all__ = [
    "Alert",
    "AlertMember",
    "BasisEntry",
    "CaseInput",
    "CaseInputError",
    "ComedicationMatch",
    "Dose",
    "Formulation",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "LocalPolicy",
    "MissedDoseRule",
    "MonitoringItem",
    "Recommendation",
    "Regimen",
    "RenalAssessment",
    "RenalEstimate",
    "SourceRef",
    "TaperStep",
    "TitrationStep",
    "format_mg",
    "format_ml",
    "format_number",
    "load_knowledge_base",
    "load_policy",
    "load_policy_file",
    "parse_case",
    "recommend",
    "taper_from_dose",
    "times_a_day",
]
