"""Read FHIR JSON into validated resources: a Bundle or a single resource.

Only the elements this program reads are validated (with `fhir.resources`' R4B models, which
agree with R4 on all of them); other elements are ignored, so a record that carries newer or
local extensions elsewhere still imports. Anything malformed in what is read stops the import
with one line naming the resource and the element.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from baclofen_cds.fhir.errors import FhirInputError

#: Elements read, per resource type (the rest is neither read nor validated).
READ_ELEMENTS: dict[str, tuple[str, ...]] = {
    "Patient": ("id", "identifier", "name", "gender", "birthDate", "extension"),
    "Observation": (
        "id",
        "status",
        "code",
        "subject",
        "effectiveDateTime",
        "effectivePeriod",
        "effectiveInstant",
        "issued",
        "valueQuantity",
    ),
    "MedicationRequest": (
        "id",
        "status",
        "intent",
        "medicationCodeableConcept",
        "medicationReference",
        "subject",
        "authoredOn",
        "dosageInstruction",
        "contained",
    ),
    "MedicationStatement": (
        "id",
        "status",
        "medicationCodeableConcept",
        "medicationReference",
        "subject",
        "effectiveDateTime",
        "effectivePeriod",
        "dateAsserted",
        "dosage",
        "contained",
    ),
    "Medication": ("id", "code"),
    "Condition": (
        "id",
        "clinicalStatus",
        "verificationStatus",
        "code",
        "subject",
        "onsetDateTime",
        "recordedDate",
    ),
    "AllergyIntolerance": (
        "id",
        "clinicalStatus",
        "verificationStatus",
        "code",
        "patient",
        "recordedDate",
    ),
}
BUNDLE_TYPES = (
    "collection",
    "searchset",
    "transaction",
    "batch",
    "transaction-response",
    "batch-response",
    "document",
)


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource as read: its type, id, the validated JSON of the elements read."""

    type: str
    id: str
    data: Mapping[str, Any]
    full_url: str | None = None

    @property
    def ref(self) -> str:
        """How provenance names it: Type/id, or the entry's fullUrl when it has no id yet."""
        if not self.id and self.full_url:
            return self.full_url
        return f"{self.type}/{self.id}"


def _model(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def _element_path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(resource)"


def validate(raw: Mapping[str, Any], where: str, full_url: str | None = None) -> Resource:
    """Validate the elements read of one resource; FhirInputError names the bad element.

    A resource needs an id, or (in a transaction being created) its entry's fullUrl."""
    rtype = raw.get("resourceType")
    keep = READ_ELEMENTS[str(rtype)]
    projection: dict[str, Any] = {"resourceType": rtype}
    projection.update({k: v for k, v in raw.items() if k in keep})
    if "contained" in projection:
        # contained resources are read only when they are Medications
        projection["contained"] = [
            {"resourceType": "Medication", **{k: v for k, v in c.items() if k in ("id", "code")}}
            for c in projection["contained"]
            if isinstance(c, Mapping) and c.get("resourceType") == "Medication"
        ]
    rid = raw.get("id")
    name = f"{rtype}/{rid}" if rid else (full_url or f"{rtype} ({where})")
    if not isinstance(rid, str) or not rid:
        if not full_url:
            raise FhirInputError(name, "has no id (provenance needs one)")
        rid = ""
    try:
        _model(str(rtype)).model_validate(projection)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
        raise FhirInputError(f"{name} {_element_path(err.get('loc', ()))}", msg) from None
    return Resource(type=str(rtype), id=rid, data=projection, full_url=full_url)


def read_resources(data: Any, where: str) -> tuple[list[Resource], list[str]]:
    """Resources this program reads from a Bundle or single resource, and the skipped types."""
    if not isinstance(data, Mapping) or not isinstance(data.get("resourceType"), str):
        raise FhirInputError(where, "is not FHIR JSON (no resourceType)")
    rtype = data["resourceType"]
    skipped: list[str] = []
    if rtype != "Bundle":
        if rtype not in READ_ELEMENTS:
            raise FhirInputError(
                where,
                f"a {rtype} resource cannot be imported (give a Bundle, a Patient or "
                "one of: " + ", ".join(sorted(READ_ELEMENTS)) + ")",
            )
        return [validate(data, where)], skipped
    btype = data.get("type")
    if btype not in BUNDLE_TYPES:
        raise FhirInputError(f"{where} Bundle.type", f"{btype!r} is not a Bundle type this reads")
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise FhirInputError(f"{where} Bundle.entry", "must be a list")
    out: list[Resource] = []
    for i, entry in enumerate(entries):
        here = f"{where} Bundle.entry[{i}]"
        if not isinstance(entry, Mapping):
            raise FhirInputError(here, "must be an object")
        res = entry.get("resource")
        if res is None:
            continue
        if not isinstance(res, Mapping) or not isinstance(res.get("resourceType"), str):
            raise FhirInputError(f"{here}.resource", "is not a FHIR resource (no resourceType)")
        if res["resourceType"] == "Bundle":
            inner, inner_skipped = read_resources(res, f"{here}.resource")
            out.extend(inner)
            skipped.extend(inner_skipped)
            continue
        if res["resourceType"] not in READ_ELEMENTS:
            skipped.append(str(res["resourceType"]))
            continue
        full_url = entry.get("fullUrl")
        out.append(validate(res, here, full_url if isinstance(full_url, str) else None))
    return out, skipped
