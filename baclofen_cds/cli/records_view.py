"""How the records commands print: text for a person, JSON for a script."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from baclofen_cds.records import AssessmentSummary, StoredAssessment


def summary_dict(row: AssessmentSummary) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": row.created_at.isoformat(),
        "clinician": row.clinician,
        "patient_id": row.patient_external_id,
        "patient_name": row.patient_display_name,
        "status": row.status,
        "indication": row.indication,
        "alerts": row.alert_count,
        "critical_alerts": row.critical_alert_count,
        "knowledge_base_version": row.knowledge_base_version,
        "supersedes": row.supersedes_id,
        "superseded_by": row.superseded_by_id,
    }


def when(value: Any) -> str:
    return str(value.strftime("%Y-%m-%d %H:%M UTC"))


def history_text(
    patient_id: str, rows: list[AssessmentSummary], total: int, page: int, size: int
) -> str:
    if not rows:
        if total:
            return f"No assessments on page {page} for patient {patient_id} ({total} in all).\n"
        return f"No saved assessments for patient {patient_id}.\n"
    name = rows[0].patient_display_name
    first = (page - 1) * size + 1
    lines = [
        f"Patient {patient_id}" + (f" ({name})" if name else ""),
        f"Assessments {first}–{first + len(rows) - 1} of {total}, newest first:",
        "",
    ]
    for r in rows:
        alerts = f"{r.alert_count} alert{'s' if r.alert_count != 1 else ''}"
        if r.critical_alert_count:
            alerts += f" ({r.critical_alert_count} critical)"
        line = (
            f"  #{r.id}  {when(r.created_at)}  {r.status.replace('_', ' ')}  "
            f"{r.indication.replace('_', ' ')}  {alerts}  by {r.clinician}"
        )
        notes = []
        if r.supersedes_id is not None:
            notes.append(f"corrects #{r.supersedes_id}")
        if r.superseded_by_id is not None:
            notes.append(f"CORRECTED by #{r.superseded_by_id}")
        if notes:
            line += "  [" + "; ".join(notes) + "]"
        lines.append(line)
    return "\n".join(lines) + "\n"


def stored_dict(s: StoredAssessment) -> dict[str, Any]:
    return {
        "id": s.id,
        "uid": s.uid,
        "created_at": s.created_at.isoformat(),
        "clinician": s.clinician,
        "database_user": s.db_user,
        "patient": {
            "id": s.patient.external_id,
            "name": s.patient.display_name,
            "birth_year": s.patient.birth_year,
            "sex": s.patient.sex,
        },
        "knowledge_base": {
            "version": s.knowledge_base_version,
            "sha256": s.knowledge_base_sha256,
        },
        "app_version": s.app_version,
        "result_sha256": s.result_sha256,
        "supersedes": s.supersedes_id,
        "superseded_by": s.superseded_by_id,
        "acknowledgements": [
            {
                "alert_id": a.alert_id,
                "outcome": a.outcome,
                "reason_code": a.reason_code,
                "comment": a.comment,
                "clinician": a.clinician,
                "database_user": a.db_user,
                "recorded_at": a.recorded_at.isoformat(),
            }
            for a in s.acknowledgements
        ],
        "prints": [
            {
                "variant": p.variant,
                "pdf_sha256": p.pdf_sha256,
                "printed_by": p.printed_by,
                "database_user": p.db_user,
                "printed_at": p.printed_at.isoformat(),
                "options": p.options,
            }
            for p in s.prints
        ],
        "case": s.case,
        "result": s.result,
    }


def stored_text(s: StoredAssessment) -> str:
    from baclofen_cds.records.reproduce import NotReproducible, reproduce

    p = s.patient
    who = p.external_id + (f" ({p.display_name})" if p.display_name else "")
    lines = [
        f"Assessment #{s.id} — saved {when(s.created_at)} by {s.clinician}"
        + (f" (login {s.db_user})" if s.db_user else ""),
        f"Patient: {who}",
        f"Knowledge base {s.knowledge_base_version} ({s.knowledge_base_sha256[:12]}), "
        f"application {s.app_version}",
    ]
    if s.supersedes_id is not None:
        lines.append(f"This assessment corrects #{s.supersedes_id}.")
    if s.superseded_by_id is not None:
        lines.append(f"CORRECTED: assessment #{s.superseded_by_id} replaces this one.")
    lines.append("")
    try:
        from baclofen_cds.logic.summary import clinician_note

        lines.append(clinician_note(reproduce(s)).rstrip("\n"))
    except NotReproducible as exc:
        lines.append(str(exc))
        lines.append(result_outline(s.result))
    if s.acknowledgements:
        lines += ["", "Alert acknowledgements:"]
        for a in s.acknowledgements:
            text = f"  {when(a.recorded_at)}  {a.alert_id}: {a.outcome}"
            if a.reason_code:
                text += f" (reason: {a.reason_code})"
            text += f" by {a.clinician}"
            if a.comment:
                text += f" — {a.comment}"
            lines.append(text)
    if s.prints:
        lines += ["", "Printed:"]
        for pr in s.prints:
            lines.append(
                f"  {when(pr.printed_at)}  {pr.variant} by {pr.printed_by} "
                f"(sha256 {pr.pdf_sha256[:12]})"
            )
    return "\n".join(lines) + "\n"


def result_outline(result: dict[str, Any]) -> str:
    """The essentials of a stored result that cannot be recomputed (read from its JSON)."""
    from baclofen_cds.logic import format_mg, times_a_day

    lines = [f"Status: {str(result.get('status', '')).replace('_', ' ')}"]
    regimen = result.get("regimen")
    if isinstance(regimen, dict):
        start = regimen.get("start") or {}
        if "dose_mg" in start and "times_per_day" in start:
            lines.append(
                f"Start: {format_mg(start['dose_mg'])} {times_a_day(int(start['times_per_day']))}"
            )
        if "max_daily_mg" in regimen:
            lines.append(f"Never more than {format_mg(regimen['max_daily_mg'])} a day")
    for alert in result.get("alerts") or []:
        lines.append(f"[{str(alert.get('indicator', '')).upper()}] {alert.get('summary', '')}")
    return "\n".join(lines)
