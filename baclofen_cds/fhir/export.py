"""The plan as FHIR R4: a Bundle (type collection) built from a recommendation.

- one MedicationRequest (status draft, intent proposal) per titration step, grouped by one
  `groupIdentifier`: ISMP text, `timing.repeat` (frequency per 1 day, `boundsPeriod` with the
  step's dates), `doseQuantity` in UCUM mg, oral route, `maxDosePerPeriod`, RxNorm coding;
- the monitoring plan as ServiceRequests (due dates, LOINC codes where fhir.yaml has them);
- each critical alert as a DetectedIssue, `final` with the coded reason as mitigation when the
  clinician acknowledged it, `preliminary` otherwise;
- a Provenance naming the knowledge-base version and hash and the application version.

Pure: the same recommendation, acknowledgements and `created` give the same bytes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from baclofen_cds.fhir.mapping import Mappings, load_mappings
from baclofen_cds.logic.formatting import format_mg, times_a_day
from baclofen_cds.logic.knowledge import KnowledgeBase
from baclofen_cds.logic.result import Alert, MonitoringItem, Recommendation, TitrationStep

SEVERITY = {"critical": "high", "warning": "moderate", "info": "low"}
ACK_SYSTEM = "urn:baclofen-cds:acknowledgement-reason"
ALERT_SYSTEM = "urn:baclofen-cds:alert"
KB_SYSTEM = "urn:baclofen-cds:knowledge-base"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """A clinician's acknowledgement of one alert: the coded reason and its wording."""

    code: str
    label: str
    comment: str = ""
    clinician: str = ""


def _uuid(seed: str, *parts: object) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, ":".join([seed, *map(str, parts)])))


def _num(value: float) -> float | int:
    """Whole numbers as integers ("5", never "5.0")."""
    return int(value) if value == int(value) else value


def _entry(full_url: str, resource: dict[str, Any]) -> dict[str, Any]:
    """A Bundle entry whose resource id is the last part of its urn:uuid (id right after type)."""
    rid = full_url.rsplit(":", 1)[1]
    body = {k: v for k, v in resource.items() if k not in ("resourceType", "id")}
    return {
        "fullUrl": full_url,
        "resource": {"resourceType": resource["resourceType"], "id": rid, **body},
    }


def _mg(maps: Mappings, value: float) -> dict[str, Any]:
    unit = maps.file.export.dose_unit
    return {"value": _num(value), "unit": unit.unit, "system": maps.systems.ucum, "code": unit.code}


def dosage_text(step: TitrationStep, max_daily_mg: float) -> str:
    """ISMP wording regenerated from the structured step (no trailing zeros, no QD/TID)."""
    when = f"from {step.from_date.isoformat()}"
    when += f" to {step.to_date.isoformat()}" if step.to_date else " onwards"
    return (
        f"{format_mg(step.dose_mg)} ({step.amount}) by mouth {times_a_day(step.times_per_day)}, "
        f"{when}: {format_mg(step.daily_mg)} a day; never more than {format_mg(max_daily_mg)} "
        "a day"
    )


def _subject(rec: Recommendation, seed: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The patient reference, and a Patient resource to include when the record gave none."""
    case = rec.case
    prov = case.get("provenance") or {}
    from_record = (prov.get("fields") or {}).get("patient.id", {}).get("resource")
    patient = case.get("patient") or {}
    if isinstance(from_record, str) and from_record.startswith("Patient/"):
        ref: dict[str, Any] = {"reference": from_record}
        if patient.get("name"):
            ref["display"] = patient["name"]
        return ref, None
    full_url = _uuid(seed, "Patient")
    resource: dict[str, Any] = {"resourceType": "Patient"}
    if patient.get("id"):
        resource["identifier"] = [{"value": patient["id"]}]
    if patient.get("name"):
        resource["name"] = [{"text": patient["name"]}]
    resource["gender"] = case.get("sex") if case.get("sex") in ("female", "male") else "unknown"
    return {"reference": full_url}, _entry(full_url, resource)


def _override_note(rec: Recommendation) -> str | None:
    """The clinician's override of a stop (issue 8), when one was applied to this regimen."""
    override = getattr(rec, "override", None)
    if override is None:
        return None
    data: Mapping[str, Any] = override.to_dict() if hasattr(override, "to_dict") else dict(override)
    if not data.get("applied", True):
        return None
    text = f"Override: {data.get('label') or data.get('reason') or ''}"
    if data.get("clinician"):
        text += f", by {data['clinician']}"
    if data.get("note"):
        text += f". {data['note']}"
    withheld = getattr(rec, "regimen_withheld", None)
    if withheld is not None and getattr(withheld, "reason", None):
        text += f" (without it: {withheld.reason})"
    return text


def _medication_request(  # noqa: PLR0917 - one call site, all keyed by position there
    rec: Recommendation,
    kb: KnowledgeBase,
    maps: Mappings,
    step: TitrationStep,
    index: int,
    subject: dict[str, Any],
    group: str,
    created: str,
) -> dict[str, Any]:
    assert rec.regimen is not None
    reg = rec.regimen
    ex = maps.file.export
    bac = maps.file.baclofen
    indication = kb.indications[rec.case["indication"]].label
    dosage: dict[str, Any] = {
        "sequence": index + 1,
        "text": dosage_text(step, reg.max_daily_mg),
        "timing": {
            "repeat": {
                "boundsPeriod": {
                    "start": step.from_date.isoformat(),
                    **({"end": step.to_date.isoformat()} if step.to_date else {}),
                },
                "frequency": step.times_per_day,
                "period": 1,
                "periodUnit": "d",
            }
        },
        "route": {
            "coding": [
                {"system": maps.systems.route, "code": ex.route.code, "display": ex.route.display}
            ],
            "text": "by mouth",
        },
        "doseAndRate": [{"doseQuantity": _mg(maps, step.dose_mg)}],
        "maxDosePerPeriod": {
            "numerator": _mg(maps, reg.max_daily_mg),
            "denominator": {"value": 1, "unit": "day", "system": maps.systems.ucum, "code": "d"},
        },
    }
    out: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "groupIdentifier": {"system": "urn:ietf:rfc:3986", "value": group},
        "medicationCodeableConcept": {
            "coding": [
                {"system": maps.systems.rxnorm, "code": bac.rxcui, "display": bac.display},
                *(
                    [
                        {
                            "system": maps.systems.rxnorm,
                            "code": product.code,
                            "display": product.display,
                        }
                    ]
                    if (product := ex.products.get(reg.formulation.code)) is not None
                    else []
                ),
            ],
            "text": ex.medication_text.format(form=reg.formulation.label.removeprefix("baclofen ")),
        },
        "subject": subject,
        "authoredOn": created,
        "reasonCode": [{"text": indication}],
        "dosageInstruction": [dosage],
    }
    note = _override_note(rec)
    if note:
        out["note"] = [{"text": note}]
    return out


def _service_request(
    maps: Mappings, item: MonitoringItem, subject: dict[str, Any], created: str
) -> dict[str, Any]:
    codes = maps.file.export.monitoring_codes.get(item.id, ())
    code: dict[str, Any] = {"text": item.what}
    if codes:
        code["coding"] = [
            {"system": maps.systems.loinc, "code": c.loinc, "display": c.display} for c in codes
        ]
    out: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "plan",
        "code": code,
        "subject": subject,
        "authoredOn": created,
        "note": [{"text": f"When: {item.when}"}],
    }
    if item.every_months and item.due_date is not None:
        out["occurrenceTiming"] = {
            "repeat": {
                "boundsPeriod": {"start": item.due_date.isoformat()},
                "frequency": 1,
                "period": item.every_months,
                "periodUnit": "mo",
            }
        }
    elif item.due_date is not None:
        out["occurrenceDateTime"] = item.due_date.isoformat()
    return out


def _detected_issue(
    alert: Alert,
    ack: Acknowledgement | None,
    subject: dict[str, Any],
    implicated: list[dict[str, Any]],
    created: str,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "identifier": [{"system": ALERT_SYSTEM, "value": alert.id}],
        "status": "final" if ack else "preliminary",
        "code": {"text": alert.summary},
        "severity": SEVERITY[alert.indicator],
        "patient": subject,
        "identifiedDateTime": created,
        "detail": f"{alert.detail} Action: {alert.action}".strip(),
    }
    if alert.category == "interaction":
        out["code"]["coding"] = [
            {"system": ACT_CODE, "code": "DRG", "display": "Drug Interaction Alert"}
        ]
    if implicated:
        out["implicated"] = implicated
    if ack is not None:
        mitigation: dict[str, Any] = {
            "action": {
                "coding": [{"system": ACK_SYSTEM, "code": ack.code, "display": ack.label}],
                "text": ack.label + (f": {ack.comment}" if ack.comment else ""),
            },
            "date": created,
        }
        if ack.clinician:
            mitigation["author"] = {"display": ack.clinician}
        out["mitigation"] = [mitigation]
    return out


def plan_bundle(
    rec: Recommendation,
    kb: KnowledgeBase,
    *,
    created: str,
    app_version: str,
    acknowledgements: Mapping[str, Acknowledgement] | None = None,
) -> dict[str, Any]:
    """The recommendation as a FHIR R4 Bundle (type collection), as plain JSON data.

    `created`: a FHIR instant (the clock is read by the caller, never here).
    """
    maps = load_mappings(kb)
    acks = dict(acknowledgements or {})
    seed = kb.sha256 + json.dumps(rec.case, sort_keys=True, default=str) + created
    subject, patient_entry = _subject(rec, seed)
    entries: list[dict[str, Any]] = [patient_entry] if patient_entry else []
    group = _uuid(seed, "plan")
    orders: list[dict[str, Any]] = []
    if rec.regimen is not None:
        for i, step in enumerate(rec.regimen.steps):
            url = _uuid(seed, "MedicationRequest", i)
            res = _medication_request(rec, kb, maps, step, i, subject, group, created)
            entries.append(_entry(url, res))
            orders.append({"reference": url})
    for i, item in enumerate(rec.monitoring):
        entries.append(
            _entry(_uuid(seed, "ServiceRequest", i), _service_request(maps, item, subject, created))
        )
    for alert in rec.alerts:
        if alert.indicator != "critical":
            continue
        entries.append(
            _entry(
                _uuid(seed, "DetectedIssue", alert.id),
                _detected_issue(alert, acks.get(alert.id), subject, orders, created),
            )
        )
    targets = [{"reference": e["fullUrl"]} for e in entries]
    stamp = rec.knowledge_base
    entity = [
        {
            "role": "source",
            "what": {
                "identifier": {"system": KB_SYSTEM, "value": stamp.sha256},
                "display": f"Baclofen CDS knowledge base {stamp.version} (sha256 {stamp.sha256})",
            },
        }
    ]
    source = (rec.case.get("provenance") or {}).get("source")
    if isinstance(source, str):
        entity.append(
            {"role": "source", "what": {"display": f"Patient data imported from {source}"}}
        )
    entries.append(
        _entry(
            _uuid(seed, "Provenance"),
            {
                "resourceType": "Provenance",
                "target": targets or [subject],
                "recorded": created,
                "agent": [
                    {
                        "type": {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                    "code": "assembler",
                                    "display": "Assembler",
                                }
                            ]
                        },
                        "who": {"display": f"Baclofen CDS {app_version}"},
                    }
                ],
                "entity": entity,
            },
        )
    )
    return {
        "resourceType": "Bundle",
        "id": _uuid(seed, "Bundle").rsplit(":", 1)[1],
        "meta": {
            "tag": [
                {"system": KB_SYSTEM, "code": stamp.version, "display": f"status: {rec.status}"}
            ]
        },
        "type": "collection",
        "timestamp": created,
        "entry": entries,
    }


def bundle_json(bundle: Mapping[str, Any]) -> str:
    return json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"


__all__ = ["Acknowledgement", "bundle_json", "dosage_text", "plan_bundle"]
