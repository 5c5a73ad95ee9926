"""The rulebook a clinician signs: every rule of the knowledge base as data, ready to render.

`build_rulebook` walks every rule the engine uses (`iter_rules`), so a rule added to the
knowledge base appears here without touching this module: its numbers, its text, its sources
with their grades, and the DERIVED / UNVERIFIED / local-policy marks. It adds the vocabulary
(indications, populations, limits, tier maps), the formulations and the source register, the
differences from an older knowledge-base folder (`diff_folders`, read as plain YAML so an
older schema still compares), and the sign-off status. Renderers (HTML, PDF) only lay it out.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from baclofen_cds.logic.approval import Approval, ApprovalStatus, approval_status
from baclofen_cds.logic.knowledge import KnowledgeBase, iter_rules
from baclofen_cds.logic.resource_files import resource_path

#: Fields every rule has; shown as the rule's header, not among its values.
_META_FIELDS = frozenset({"id", "sources", "derived", "unverified", "reviewed", "note", "label"})
#: Fields that are prose (shown as text, not as a value row).
_TEXT_FIELDS = (
    "summary",
    "detail",
    "action",
    "rationale",
    "text",
    "what",
    "when",
    "evidence",
    "patient_text",
)

#: Sections in reading order: (key, title, rule model names).
SECTIONS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("doses", "Doses and ceilings", frozenset({"HardCeiling", "DoseRule", "BeersRule"})),
    (
        "kidney",
        "Kidney function",
        frozenset({"CockcroftGault", "WeightPolicy", "CkdEpi2021", "SchwartzBedside"}),
    ),
    ("conditions", "Conditions", frozenset({"ConditionInfo"})),
    ("interactions", "Interactions", frozenset({"InteractionClass", "SedationRule"})),
    ("alerts", "Alert texts", frozenset({"AlertTemplate"})),
    ("monitoring", "Monitoring", frozenset({"MonitoringRule"})),
    ("stopping", "Stopping and missed doses", frozenset({"TaperRule", "MissedDose"})),
    ("policy", "Local policy (set by the clinic, not a label rule)", frozenset({"PolicyDefaults"})),
    ("other", "Other rules", frozenset()),
)
_PREFIX_SECTION = {"renal": "kidney", "dose": "doses", "interaction": "interactions"}


@dataclass(frozen=True, slots=True)
class SourceRef:
    id: str
    grade: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class RuleEntry:
    id: str
    title: str
    values: tuple[tuple[str, str], ...]  # (field, value as written) — the rule's numbers
    texts: tuple[tuple[str, str], ...]  # (field, prose)
    note: str
    sources: tuple[SourceRef, ...]
    derived: bool
    unverified: bool
    local_policy: bool
    reviewed: str


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    rules: tuple[RuleEntry, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """Vocabulary, limits and formulations: a titled table of rows."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Change:
    file: str
    where: str  # the entry (by id where it has one) and field
    kind: str  # "added" | "removed" | "changed"
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Comparison:
    old_folder: str
    old_version: str
    old_sha256: str
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class Rulebook:
    version: str
    reviewed: str
    sha256: str
    folder: str
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    sources: tuple[SourceRef, ...]
    approval: ApprovalStatus
    comparison: Comparison | None

    @property
    def rule_count(self) -> int:
        return sum(len(s.rules) for s in self.sections)

    def marked(self, mark: str) -> int:
        return sum(bool(getattr(r, mark)) for s in self.sections for r in s.rules)

    def sign_off_record(self) -> str:
        """The lines a clinic adds to its policy file once this rulebook is signed."""
        return (
            'approved_by: "<name and role of the approving clinician>"\n'
            "approved_on: <YYYY-MM-DD>\n"
            f"approved_sha256: {self.sha256}\n"
        )


# ------------------------------------------------------------------ building
def build_rulebook(
    kb: KnowledgeBase,
    *,
    approval: Approval | None = None,
    since: Path | None = None,
) -> Rulebook:
    """The rulebook of `kb`; with `since`, the differences from that older folder."""
    sources = {s.id: SourceRef(s.id, s.grade, s.title, s.url) for s in kb.sources_by_id.values()}
    grouped: dict[str, list[RuleEntry]] = {key: [] for key, _, _ in SECTIONS}
    for rule in iter_rules(kb):
        grouped[_section_of(rule)].append(_entry(rule, sources))
    sections = tuple(
        Section(key, title, tuple(grouped[key])) for key, title, _ in SECTIONS if grouped[key]
    )
    comparison = None
    if since is not None:
        comparison = diff_folders(since, knowledge_folder(kb))
    return Rulebook(
        version=kb.version,
        reviewed=kb.reviewed,
        sha256=kb.sha256,
        folder=str(kb.directory) if kb.directory is not None else "the packaged knowledge base",
        sections=sections,
        tables=_tables(kb, sources),
        sources=tuple(sources.values()),
        approval=approval_status(kb.sha256, approval),
        comparison=comparison,
    )


def _section_of(rule: Any) -> str:
    name = type(rule).__name__
    for key, _, models in SECTIONS:
        if name in models:
            return key
    return _PREFIX_SECTION.get(str(rule.id).split(".", 1)[0], "other")


def as_data(obj: Any) -> Any:
    """A model (pydantic, msgspec or dataclass) as plain JSON-like data."""
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return json.loads(json.dumps(dataclasses.asdict(obj), default=str))
    try:
        import msgspec

        return msgspec.to_builtins(obj)
    except ImportError:  # pragma: no cover - pydantic models take the first branch
        return obj


def _entry(rule: Any, sources: Mapping[str, SourceRef]) -> RuleEntry:
    data = as_data(rule)
    values = tuple(
        (label, text)
        for key, value in data.items()
        if key not in _META_FIELDS and key not in _TEXT_FIELDS
        for label, text in _flatten(key, value)
    )
    texts = tuple((key, " ".join(str(data[key]).split())) for key in _TEXT_FIELDS if data.get(key))
    local = (
        type(rule).__name__ == "PolicyDefaults"
        or str(rule.id).startswith("policy.")
        or data.get("schedule") == "routine_policy"
    )
    return RuleEntry(
        id=str(rule.id),
        title=str(data.get("label") or ""),
        values=values,
        texts=texts,
        note=" ".join(str(data.get("note") or "").split()),
        sources=tuple(
            sources.get(sid, SourceRef(sid, "?", "(not in the register)", ""))
            for sid in data.get("sources") or ()
        ),
        derived=bool(data.get("derived")),
        unverified=bool(data.get("unverified")),
        local_policy=local,
        reviewed=str(data.get("reviewed") or ""),
    )


def _flatten(key: str, value: Any) -> Iterable[tuple[str, str]]:
    if value is None or value in ((), [], {}):
        return
    if isinstance(value, Mapping) and not _is_compact(value):
        for sub, inner in value.items():
            yield from _flatten(f"{key} › {sub}", inner)
        return
    yield key.replace("_", " "), format_value(value)


def _is_compact(value: Mapping[str, Any]) -> bool:
    return {"dose_mg", "times_per_day"} <= value.keys() or {"name", "brands"} <= value.keys()


def format_value(value: Any) -> str:
    """A value as a reviewer reads it: numbers without trailing zeros, lists joined."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        if {"dose_mg", "times_per_day"} <= value.keys():
            return f"{format_value(value['dose_mg'])} mg × {value['times_per_day']} a day"
        if {"name", "brands"} <= value.keys():
            brands = ", ".join(str(b) for b in value["brands"] or ())
            return f"{value['name']} ({brands})" if brands else str(value["name"])
        return "; ".join(
            f"{str(k).replace('_', ' ')}: {format_value(v)}"
            for k, v in value.items()
            if v not in (None, (), [], "", {})
        )
    if isinstance(value, list | tuple):
        parts = [format_value(v) for v in value]
        sep = ", "
        if value and all(isinstance(v, Mapping) for v in value):
            sep = " → " if all("dose_mg" in v for v in value) else " | "
        if value and all(isinstance(v, list | tuple) for v in value):
            parts = [f"[{p}]" for p in parts]
        return sep.join(parts)
    return str(value)


def _tables(kb: KnowledgeBase, sources: Mapping[str, SourceRef]) -> tuple[Table, ...]:
    meta = as_data(kb.meta)
    tables = [
        Table(
            "Indications",
            ("code", "label", "words for the patient"),
            tuple((c, i["label"], i["patient_label"]) for c, i in meta["indications"].items()),
        ),
        Table(
            "Origins of spasticity",
            ("code", "label"),
            tuple((c, str(label)) for c, label in meta["spasticity_origins"].items()),
        ),
        Table(
            "Age groups",
            ("code", "label", "from age", "below age"),
            tuple(
                (
                    p["id"],
                    p["label"],
                    format_value(p["min_age_years"]),
                    format_value(p.get("below_age_years")) if p.get("below_age_years") else "",
                )
                for p in meta["populations"]
            ),
        ),
        Table(
            "Input limits (physically possible values, not clinical targets)",
            ("field", "lowest", "highest"),
            tuple(
                (k.replace("_", " "), format_value(r["min"]), format_value(r["max"]))
                for k, r in meta["input_limits"].items()
            ),
        ),
        Table(
            "Severity tiers and what they show",
            ("map", "tier → result"),
            tuple((k.replace("_", " "), format_value(v)) for k, v in meta["tiers"].items()),
        ),
    ]
    rows = []
    for code, form in kb.formulations.items():
        data = as_data(form)
        values = "; ".join(
            f"{label}: {text}"
            for key, value in data.items()
            if key not in {"code", "label", "sources", "note", "patient_label", "storage"}
            for label, text in _flatten(key, value)
        )
        grades = ", ".join(
            f"{sid} ({sources[sid].grade})" if sid in sources else sid
            for sid in data.get("sources") or ()
        )
        rows.append((code, str(data.get("label", "")), values, grades))
    tables.append(Table("Formulations", ("code", "form", "values", "sources"), tuple(rows)))
    return tuple(tables)


# ------------------------------------------------------------------ differences
def knowledge_folder(kb: KnowledgeBase) -> Path:
    """The folder `kb` was loaded from (the packaged one when it was loaded by default)."""
    if kb.directory is not None:
        return kb.directory
    return resource_path("knowledge")


def read_folder(folder: Path) -> dict[str, Any]:
    """Every YAML file of a knowledge folder, parsed as plain data (no schema)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a folder")
    docs: dict[str, Any] = {}
    for path in sorted(folder.glob("*.yaml")):
        docs[path.name] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not docs:
        raise FileNotFoundError(f"{folder}: no knowledge-base files (*.yaml) in it")
    return docs


def folder_sha256(folder: Path) -> str:
    """The hash the engine stamps for this folder: of the content as loaded, not the bytes
    (a comment or blank line changes nothing a clinician signed)."""
    from baclofen_cds.logic.knowledge import canonical_hash, parse_documents

    docs = {p.name: p.read_bytes() for p in sorted(folder.glob("*.yaml"))}
    return canonical_hash(parse_documents(docs))


def diff_folders(old: Path, new: Path) -> Comparison:
    """What changed from the knowledge base in `old` to the one in `new`, entry by entry."""
    old_docs, new_docs = read_folder(old), read_folder(new)
    changes: list[Change] = []
    for name in _ordered_union(list(new_docs), list(old_docs)):
        if name not in old_docs:
            changes.append(Change(name, "(whole file)", "added", "", "new file"))
        elif name not in new_docs:
            changes.append(Change(name, "(whole file)", "removed", "file removed", ""))
        else:
            _diff(name, old_docs[name], new_docs[name], (), changes)
    meta = old_docs.get("kb.yaml") if isinstance(old_docs.get("kb.yaml"), dict) else {}
    return Comparison(
        old_folder=str(old),
        old_version=str((meta or {}).get("version", "?")),
        old_sha256=folder_sha256(old),
        changes=tuple(changes),
    )


def _ordered_union(first: Sequence[str], second: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _key_of(item: Any) -> str | None:
    if isinstance(item, dict):
        for field in ("id", "code"):
            if isinstance(item.get(field), str):
                return str(item[field])
    return None


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    keys = [_key_of(i) for i in items]
    if not items or any(k is None for k in keys) or len(set(keys)) != len(keys):
        return None
    return {str(k): i for k, i in zip(keys, items, strict=True)}


def _diff(file: str, old: Any, new: Any, path: tuple[str, ...], out: list[Change]) -> None:
    if old == new:
        return
    where = " › ".join(path) or "(top level)"
    if isinstance(old, list) and isinstance(new, list):
        old_keyed, new_keyed = _keyed(old), _keyed(new)
        if old_keyed is not None and new_keyed is not None:
            old, new = old_keyed, new_keyed
    if isinstance(old, dict) and isinstance(new, dict):
        for key in _ordered_union([str(k) for k in new], [str(k) for k in old]):
            o, n = _lookup(old, key), _lookup(new, key)
            if o is _MISSING:
                out.append(Change(file, " › ".join((*path, key)), "added", "", _text(n)))
            elif n is _MISSING:
                out.append(Change(file, " › ".join((*path, key)), "removed", _text(o), ""))
            else:
                _diff(file, o, n, (*path, key), out)
        return
    out.append(Change(file, where, "changed", _text(old), _text(new)))


_MISSING = object()


def _lookup(mapping: Mapping[Any, Any], key: str) -> Any:
    for k, v in mapping.items():
        if str(k) == key:
            return v
    return _MISSING


def _text(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict) and _key_of(value) is not None:
        return format_value({k: v for k, v in value.items() if k not in ("id", "code")})
    return format_value(value)
