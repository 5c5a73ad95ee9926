"""The window's settings, declared once (key, type, default, label), stored with QSettings.

No other module spells a settings key: widgets read and write through `AppSettings`.
Settings that shape the recommendation (clinic, routine test interval, default formulation)
reach the engine only through `policy_overrides()` -> `load_policy(kb, overrides=...)`, so
the basis view can say that they are local policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from PySide6.QtCore import QSettings

ORGANIZATION = "Baclofen CDS"
APPLICATION = "baclofen-cds"


class Setting(NamedTuple):  # not a dataclass: this module loads before the first paint
    key: str
    type: type
    default: Any
    label: str
    help: str = ""
    policy_key: str | None = None  # the LocalPolicy field it overrides, if any
    choices: tuple[tuple[Any, str], ...] = ()  # (value, label) when the value is one of a few


#: The routine liver/kidney test interval is a clinic's policy, not a label rule
#: (clinical-knowledge §14). "" keeps the knowledge base's default.
SETTINGS: tuple[Setting, ...] = (
    Setting("clinician/name", str, "", "Clinician name", "Printed on the handout as prescriber."),
    Setting("clinic/name", str, "", "Clinic name", "Printed on the handout.", "clinic_name"),
    Setting("clinic/phone", str, "", "Clinic phone", "Printed on the handout.", "clinic_phone"),
    Setting(
        "clinic/country",
        str,
        "",
        "Country",
        "Decides the emergency numbers, brand and storage lines of the handout.",
        "country",
        (("", "Not set"), ("GB", "United Kingdom"), ("US", "United States")),
    ),
    Setting(
        "policy/routine_interval_months_standard",
        int,
        0,
        "Routine liver and kidney tests, standard risk (months)",
        "0 keeps the knowledge base's default. Local policy, not a label rule.",
        "routine_interval_months_standard",
    ),
    Setting(
        "policy/routine_interval_months_higher_risk",
        int,
        0,
        "Routine liver and kidney tests, higher risk (months)",
        "0 keeps the knowledge base's default. Local policy, not a label rule.",
        "routine_interval_months_higher_risk",
    ),
    Setting(
        "defaults/creatinine_unit",
        str,
        "mg/dL",
        "Default serum creatinine unit",
        "",
        None,
        (("mg/dL", "mg/dL"), ("umol/L", "µmol/L")),
    ),
    Setting(
        "defaults/formulation",
        str,
        "",
        "Default formulation",
        "Empty keeps the knowledge base's default.",
        "default_formulation",
    ),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


class AppSettings:
    """Typed reads and writes of the declared settings."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._q = qsettings if qsettings is not None else QSettings(ORGANIZATION, APPLICATION)

    def __iter__(self) -> Iterator[Setting]:
        return iter(SETTINGS)

    def get(self, key: str) -> Any:
        spec = BY_KEY[key]
        raw = self._q.value(key, spec.default)
        try:
            if spec.type is int:
                return int(str(raw))
            return spec.type(raw) if raw is not None else spec.default
        except (TypeError, ValueError):
            return spec.default

    def set(self, key: str, value: Any) -> None:
        spec = BY_KEY[key]
        self._q.setValue(key, spec.type(value))

    def sync(self) -> None:
        self._q.sync()

    def policy_overrides(self) -> dict[str, Any]:
        """Only what the clinic has set: unset values keep the knowledge base's defaults."""
        out: dict[str, Any] = {}
        for spec in SETTINGS:
            if spec.policy_key is None:
                continue
            value = self.get(spec.key)
            if value in ("", 0, None):
                continue
            out[spec.policy_key] = value
        return out
