"""Co-medications as a clinician types them, and one alert card per clinical hazard.

Recognition: a name is matched exactly once strengths, units, frequencies, routes, release
words and salts are set aside ("gabapentin 300 mg TID" -> gabapentin); both names of
"pregabalin (Lyrica)" are checked; "Tylenol #3" and "co-codamol 30/500" are combination
products and every ingredient is checked; "oxycodone/acetaminophen" is read by its parts. A
near miss is never matched silently: it is reported as not checked, with a "did you mean"
suggestion (RapidFuzz).

Alerts: every interaction class belongs to one hazard (sedation and slowed breathing, low
blood pressure, ...). One card per hazard lists every medicine, factor and condition adding to
it (`members`), folds each class's facts and sources into its detail, and takes the highest
tier of its members, or of the cumulative sedation rule. One acknowledgement covers it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import msgspec

from baclofen_cds.logic.alerts import SUMMARY_LIMIT, from_template
from baclofen_cds.logic.case import CaseInput
from baclofen_cds.logic.knowledge import (
    ConditionInfo,
    DrugName,
    Hazard,
    InteractionClass,
    KnowledgeBase,
    normalise_name,
    split_parts,
)
from baclofen_cds.logic.result import (
    INDICATOR_ORDER,
    STATUS_ORDER,
    Alert,
    AlertMember,
    ComedicationMatch,
    Indicator,
    RenalBand,
    Status,
)


class InteractionResult(msgspec.Struct, frozen=True):
    matches: tuple[ComedicationMatch, ...]
    alerts: tuple[Alert, ...]
    #: the status each alert implies, by alert id (for the overall status)
    statuses: tuple[tuple[str, Status], ...] = ()
    #: conditions whose own alert is now a member of a hazard card (one card per hazard)
    folded_conditions: frozenset[str] = msgspec.field(default_factory=frozenset)


# ------------------------------------------------------------------ recognition
_PARENS = re.compile(r"[(\[{]([^)\]}]*)[)\]}]")
#: "Tylenol 3" / "tylenol-3": a bare 1-4 after a name may be a product number ("#3")
_BARE_NUMBER = re.compile(r"\b([a-z][a-z]*)[\s-]+([1-4])\b(?!\s*(?:[.,/]\d|%|[a-z\u00b5\u03bc]))")


_PRODUCT_NUMBER = re.compile(r"(?:#\s*\d\s*)+")  # a stray "#3" once its product is read


def _lookup(text: str, kb: KnowledgeBase) -> DrugName | None:
    """The name as written first ("Panadol Night"), then with every extra word set aside."""
    vocab = kb.interactions.matching
    for key in (normalise_name(text, vocab, light=True), normalise_name(text, vocab)):
        if key:
            drug = kb.names.get(key) or kb.names.get(key.replace(" ", ""))
            if drug is not None:
                return drug
    return None


def _read(text: str, kb: KnowledgeBase) -> tuple[list[DrugName], list[str]]:
    """The drugs one piece of text names, and the parts of it that name nothing known."""
    drug = _whole(text, kb)
    if drug is not None:
        return [drug], []
    parts = split_parts(text, kb.interactions.matching)
    if len(parts) <= 1:
        return _with_note(text, kb)
    found: list[DrugName] = []
    unknown: list[str] = []
    for part in parts:
        drugs, missing = _with_note(part, kb)
        found.extend(d for d in drugs if d not in found)
        unknown.extend(m for m in missing if not _PRODUCT_NUMBER.fullmatch(m.strip()))
    return found, unknown


def _whole(text: str, kb: KnowledgeBase) -> DrugName | None:
    numbered = _BARE_NUMBER.sub(r"\1 #\2", text.casefold())
    if numbered != text.casefold():
        drug = _lookup(numbered, kb)
        if drug is not None:
            return drug
    return _lookup(text, kb)


def _with_note(text: str, kb: KnowledgeBase) -> tuple[list[DrugName], list[str]]:
    """A name, or a name followed by words that are not ("diazepam for spasm of the legs")."""
    drug = _whole(text, kb)
    if drug is not None:
        return [drug], []
    words = normalise_name(text, kb.interactions.matching).split()
    for n in range(len(words) - 1, 0, -1):
        drug = kb.names.get(" ".join(words[:n]))
        if drug is not None:
            rest = " ".join(words[n:])
            more = _whole(rest, kb)
            return ([drug, more], []) if more is not None else ([drug], [rest])
    return [], ([text.strip()] if words else [])


@lru_cache(maxsize=4096)
def match_one(text: str, kb: KnowledgeBase) -> ComedicationMatch:
    """How one entry, as typed, reads against the knowledge base (cached: it is pure)."""
    outer = _PARENS.sub(" ", text)
    pieces = [outer, *_PARENS.findall(text)]
    drugs: list[DrugName] = []
    unknown: list[str] = []
    for i, piece in enumerate(pieces):
        found, missing = _read(piece, kb)
        drugs.extend(d for d in found if d not in drugs)
        if i == 0 and found:
            unknown.extend(missing)  # a part of the name that is not known is reported
    if not drugs:
        key = normalise_name(outer, kb.interactions.matching) or normalise_name(
            text, kb.interactions.matching
        )
        return ComedicationMatch(text, "unrecognized", None, (), suggest(key, kb))
    ingredients = list(dict.fromkeys(i for d in drugs for i in d.ingredients))
    classes = tuple(dict.fromkeys(c for i in ingredients for c in i.classes))
    suggestion = None
    if unknown:
        hints = [
            s
            for s in (suggest(normalise_name(u, kb.interactions.matching), kb) for u in unknown)
            if s
        ]
        suggestion = ", ".join(hints) or None
    return ComedicationMatch(
        text,
        "matched",
        " + ".join(i.name for i in ingredients),
        classes,
        suggestion,
        tuple((i.name, i.rxcui) for i in ingredients),
        tuple(unknown),
    )


@lru_cache(maxsize=8)
def _suggestion_index(kb: KnowledgeBase) -> tuple[list[str], list[str]]:
    """Normalised keys of every known name, and the name to show for each."""
    vocab = kb.interactions.matching
    keys: dict[str, str] = {}
    for name in kb.comedication_names():
        keys.setdefault(normalise_name(name, vocab), name)
    return list(keys), list(keys.values())


@lru_cache(maxsize=4096)
def suggest(key: str, kb: KnowledgeBase) -> str | None:
    """The closest known name to an unknown one ("did you mean"), or None.

    A suggestion is only ever shown: the entry stays "not checked" until it is corrected.
    Cached: the window re-runs the engine on every keystroke with the same unknown entries.
    """
    if not key:
        return None
    from rapidfuzz import fuzz, process  # only for an entry that matched nothing

    keys, shown = _suggestion_index(kb)
    cutoff = kb.interactions.matching.suggestion_cutoff * 100
    best = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
    if best is None:
        best = process.extractOne(
            key.replace(" ", ""), keys, scorer=fuzz.ratio, score_cutoff=cutoff
        )
    return shown[best[2]] if best is not None else None


# ------------------------------------------------------------------ hazards
_TIER_RANK = {"MINOR": 0, "MODERATE": 1, "MAJOR": 2}


class _Present(msgspec.Struct):
    """One interaction class present for this patient."""

    cls: InteractionClass
    tier: str
    escalated_because: str
    names: dict[str, list[str]]  # ingredient -> entries as typed
    from_indication: bool = False


@lru_cache(maxsize=8)
def _ingredient_classes(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    return {i.name: i.classes for d in kb.names.values() for i in d.ingredients}


class _Inputs(NamedTuple):
    """The only parts of a case the interaction check reads."""

    comedications: tuple[str, ...]
    conditions: tuple[str, ...]
    indication: str


def check_interactions(case: CaseInput, band: RenalBand, kb: KnowledgeBase) -> InteractionResult:
    """Every hazard card and the not-checked card for this case's co-medications."""
    return _check(_Inputs(case.comedications, case.conditions, case.indication), band, kb)


@lru_cache(maxsize=256)  # pure: the window re-runs the engine on every keystroke of other fields
def _check(case: _Inputs, band: RenalBand, kb: KnowledgeBase) -> InteractionResult:
    matches = tuple(match_one(text, kb) for text in case.comedications)
    present = _present_classes(matches, case, band, kb)
    alerts: list[Alert] = []
    statuses: list[tuple[str, Status]] = []
    folded: set[str] = set()
    for hazard in kb.interactions.hazards:  # knowledge-base order: deterministic
        classes = [p for p in present if p.cls.hazard == hazard.id]
        if not classes:
            continue
        conditions = [kb.conditions_by_id[c] for c in hazard.conditions if c in case.conditions]
        alert, status = _hazard_alert(hazard, classes, conditions, case, kb)
        alerts.append(alert)
        statuses.append((alert.id, status))
        folded.update(c.id for c in conditions)

    unknown = [m for m in matches if m.status == "unrecognized"]
    partial = [m for m in matches if m.status == "matched" and m.unchecked_parts]
    if unknown or partial:
        names = [m.text for m in unknown] + [
            f"{part} (in {m.text!r})" for m in partial for part in m.unchecked_parts
        ]
        hints = [
            f"{m.text!r}: did you mean {m.suggestion}?"
            for m in (*unknown, *partial)
            if m.suggestion
        ]
        alert = from_template(
            kb,
            kb.interactions.unrecognized_alert,
            triggered_by=[m.text for m in (*unknown, *partial)],
            names=", ".join(names),
            suggestions=(" (" + "; ".join(hints) + ")") if hints else "",
        )
        alerts.append(alert)
        statuses.append((alert.id, "use_with_caution"))
    return InteractionResult(matches, tuple(alerts), tuple(statuses), frozenset(folded))


def _present_classes(
    matches: tuple[ComedicationMatch, ...], case: _Inputs, band: RenalBand, kb: KnowledgeBase
) -> list[_Present]:
    by_class: dict[str, dict[str, list[str]]] = {}
    ingredient_classes = _ingredient_classes(kb)
    for m in matches:
        for name, _code in m.ingredients:
            for cid in ingredient_classes.get(name, ()):
                by_class.setdefault(cid, {}).setdefault(name, []).append(m.text)
    out: list[_Present] = []
    for cls in kb.interactions.classes:
        names = by_class.get(cls.id, {})
        from_indication = case.indication in cls.raised_by_indications
        if not names and not from_indication:
            continue
        if from_indication and not names:
            names = {cls.members[0].name: []}
        tier, why = _tier(cls, case, band, kb)
        out.append(_Present(cls, tier, why, names, from_indication))
    return out


def _tier(
    cls: InteractionClass, case: _Inputs, band: RenalBand, kb: KnowledgeBase
) -> tuple[str, str]:
    tier, why = cls.tier, ""
    for esc in cls.escalations:
        if band in esc.renal_bands or set(esc.conditions) & set(case.conditions):
            tier, why = esc.tier, esc.reason
            break
    if _unverified_only(cls.sources, kb):  # every source grade U: information at most
        tier, why = "MINOR", ""
    return tier, why


@lru_cache(maxsize=256)
def _unverified_only(sources: tuple[str, ...], kb: KnowledgeBase) -> bool:
    refs = [kb.sources_by_id[s] for s in sources]
    return bool(refs) and all(r.unverified_only for r in refs)


@lru_cache(maxsize=512)
def _cited(sources: tuple[str, ...], kb: KnowledgeBase) -> str:
    """The sources named in words, for text a clinician reads ("UK SmPC; Swiss labels")."""
    names = dict.fromkeys(kb.sources_by_id[s].short or kb.sources_by_id[s].title for s in sources)
    return "; ".join(names)


class _ClassText(msgspec.Struct, frozen=True):
    """What one class adds to a hazard card, apart from the names (cached: it is pure)."""

    indicator: Indicator
    status: Status
    basis: str
    sources: tuple[str, ...]
    member_detail: str
    line: str  # the detail line after "- Label (names)"
    evidence: str


@lru_cache(maxsize=1024)
def _class_text(
    kb: KnowledgeBase, class_id: str, tier: str, why: str, from_indication: bool
) -> _ClassText:
    cls = kb.classes_by_id[class_id]
    tiers = kb.meta.tiers
    basis = cls.tier_basis + (f"; raised to {tier.lower()}: {why}" if why else "")
    fact = cls.indication_detail if from_indication else f"{cls.summary} {cls.detail}"
    todo = cls.indication_action if from_indication else cls.action
    sources = (
        tuple(dict.fromkeys((*cls.sources, *cls.indication_sources)))
        if from_indication
        else cls.sources
    )
    raised = f" Raised to {tier.lower()}: {why}." if why else ""
    marks = [m for m, on in (("DERIVED", cls.derived), ("UNVERIFIED", cls.unverified)) if on]
    return _ClassText(
        indicator=tiers.interaction_indicator[tier],  # type: ignore[index]
        status=tiers.interaction_status[tier],  # type: ignore[index]
        basis=basis,
        sources=sources,
        member_detail=f"{fact}{raised} What to do: {todo}",
        line=(
            f", {tier.lower()}: {fact}{raised} What to do: {todo} "
            f"Tier based on: {basis}. Sources: {_cited(sources, kb)}."
        ),
        evidence=", ".join([f"{cls.label}: {tier.lower()}", cls.labeled, *marks]),
    )


def _worse(a: Indicator, b: Indicator) -> Indicator:
    return a if INDICATOR_ORDER[a] <= INDICATOR_ORDER[b] else b


def _hazard_alert(
    hazard: Hazard,
    classes: list[_Present],
    conditions: list[ConditionInfo],
    case: _Inputs,
    kb: KnowledgeBase,
) -> tuple[Alert, Status]:
    tiers = kb.meta.tiers
    members: list[AlertMember] = []
    lines: list[str] = []
    parts: list[tuple[Indicator, str]] = []  # (indicator, what that indicator rests on)
    status: Status = "recommended"
    sources: list[str] = list(hazard.sources)
    evidence: list[str] = []

    for p in classes:
        t = _class_text(kb, p.cls.id, p.tier, p.escalated_because, p.from_indication)
        parts.append((t.indicator, t.basis))
        status = _worst_status(status, t.status)
        sources.extend(t.sources)
        for name, entered in p.names.items():
            members.append(
                AlertMember(
                    kind=p.cls.member_kind,
                    name=name,
                    detail=t.member_detail,
                    sources=t.sources,
                    entered_as=tuple(dict.fromkeys(entered)),
                )
            )
        lines.append(f"- {p.cls.label} ({', '.join(p.names)}){t.line}")
        evidence.append(t.evidence)

    for cond in conditions:
        parts.append(
            (
                tiers.condition_indicator[cond.tier],
                f"{cond.label.lower()}: {cond.evidence or 'label'}",
            )
        )
        sources.extend(cond.sources)
        detail = f"{cond.summary} {cond.detail} What to do: {cond.action}"
        members.append(AlertMember("condition", cond.label, detail, cond.sources))
        lines.append(f"- {detail} Sources: {_cited(cond.sources, kb)}.")

    intro = [hazard.detail]
    rule = kb.interactions.cumulative_sedation
    if rule.hazard == hazard.id:
        level, text = _sedative_load(classes, conditions, case, kb)
        if level is not None:
            parts.append((level, rule.tier_basis))
            status = _worst_status(status, "use_with_caution")
            sources.extend(rule.sources)
            intro.append(text)
            evidence.append("sedative load: thresholds DERIVED")

    indicator: Indicator = "info"
    for ind, _ in parts:
        indicator = _worse(indicator, ind)
    tier_basis = "; ".join(dict.fromkeys(b for ind, b in parts if ind == indicator))

    single = len(classes) == 1 and not conditions and len(intro) == 1
    only = classes[0]
    if single:
        summary = only.cls.summary
        action = only.cls.indication_action if only.from_indication else only.cls.action
        patient = (
            only.cls.indication_patient_text if only.from_indication else only.cls.patient_text
        )
    else:
        summary = _summary(hazard, members)
        action = hazard.action
        factor = [
            p.cls.indication_patient_text if p.from_indication else p.cls.patient_text
            for p in classes
            if p.cls.member_kind == "factor"
        ]
        patient = " ".join([hazard.patient_text, *factor]).strip()
    detail = "\n\n".join([" ".join(intro), "\n".join(lines)])
    return (
        Alert(
            id=hazard.id,
            indicator=indicator,
            category=hazard.category,
            summary=summary,
            detail=detail,
            action=action,
            triggered_by=tuple(
                dict.fromkeys(
                    [e for m in members for e in m.entered_as]
                    + [c.id for c in conditions]
                    + ([case.indication] if any(p.from_indication for p in classes) else [])
                )
            ),
            sources=tuple(dict.fromkeys(sources)),
            evidence="; ".join(evidence),
            patient_text=patient,
            members=tuple(members),
            tier_basis=tier_basis,
        ),
        status,
    )


def _sedative_load(
    classes: list[_Present], conditions: list[ConditionInfo], case: _Inputs, kb: KnowledgeBase
) -> tuple[Indicator | None, str]:
    rule = kb.interactions.cumulative_sedation
    counted = {name for p in classes if p.cls.cns_depressant for name in p.names}
    risks = [
        kb.conditions_by_id[c].label.lower() for c in rule.risk_conditions if c in case.conditions
    ]
    count = len(counted)
    level: Indicator | None = None
    if count >= rule.critical_if_at_least or (
        risks and count >= rule.min_depressants_with_risk and rule.critical_with_risk
    ):
        level = "critical"
    elif count >= rule.min_depressants or (risks and count >= rule.min_depressants_with_risk):
        level = "warning"
    if level is None:
        return None, ""
    text = rule.detail.format(count=count, risks=(" and " + " and ".join(risks)) if risks else "")
    return level, text


def _summary(hazard: Hazard, members: list[AlertMember]) -> str:
    names = [m.name if m.kind != "condition" else m.name.lower() for m in members]
    names = list(dict.fromkeys(names))
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        listed = names[:shown] + ([f"{rest} more"] if rest else [])
        text = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
        summary = hazard.summary.format(members=text)
        if len(summary) < SUMMARY_LIMIT:
            return summary
    return hazard.summary.format(members=f"{len(names)} others")


def _worst_status(a: Status, b: Status) -> Status:
    return a if STATUS_ORDER[a] >= STATUS_ORDER[b] else b
