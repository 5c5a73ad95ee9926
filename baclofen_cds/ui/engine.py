"""The window's one doorway into the engine: form data in, `Assessment` out.

Qt-free on purpose, so that what the window shows can be tested without a screen. The
window never computes a dose: it hands the form to `parse_case` and `recommend` and shows
what comes back. When the input is incomplete or impossible there is no recommendation,
only the list of what is wrong, field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from baclofen_cds.logic import CaseInput, KnowledgeBase, LocalPolicy, Recommendation
    from baclofen_cds.logic.approval import ApprovalStatus

#: The case fields the form cannot do without (DESIGN.md: the required fields).
REQUIRED_FIELDS: tuple[str, ...] = ("indication", "age_years", "sex")

#: Words a clinician reads for each case field (used in "incomplete: …").
FIELD_LABELS: dict[str, str] = {
    "patient.id": "patient id",
    "patient.name": "patient name",
    "indication": "indication",
    "spasticity_origin": "origin of spasticity",
    "age_years": "age",
    "sex": "sex",
    "weight_kg": "weight",
    "height_cm": "height",
    "serum_creatinine": "serum creatinine",
    "serum_creatinine.value": "serum creatinine",
    "serum_creatinine.unit": "creatinine unit",
    "creatinine_clearance_ml_min": "creatinine clearance",
    "egfr_ml_min_1_73m2": "eGFR",
    "dialysis": "dialysis",
    "hepatic_impairment": "hepatic impairment",
    "conditions": "conditions",
    "comedications": "co-medications",
    "formulation": "formulation",
    "start_date": "start date",
    "current_daily_mg": "oral baclofen dose now (mg a day)",
    "months_on_treatment": "months on baclofen",
    "intrathecal": "intrathecal pump",
    "regimen_choice": "regimen choice",
    "regimen_choice.target_daily_mg": "chosen target daily dose",
    "regimen_choice.step_interval_days": "chosen days between steps",
}


def field_label(field: str) -> str:
    top = field.split(".", maxsplit=1)[0]
    return FIELD_LABELS.get(field, FIELD_LABELS.get(top, field.replace("_", " ")))


class FieldError(NamedTuple):
    field: str  # case field as parse_case names it, e.g. "weight_kg", "serum_creatinine.value"
    message: str  # e.g. "is required", "7000 kg is outside the possible range 0.5–400 kg"

    @property
    def text(self) -> str:
        return f"{field_label(self.field)} {self.message}"


class Assessment(NamedTuple):
    """What the window shows for one state of the form."""

    recommendation: Recommendation | None  # None when the input is not complete
    errors: tuple[FieldError, ...] = ()
    elapsed_ms: float = 0.0

    @property
    def complete(self) -> bool:
        return self.recommendation is not None

    def incomplete_text(self) -> str:
        """One line naming everything that keeps a dose from being shown."""
        missing = [field_label(e.field) for e in self.errors if e.message == "is required"]
        wrong = [e.text for e in self.errors if e.message != "is required"]
        parts = []
        if missing:
            parts.append("missing " + ", ".join(dict.fromkeys(missing)))
        parts.extend(wrong)
        return "incomplete: " + "; ".join(parts) if parts else ""


class ParseCase(Protocol):
    def __call__(self, data: Any, kb: KnowledgeBase, *, today: date) -> CaseInput: ...


class Recommend(Protocol):
    def __call__(
        self, case: CaseInput, kb: KnowledgeBase, policy: LocalPolicy | None = None
    ) -> Recommendation: ...


class CaseEngine(Protocol):
    """What the window asks of the engine (the typed boundary between the window and
    `logic`): the knowledge base, the clinic's policy, and one assessment of the form."""

    kb: KnowledgeBase

    def policy(self, overrides: Mapping[str, Any] | None = None) -> LocalPolicy: ...

    def assess(
        self, form: Mapping[str, Any], *, policy: LocalPolicy, today: date
    ) -> Assessment: ...


class Engine:
    """The knowledge base and the engine functions, bound together (a `CaseEngine`).

    The application uses `Engine.load()`; tests may pass a knowledge base of their own.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        clinic_policy: Mapping[str, Any] | None = None,
        sign_off: Any = None,
    ) -> None:
        from baclofen_cds.logic import parse_case, recommend

        self.kb = kb
        #: The clinical sign-off recorded in the clinic's policy file (approved_by,
        #: approved_on, approved_sha256): a mapping, an `Approval`, or None when none.
        self.sign_off: Any = sign_off
        #: The clinic's policy file (BACLOFEN_CDS_POLICY or `--policy`), under the Settings.
        self.clinic_policy: dict[str, Any] = dict(clinic_policy or {})
        self._parse_case: ParseCase = parse_case
        self._recommend: Recommend = recommend

    @classmethod
    def load(cls) -> Engine:
        """Load the shipped knowledge base (raises KnowledgeBaseError when it is broken)."""
        import os

        from baclofen_cds import logic
        from baclofen_cds.logic.policy import ENV_VAR

        kb = logic.load_knowledge_base()
        path = os.environ.get(ENV_VAR)
        return cls(
            kb,
            clinic_policy=logic.load_policy_file(path) if path else None,
            sign_off=_sign_off_record(path) if path else None,
        )

    def approval(self) -> ApprovalStatus:
        """Whether the loaded knowledge base is the one a clinician signed off
        (approved only while the hashes are equal; logic/approval.py decides)."""
        from baclofen_cds.logic.approval import sign_off_status

        return sign_off_status(str(self.kb.sha256), self.sign_off)

    def policy(self, overrides: Mapping[str, Any] | None = None) -> LocalPolicy:
        """The clinic's policy file, then the window's Settings on top (`CaseInputError`
        naming a value the knowledge base does not accept)."""
        from baclofen_cds.logic import load_policy

        return load_policy(self.kb, overrides={**self.clinic_policy, **(overrides or {})})

    def assess(self, form: Mapping[str, Any], *, policy: LocalPolicy, today: date) -> Assessment:
        """Validate the form and, only when every field is acceptable, recommend.

        All field errors are collected (not just the first) so that each field can show its
        own message: a bad optional field is dropped and the case parsed again; a missing or
        bad required field is replaced by an acceptable stand-in only to find the errors
        of the other fields. The stand-in never reaches `recommend`.
        """
        import time

        from baclofen_cds.logic import CaseInputError

        started = time.perf_counter()
        data = dict(form)
        errors: list[FieldError] = []
        for name in REQUIRED_FIELDS:
            if data.get(name) in (None, ""):
                errors.append(FieldError(name, "is required"))
                data.pop(name, None)
        stand_ins = self._stand_ins()
        probe = dict(data)
        replaced: set[str] = set()
        for name in REQUIRED_FIELDS:
            if name not in probe:
                probe[name] = stand_ins[name]
                replaced.add(name)
        case = None
        for _ in range(len(probe) + len(REQUIRED_FIELDS) + 1):
            try:
                case = self._parse_case(probe, self.kb, today=today)
                break
            except CaseInputError as exc:
                field = str(exc.field)
                top = field.split(".", maxsplit=1)[0]
                errors.append(FieldError(field, str(exc.message)))
                if top in REQUIRED_FIELDS and top not in replaced:
                    probe[top] = stand_ins[top]
                    replaced.add(top)
                elif top in probe and top not in REQUIRED_FIELDS:
                    del probe[top]
                else:
                    break
        recommendation = None
        if not errors and case is not None:
            recommendation = self._recommend(case, self.kb, policy)
        elapsed = (time.perf_counter() - started) * 1000.0
        return Assessment(recommendation, tuple(_dedupe(errors)), elapsed)

    def _stand_ins(self) -> dict[str, Any]:
        """Acceptable values for the required fields, used only to find other errors."""
        indications = tuple(self.kb.indications)  # the knowledge base's codes
        limits = getattr(getattr(self.kb, "input_limits", None), "age_years", None)
        return {
            # spasticity accepts an origin, so a chosen origin is not blamed for a missing
            # indication.
            "indication": "spasticity" if "spasticity" in indications else indications[0],
            "sex": "female",
            "age_years": float(limits[1]) if limits else 0.0,
        }


def _sign_off_record(path: str) -> Any:
    """The policy file's sign-off fields as a mapping (`sign_off_status` checks them);
    an unreadable file was already refused by `load_policy_file`."""
    from pathlib import Path

    import yaml

    from baclofen_cds.logic.approval import APPROVAL_FIELDS

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        return None
    return {name: data.get(name) for name in APPROVAL_FIELDS}


def _dedupe(errors: list[FieldError]) -> list[FieldError]:
    seen: set[str] = set()
    out = []
    for err in errors:
        key = err.field.split(".")[0]
        if key in seen:
            continue
        seen.add(key)
        out.append(err)
    return out


def choice_interval_limits() -> tuple[int, int]:
    """The bounds the case contract puts on a chosen step interval (RegimenChoice)."""
    from baclofen_cds.logic.case import STEP_INTERVAL_DAYS

    return STEP_INTERVAL_DAYS
