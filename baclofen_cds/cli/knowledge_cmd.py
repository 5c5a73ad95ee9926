"""`baclofen-cds knowledge check|bundle|report`: validate a knowledge base, as the engine does at
load; write its bundle; render its rulebook for clinical sign-off."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from baclofen_cds.cli import UsageError

POLICY_ENV = "BACLOFEN_CDS_POLICY"


def register(sub: Any) -> None:
    p = sub.add_parser("knowledge", help="knowledge-base tools")
    ksub = p.add_subparsers(dest="knowledge_command", metavar="ACTION", required=True)
    check = ksub.add_parser("check", help="validate the knowledge base (the packaged one, or DIR)")
    check.add_argument("directory", nargs="?", type=Path, default=None, metavar="DIR")
    check.add_argument(
        "--policy",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="also validate this clinic policy file (default: $BACLOFEN_CDS_POLICY, if set)",
    )
    check.set_defaults(handler=run_check)
    bundle = ksub.add_parser(
        "bundle",
        help="validate DIR (default: the package's) and write its fast-loading JSON bundle",
    )
    bundle.add_argument("directory", nargs="?", type=Path, default=None, metavar="DIR")
    bundle.set_defaults(handler=run_bundle)
    report = ksub.add_parser(
        "report",
        help="the rulebook for clinical sign-off: every rule, its numbers, sources and marks",
    )
    report.add_argument("directory", nargs="?", type=Path, default=None, metavar="DIR")
    report.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="FILE.html or FILE.pdf"
    )
    report.add_argument(
        "--since",
        type=Path,
        default=None,
        metavar="OLD_DIR",
        help="also list what changed since the knowledge base in OLD_DIR",
    )
    report.add_argument("--paper", choices=("a4", "letter"), default="a4", help="PDF paper size")
    _policy_argument(report)
    report.set_defaults(handler=run_report)
    reasons = ksub.add_parser(
        "reasons", help="list the reason codes for acknowledging a critical alert"
    )
    reasons.set_defaults(handler=run_reasons)


def _policy_argument(parser: Any) -> None:
    parser.add_argument(
        "--policy",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help=f"clinic policy file holding the sign-off (default: ${POLICY_ENV})",
    )


def _approval(args: argparse.Namespace) -> Any:
    from baclofen_cds.cli import policy_opts
    from baclofen_cds.logic.approval import ApprovalError, approval_from_file

    path = policy_opts.policy_file(args)  # --policy, else $BACLOFEN_CDS_POLICY
    if path is None:
        return None
    try:
        return approval_from_file(path)
    except ApprovalError as exc:
        raise UsageError(str(exc)) from None


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
    from baclofen_cds.logic.approval import approval_status
    from baclofen_cds.logic.knowledge import (
        KnowledgeBaseError,
        bundle_problem,
        iter_rules,
        load_knowledge_base,
    )

    approval = _approval(args)
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
    from baclofen_cds.fhir.mapping import MappingError
    from baclofen_cds.fhir.mapping import check as check_fhir

    try:
        fhir_line = check_fhir(kb)
    except MappingError as exc:
        print(f"knowledge base INVALID: {exc}", file=sys.stderr)
        return 1
    rules = list(iter_rules(kb))
    derived = sum(r.derived for r in rules)
    unverified = sum(r.unverified for r in rules)
    from baclofen_cds.cli.terminal import write_stdout

    write_stdout(
        f"knowledge base OK: version {kb.version}, reviewed {kb.reviewed}, sha256 {kb.sha256}\n"
        f"  {len(rules)} rules ({derived} DERIVED, {unverified} UNVERIFIED), "
        f"{len(kb.sources)} sources, {len(kb.comedication_names())} medicine names\n"
        f"  {fhir_line}\n"
        f"  {approval_status(kb.sha256, approval).text}\n"
    )
    return _check_handout_text(kb) | _check_policy(args, kb)


def _check_handout_text(kb: Any) -> int:
    """Each handout language: reviewed by whom and when, and any key another language lacks."""
    from baclofen_cds.logic.handout_countries import load_countries
    from baclofen_cds.logic.handout_text import (
        HandoutTextError,
        check_languages,
        missing_class_lines,
    )

    status = 0
    try:
        languages = check_languages(kb)
        countries = sorted(load_countries(kb).countries)
    except HandoutTextError as exc:
        print(f"handout text INVALID: {exc}", file=sys.stderr)
        return 1
    for language, reviewed, reviewed_by, problems in languages:
        if problems:
            status = 1
            print(f"handout text {language} INVALID:", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
        else:
            print(f"  handout text {language}: reviewed {reviewed} by {reviewed_by}")
            for cls in missing_class_lines(kb, language):
                print(
                    f"  warning: handout text {language}: medicines.by_class has no line for "
                    f"{cls!r} (the handout says: ask your pharmacist)"
                )
    print(f"  handout countries: {', '.join(countries)}")
    return status


def _check_policy(args: argparse.Namespace, kb: Any) -> int:
    """The clinic's policy file (--policy or BACLOFEN_CDS_POLICY), when one is named."""
    from baclofen_cds.cli import UsageError, policy_opts
    from baclofen_cds.logic import CaseInputError, load_policy

    try:
        path = policy_opts.policy_file(args)
        if path is None:
            return 0
        policy = load_policy(kb, policy_opts.policy_overrides(args))
    except (UsageError, CaseInputError) as exc:
        print(f"policy INVALID: {exc}", file=sys.stderr)
        return 1
    print(
        f"  policy {path}: country {policy.country or 'not set'}, clinic "
        f"{policy.clinic_name or 'not named'}, phone {policy.clinic_phone or 'not set'}, "
        f"languages {', '.join(policy.languages_enabled)}"
    )
    return 0


def run_bundle(args: argparse.Namespace) -> int:
    from baclofen_cds.logic.knowledge import KnowledgeBaseError, build_bundle
    from baclofen_cds.logic.resource_files import resource_path

    directory = args.directory or resource_path("knowledge")
    try:
        path = build_bundle(directory)
    except KnowledgeBaseError as exc:
        print(f"knowledge base INVALID, no bundle written: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Write the rulebook (HTML or PDF, by the file's suffix); nothing is written on an error."""
    from baclofen_cds.logic.knowledge import KnowledgeBaseError, load_knowledge_base
    from baclofen_cds.logic.rulebook import build_rulebook

    out: Path = args.out
    kind = out.suffix.lower()
    if kind not in (".html", ".htm", ".pdf"):
        raise UsageError("--out: must end in .html or .pdf")
    if not out.parent.is_dir():
        raise UsageError(f"--out: folder {out.parent} does not exist")
    if args.since is not None and not args.since.is_dir():
        raise UsageError(f"--since: {args.since} is not a folder")
    approval = _approval(args)
    try:
        kb = load_knowledge_base(args.directory)
    except KnowledgeBaseError as exc:
        print(f"knowledge base INVALID, no report written: {exc}", file=sys.stderr)
        return 1
    try:
        book = build_rulebook(kb, approval=approval, since=args.since)
    except FileNotFoundError as exc:
        raise UsageError(f"--since: {exc}") from None
    except ValueError as exc:  # an older folder whose YAML does not parse
        raise UsageError(f"--since: {exc}") from None
    if kind == ".pdf":
        from baclofen_cds.handout.rulebook_pdf import render_rulebook_pdf

        data = render_rulebook_pdf(book, paper=args.paper)
    else:
        from baclofen_cds.handout.rulebook_html import render_rulebook_html

        data = render_rulebook_html(book).encode("utf-8")
    from baclofen_cds.cli.handout_io import usage_errors
    from baclofen_cds.handout import output

    with usage_errors():  # whole or not at all; a link or device is never replaced
        output.write([output.Output("--out", out.expanduser().absolute(), data)], force=True)
    changes = "" if book.comparison is None else f", {len(book.comparison.changes)} change(s)"
    print(
        f"wrote {out}: {book.rule_count} rules, {len(book.sources)} sources{changes}\n"
        f"  {book.approval.text}"
    )
    return 0
