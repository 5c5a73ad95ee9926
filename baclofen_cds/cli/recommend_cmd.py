"""`baclofen-cds recommend`: a case in, the recommendation out (JSON contract or text)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from baclofen_cds.cli import UsageError


def register(sub: Any) -> None:
    from baclofen_cds.cli import handout_io, policy_opts, records_cmd

    p = sub.add_parser(
        "recommend", help="recommend a regimen for a case (JSON in, JSON or text out)"
    )
    p.add_argument(
        "--input", required=True, metavar="FILE", help="case JSON file, or - for standard input"
    )
    p.add_argument("--format", choices=("json", "text"), default="json")
    p.add_argument("--today", default=None, help=argparse.SUPPRESS)  # tests: fixed 'today'
    p.add_argument(
        "--fhir-out",
        default=None,
        metavar="FILE",
        help="also write the plan as a FHIR R4 Bundle (MedicationRequests, ServiceRequests, "
        "DetectedIssues, Provenance)",
    )
    handout_io.add_handout_arguments(p)
    policy_opts.add_policy_arguments(p)
    records_cmd.add_save_arguments(p)
    p.set_defaults(handler=run)


def read_case(source: str) -> Any:
    """The case JSON from a file or standard input; UsageError with one clear line otherwise."""
    try:
        if source == "-":
            text = sys.stdin.read()
            where = "standard input"
        else:
            path = Path(source)
            if not path.is_file():
                raise UsageError(f"input: no such file: {source}")
            text = path.read_text(encoding="utf-8")
            where = source
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"input: cannot read {source}: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"input: {where} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def compute(data: Any, today: date, overrides: dict[str, Any] | None = None) -> Any:
    """Validate and recommend; bad input and a broken knowledge base become UsageError."""
    from baclofen_cds.logic import (
        CaseInputError,
        KnowledgeBaseError,
        load_knowledge_base,
        load_policy,
        parse_case,
        recommend,
    )

    try:
        kb = load_knowledge_base()
    except KnowledgeBaseError as exc:
        raise UsageError(f"knowledge base is broken, no recommendation made: {exc}") from None
    try:
        case = parse_case(data, kb, today=today)
        policy = load_policy(kb, overrides)
    except CaseInputError as exc:
        raise UsageError(str(exc)) from None
    return kb, case, policy, recommend(case, kb, policy)


def run(args: argparse.Namespace) -> int:
    from baclofen_cds.cli import handout_io, policy_opts, records_cmd
    from baclofen_cds.logic.summary import clinician_note

    today = date.fromisoformat(args.today)  # set by `main` (the edge) or --today
    overrides = policy_opts.policy_overrides(args)
    data = read_case(args.input)
    _, case, policy, rec = compute(data, today, overrides)
    if args.fhir_out:
        from baclofen_cds.cli import fhir_cmd

        fhir_cmd.check_writable("--fhir-out", Path(args.fhir_out))
    pdfs = handout_io.write_handouts(args, case, rec, policy)
    records_cmd.save_if_asked(args, rec, pdfs)
    if args.fhir_out:
        fhir_cmd.write_plan(args, rec, today)
    out = rec.to_json() if args.format == "json" else clinician_note(rec)
    sys.stdout.write(out)
    return 0
