"""Fingerprints of every output that must stay byte-identical across a refactoring.

    .venv/bin/python -m benchmarks.golden --write /tmp/before.jsonl   # on the old code
    .venv/bin/python -m benchmarks.golden --check /tmp/before.jsonl   # on the new code

For every file in examples/ and N seeded random cases (benchmarks/cases.py), under the
packaged defaults and a clinic's policy file: the sha256 of `recommend --format json`
(`Recommendation.to_json()`), of the case JSON the records store, and of the clinician note.
For hostile inputs (benchmarks/probe_integrity.py's values in every field, and mutated JSON
text): the field and message of the refusal. `--check` prints every difference and exits 1
when there is one. The file is not kept in the repository: the knowledge base changes the
outputs; compare two runs on the same knowledge base.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = date(2026, 11, 22)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _inputs(random_cases: int, hostile: int) -> Iterator[tuple[str, str]]:
    from benchmarks.cases import random_case
    from benchmarks.probe_integrity import HOSTILE

    for path in sorted((ROOT / "examples").glob("*.json")):
        yield f"example:{path.name}", path.read_text(encoding="utf-8")
    rng = random.Random(20261122)
    for n in range(random_cases):
        yield f"random:{n}", json.dumps(random_case(rng))
    base = json.loads((ROOT / "examples" / "adult-spasticity-ms.json").read_text())
    fields = [*base, "regimen_choice", "override", "unknown_field", "current_daily_mg"]
    for field in fields:
        for i, value in enumerate(HOSTILE):
            yield f"hostile:{field}:{i}", json.dumps({**base, field: value})
    rng = random.Random(11)
    text = json.dumps(base)
    for n in range(hostile):
        chars = list(text)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(chars))
            if rng.random() < 0.5:
                chars[i] = rng.choice('{}[]",:0123456789.eE-tfn \\')
            else:
                del chars[i]
        yield f"mutated:{n}", "".join(chars)


def fingerprints(random_cases: int = 300, hostile: int = 300) -> dict[str, Any]:
    from baclofen_cds.logic import (
        CaseInputError,
        load_knowledge_base,
        load_policy,
        load_policy_file,
        parse_case,
        recommend,
    )
    from baclofen_cds.logic.case import loads_case
    from baclofen_cds.logic.summary import clinician_note
    from benchmarks.cases import CLINIC_POLICY

    kb = load_knowledge_base()
    policies = {
        "default": load_policy(kb),
        "riverside": load_policy(kb, load_policy_file(CLINIC_POLICY)),
    }
    out: dict[str, Any] = {}
    for name, text in _inputs(random_cases, hostile):
        try:
            case = parse_case(loads_case(text), kb, today=TODAY)
        except CaseInputError as exc:
            out[name] = {"refused": [exc.field, exc.message]}
            continue
        for label, policy in policies.items():
            rec = recommend(case, kb, policy)
            out[f"{name}:{label}"] = {
                "json": _sha(rec.to_json()),
                "case": _sha(json.dumps(dict(rec.case), ensure_ascii=False)),
                "note": _sha(clinician_note(rec)),
            }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path)
    group.add_argument("--check", type=Path)
    parser.add_argument("--random", type=int, default=300)
    parser.add_argument("--hostile", type=int, default=300)
    args = parser.parse_args()
    now = fingerprints(args.random, args.hostile)
    if args.write:
        args.write.write_text(
            "".join(json.dumps({"id": k, **v}, ensure_ascii=False) + "\n" for k, v in now.items()),
            encoding="utf-8",
        )
        print(f"{len(now)} fingerprints written to {args.write}")
        return 0
    before = {}
    for line in args.check.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        before[row.pop("id")] = row
    differ = 0
    for key in sorted(set(before) | set(now)):
        if before.get(key) != now.get(key):
            differ += 1
            print(f"{key}: {before.get(key)} -> {now.get(key)}")
    same = len(set(before) & set(now)) - sum(
        1 for k in set(before) & set(now) if before[k] != now[k]
    )
    print(f"{same} identical, {differ} different")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
