"""The one error the importer raises for bad input: what is wrong, and where."""

from __future__ import annotations


class FhirInputError(ValueError):
    """Bad FHIR input: one line naming the resource (or file) and the element. Nothing is made."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message
