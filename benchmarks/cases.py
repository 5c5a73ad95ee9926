"""Random valid cases for benchmarks and property tests (seeded: the same cases every run)."""

from __future__ import annotations

import io
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: The clinic policy the handout benchmarks print with (its phone and clinic on the handout).
CLINIC_POLICY = ROOT / "examples" / "policy" / "riverside-gb.yaml"

# The shipped codes, in a fixed order (the same cases every run, whatever the knowledge base
# lists first).
INDICATIONS = (
    "spasticity",
    "alcohol_use_disorder",
    "alcohol_withdrawal",
    "hiccups",
    "trigeminal_neuralgia",
    "musculoskeletal_pain",
)
FORMS = (
    "tablet",
    "oral_solution_1_mg_per_ml",
    "oral_solution_2_mg_per_ml",
    "oral_suspension_5_mg_per_ml",
    "oral_granules",
)

MEDS = [
    "oxycodone",
    "Xanax",
    "gabapentin",
    "ibuprofen 400 mg",
    "lisinopril",
    "sertraline",
    "Tegretol",
    "metformin",
    "zolpidem",
    "paracetamol",
    "quetiapine",
    "amitriptyline",
    "Xanaxx",
    # typed as clinicians type them (issue 9): strengths, frequencies, combinations, brackets
    "pregabalin (Lyrica)",
    "co-codamol 30/500",
    "Tylenol #3",
    "gabapentin 300 mg TID",
    "Percocet 5/325 q6h prn",
    "mirtazapine 15mg nocte",
    "levetiracetam 500 mg BID",
    "Sativex oromucosal spray",
    "sodium valproate 500mg MR bd",
    "metoprolol succinate ER 50 mg daily",
    "omeprazole 20mg od",
    "alcohol",
]
CONDITIONS = [
    "epilepsy",
    "diabetes",
    "pregnancy",
    "respiratory_impairment",
    "sleep_apnea",
    "depression_or_suicidality",
    "peptic_ulcer_history",
    "stroke_history",
]


def random_case(rng: random.Random) -> dict[str, Any]:
    age = rng.choice(
        [rng.uniform(1, 11.9), rng.uniform(12, 17.9), rng.uniform(18, 64), rng.uniform(65, 100)]
    )
    case: dict[str, Any] = {
        "indication": rng.choice(INDICATIONS),
        "age_years": round(age, 1),
        "sex": rng.choice(["female", "male"]),
        "weight_kg": round(rng.uniform(10, 160), 1) if rng.random() < 0.9 else None,
        "height_cm": round(rng.uniform(90, 200), 1) if rng.random() < 0.8 else None,
        "serum_creatinine": {"value": round(rng.uniform(0.3, 8), 2), "unit": "mg/dL"}
        if rng.random() < 0.9
        else None,
        "dialysis": rng.choice(["none"] * 12 + ["hemodialysis", "peritoneal"]),
        "hepatic_impairment": rng.choice(["none"] * 6 + ["mild", "moderate", "severe"]),
        "conditions": rng.sample(CONDITIONS, rng.randint(0, 2)),
        "comedications": rng.sample(MEDS, rng.randint(0, 4)),
        "formulation": rng.choice(FORMS),
        "start_date": (date(2026, 1, 1) + timedelta(days=rng.randint(0, 700))).isoformat(),
    }
    return {k: v for k, v in case.items() if v is not None}


def example_recommendation(name: str, today: date, **changes: Any) -> tuple[Any, Any]:
    """(knowledge base, recommendation) of `examples/<name>.json`, with `changes` made to
    the case, under the clinic policy."""
    from baclofen_cds.logic import (
        load_knowledge_base,
        load_policy,
        load_policy_file,
        parse_case,
        recommend,
    )

    kb = load_knowledge_base()
    policy = load_policy(kb, load_policy_file(CLINIC_POLICY))
    data = json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    data.update(changes)
    return kb, recommend(parse_case(data, kb, today=today), kb, policy)


def repeated_to_pages(pdf: bytes, pages: int) -> bytes:
    """`pdf`'s pages, repeated until there are at least `pages` (a long handout to print)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    while len(writer.pages) < pages:
        for page in reader.pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
