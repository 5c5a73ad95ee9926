"""Which sentences a patient reads: facts about the case, and lines chosen by them.

Every line of the handout text may carry `when` (all these facts hold) and `unless` (none of
them holds). The facts are computed here from the recommendation and the clinic's policy,
so "your dose goes up" is never printed for a fixed dose, a dialysis patient never reads that
their kidneys clear the medicine, and a person treated to drink less is not told flatly never
to drink. The rules themselves are data (the handout text files); this module only knows
what each fact means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Every fact a text line may name, and what it means (shown by `knowledge check`).
FACTS: dict[str, str] = {
    "child": "the patient is a child under 12: the leaflet speaks to the parent or carer",
    "older_adult": "the patient is 65 or over",
    "titrating": "the dose goes up in steps",
    "dose_goes_down": "the dose only goes down in steps (a lower dose than now, a taper)",
    "fixed_dose": "the dose stays the same (one step, or every step the same)",
    "dialysis": "the patient has dialysis",
    "renal_impaired": "reduced kidney function, not on dialysis",
    "hepatic_impairment": "liver impairment of any grade",
    "alcohol_use_disorder": "the indication is alcohol use disorder or alcohol withdrawal",
    "tablet": "the dispensed form is a tablet",
    "half_tablet": "some dose is half a tablet",
    "liquid": "the dispensed form is a liquid (solution or suspension)",
    "solution_1": "the dispensed form is the 1 mg in 1 mL solution",
    "suspension": "the dispensed form is the 5 mg in 1 mL suspension (shake it)",
    "granules": "the dispensed form is granules in packets",
    "country_gb": "the clinic's country is the United Kingdom",
    "country_us": "the clinic's country is the United States",
    "pregnant": "the case lists pregnancy",
    "breastfeeding": "the case lists breastfeeding",
    "has_unchecked_medicines": "some of the patient's medicines could not be checked",
}
#: Prefixed facts: `condition:ID` (a condition code of the case) and `takes:CLASS` (an
#: interaction class of a medicine the patient already takes).
PREFIXES: tuple[str, ...] = ("condition:", "takes:")


def known_fact(name: str) -> bool:
    if name in FACTS:
        return True
    return any(name.startswith(p) and len(name) > len(p) for p in PREFIXES)


@dataclass(frozen=True, slots=True)
class Facts:
    """The set of facts true of one patient's handout."""

    true: frozenset[str]

    def holds(self, when: Iterable[str], unless: Iterable[str]) -> bool:
        return all(f in self.true for f in when) and not any(f in self.true for f in unless)

    def __contains__(self, name: str) -> bool:
        return name in self.true
