"""`baclofen-cds recommend`: a case in, the recommendation out (JSON contract or text)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baclofen_cds.cli import UsageError
from baclofen_cds.cli.terminal import write_stdout

if TYPE_CHECKING:
    from baclofen_cds.handout.service import PrintRecord


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
    add_acknowledgement_arguments(p)
    records_cmd.add_save_arguments(p)
    p.set_defaults(handler=run)


def add_acknowledgement_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "acknowledging critical alerts (needed before --handout, --clinician-summary or --save)"
    )
    group.add_argument(
        "--acknowledge",
        action="append",
        default=[],
        metavar="ALERT_ID=REASON_CODE[:COMMENT]",
        help="acknowledge one alert with a coded reason (repeatable); "
        "`knowledge reasons` lists the codes",
    )
    group.add_argument(
        "--acknowledge-all",
        default=None,
        metavar="REASON_CODE",
        help="acknowledge every critical alert not named by --acknowledge with this reason",
    )


def acknowledgements_from(args: argparse.Namespace, kb: Any, rec: Any) -> list[Any]:
    """The acknowledgements given on the command line, checked against the result.

    With --handout, --clinician-summary or --save, every critical alert must be acknowledged:
    otherwise UsageError naming them (nothing is written)."""
    from baclofen_cds.logic.acknowledgement import (
        AcknowledgementError,
        acknowledge,
        unacknowledged_critical,
    )

    given: dict[str, tuple[str, str]] = {}
    for item in getattr(args, "acknowledge", None) or []:
        alert_id, sep, rest = str(item).partition("=")
        code, _, comment = rest.partition(":")
        alert_id, code = alert_id.strip(), code.strip()
        if not sep or not alert_id or not code:
            raise UsageError(f"--acknowledge: {item!r} is not ALERT_ID=REASON_CODE")
        if alert_id in given:
            raise UsageError(f"--acknowledge: {alert_id!r} is acknowledged twice")
        given[alert_id] = (code, comment)
    all_reason = getattr(args, "acknowledge_all", None)
    try:
        acks = acknowledge(kb, rec.alerts, given, all_reason=all_reason)
    except AcknowledgementError as exc:
        option = "--acknowledge-all" if all_reason and all_reason in str(exc) else "--acknowledge"
        raise UsageError(f"{option}: {exc}") from None
    writes = (
        getattr(args, "handout", None)
        or getattr(args, "clinician_summary", None)
        or getattr(args, "save", False)
    )
    pending = unacknowledged_critical(rec.alerts, (a.alert_id for a in acks))
    if writes and pending:
        ids = ", ".join(str(a.id) for a in pending)
        raise UsageError(
            f"--acknowledge: critical alert{'s' if len(pending) > 1 else ''} not acknowledged: "
            f"{ids}; nothing was printed or saved (add --acknowledge ALERT_ID=REASON_CODE "
            "or --acknowledge-all REASON_CODE)"
        )
    return acks


def read_case(source: str) -> Any:
    """The case JSON from a file or standard input; UsageError with one clear line otherwise.

    Strict (logic.case.loads_case): duplicate keys, NaN/Infinity, over-long numbers, deep
    nesting and input over the size limit are refused, naming the field.
    """
    from baclofen_cds.logic.case import MAX_CASE_BYTES, CaseInputError, loads_case

    try:
        if source == "-":
            if sys.stdin is None:
                raise UsageError("input: standard input is closed")
            stdin: Any = getattr(sys.stdin, "buffer", sys.stdin)
            raw = stdin.read(MAX_CASE_BYTES + 1)
            where = "standard input"
        else:
            path = Path(source)
            if not path.is_file():
                raise UsageError(f"input: no such file: {source}")
            with path.open("rb") as handle:
                raw = handle.read(MAX_CASE_BYTES + 1)
            where = source
    except OSError as exc:
        raise UsageError(f"input: cannot read {source}: {exc.strerror or exc}") from None
    try:
        return loads_case(raw, where)
    except CaseInputError as exc:
        raise UsageError(f"input: {exc.message}" if exc.field == "case" else str(exc)) from None


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
    """Compute; check acknowledgements; render; stage the PDFs; save; publish; print.

    The save comes before any file appears: a refused or failed save leaves nothing behind,
    and a saved print record always names a PDF that was written (handout.service)."""
    from baclofen_cds.cli import handout_io, policy_opts, records_cmd
    from baclofen_cds.logic.acknowledgement import printed_reasons
    from baclofen_cds.logic.summary import clinician_note

    today = date.fromisoformat(args.today)  # set by `main` (the edge) or --today
    overrides = policy_opts.policy_overrides(args)
    data = read_case(args.input)
    kb, case, policy, rec = compute(data, today, overrides)
    acks = acknowledgements_from(args, kb, rec)
    args.printed_acknowledgements = printed_reasons(kb, acks)
    printed = handout_io.render_handouts(args, case, rec, policy)
    also = []
    if args.fhir_out:
        from baclofen_cds.cli import fhir_cmd

        fhir = fhir_cmd.plan_output(args, rec, kb, today, acks)
        if any(p.target and handout_io.same_file(fhir.target, p.target) for p in printed):
            raise UsageError(f"--fhir-out: {fhir.target} is also a PDF output; give another file")
        also.append(fhir)
    records_cmd.check_save_arguments(args, rec)
    if printed or also or getattr(args, "save", False):
        _write_and_save(args, rec, printed, also, acks)
    else:  # nothing to write: only the "not saved" note for a patient id or clinician
        records_cmd.save_if_asked(args, rec, (), acknowledgements=acks)
    out = rec.to_json() if args.format == "json" else clinician_note(rec)
    write_stdout(out)
    return 0


def _write_and_save(
    args: argparse.Namespace, rec: Any, printed: list[Any], also: list[Any], acks: list[Any]
) -> None:
    """Stage the outputs, save (when asked), publish (handout.service): nothing to do, and
    nothing imported, for a plain recommend."""
    from baclofen_cds.cli import handout_io, records_cmd
    from baclofen_cds.handout.service import PublishError, write_prints

    def save(prints: Sequence[PrintRecord]) -> int | None:
        return records_cmd.save_if_asked(args, rec, prints, acknowledgements=acks)

    try:
        with handout_io.usage_errors():
            write_prints(printed, force=bool(getattr(args, "force", False)), record=save, also=also)
    except PublishError as exc:
        if exc.recorded is None:
            raise UsageError(str(exc)) from None
        raise UsageError(
            f"{exc} (the assessment was saved as {exc.recorded} and lists this print)"
        ) from None
