"""Read one patient from a FHIR R4 server with FHIR searches (httpx).

`fetch_patient` asks for the Patient, the latest final value of each measurement this program
uses (`Observation?patient=…&code=…&status=final,amended,corrected&_sort=-date&_count=1`), the
active medicine orders and statements (with their Medication resources), the active conditions
and the active allergies. TLS is verified, every request has a timeout, a bearer token is sent
when given, and 401/403, 404, time-outs and unreachable servers are one clear line each
(`FhirServerError`). The answers are validated like a file (`read_resources`).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from baclofen_cds.fhir.mapping import load_mappings
from baclofen_cds.fhir.resources import Resource, read_resources
from baclofen_cds.logic.knowledge import KnowledgeBase

MAX_PAGES = 20
TOKEN_ENV = "BACLOFEN_CDS_FHIR_TOKEN"  # noqa: S105 - the variable's name, not a secret
FHIR_JSON = "application/fhir+json"


def bearer_token() -> str | None:
    """The server token for the program's edges (CLI, window): the environment first, then the
    system keyring when the optional `keyring` package is installed. Never logged."""
    token = os.environ.get(TOKEN_ENV)
    if token:
        return token
    try:
        import keyring
    except ImportError:
        return None
    try:
        value = keyring.get_password("baclofen-cds", "fhir-token")
    except Exception:  # a keyring package without a usable backend
        return None
    return str(value) if value else None


class FhirServerError(RuntimeError):
    """The server could not be read: one line saying why and what to do."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base: str) -> str:
    """An https URL (plain http only on this computer): a token never travels in clear."""
    parts = urlsplit(base)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FhirServerError(f"{base!r} is not a server address (https://…)")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise FhirServerError(f"{base} is not https: patient data must travel encrypted")
    return base.rstrip("/")


def searches(kb: KnowledgeBase, patient_id: str) -> list[tuple[str, dict[str, str]]]:
    """The FHIR searches made for one patient, in order (also shown in docs/fhir.md)."""
    maps = load_mappings(kb)
    loinc = maps.systems.loinc
    out: list[tuple[str, dict[str, str]]] = []
    for obs in maps.file.observations.values():
        codes = ",".join(f"{loinc}|{c.loinc}" for c in obs.codes)
        out.append(
            (
                "Observation",
                {
                    "patient": patient_id,
                    "code": codes,
                    "status": "final,amended,corrected",
                    "_sort": "-date",
                    "_count": "1",
                },
            )
        )
    out += [
        (
            "MedicationRequest",
            {"patient": patient_id, "status": "active", "_include": "MedicationRequest:medication"},
        ),
        (
            "MedicationStatement",
            {
                "patient": patient_id,
                "status": "active",
                "_include": "MedicationStatement:medication",
            },
        ),
        ("Condition", {"patient": patient_id, "clinical-status": "active"}),
        ("AllergyIntolerance", {"patient": patient_id, "clinical-status": "active"}),
    ]
    return out


class _Reader:
    def __init__(self, client: httpx.Client, base: str, timeout: float) -> None:
        self.client = client
        self.base = base
        self.timeout = timeout

    def get(self, url: str, params: Mapping[str, str] | None, what: str) -> Any:
        try:
            response = self.client.get(url, params=params)
        except httpx.TimeoutException:
            raise FhirServerError(
                f"{self.base} gave no answer to the {what} within {self.timeout:g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise FhirServerError(f"cannot reach {self.base}: {exc}") from None
        status = response.status_code
        if status in (401, 403):
            raise FhirServerError(
                f"{self.base} refused the {what} ({status}): the token is missing, expired or "
                "not allowed to read this patient (set BACLOFEN_CDS_FHIR_TOKEN)"
            )
        if status == 404:
            raise FhirServerError(f"{self.base}: {what} not found (404)")
        if status >= 400:
            raise FhirServerError(
                f"{self.base} answered {status} to the {what}{_outcome(response)}"
            )
        try:
            return response.json()
        except ValueError:
            raise FhirServerError(f"{self.base} did not answer the {what} with JSON") from None

    def search(self, rtype: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        url: str | None = f"{self.base}/{rtype}"
        query: Mapping[str, str] | None = params
        for _ in range(MAX_PAGES):
            if url is None:
                break
            page = self.get(url, query, f"{rtype} search")
            if not isinstance(page, Mapping) or page.get("resourceType") != "Bundle":
                raise FhirServerError(
                    f"{self.base} did not answer the {rtype} search with a Bundle"
                )
            entries.extend(dict(e) for e in page.get("entry") or [] if isinstance(e, Mapping))
            url, query = _next_link(page, self.base), None
            if "_count" in params:
                break  # only the latest was asked for
        return entries


def _outcome(response: httpx.Response) -> str:
    try:
        data = response.json()
        issue = data["issue"][0]
        text = issue.get("diagnostics") or issue.get("details", {}).get("text")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""
    return f": {text}" if isinstance(text, str) else ""


def _next_link(page: Mapping[str, Any], base: str) -> str | None:
    for link in page.get("link") or []:
        if isinstance(link, Mapping) and link.get("relation") == "next":
            url = link.get("url")
            if isinstance(url, str) and urlsplit(url).netloc == urlsplit(base).netloc:
                return url
    return None


def fetch_patient(
    base: str,
    patient_id: str,
    kb: KnowledgeBase,
    *,
    token: str | None = None,
    timeout: float = 20.0,
    transport: httpx.BaseTransport | None = None,
) -> tuple[list[Resource], list[str]]:
    """The patient's resources from the server, validated (FhirServerError / FhirInputError)."""
    base = check_base_url(base)
    headers = {"Accept": FHIR_JSON}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(
        headers=headers,
        timeout=timeout,
        verify=True,
        transport=transport,
        follow_redirects=False,
    ) as client:
        reader = _Reader(client, base, timeout)
        patient = reader.get(f"{base}/Patient/{patient_id}", None, f"Patient/{patient_id}")
        entries: list[dict[str, Any]] = [{"resource": patient}]
        for rtype, params in searches(kb, patient_id):
            entries.extend(reader.search(rtype, params))
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return read_resources(bundle, f"{base} Patient/{patient_id}")
