"""Merging an imported case into what the clinician already typed (no Qt: the window asks).

An imported value fills an empty field. Where the clinician typed a different value, the two are
returned as a `Conflict` and nothing is replaced until the clinician chooses. Conditions and
co-medications from the record are added to the typed ones, never removed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Scalar fields the record may fill, with the words a clinician reads.
LABELS: dict[str, str] = {
    "patient.id": "Patient id",
    "patient.name": "Name",
    "age_years": "Age (years)",
    "sex": "Sex",
    "weight_kg": "Weight (kg)",
    "height_cm": "Height (cm)",
    "serum_creatinine": "Serum creatinine",
    "egfr_ml_min_1_73m2": "Reported eGFR",
    "creatinine_clearance_ml_min": "Known CrCl (mL/min)",
    "dialysis": "Dialysis",
    "current_daily_mg": "Current baclofen dose (mg a day)",
}
#: A form value that means "nothing entered yet" for these fields.
EMPTY_DEFAULTS: dict[str, Any] = {"dialysis": "none"}


@dataclass(frozen=True, slots=True)
class Conflict:
    field: str
    label: str
    typed: Any
    record: Any
    date: str | None

    def text(self) -> str:
        when = f" ({self.date})" if self.date else ""
        return f"{self.label}: typed {_show(self.typed)}, record {_show(self.record)}{when}"


def _show(value: Any) -> str:
    if isinstance(value, Mapping) and "value" in value:
        return f"{value['value']:g} {value.get('unit', '')}".strip()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _get(case: Mapping[str, Any], field: str) -> Any:
    if field.startswith("patient."):
        return (case.get("patient") or {}).get(field.split(".", 1)[1])
    return case.get(field)


def _set(case: dict[str, Any], field: str, value: Any) -> None:
    if field.startswith("patient."):
        patient = dict(case.get("patient") or {})
        patient[field.split(".", 1)[1]] = value
        case["patient"] = patient
    else:
        case[field] = value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return _same(a.get("value"), b.get("value")) and a.get("unit") == b.get("unit")
    if isinstance(a, int | float) and isinstance(b, int | float):
        # the form shows 6 significant digits: 20.0941 on screen is the record's 20.09414
        return math.isclose(float(a), float(b), rel_tol=1e-5)
    return bool(a == b)


def merge(
    typed: Mapping[str, Any], imported: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Conflict], list[str]]:
    """(merged case with typed values kept, conflicts to ask about, fields filled or added)."""
    merged: dict[str, Any] = dict(typed)
    conflicts: list[Conflict] = []
    filled: list[str] = []
    fields = (imported.get("provenance") or {}).get("fields") or {}
    for field, label in LABELS.items():
        record = _get(imported, field)
        if record is None:
            continue
        mine = _get(typed, field)
        if mine in (None, "") or EMPTY_DEFAULTS.get(field) == mine:
            _set(merged, field, record)
            filled.append(field)
        elif not _same(mine, record):
            conflicts.append(
                Conflict(field, label, mine, record, (fields.get(field) or {}).get("date"))
            )
    for key in ("conditions", "comedications"):
        have = list(typed.get(key) or [])
        seen = {str(x).casefold() for x in have}
        for item in imported.get(key) or []:
            if str(item).casefold() not in seen:
                have.append(item)
                seen.add(str(item).casefold())
                filled.append(f"{key}/{item}")
        merged[key] = have
    if imported.get("provenance") is not None:
        merged["provenance"] = imported["provenance"]
    return merged, conflicts, filled


def take_record_values(
    merged: Mapping[str, Any], imported: Mapping[str, Any], conflicts: list[Conflict]
) -> dict[str, Any]:
    """The merged case with the record's value for each conflict (the clinician chose it)."""
    out = dict(merged)
    for c in conflicts:
        _set(out, c.field, _get(imported, c.field))
    return out


def current_provenance(
    case: Mapping[str, Any], provenance: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The provenance of the values still on screen: a field the clinician has since changed
    (or a condition or medicine removed) no longer claims to come from the record."""
    if not provenance:
        return None
    fields = provenance.get("fields") or {}
    kept: dict[str, Any] = {}
    for key, entry in fields.items():
        if "/" in key:
            group, item = key.split("/", 1)
            if item.casefold() in {str(x).casefold() for x in case.get(group) or []}:
                kept[key] = entry
            continue
        value = _get(case, key)
        if key == "serum_creatinine":
            if isinstance(value, Mapping) and _same(
                value, {"value": entry.get("value"), "unit": entry.get("unit")}
            ):
                kept[key] = entry
        elif value is not None and _same(value, entry.get("value")):
            kept[key] = entry
    return {**provenance, "fields": kept}


def with_record_context(
    case: Mapping[str, Any], provenance: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The case with its current provenance and, when the creatinine on screen is still the
    record's, the date it was measured (so the engine can say it is stale)."""
    out = dict(case)
    current = current_provenance(case, provenance)
    if current is None:
        return out
    out["provenance"] = current
    scr_entry = current["fields"].get("serum_creatinine")
    scr = out.get("serum_creatinine")
    if scr_entry and isinstance(scr, Mapping) and isinstance(scr_entry.get("date"), str):
        out["serum_creatinine"] = {**scr, "measured_on": scr_entry["date"][:10]}
    return out
