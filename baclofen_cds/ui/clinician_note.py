"""A plain-text summary of the assessment for the EHR ("Copy clinician note")."""

from __future__ import annotations

from typing import Any

from baclofen_cds.ui.formatting import day_date, mg, times_a_day


def clinician_note(
    recommendation: Any, *, acknowledgements: Any = (), clinician: str = ""
) -> str:
    """Only what the engine computed, in words; the source ids let a reader check it."""
    rec = recommendation
    case = rec.case
    lines = [
        "Baclofen (oral) — decision-support summary",
        f"Indication: {str(case.get('indication', '')).replace('_', ' ')}"
        + (f" ({case['spasticity_origin'].replace('_', ' ')})"
           if case.get("spasticity_origin") else ""),
        f"Status: {rec.status.replace('_', ' ')} — {rec.status_reason}",
    ]
    renal = rec.renal
    for est in renal.estimates:
        lines.append(f"{est.label}: {round(est.value, 1):g} {est.unit}")
    lines.append(f"Kidney band: {str(renal.band).replace('_', ' ')}"
                 + (f" (set by {renal.driven_by})" if renal.driven_by else ""))
    if rec.regimen is not None:
        reg = rec.regimen
        s = reg.start
        lines.append(
            f"Start: {mg(s.dose_mg)} {times_a_day(s.times_per_day)} ({s.amount};"
            f" {reg.formulation.label}), daily {mg(s.daily_mg)}"
        )
        lines.append(
            f"Titrate every {reg.step_interval_days} days to {mg(reg.target_daily_mg)} a day;"
            f" maximum for this patient {mg(reg.max_daily_mg)} a day"
        )
        for step in reg.steps:
            lines.append(
                f"  {day_date(step.from_date)} – {day_date(step.to_date)}: {mg(step.dose_mg)}"
                f" {times_a_day(step.times_per_day)} (daily {mg(step.daily_mg)})"
            )
    else:
        lines.append("No dose suggested.")
    if rec.alerts:
        lines.append("Alerts:")
        acks = {a.alert_id: a for a in acknowledgements}
        for alert in rec.alerts:
            line = f"  [{alert.indicator.upper()}] {alert.summary} ({', '.join(alert.sources)})"
            ack = acks.get(alert.id)
            if ack is not None:
                line += f" — acknowledged: {ack.reason_text}"
                if ack.comment:
                    line += f" ({ack.comment})"
            lines.append(line)
    unchecked = rec.unrecognized_comedications
    if unchecked:
        lines.append("NOT CHECKED (unknown to the knowledge base): " + ", ".join(unchecked))
    if rec.monitoring:
        lines.append("Monitoring:")
        for item in rec.monitoring:
            due = f", due {item.due_date.isoformat()}" if item.due_date else ""
            lines.append(f"  {item.what}: {item.when}{due}")
    kb = rec.knowledge_base
    lines.append(f"Knowledge base {kb.version} ({kb.sha256[:12]}), reviewed {kb.reviewed}.")
    if clinician:
        lines.append(f"Clinician: {clinician}")
    return "\n".join(lines) + "\n"
