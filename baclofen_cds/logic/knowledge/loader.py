"""Reading the knowledge folder: size and graph limits, the strict YAML loader, the JSON
bundle, the content hashes, and `load_knowledge_base`.

Every file under `resources/knowledge/` is parsed with its schema; a missing field, an
unknown source id, a duplicate id or a bad number stops the engine with one message
naming the file and the entry (`KnowledgeBaseError`). The knowledge base carries a
version and a sha256 of its content, both stamped on every recommendation.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from baclofen_cds.logic.knowledge.base import KnowledgeBase
from baclofen_cds.logic.knowledge.checks import Files, cross_check
from baclofen_cds.logic.knowledge.errors import KnowledgeBaseError
from baclofen_cds.logic.knowledge.names import build_names
from baclofen_cds.logic.knowledge.schema import (
    AlertsFile,
    ConditionsFile,
    DosingFile,
    FormulationsFile,
    InteractionsFile,
    KbMeta,
    MonitoringFile,
    OverrideReasonsFile,
    PolicyFile,
    RenalFile,
    SourcesFile,
    TaperFile,
)

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Largest knowledge file read, in bytes (the biggest real one is under 100 kB).
MAX_FILE_BYTES = 2_000_000
#: Most YAML nodes in one file (the biggest real one has a few thousand).
MAX_NODES = 200_000


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, stricter: a duplicate key, an anchor/alias (the "billion laughs")
    or a merge key is refused, and a file has at most MAX_NODES nodes."""

    def construct_document(self, node: Any) -> Any:
        _check_graph(node)
        return super().construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                duplicate = False
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key) if _hashable(key) else None
        return super().construct_mapping(node, deep=deep)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _check_graph(root: Any) -> None:
    """Refuse aliases (a node reached twice) and oversize documents, without expanding."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (&, *) are not allowed", node.start_mark
            )
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise yaml.constructor.ConstructorError(
                None, None, f"more than {MAX_NODES:,} values", node.start_mark
            )
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


#: Files the engine reads. Every *.yaml in the folder counts towards the hash.
KB_FILES: tuple[str, ...] = (
    "kb.yaml",
    "sources.yaml",
    "renal.yaml",
    "formulations.yaml",
    "dosing.yaml",
    "alerts.yaml",
    "conditions.yaml",
    "interactions.yaml",
    "monitoring.yaml",
    "taper.yaml",
    "policy.yaml",
    "override_reasons.yaml",
)

_M = TypeVar("_M", bound=BaseModel)


# ------------------------------------------------------------------ loading
#: The YAML files pre-parsed to JSON (`baclofen-cds knowledge bundle`): used only when its
#: recorded sha256 equals the hash of the YAML files beside it, so it can never disagree with
#: them; a stale or missing bundle just means the YAML is parsed (slower, same result).
BUNDLE_NAME = "knowledge.bundle.json"


def _read_documents(directory: Path | None) -> tuple[dict[str, bytes], bytes | None]:
    docs: dict[str, bytes] = {}
    bundle: bytes | None = None
    if directory is None:
        root = importlib.resources.files("baclofen_cds") / "resources" / "knowledge"
        entries: Iterable[Any] = root.iterdir()
    else:
        if not directory.is_dir():
            raise KnowledgeBaseError(f"{directory}: not a folder")
        entries = directory.iterdir()
    for entry in entries:
        if entry.name.endswith(".yaml"):
            docs[entry.name] = _read_bounded(entry, MAX_FILE_BYTES)
        elif entry.name == BUNDLE_NAME:
            bundle = _read_bounded(entry, 4 * MAX_FILE_BYTES)
    return docs, bundle


def _read_bounded(entry: Any, limit: int) -> bytes:
    with entry.open("rb") as handle:
        data = bytes(handle.read(limit + 1))
    if len(data) > limit:
        raise KnowledgeBaseError(f"{entry.name}: larger than {limit:,} bytes")
    return data


def _bundled(bundle: bytes | None, source_sha256: str) -> dict[str, Any]:
    """The pre-parsed documents, if the bundle was built from exactly these YAML files and
    its content is the content it records (an edited bundle is refused: the YAML is used)."""
    if bundle is None:
        return {}
    try:
        data = json.loads(bundle)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("source_sha256") != source_sha256:
        return {}
    docs = data.get("documents")
    if not isinstance(docs, dict) or canonical_hash(docs) != data.get("sha256"):
        return {}
    return docs


def parse_documents(documents: Mapping[str, bytes]) -> dict[str, Any]:
    """Every YAML file parsed (strict loader); KnowledgeBaseError naming a broken file."""
    parsed: dict[str, Any] = {}
    for name in sorted(documents):
        try:
            parsed[name] = yaml.load(documents[name], Loader=_Loader)  # noqa: S506 - safe loader
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(f"{name}: not valid YAML: {exc}") from None
        except RecursionError:
            raise KnowledgeBaseError(f"{name}: nested too deeply") from None
    return parsed


def build_bundle(directory: Path) -> Path:
    """Write the JSON bundle of the YAML files in `directory` (after validating them)."""
    load_knowledge_base(directory, use_bundle=False)
    docs, _ = _read_documents(directory)
    parsed = json.loads(_canonical(parse_documents(docs)))
    out = {
        "sha256": canonical_hash(parsed),
        "source_sha256": content_hash(docs),
        "documents": parsed,
    }
    path = directory / BUNDLE_NAME
    path.write_text(
        json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    return path


def bundle_problem(directory: Path | None = None) -> tuple[bool, str] | None:
    """What is wrong with the bundle beside the YAML files: None when it is current and says
    exactly what the YAML says; else (refused, message). refused=True: the bundle claims to
    be current but its content is not what the YAML says (edited); False: absent or stale
    (the loader simply parses the YAML). Parses every file: for `knowledge check` and tests.
    """
    documents, bundle = _read_documents(directory)
    rebuild = "run `baclofen-cds knowledge bundle`"
    if bundle is None:
        return False, f"there is no bundle, so the YAML files are parsed ({rebuild})"
    try:
        data = json.loads(bundle)
    except (ValueError, RecursionError):
        return True, f"the bundle is not valid JSON; it is not used ({rebuild})"
    if not isinstance(data, dict) or data.get("source_sha256") != content_hash(documents):
        return False, f"the bundle is stale, so the YAML files are parsed ({rebuild})"
    parsed = json.loads(_canonical(parse_documents(documents)))
    if data.get("documents") != parsed or data.get("sha256") != canonical_hash(parsed):
        return True, f"the bundle disagrees with the YAML files; it is not used ({rebuild})"
    return None


def content_hash(documents: Mapping[str, bytes]) -> str:
    """sha256 of the YAML files as bytes (only to tell whether a bundle is current)."""
    digest = hashlib.sha256()
    for name in sorted(documents):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(documents[name])
        digest.update(b"\0")
    return digest.hexdigest()


def _canonical(parsed: Mapping[str, Any]) -> str:
    return json.dumps(
        parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def canonical_hash(parsed: Mapping[str, Any]) -> str:
    """sha256 of the knowledge as loaded (canonical JSON of every parsed document): the hash
    stamped on every result, whichever way (YAML or bundle) the content was read."""
    return hashlib.sha256(_canonical(parsed).encode("utf-8")).hexdigest()


def _entry_name(data: Any, loc: tuple[Any, ...]) -> str:
    """Walk the error location and name the entry by its id where it has one."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
            ident = (
                node.get("id") or node.get("code") or node.get("name")
                if isinstance(node, dict)
                else None
            )
            parts.append(f"[{step}]" + (f" (id {ident!r})" if ident else ""))
            continue
        parts.append(("." if parts else "") + str(step))
        node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _parse(
    model: type[_M], name: str, documents: Mapping[str, bytes], parsed: Mapping[str, Any]
) -> _M:
    if name not in documents:
        raise KnowledgeBaseError(f"{name}: file is missing from the knowledge base")
    data = parsed[name]
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"{name}: must be a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        where = f"{_entry_name(data, loc)}: " if loc else ""
        raise KnowledgeBaseError(f"{name}: {where}{msg}") from None


def load_knowledge_base(directory: Path | None = None, *, use_bundle: bool = True) -> KnowledgeBase:
    """Load and validate the knowledge base (the packaged one unless `directory` is given).

    The bundle is used only when it was built from these very YAML files and holds the
    content it records; otherwise every YAML file is parsed. `sha256` is the hash of the
    content actually loaded (`canonical_hash`)."""
    documents, bundle = _read_documents(directory)
    pre = _bundled(bundle, content_hash(documents)) if use_bundle else {}
    if set(pre) != set(documents):
        pre = json.loads(_canonical(parse_documents(documents)))
    sha256 = canonical_hash(pre)
    meta = _parse(KbMeta, "kb.yaml", documents, pre)
    sources = _parse(SourcesFile, "sources.yaml", documents, pre)
    renal = _parse(RenalFile, "renal.yaml", documents, pre)
    forms = _parse(FormulationsFile, "formulations.yaml", documents, pre)
    dosing = _parse(DosingFile, "dosing.yaml", documents, pre)
    alerts = _parse(AlertsFile, "alerts.yaml", documents, pre)
    conditions = _parse(ConditionsFile, "conditions.yaml", documents, pre)
    interactions = _parse(InteractionsFile, "interactions.yaml", documents, pre)
    monitoring = _parse(MonitoringFile, "monitoring.yaml", documents, pre)
    taper = _parse(TaperFile, "taper.yaml", documents, pre)
    policy = _parse(PolicyFile, "policy.yaml", documents, pre)
    overrides = _parse(OverrideReasonsFile, "override_reasons.yaml", documents, pre)

    files = Files(
        meta=meta,
        sources=sources,
        renal=renal,
        forms=forms,
        dosing=dosing,
        alerts=alerts,
        conditions=conditions,
        interactions=interactions,
        monitoring=monitoring,
        taper=taper,
        policy=policy,
        overrides=overrides,
    )
    ix = cross_check(files)
    return KnowledgeBase(
        meta=meta,
        sources_by_id=ix.sources_by_id,
        renal=renal,
        formulations=ix.formulations,
        dosing=dosing,
        alerts=ix.alerts,
        conditions_by_id=ix.conditions_by_id,
        condition_groups=conditions.groups,
        interactions=interactions,
        classes_by_id=ix.classes_by_id,
        hazards_by_id=ix.hazards_by_id,
        names=build_names(interactions),
        monitoring=monitoring,
        taper=taper,
        policy_defaults=policy.policy,
        override_reasons=ix.override_reasons,
        sha256=sha256,
        directory=directory,
        _documents=pre,
    )
