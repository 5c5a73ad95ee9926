"""`baclofen-cds knowledge check [DIR]`: validate a knowledge base, as the engine does at load."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("knowledge", help="knowledge-base tools")
    ksub = p.add_subparsers(dest="knowledge_command", metavar="ACTION", required=True)
    check = ksub.add_parser("check", help="validate the knowledge base (the packaged one, or DIR)")
    check.add_argument("directory", nargs="?", type=Path, default=None, metavar="DIR")
    check.set_defaults(handler=run_check)
    bundle = ksub.add_parser(
        "bundle",
        help="validate DIR (default: the package's) and write its fast-loading JSON bundle",
    )
    bundle.add_argument("directory", nargs="?", type=Path, default=None, metavar="DIR")
    bundle.set_defaults(handler=run_bundle)
    reasons = ksub.add_parser(
        "reasons", help="list the reason codes for acknowledging a critical alert"
    )
    reasons.set_defaults(handler=run_reasons)


def run_reasons(args: argparse.Namespace) -> int:
    from baclofen_cds.cli.terminal import write_stdout
    from baclofen_cds.logic.acknowledgement import acknowledgement_reasons
    from baclofen_cds.logic.knowledge import KnowledgeBaseError, load_knowledge_base

    del args
    try:
        reasons = acknowledgement_reasons(load_knowledge_base())
    except KnowledgeBaseError as exc:
        print(f"knowledge base INVALID: {exc}", file=sys.stderr)
        return 1
    lines = [
        f"{r.code:<24} {r.label}" + ("  [needs :COMMENT]" if r.comment_required else "")
        for r in reasons
    ]
    write_stdout("\n".join(lines) + "\n")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from baclofen_cds.logic.knowledge import (
        KnowledgeBaseError,
        bundle_problem,
        iter_rules,
        load_knowledge_base,
    )

    try:
        kb = load_knowledge_base(args.directory, use_bundle=False)
        problem = bundle_problem(args.directory)
    except KnowledgeBaseError as exc:
        print(f"knowledge base INVALID: {exc}", file=sys.stderr)
        return 1
    if problem is not None:
        refused, message = problem
        if refused:
            print(f"knowledge base INVALID: {message}", file=sys.stderr)
            return 1
        print(f"note: {message}", file=sys.stderr)
    rules = list(iter_rules(kb))
    derived = sum(r.derived for r in rules)
    unverified = sum(r.unverified for r in rules)
    from baclofen_cds.cli.terminal import write_stdout

    write_stdout(
        f"knowledge base OK: version {kb.version}, reviewed {kb.reviewed}, sha256 {kb.sha256}\n"
        f"  {len(rules)} rules ({derived} DERIVED, {unverified} UNVERIFIED), "
        f"{len(kb.sources)} sources, {len(kb.comedication_names())} medicine names\n"
    )
    return 0


def run_bundle(args: argparse.Namespace) -> int:
    from baclofen_cds.logic.knowledge import KnowledgeBaseError, build_bundle

    directory = args.directory or Path(__file__).resolve().parents[1] / "resources" / "knowledge"
    try:
        path = build_bundle(directory)
    except KnowledgeBaseError as exc:
        print(f"knowledge base INVALID, no bundle written: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0
