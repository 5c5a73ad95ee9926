"""The strict YAML reader of the knowledge files (PyYAML): imported only when the YAML is
parsed, i.e. when the bundle is stale or absent, or by `knowledge check` / `bundle`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from baclofen_cds.logic.knowledge.errors import KnowledgeBaseError
from baclofen_cds.logic.knowledge.loader import MAX_NODES

# libyaml is an order of magnitude faster; fall back to the pure-Python loader without it
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def parse_yaml(documents: Mapping[str, bytes]) -> dict[str, Any]:
    """Every YAML file parsed (strict loader); KnowledgeBaseError naming a broken file."""
    parsed: dict[str, Any] = {}
    for name in sorted(documents):
        try:
            parsed[name] = yaml.load(documents[name], Loader=_Loader)  # noqa: S506 - safe loader
        except yaml.YAMLError as exc:
            # one line: PyYAML's message spans several ("in <byte string>, line 3, ...")
            raise KnowledgeBaseError(
                f"{name}: not valid YAML: {' '.join(str(exc).split())}"
            ) from None
        except RecursionError:
            raise KnowledgeBaseError(f"{name}: nested too deeply") from None
    return parsed
