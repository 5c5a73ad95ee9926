"""Clinical sign-off of the knowledge base: approved only while the loaded hash is the signed one.

A clinician signs the printed rulebook (`baclofen-cds knowledge report`); the clinic then
records the sign-off in its policy file:

    approved_by: "Dr A. Reviewer, consultant neurologist"
    approved_on: 2026-12-02
    approved_sha256: <the knowledge base sha256 printed on the sign-off page>

Any edit of the knowledge base changes its sha256, and with it the status goes back to "not
clinically approved" until the new content is signed. `approval_status` is what the window's
status bar, the clinician summary and `knowledge check` say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

#: The policy-file fields of a sign-off.
APPROVAL_FIELDS: tuple[str, ...] = ("approved_by", "approved_on", "approved_sha256")
NOT_APPROVED = "Knowledge base not clinically approved"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ApprovalError(ValueError):
    """A sign-off record that cannot be read: `field` names the bad field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class Approval(msgspec.Struct, frozen=True):
    """Who signed which knowledge base content, and when."""

    approved_by: str
    approved_on: date
    approved_sha256: str


class ApprovalStatus(msgspec.Struct, frozen=True):
    approved: bool
    text: str  # one line for a status bar, a summary or `knowledge check`
    approval: Approval | None


def approval_from_mapping(data: Mapping[str, Any] | None) -> Approval | None:
    """The sign-off in a policy mapping; None when it has none. A half-filled or malformed
    record is an error naming the field (fail closed: it never counts as approved)."""
    if not data:
        return None
    present = [name for name in APPROVAL_FIELDS if data.get(name) not in (None, "")]
    if not present:
        return None
    for name in APPROVAL_FIELDS:
        if name not in present:
            raise ApprovalError(f"policy.{name}", "is required with the other approval fields")
    by = data["approved_by"]
    if not isinstance(by, str) or not by.strip():
        raise ApprovalError("policy.approved_by", "must be the name of the approving clinician")
    on = data["approved_on"]
    if isinstance(on, str):
        try:
            on = date.fromisoformat(on)
        except ValueError:
            raise ApprovalError(
                "policy.approved_on", f"{on!r} is not a date (YYYY-MM-DD)"
            ) from None
    if not isinstance(on, date):
        raise ApprovalError("policy.approved_on", "must be a date (YYYY-MM-DD)")
    sha = data["approved_sha256"]
    if not isinstance(sha, str) or not _SHA256.match(sha.strip().lower()):
        raise ApprovalError("policy.approved_sha256", "must be a sha256 (64 hexadecimal digits)")
    return Approval(" ".join(by.split()), on, sha.strip().lower())


def approval_from_file(path: Path | str) -> Approval | None:
    """The sign-off recorded in a clinic policy file (YAML); None when it records none."""
    import yaml

    where = Path(path)
    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ApprovalError("policy", f"cannot read {where}: {exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ApprovalError("policy", f"{where} is not valid YAML ({exc})") from None
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise ApprovalError("policy", f"{where} must be a mapping of policy fields")
    return approval_from_mapping(data)


def approval_of(policy: Any) -> Approval | None:
    """The sign-off carried by a policy: a mapping, an object with the approval fields (a
    loaded clinic policy), an `Approval`, or None."""
    if policy is None or isinstance(policy, Approval):
        return policy
    if isinstance(policy, Mapping):
        return approval_from_mapping(policy)
    return approval_from_mapping({name: getattr(policy, name, None) for name in APPROVAL_FIELDS})


def approval_status(kb_sha256: str, approval: Approval | None) -> ApprovalStatus:
    """Approved only when the signed hash is the loaded knowledge base's hash."""
    if approval is None:
        return ApprovalStatus(False, f"{NOT_APPROVED} (no sign-off recorded)", None)
    if approval.approved_sha256 != kb_sha256:
        return ApprovalStatus(
            False,
            f"{NOT_APPROVED}: the sign-off by {approval.approved_by} on "
            f"{approval.approved_on.isoformat()} was for other content "
            f"({approval.approved_sha256[:12]}…, loaded {kb_sha256[:12]}…)",
            approval,
        )
    return ApprovalStatus(
        True,
        f"Knowledge base clinically approved by {approval.approved_by} on "
        f"{approval.approved_on.isoformat()}",
        approval,
    )


def sign_off_status(kb_sha256: str, policy: Any) -> ApprovalStatus:
    """What the window's status bar and the clinician summary say; never raises: a malformed
    sign-off record is shown as not approved, naming the field."""
    try:
        return approval_status(kb_sha256, approval_of(policy))
    except ApprovalError as exc:
        return ApprovalStatus(False, f"{NOT_APPROVED} (sign-off record: {exc})", None)
