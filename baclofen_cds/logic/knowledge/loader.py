"""Reading the knowledge folder: size and graph limits, the strict YAML loader, the JSON
bundle, the content hashes, and `load_knowledge_base`.

Every file under `resources/knowledge/` is decoded into its schema; a missing field, an
unknown source id, a duplicate id or a bad number stops the engine with one message
naming the file and the entry (`KnowledgeBaseError`). The knowledge base carries a
version and a sha256 of its content, both stamped on every recommendation.

Each file's content is held as its canonical JSON (sorted keys, no spaces, UTF-8): the
bundle stores exactly that, so a current bundle is decoded straight into the models
(msgspec) and PyYAML is imported only when the bundle is stale or absent. The content hash
is the sha256 of the canonical JSON of every file, whichever way it was read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from hashlib import sha256
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from baclofen_cds.logic.knowledge.base import KnowledgeBase
from baclofen_cds.logic.knowledge.checks import Files, check_handout_vocabulary, cross_check
from baclofen_cds.logic.knowledge.errors import KnowledgeBaseError
from baclofen_cds.logic.knowledge.names import (
    DrugName,
    build_names,
    names_from_json,
    names_to_json,
)
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
from baclofen_cds.logic.knowledge.validation import decode_json, explain
from baclofen_cds.logic.resource_files import resource_path

#: Largest knowledge file read, in bytes (the biggest real one is under 100 kB).
MAX_FILE_BYTES = 2_000_000
#: Most YAML nodes in one file (the biggest real one has a few thousand).
MAX_NODES = 200_000

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

_M = TypeVar("_M")

#: The YAML files pre-parsed to JSON (`baclofen-cds knowledge bundle`): used only when its
#: recorded sha256 equals the hash of the YAML files beside it, so it can never disagree with
#: them; a stale or missing bundle just means the YAML is parsed (slower, same result).
BUNDLE_NAME = "knowledge.bundle.json"


def _read_documents(directory: Path | None) -> tuple[dict[str, bytes], bytes | None]:
    docs: dict[str, bytes] = {}
    bundle: bytes | None = None
    if directory is None:
        entries: Iterable[Any] = resource_path("knowledge").iterdir()
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


class _Bundle(msgspec.Struct):
    """The bundle file: each document kept as its raw JSON text (decoded on use)."""

    sha256: str = ""
    source_sha256: str = ""
    documents: dict[str, msgspec.Raw] = {}
    # derived data, not content: the medicine-name index built from interactions.yaml, and
    # the hash tying it to that document and to the code that builds it (`_names_hash`)
    names_sha256: str = ""
    names: msgspec.Raw = msgspec.Raw(b"")


def _bundled(bundle: bytes | None, source_sha256: str) -> tuple[dict[str, bytes], bytes | None]:
    """The canonical JSON of each document, if the bundle was built from exactly these YAML
    files and its content is the content it records (an edited bundle is refused: the YAML
    is used); and the medicine-name index stored with it, if it was built from this very
    interactions.yaml by this very code (else None: the index is built)."""
    if bundle is None:
        return {}, None
    try:
        data = msgspec.json.decode(bundle, type=_Bundle)
    except (msgspec.DecodeError, RecursionError):
        return {}, None
    if data.source_sha256 != source_sha256:
        return {}, None
    raws = {name: bytes(raw) for name, raw in data.documents.items()}
    if _joined_hash(raws) == data.sha256:  # as `build_bundle` writes it: already canonical
        names = bytes(data.names)
        current = names and data.names_sha256 == _names_hash(raws, names)
        return raws, names if current else None
    import json

    try:  # written some other way: its content must still be what it records
        docs = {name: json.loads(raw) for name, raw in raws.items()}
    except (ValueError, RecursionError):
        return {}, None
    if canonical_hash(docs) != data.sha256:
        return {}, None
    return {name: _canonical(doc).encode("utf-8") for name, doc in docs.items()}, None


def _names_hash(raws: Mapping[str, bytes], names: bytes) -> str | None:
    """sha256 of the code that builds the medicine-name index (names.py), of the
    interactions.yaml it is built from and of the index: a stored index is used only when
    all three are the ones it was built with. None when the code cannot be read."""
    from baclofen_cds.logic.knowledge import names as names_module

    try:
        code = Path(str(names_module.__file__)).read_bytes()
    except (OSError, TypeError):
        return None
    digest = sha256(code)
    for part in (raws.get("interactions.yaml", b""), names):
        digest.update(b"\0" + part)
    return digest.hexdigest()


def _names(files: Files, stored: bytes | None) -> dict[str, DrugName]:
    """The medicine-name index: as stored in a current bundle, else built."""
    names = names_from_json(stored) if stored else None
    return build_names(files.interactions) if names is None else names


def parse_documents(documents: Mapping[str, bytes]) -> dict[str, Any]:
    """Every YAML file parsed (strict loader); KnowledgeBaseError naming a broken file."""
    from baclofen_cds.logic.knowledge.yaml_reader import parse_yaml

    return parse_yaml(documents)


def _from_yaml(documents: Mapping[str, bytes]) -> dict[str, bytes]:
    """Parse the YAML files; each document's canonical JSON (as the bundle holds it)."""
    import json

    raws: dict[str, bytes] = {}
    for name, doc in parse_documents(documents).items():
        _refuse_non_finite(name, doc)
        # through JSON and back, as the bundle is: dates become text, keys become text
        raws[name] = _canonical(json.loads(_canonical(doc))).encode("utf-8")
    return raws


def _refuse_non_finite(name: str, doc: Any) -> None:
    """No NaN or infinity anywhere (YAML .inf/.nan), naming the entry."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(doc, ())]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            where = _entry_name(doc, loc)
            raise KnowledgeBaseError(f"{name}: {where}: must be a finite number, not {node}")
        if isinstance(node, dict):
            stack.extend((value, (*loc, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, (*loc, i)) for i, value in enumerate(node))


def build_bundle(directory: Path) -> Path:
    """Write the JSON bundle of the YAML files in `directory` (after validating them)."""
    import json

    kb = load_knowledge_base(directory, use_bundle=False)
    docs, _ = _read_documents(directory)
    raws = _from_yaml(docs)
    body = b",".join(_json_key(name) + b":" + raws[name] for name in sorted(raws))
    names = names_to_json(kb.names)
    head = {"sha256": _joined_hash(raws), "source_sha256": content_hash(docs)}
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    tail = json.dumps({"names_sha256": _names_hash(raws, names) or ""}, separators=(",", ":"))
    path = directory / BUNDLE_NAME
    path.write_bytes(
        text[:-1].encode("utf-8")
        + b',"documents":{'
        + body
        + b"},"
        + tail[1:-1].encode("utf-8")
        + b',"names":'
        + names
        + b"}\n"
    )
    return path


def bundle_problem(directory: Path | None = None) -> tuple[bool, str] | None:
    """What is wrong with the bundle beside the YAML files: None when it is current and says
    exactly what the YAML says; else (refused, message). refused=True: the bundle claims to
    be current but its content is not what the YAML says (edited); False: absent or stale
    (the loader simply parses the YAML). Parses every file: for `knowledge check` and tests.
    """
    import json

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
    _, names = _bundled(bundle, content_hash(documents))
    if names is None:
        return False, (
            "the bundle's medicine-name index is missing or was built by other code, so it "
            f"is built at each start ({rebuild})"
        )
    if names_from_json(names) != load_knowledge_base(directory, use_bundle=False).names:
        return True, f"the bundle's medicine-name index disagrees with the YAML files ({rebuild})"
    return None


def content_hash(documents: Mapping[str, bytes]) -> str:
    """sha256 of the YAML files as bytes (only to tell whether a bundle is current)."""
    digest = sha256()
    for name in sorted(documents):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(documents[name])
        digest.update(b"\0")
    return digest.hexdigest()


def _canonical(parsed: Any) -> str:
    """The canonical JSON of parsed content: the definition the content hash rests on."""
    import json

    return json.dumps(
        parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def canonical_hash(parsed: Mapping[str, Any]) -> str:
    """sha256 of the knowledge as loaded (canonical JSON of every parsed document): the hash
    stamped on every result, whichever way (YAML or bundle) the content was read."""
    return sha256(_canonical(parsed).encode("utf-8")).hexdigest()


def _json_key(name: str) -> bytes:
    """`json.dumps(name, ensure_ascii=False)` as UTF-8; a plain file name is written as is
    (no escape needed), without importing json on every start."""
    if name.isascii() and name.isprintable() and '"' not in name and "\\" not in name:
        return b'"' + name.encode("ascii") + b'"'
    import json

    return json.dumps(name, ensure_ascii=False).encode("utf-8")


def _joined_hash(raws: Mapping[str, bytes]) -> str:
    """`canonical_hash` of the documents, from each one's canonical JSON: the same bytes
    as the canonical JSON of the mapping of file name to document, without re-encoding."""
    digest = sha256(b"{")
    for i, name in enumerate(sorted(raws)):
        digest.update((b"," if i else b"") + _json_key(name) + b":")
        digest.update(raws[name])
    digest.update(b"}")
    return digest.hexdigest()


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


def _parse(model: type[_M], name: str, raws: Mapping[str, bytes]) -> _M:
    raw = raws.get(name)
    if raw is None:
        raise KnowledgeBaseError(f"{name}: file is missing from the knowledge base")
    if not raw.startswith(b"{"):
        raise KnowledgeBaseError(f"{name}: must be a mapping at the top level")
    try:
        return decode_json(raw, model)
    except msgspec.ValidationError as exc:
        data = msgspec.json.decode(raw)
        loc, msg = explain(exc, model, data)
        where = f"{_entry_name(data, loc)}: " if loc else ""
        raise KnowledgeBaseError(f"{name}: {where}{msg}") from None


def load_knowledge_base(directory: Path | None = None, *, use_bundle: bool = True) -> KnowledgeBase:
    """Load and validate the knowledge base (the packaged one unless `directory` is given).

    The bundle is used only when it was built from these very YAML files and holds the
    content it records; otherwise every YAML file is parsed. `sha256` is the hash of the
    content actually loaded (`canonical_hash`)."""
    documents, bundle = _read_documents(directory)
    raws, stored_names = _bundled(bundle, content_hash(documents)) if use_bundle else ({}, None)
    if set(raws) != set(documents):
        raws, stored_names = _from_yaml(documents), None
    sha256 = _joined_hash(raws)
    files = Files(
        meta=_parse(KbMeta, "kb.yaml", raws),
        sources=_parse(SourcesFile, "sources.yaml", raws),
        renal=_parse(RenalFile, "renal.yaml", raws),
        forms=_parse(FormulationsFile, "formulations.yaml", raws),
        dosing=_parse(DosingFile, "dosing.yaml", raws),
        alerts=_parse(AlertsFile, "alerts.yaml", raws),
        conditions=_parse(ConditionsFile, "conditions.yaml", raws),
        interactions=_parse(InteractionsFile, "interactions.yaml", raws),
        monitoring=_parse(MonitoringFile, "monitoring.yaml", raws),
        taper=_parse(TaperFile, "taper.yaml", raws),
        policy=_parse(PolicyFile, "policy.yaml", raws),
        overrides=_parse(OverrideReasonsFile, "override_reasons.yaml", raws),
    )
    ix = cross_check(files)
    check_handout_vocabulary(_handout_documents(raws), files.meta, ix.formulations)
    kb = KnowledgeBase(
        meta=files.meta,
        sources_by_id=ix.sources_by_id,
        renal=files.renal,
        formulations=ix.formulations,
        dosing=files.dosing,
        alerts=ix.alerts,
        conditions_by_id=ix.conditions_by_id,
        condition_groups=files.conditions.groups,
        interactions=files.interactions,
        classes_by_id=ix.classes_by_id,
        hazards_by_id=ix.hazards_by_id,
        names=_names(files, stored_names),
        monitoring=files.monitoring,
        taper=files.taper,
        policy_defaults=files.policy.policy,
        override_reasons=ix.override_reasons,
        sha256=sha256,
        directory=directory,
        _documents=raws,
    )
    _check_reasons(kb)
    return kb


def _handout_documents(raws: Mapping[str, bytes]) -> dict[str, Any]:
    return {
        name: msgspec.json.decode(raw)
        for name, raw in raws.items()
        if name.startswith("handout_text")
    }


def _check_reasons(kb: KnowledgeBase) -> None:
    """The acknowledgement reasons a clinician picks from must be valid (a result with a
    critical alert cannot be printed or saved without one)."""
    from baclofen_cds.logic.acknowledgement import acknowledgement_reasons

    acknowledgement_reasons(kb)
