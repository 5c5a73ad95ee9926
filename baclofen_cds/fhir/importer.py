"""FHIR resources -> a case (the contract's JSON) with provenance for every filled field.

Nothing is guessed: what the record does not say stays out of the case and is listed under
`provenance.missing`; a value older than its window is used but flagged `stale`; an eGFR from a
race-based equation is used but flagged; a unit that cannot be converted stops the import.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from baclofen_cds.fhir.errors import FhirInputError
from baclofen_cds.fhir.mapping import Mappings, ObservationField, load_mappings
from baclofen_cds.fhir.resources import Resource
from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.formatting import format_number
from baclofen_cds.logic.knowledge import KnowledgeBase, normalise_name
from baclofen_cds.logic.policy import LocalPolicy

OBSERVATION_OK = ("final", "amended", "corrected")
CONDITION_ACTIVE = ("active", "recurrence", "relapse")
#: Scalar contract fields the record can fill, in the order a clinician reads them.
RECORD_FIELDS: tuple[str, ...] = (
    "age_years",
    "sex",
    "weight_kg",
    "height_cm",
    "serum_creatinine",
    "egfr_ml_min_1_73m2",
    "creatinine_clearance_ml_min",
    "dialysis",
)
#: Fields the record never gives: the clinician always enters them.
NOT_FROM_RECORD: tuple[str, ...] = ("indication", "hepatic_impairment")


@dataclass
class _Import:
    kb: KnowledgeBase
    maps: Mappings
    policy: LocalPolicy
    start: date
    case: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    flags: list[dict[str, str]] = field(default_factory=list)
    questions: list[dict[str, str]] = field(default_factory=list)
    not_used: list[dict[str, str]] = field(default_factory=list)

    def note(self, res: Resource, why: str, text: str = "") -> None:
        self.not_used.append({"resource": res.ref, "why": why, "text": text})


# ------------------------------------------------------------------ small readers
def parse_date(value: Any) -> date | None:
    """A FHIR date/dateTime (possibly partial: '1999', '1999-07') -> its first day, or None."""
    if not isinstance(value, str) or len(value) < 4:
        return None
    parts = value[:10].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        return date(year, month, day)
    except (ValueError, IndexError):
        return None


def _codings(concept: Any) -> list[Mapping[str, Any]]:
    if not isinstance(concept, Mapping):
        return []
    return [c for c in concept.get("coding") or [] if isinstance(c, Mapping)]


def _status_code(concept: Any) -> str | None:
    for c in _codings(concept):
        code = c.get("code")
        if isinstance(code, str):
            return code
    return None


def _concept_text(concept: Any) -> str:
    if not isinstance(concept, Mapping):
        return ""
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    for c in _codings(concept):
        display = c.get("display")
        if isinstance(display, str) and display.strip():
            return display.strip()
    return ""


def _code_str(system: str, code: str) -> str:
    return f"{system}|{code}"


def _observation_date(data: Mapping[str, Any]) -> tuple[date | None, str | None]:
    for key in ("effectiveDateTime", "effectiveInstant"):
        if isinstance(data.get(key), str):
            return parse_date(data[key]), data[key]
    period = data.get("effectivePeriod")
    if isinstance(period, Mapping):
        raw = period.get("end") or period.get("start")
        if isinstance(raw, str):
            return parse_date(raw), raw
    if isinstance(data.get("issued"), str):
        return parse_date(data["issued"]), data["issued"]
    return None, None


def _age_years(birth: date, on: date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def _round(value: float) -> float:
    """Converted values to 2 decimals (a display precision, not a clinical rule)."""
    return round(value, 2)


# ------------------------------------------------------------------ the patient
def _subject_refs(patient: Resource | None) -> set[str]:
    if patient is None:
        return set()
    refs = {patient.ref} if patient.id else set()
    if patient.full_url:
        refs.add(patient.full_url)
    return refs


def _check_subject(res: Resource, key: str, refs: set[str], found: list[str]) -> None:
    """Every resource must be about the one patient; FhirInputError names the stray one."""
    subject = res.data.get(key)
    ref = subject.get("reference") if isinstance(subject, Mapping) else None
    if not isinstance(ref, str):
        return
    tail = "Patient/" + ref.rsplit("/Patient/", 1)[1] if "/Patient/" in ref else ref
    if refs:
        if ref not in refs and tail not in refs:
            raise FhirInputError(
                f"{res.ref} {key}",
                f"refers to {ref}, another patient than {sorted(refs)[0]}",
            )
    elif found and tail not in found:
        raise FhirInputError(f"{res.ref} {key}", f"refers to {ref}, but {found[0]} came first")
    elif not found:
        found.append(tail)


def _read_patient(imp: _Import, patient: Resource) -> None:
    data = patient.data
    pid: str | None = patient.id or None  # a resource being created has only a fullUrl
    id_source = "id"
    for ident in data.get("identifier") or []:
        coding = _codings(ident.get("type")) if isinstance(ident, Mapping) else []
        if any(c.get("code") == "MR" for c in coding) and isinstance(ident.get("value"), str):
            pid, id_source = ident["value"], "identifier (medical record number)"
            break
    name = _patient_name(data.get("name") or [])
    imp.case["patient"] = {"id": pid, "name": name}
    if pid:
        imp.fields["patient.id"] = {"resource": patient.ref, "element": id_source, "value": pid}
    if name:
        imp.fields["patient.name"] = {"resource": patient.ref, "element": "name", "value": name}
    birth_raw = data.get("birthDate")
    birth = parse_date(birth_raw)
    if birth is not None:
        age = _age_years(birth, imp.start)
        if age < 0:
            raise FhirInputError(f"{patient.ref} birthDate", f"{birth_raw} is after the start date")
        imp.case["age_years"] = age
        imp.fields["age_years"] = {
            "resource": patient.ref,
            "element": "birthDate",
            "date": birth_raw,
            "value": age,
            "note": f"age on the start date {imp.start.isoformat()}",
        }
        if isinstance(birth_raw, str) and len(birth_raw) < 10:
            imp.flags.append(
                {
                    "field": "age_years",
                    "kind": "partial_date",
                    "text": f"birth date given only as {birth_raw}: check the age",
                }
            )
    gender = data.get("gender")
    if gender in ("female", "male"):
        imp.case["sex"] = gender
        imp.fields["sex"] = {"resource": patient.ref, "element": "gender", "value": gender}
    elif gender is None and (sex := _sex_extension(imp, data)) is not None:
        imp.case["sex"] = sex[0]
        imp.fields["sex"] = {
            "resource": patient.ref,
            "element": "extension (US Core sex)",
            "code": sex[1],
            "value": sex[0],
        }
    elif gender is not None:
        imp.questions.append(
            {
                "field": "sex",
                "text": f"The record gives gender '{gender}': ask which sex to use "
                "for the kidney-function equations.",
            }
        )


def _sex_extension(imp: _Import, data: Mapping[str, Any]) -> tuple[str, str] | None:
    ps = imp.maps.file.patient_sex
    for ext in data.get("extension") or []:
        if isinstance(ext, Mapping) and ext.get("url") == ps.extension:
            code = ext.get("valueCode")
            if isinstance(code, str) and code in ps.codes:
                return ps.codes[code], _code_str(imp.maps.systems.snomed, code)
    return None


def _patient_name(names: Sequence[Any]) -> str | None:
    ranked = sorted(
        (n for n in names if isinstance(n, Mapping)),
        key=lambda n: (
            n.get("use") == "old" or bool((n.get("period") or {}).get("end")),
            n.get("use") not in ("official", "usual"),
        ),
    )
    for n in ranked:
        if isinstance(n.get("text"), str) and n["text"].strip():
            return str(n["text"]).strip()
        words = [*(n.get("given") or []), n.get("family") or ""]
        text = " ".join(w for w in words if isinstance(w, str) and w).strip()
        if text:
            return text
    return None


# ------------------------------------------------------------------ observations
@dataclass(frozen=True, slots=True)
class _Obs:
    res: Resource
    field: ObservationField
    loinc: str
    when: date | None
    when_raw: str | None
    value: float
    unit: str
    original: str
    race_based: bool


def _observation(imp: _Import, res: Resource) -> _Obs | None:
    data = res.data
    systems = imp.maps.systems
    hit = None
    for c in _codings(data.get("code")):
        if c.get("system") == systems.loinc and c.get("code") in imp.maps.by_loinc:
            hit = imp.maps.by_loinc[str(c["code"])]
            loinc = str(c["code"])
            break
    if hit is None:
        imp.note(res, "not a measurement this program uses", _concept_text(data.get("code")))
        return None
    field_name, code_entry = hit
    if data.get("status") not in OBSERVATION_OK:
        imp.note(res, f"status is {data.get('status')}, not final", code_entry.display)
        return None
    q = data.get("valueQuantity")
    if not isinstance(q, Mapping) or q.get("value") is None:
        imp.note(res, "has no numeric value", code_entry.display)
        return None
    obs_map = imp.maps.file.observations[field_name]
    key = q.get("code") if q.get("system") == systems.ucum and q.get("code") else q.get("unit")
    if not isinstance(key, str) or key not in obs_map.units:
        raise FhirInputError(
            f"{res.ref} valueQuantity",
            f"unit {key!r} cannot be converted for {obs_map.label} "
            f"(known: {', '.join(obs_map.units)})",
        )
    unit, factor = obs_map.units[key]
    value = float(q["value"]) * factor
    if not math.isfinite(value):
        raise FhirInputError(f"{res.ref} valueQuantity.value", "is not a number")
    when, raw = _observation_date(data)
    return _Obs(
        res=res,
        field=field_name,
        loinc=loinc,
        when=when,
        when_raw=raw,
        value=value if factor == 1 else _round(value),
        unit=unit,
        original=f"{format_number(float(q['value']), 4)} {q.get('unit') or key}",
        race_based=code_entry.race_based,
    )


def _use_observations(imp: _Import, found: list[_Obs]) -> None:
    by_field: dict[str, list[_Obs]] = {}
    for o in found:
        by_field.setdefault(o.field, []).append(o)
    for field_name, items in by_field.items():
        items.sort(key=lambda o: (o.when is not None, o.when or date.min), reverse=True)
        best = items[0]
        for other in items[1:]:
            imp.note(
                other.res,
                f"an earlier {imp.maps.file.observations[best.field].label}",
                other.original,
            )
        obs_map = imp.maps.file.observations[best.field]
        limit = (
            imp.policy.creatinine_max_age_days
            if obs_map.max_age_days == "policy"
            else obs_map.max_age_days
        )
        entry: dict[str, Any] = {
            "resource": best.res.ref,
            "code": _code_str(imp.maps.systems.loinc, best.loinc),
            "date": best.when_raw,
            "value": best.value,
            "unit": best.unit,
            "original": best.original,
        }
        if field_name == "serum_creatinine":
            scr: dict[str, Any] = {"value": best.value, "unit": best.unit}
            if best.when is not None:
                scr["measured_on"] = best.when.isoformat()
            imp.case["serum_creatinine"] = scr
        else:
            imp.case[field_name] = best.value
        if best.when is None:
            entry["stale"] = None
            imp.flags.append(
                {
                    "field": field_name,
                    "kind": "undated",
                    "text": f"{obs_map.label}: the record gives no date",
                }
            )
        else:
            age_days = (imp.start - best.when).days
            entry["age_days"] = age_days
            entry["stale"] = age_days > limit
            if age_days > limit:
                imp.flags.append(
                    {
                        "field": field_name,
                        "kind": "stale",
                        "text": f"{obs_map.label} from {best.when.isoformat()}, {age_days} days "
                        f"before the start date (older than {limit} days): measure again",
                    }
                )
        if best.race_based:
            entry["race_based"] = True
            imp.flags.append(
                {
                    "field": field_name,
                    "kind": "race_based",
                    "text": "this eGFR comes from an equation with a race term; prefer the "
                    "race-free CKD-EPI 2021 estimate from the creatinine",
                }
            )
        imp.fields[field_name] = entry


# ------------------------------------------------------------------ medicines
def _medication_concept(
    imp: _Import, res: Resource, medications: Mapping[str, Resource]
) -> tuple[Any, str | None]:
    data = res.data
    if isinstance(data.get("medicationCodeableConcept"), Mapping):
        return data["medicationCodeableConcept"], None
    ref = data.get("medicationReference")
    if isinstance(ref, Mapping):
        target = ref.get("reference")
        if isinstance(target, str) and target.startswith("#"):
            for c in data.get("contained") or []:
                if c.get("id") == target[1:]:
                    return c.get("code"), f"{res.ref}{target}"
        elif isinstance(target, str):
            tail = "Medication/" + target.rsplit("Medication/", 1)[-1]
            med = medications.get(target) or medications.get(tail)
            if med is not None:
                return med.data.get("code"), med.ref
        if isinstance(ref.get("display"), str):
            return {"text": ref["display"]}, None
    return None, None


def _daily_mg(dosages: Any) -> tuple[float | None, str]:
    """The daily dose of a structured baclofen order, or None and why not."""
    items = [d for d in dosages or [] if isinstance(d, Mapping)]
    if len(items) != 1:
        return None, "the order has no dosage" if not items else "the order has several dosages"
    d = items[0]
    text = str(d["text"]) if isinstance(d.get("text"), str) else ""
    rates = [r for r in d.get("doseAndRate") or [] if isinstance(r, Mapping)]
    q = rates[0].get("doseQuantity") if rates else None
    rep = (d.get("timing") or {}).get("repeat") if isinstance(d.get("timing"), Mapping) else None
    if not isinstance(q, Mapping) or not isinstance(rep, Mapping):
        return None, f"the dose is not structured ({text or 'no text'})"
    unit = q.get("code") or q.get("unit")
    if unit != "mg" or not isinstance(q.get("value"), int | float):
        return None, f"the dose is not in mg ({text or unit})"
    per_day = {"h": 24.0, "d": 1.0, "wk": 1 / 7}
    freq = rep.get("frequency", 1)
    period = rep.get("period")
    unit_p = rep.get("periodUnit")
    if not isinstance(freq, int) or not isinstance(period, int | float) or unit_p not in per_day:
        return None, f"the timing is not structured ({text or 'no text'})"
    if rep.get("frequencyMax") or rep.get("periodMax"):
        return None, f"the dose is a range ({text or 'as needed'})"
    return float(q["value"]) * freq * per_day[str(unit_p)] / float(period), text


def _medicine(imp: _Import, res: Resource, medications: Mapping[str, Resource]) -> None:
    data = res.data
    status = data.get("status")
    label = "MedicationRequest" if res.type == "MedicationRequest" else "MedicationStatement"
    concept, via = _medication_concept(imp, res, medications)
    text = _concept_text(concept)
    if status != "active":
        imp.note(res, f"{label} status is {status}, not active", text)
        return
    systems = imp.maps.systems
    bac = imp.maps.file.baclofen
    vocab = imp.kb.interactions.matching
    name: str | None = None
    code: str | None = None
    for c in _codings(concept):
        if c.get("system") == systems.rxnorm and isinstance(c.get("code"), str):
            if c["code"] == bac.rxcui:
                name, code = bac.display, _code_str(systems.rxnorm, c["code"])
                break
            if c["code"] in imp.maps.ingredients:
                name = imp.maps.ingredients[c["code"]]
                code = _code_str(systems.rxnorm, c["code"])
                break
    if name is None:
        name = text or None
    when_raw = data.get("authoredOn") or data.get("dateAsserted") or data.get("effectiveDateTime")
    entry: dict[str, Any] = {"resource": res.ref, "code": code, "date": when_raw, "text": text}
    if via:
        entry["medication"] = via
    if name is None:
        name = f"unnamed medicine ({res.ref})"
        imp.flags.append(
            {
                "field": "comedications",
                "kind": "unnamed",
                "text": f"{res.ref} names no medicine: check the medicines list",
            }
        )
    words = normalise_name(name, vocab).split()
    if name == bac.display or any(w in bac.names for w in words):
        _current_baclofen(imp, res, entry)
        return
    existing = [c.casefold() for c in imp.case.setdefault("comedications", [])]
    if name.casefold() in existing:
        imp.note(res, "the same medicine is listed again", text)
        return
    imp.case["comedications"].append(name)
    imp.fields[f"comedications/{name}"] = entry


def _current_baclofen(imp: _Import, res: Resource, entry: dict[str, Any]) -> None:
    dosages = res.data.get("dosageInstruction") or res.data.get("dosage")
    daily, why = _daily_mg(dosages)
    if "current_daily_mg" in imp.fields:
        imp.questions.append(
            {
                "field": "current_daily_mg",
                "text": "The record has more than one active baclofen order: "
                "enter the dose the patient takes.",
            }
        )
        imp.case.pop("current_daily_mg", None)
        imp.fields.pop("current_daily_mg", None)
        return
    if daily is None:
        imp.questions.append(
            {
                "field": "current_daily_mg",
                "text": f"The patient already takes baclofen, but {why}: enter the daily dose.",
            }
        )
        return
    value = _round(daily)
    entry = {**entry, "value": value, "unit": "mg/day", "dosage": why}
    if "current_daily_mg" in CaseInput.__struct_fields__:
        imp.case["current_daily_mg"] = value
        imp.fields["current_daily_mg"] = entry
    else:  # the field lands with issue 8; until then it is shown, not filled
        imp.questions.append(
            {
                "field": "current_daily_mg",
                "text": f"The patient already takes baclofen "
                f"{format_number(value, 2)} mg a day ({why}).",
            }
        )


# ------------------------------------------------------------------ conditions and allergies
def _condition(imp: _Import, res: Resource) -> None:
    data = res.data
    text = _concept_text(data.get("code"))
    clinical = _status_code(data.get("clinicalStatus"))
    verification = _status_code(data.get("verificationStatus"))
    if clinical not in CONDITION_ACTIVE:
        imp.note(res, f"clinical status is {clinical or 'not given'}, not active", text)
        return
    if verification != "confirmed":
        imp.note(res, f"verification status is {verification or 'not given'}, not confirmed", text)
        return
    for c in _codings(data.get("code")):
        system, code = c.get("system"), c.get("code")
        if not isinstance(system, str) or not isinstance(code, str):
            continue
        cm = imp.maps.condition_for(system, code)
        if cm is None:
            continue
        entry = {
            "resource": res.ref,
            "code": _code_str(system, code),
            "date": data.get("onsetDateTime") or data.get("recordedDate"),
            "text": text,
        }
        if cm.condition is not None:
            conds = imp.case.setdefault("conditions", [])
            if cm.condition not in conds:
                conds.append(cm.condition)
                imp.fields[f"conditions/{cm.condition}"] = entry
        elif cm.dialysis is not None:
            if imp.case.get("dialysis", cm.dialysis) != cm.dialysis:
                imp.case.pop("dialysis")
                imp.fields.pop("dialysis", None)
                imp.questions.append(
                    {
                        "field": "dialysis",
                        "text": "The record lists both "
                        "haemodialysis and peritoneal dialysis: choose one.",
                    }
                )
            else:
                imp.case["dialysis"] = cm.dialysis
                imp.fields["dialysis"] = entry
        elif cm.ask is not None:
            imp.questions.append({"field": "dialysis", "text": cm.ask, "resource": res.ref})
        return
    imp.note(res, "no matching condition code", text)


def _allergy(imp: _Import, res: Resource) -> None:
    data = res.data
    text = _concept_text(data.get("code"))
    clinical = _status_code(data.get("clinicalStatus"))
    verification = _status_code(data.get("verificationStatus"))
    if clinical not in (None, "active") or verification in ("refuted", "entered-in-error"):
        imp.note(res, f"allergy is {clinical if clinical != 'active' else verification}", text)
        return
    bac = imp.maps.file.baclofen
    coded = any(
        c.get("system") == imp.maps.systems.rxnorm and c.get("code") == bac.rxcui
        for c in _codings(data.get("code"))
    )
    words = normalise_name(text, imp.kb.interactions.matching).split()
    if not coded and not any(w in bac.names for w in words):
        imp.note(res, "allergy to something other than baclofen", text)
        return
    conds = imp.case.setdefault("conditions", [])
    if "baclofen_hypersensitivity" not in conds:
        conds.append("baclofen_hypersensitivity")
        imp.fields["conditions/baclofen_hypersensitivity"] = {
            "resource": res.ref,
            "code": _code_str(imp.maps.systems.rxnorm, bac.rxcui) if coded else None,
            "date": data.get("recordedDate"),
            "text": text,
            "verification": verification,
        }


# ------------------------------------------------------------------ the whole record
def import_case(
    resources: Sequence[Resource],
    kb: KnowledgeBase,
    policy: LocalPolicy,
    *,
    start_date: date,
    source: str,
    skipped: Sequence[str] = (),
) -> dict[str, Any]:
    """The case a clinician would type, from the record, with `provenance` for each field."""
    imp = _Import(kb=kb, maps=load_mappings(kb), policy=policy, start=start_date)
    patients = [r for r in resources if r.type == "Patient"]
    ids = sorted({p.ref for p in patients})
    if len(ids) > 1:
        raise FhirInputError(source, f"holds more than one patient ({', '.join(ids)})")
    patient = patients[0] if patients else None
    refs = _subject_refs(patient)
    found: list[str] = []
    for r in resources:
        if r.type not in {"Patient", "Medication"}:
            _check_subject(
                r, "patient" if r.type == "AllergyIntolerance" else "subject", refs, found
            )
    if patient is not None:
        _read_patient(imp, patient)
    elif found:
        imp.case["patient"] = {"id": found[0].split("/", 1)[1], "name": None}
    imp.case["start_date"] = start_date.isoformat()
    medications = {r.ref: r for r in resources if r.type == "Medication" and r.id}
    medications.update({r.full_url: r for r in resources if r.type == "Medication" and r.full_url})
    observations: list[_Obs] = []
    for r in resources:
        if r.type == "Observation":
            o = _observation(imp, r)
            if o is not None:
                observations.append(o)
        elif r.type in ("MedicationRequest", "MedicationStatement"):
            _medicine(imp, r, medications)
        elif r.type == "Condition":
            _condition(imp, r)
        elif r.type == "AllergyIntolerance":
            _allergy(imp, r)
    _use_observations(imp, observations)
    missing = [f for f in NOT_FROM_RECORD]
    missing += [f for f in RECORD_FIELDS if f not in imp.case]
    imp.case["provenance"] = {
        "source": source,
        "fhir_version": "4.0.1",
        "start_date": start_date.isoformat(),
        "fields": imp.fields,
        "missing": missing,
        "flags": imp.flags,
        "questions": imp.questions,
        "not_used": imp.not_used,
        "skipped_types": sorted(set(skipped)),
    }
    return imp.case
