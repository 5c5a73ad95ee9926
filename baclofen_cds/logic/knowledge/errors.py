"""The one error a broken knowledge base raises."""

from __future__ import annotations


class KnowledgeBaseError(RuntimeError):
    """The knowledge base is broken: no recommendation can be made from it."""
