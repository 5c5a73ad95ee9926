"""A plain-text clinician summary of a recommendation (command line `--format text`, EHR note)."""

from __future__ import annotations

from baclofen_cds.logic.formatting import format_mg, format_number, times_a_day
from baclofen_cds.logic.result import AlertMember, MonitoringItem, Recommendation

STATUS_WORDS = {
    "recommended": "RECOMMENDED",
    "use_with_caution": "USE WITH CAUTION",
    "avoid": "AVOID (specialist only)",
    "contraindicated": "CONTRAINDICATED",
}
SIGNAL_WORDS = {"critical": "CRITICAL", "warning": "WARNING", "info": "INFO"}


def _monitoring_lines(rec: Recommendation) -> list[str]:
    """One line per monitoring rule; a per-step rule lists all its dates on that line."""
    groups: dict[str, list[MonitoringItem]] = {}
    for m in rec.monitoring:
        groups.setdefault(m.id.split(".step")[0], []).append(m)
    lines = []
    for items in groups.values():
        first = items[0]
        dues = ", ".join(m.due_date.isoformat() if m.due_date else "—" for m in items)
        when = first.when.split(" (")[0] if len(items) > 1 else first.when
        lines.append(
            f"  {dues}: {first.what} ({when})" + (" [local policy]" if first.local_policy else "")
        )
    return lines


def clinician_note(rec: Recommendation) -> str:
    """Everything a clinician needs to check the recommendation, as plain text."""
    case = rec.case
    lines: list[str] = []
    add = lines.append
    add("Baclofen CDS — clinician summary (decision support; the prescriber decides)")
    patient = case.get("patient") or {}
    who = ", ".join(str(v) for v in (patient.get("name"), patient.get("id")) if v)
    if who:
        add(f"Patient: {who}")
    add(
        f"Indication: {case['indication'].replace('_', ' ')}"
        + (
            f" ({case['spasticity_origin'].replace('_', ' ')})"
            if case.get("spasticity_origin")
            else ""
        )
        + f"; age {format_number(case['age_years'], 1)} years; sex {case['sex']}"
    )
    add(f"Status: {STATUS_WORDS[rec.status]} — {rec.status_reason}")
    add("")
    r = rec.renal
    add(
        f"Kidney function: band {r.band.replace('_', ' ')}"
        + (f" (driven by {r.driven_by})" if r.driven_by else "")
    )
    for e in r.estimates:
        add(f"  {e.label}: {format_number(e.value, 1)} {e.unit}  [{e.equation}]")
    if r.weight_used:
        add(
            f"  weight used for Cockcroft-Gault: {r.weight_used} "
            f"({format_number(r.weight_used_kg or 0, 1)} kg)"
        )
    add("")
    w = rec.regimen_withheld
    if w is not None:
        add(f"REGIMEN WITHHELD: {w.reason}")
        if w.override_allowed and rec.regimen is None:
            labels = "; ".join(r.label for r in w.override_reasons)
            add(f"  An override needs a documented reason: {labels}.")
    o = rec.override
    if o is not None:
        add(
            f"Override {'applied' if o.applied else 'documented, not applied'}: {o.label}"
            f" — {o.clinician}" + (f" — {o.note}" if o.note else "")
        )
    if rec.regimen is None:
        add("Regimen: none suggested (see alerts).")
    else:
        g = rec.regimen
        add(
            f"Start: {format_mg(g.start.dose_mg)} {times_a_day(g.start.times_per_day)} "
            f"({format_mg(g.start.daily_mg)} a day) — {g.start.amount}; form: {g.formulation.label}"
        )
        add(
            f"Maximum: {format_mg(g.max_daily_mg)} a day. Titration target: "
            f"{format_mg(g.target_daily_mg)} a day, steps every {g.step_interval_days} days"
            + (" (includes DERIVED numbers)" if g.derived else "")
        )
        if g.course_days is not None:
            add(f"A dated course of {g.course_days} days, then stop and review.")
        add("Titration:")
        for s in g.steps:
            when = (
                f"{s.from_date.isoformat()} to {s.to_date.isoformat()}"
                if s.to_date
                else f"from {s.from_date.isoformat()} on"
            )
            add(
                f"  {when}: {format_mg(s.dose_mg)} "
                f"{times_a_day(s.times_per_day)} = {format_mg(s.daily_mg)} a day ({s.amount})"
            )
    if rec.taper:
        parts = [
            f"days {t.from_day}–{t.to_day} {format_mg(t.dose_mg)} {times_a_day(t.times_per_day)}"
            for t in rec.taper
        ]
        add(f"Taper when stopping (days from the first lower dose): {'; '.join(parts)}; then stop.")
    for note in rec.safety_notes:
        add(f"{note.title}: {note.text}")
    add(f"Missed dose: {rec.missed_dose.text}")
    add("")
    add("Alerts:" if rec.alerts else "Alerts: none.")
    for a in rec.alerts:
        add(f"  [{SIGNAL_WORDS[a.indicator]}] {a.summary}")
        if a.members:
            add("      Adds to it: " + "; ".join(_member(m) for m in a.members))
        add(f"      What to do: {a.action}")
        if a.tier_basis:
            add(f"      Tier based on: {a.tier_basis}")
        add(f"      Basis: {a.evidence}; sources {', '.join(a.sources)}")
    unknown = rec.unrecognized_comedications
    if unknown:
        add(f"NOT CHECKED for interactions: {', '.join(unknown)}")
    add("")
    add("Monitoring:")
    for line in _monitoring_lines(rec):
        add(line)
    add("")
    add("Basis:")
    for b in rec.basis:
        marks = [
            w
            for w, on in (
                ("DERIVED", b.derived),
                ("UNVERIFIED", b.unverified),
                ("LOCAL POLICY", b.local_policy),
            )
            if on
        ]
        add(
            f"  {b.output} ← {b.rule} [{', '.join(b.sources)}]"
            + (f" {' '.join(marks)}" if marks else "")
        )
        if b.equation:
            add(f"      {b.equation}")
    add("")
    add("Sources:")
    for ref in rec.sources:
        add(f"  {ref.id} (grade {ref.grade}): {ref.title} — {ref.url}")
    kb = rec.knowledge_base
    add("")
    add(f"Knowledge base {kb.version} (reviewed {kb.reviewed}), sha256 {kb.sha256}")
    return "\n".join(lines) + "\n"


def _member(m: AlertMember) -> str:
    """'oxycodone (as Percocet 5/325)': a contributor, with the entries it was read from."""
    typed = [e for e in m.entered_as if e.casefold() != m.name.casefold()]
    return m.name + (f" (as {', '.join(typed)})" if typed else "")
