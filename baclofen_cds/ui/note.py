"""The short note for the chart (Copy note): at most 15 lines, from the engine's result.

Status, the dose, a one-line schedule, the maximum, the critical alerts with how each was
acknowledged, the override if any, the next checks. The full note (`clinician_note`) keeps
everything else (formulas, rules, the source register).
"""

from __future__ import annotations

from typing import Any

from baclofen_cds.ui.models import mg, times_a_day

MAX_LINES = 15
STATUS_WORDS = {
    "recommended": "RECOMMENDED",
    "use_with_caution": "USE WITH CAUTION",
    "avoid": "AVOID (specialist only)",
    "contraindicated": "CONTRAINDICATED",
}


def short_note(
    rec: Any,
    acknowledgements: dict[str, Any],
    *,
    regimen: Any,
    clinician: str = "",
    unconfirmed: tuple[str, ...] = (),
) -> str:
    """`regimen`: the regimen the window shows (None when it is withheld)."""
    lines = [f"Baclofen (oral): {STATUS_WORDS.get(rec.status, rec.status)} — {rec.status_reason}"]
    override = getattr(rec, "override", None)
    if override is not None and getattr(override, "applied", True):
        note = f": {override.note}" if override.note else ""
        lines.append(f"Under specialist override — {override.label} ({override.clinician}){note}")
    if regimen is None:
        lines.append(
            "No dose: " + ("specialist only." if rec.status == "avoid" else "none suggested.")
        )
    else:
        s = regimen.start
        lines.append(
            f"Start {mg(s.dose_mg)} {times_a_day(s.times_per_day)} ({mg(s.daily_mg)} a day),"
            f" {s.amount}; {regimen.formulation.label}."
        )
        last = regimen.steps[-1] if regimen.steps else None
        reach = f", from {last.from_date.isoformat()}" if last is not None else ""
        lines.append(
            f"Increase every {regimen.step_interval_days} days to"
            f" {mg(regimen.target_daily_mg)} a day{reach}."
            f" Maximum {mg(regimen.max_daily_mg)} a day."
        )
    critical = [a for a in rec.alerts if a.indicator == "critical"]
    others = len(rec.alerts) - len(critical)
    for alert in critical[:5]:
        ack = acknowledgements.get(alert.id)
        if ack is None:
            state = "not yet acknowledged"
        else:
            comment = f" ({ack.comment})" if ack.comment else ""
            state = f"acknowledged: {ack.reason_text}{comment}"
        lines.append(f"CRITICAL: {alert.summary.rstrip('.')} — {state}.")
    if len(critical) > 5:
        lines.append(f"… and {len(critical) - 5} more critical alerts (full note).")
    if others:
        lines.append(f"{others} other alert{'s' if others != 1 else ''}: see the full note.")
    unknown = rec.unrecognized_comedications
    if unknown:
        lines.append(f"NOT CHECKED for interactions: {', '.join(unknown)}.")
    if unconfirmed:
        lines.append(f"Not confirmed: {' and '.join(unconfirmed)}.")
    room = MAX_LINES - len(lines) - (1 if clinician else 0)
    due = [m for m in rec.monitoring if m.due_date is not None]
    if room > 0 and due:
        items = [f"{m.what} {m.due_date.isoformat()}" for m in due[:3]]
        lines.append("Next checks: " + "; ".join(items) + ".")
    if clinician:
        lines.append(f"Clinician: {clinician}")
    return "\n".join(lines[:MAX_LINES]) + "\n"
