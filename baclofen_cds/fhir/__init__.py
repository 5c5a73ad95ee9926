"""FHIR R4: read a patient from the record into a case, write the plan back as a Bundle.

Floor: like records and handout, this package imports `logic` only (never Qt). The mapping
tables are knowledge-base data (`resources/knowledge/fhir.yaml`). Parsing and validation use
`fhir.resources` (its R4B models, wire-compatible with R4 for every element used here).
"""

from __future__ import annotations

from baclofen_cds.fhir.errors import FhirInputError
from baclofen_cds.fhir.mapping import MappingError, load_mappings

__all__ = ["FhirInputError", "MappingError", "load_mappings"]
