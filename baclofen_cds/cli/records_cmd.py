"""Records sub-commands (history, show, reprint) and `recommend --save`.

    baclofen-cds recommend --input CASE.json --save --patient-id MRN-001 --clinician "Dr A"
    baclofen-cds history --patient-id MRN-001 [--format json|text] [--page N] [--page-size N]
    baclofen-cds show ASSESSMENT_ID [--format json|text]
    baclofen-cds reprint ASSESSMENT_ID --handout OUT.pdf [--variant patient|clinician]
                         [--clinician NAME]

Every command takes `--database-url` (also accepted before the command name, or from
BACLOFEN_CDS_DATABASE_URL; default: the SQLite file in the user's data folder).

Exit status: 0 done; 2 bad input (one line naming the field; nothing written); 3 the records
are unavailable (damaged file, server down, newer schema: one plain line, nothing written);
4 a stored assessment cannot be reproduced or is not found.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baclofen_cds.cli import UsageError, records_view
from baclofen_cds.cli.terminal import print_error, write_stdout

if TYPE_CHECKING:
    from baclofen_cds.handout.service import PrintRecord
    from baclofen_cds.logic import Recommendation
    from baclofen_cds.records import RecordStore, StoredAssessment

EXIT_RECORDS_UNAVAILABLE = 3
EXIT_NOT_REPRODUCIBLE = 4


class RecordsCommandFailed(SystemExit):
    """The message is printed to standard error; the process exits with `code`."""

    def __init__(self, message: str, code: int) -> None:
        print_error(message)
        super().__init__(code)


#: Largest record number a database can hold (a signed 64-bit integer).
MAX_RECORD_ID = 2**63 - 1


def record_id(text: str) -> int:
    """An assessment number (argparse type): a whole number from 1, within 64 bits."""
    value = text.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 19 or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an assessment number")
    if int(value) > MAX_RECORD_ID:
        raise argparse.ArgumentTypeError(f"{text!r} is not an assessment number")
    return int(value)


def _bounded(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def _database_argument(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: given after the command it wins; otherwise the top-level value stays.
    parser.add_argument(
        "--database-url",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="records database: sqlite:///PATH or postgresql+psycopg://USER@HOST/DB "
        "(default: BACLOFEN_CDS_DATABASE_URL, else the file in the user's data folder)",
    )


def register(sub: Any) -> None:
    """Add the records sub-commands to the parser."""
    p = sub.add_parser("history", help="list a patient's saved assessments, newest first")
    p.add_argument("--patient-id", required=True, metavar="ID")
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.add_argument(
        "--page", type=_bounded(1, 10**9), default=1, help="page number, from 1 (default 1)"
    )
    p.add_argument("--page-size", type=_bounded(1, 500), default=20, metavar="N")
    _database_argument(p)
    p.set_defaults(handler=run_history)

    p = sub.add_parser("show", help="show one saved assessment in full")
    p.add_argument("assessment_id", type=record_id, metavar="ASSESSMENT_ID")
    p.add_argument("--format", choices=("json", "text"), default="text")
    _database_argument(p)
    p.set_defaults(handler=run_show)

    p = sub.add_parser(
        "reprint", help="print a saved assessment's handout (or summary) again, identically"
    )
    p.add_argument("assessment_id", type=record_id, metavar="ASSESSMENT_ID")
    p.add_argument("--handout", required=True, metavar="OUT.pdf", help="where to write the PDF")
    p.add_argument(
        "--variant",
        choices=("patient", "clinician"),
        default="patient",
        help="patient handout (default) or clinician summary",
    )
    p.add_argument(
        "--clinician", default=None, metavar="NAME", help="who reprints (default: login name)"
    )
    p.add_argument(
        "--force", action="store_true", help="replace an existing file (never a link or device)"
    )
    _database_argument(p)
    p.set_defaults(handler=run_reprint)
    _register_admin(sub)


def _register_admin(sub: Any) -> None:
    p = sub.add_parser("records", help="set up a shared records server; back up the records")
    rsub = p.add_subparsers(dest="records_command", metavar="ACTION", required=True)
    init = rsub.add_parser(
        "init",
        help="create the owner and clinician roles and the schema on a PostgreSQL server "
        "(run as the database owner)",
    )
    _database_argument(init)
    init.set_defaults(handler=run_init)
    backup = rsub.add_parser(
        "backup", help="copy the SQLite records to FILE (consistent while in use)"
    )
    backup.add_argument("--to", required=True, metavar="FILE", help="the backup file to create")
    backup.add_argument(
        "--force", action="store_true", help="replace an existing backup file (never a link)"
    )
    _database_argument(backup)
    backup.set_defaults(handler=run_backup)


def run_init(args: argparse.Namespace) -> int:
    from baclofen_cds.records import InvalidRecord, RecordsUnavailable
    from baclofen_cds.records.admin import init_server

    try:
        done = init_server(getattr(args, "database_url", None))
    except InvalidRecord as exc:
        raise UsageError(str(exc)) from None
    except RecordsUnavailable as exc:
        raise RecordsCommandFailed(str(exc), EXIT_RECORDS_UNAVAILABLE) from None
    print_error(done)
    return 0


def run_backup(args: argparse.Namespace) -> int:
    from baclofen_cds.records import InvalidRecord, RecordsUnavailable
    from baclofen_cds.records.admin import backup_sqlite_file

    try:
        done = backup_sqlite_file(
            getattr(args, "database_url", None), Path(args.to), force=bool(args.force)
        )
    except InvalidRecord as exc:
        raise UsageError(str(exc)) from None
    except RecordsUnavailable as exc:
        raise RecordsCommandFailed(f"not backed up: {exc}", EXIT_RECORDS_UNAVAILABLE) from None
    print_error(done)
    return 0


def add_save_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `recommend` that save the assessment (--save, --patient-id, --clinician)."""
    group = parser.add_argument_group("saving the assessment")
    group.add_argument("--save", action="store_true", help="save the assessment in the records")
    group.add_argument(
        "--patient-id", default=None, metavar="ID", help="the patient's id (default: the case's)"
    )
    group.add_argument("--clinician", default=None, metavar="NAME", help="who made it (required)")
    group.add_argument("--birth-year", type=_bounded(1, 9999), default=None, metavar="YYYY")
    group.add_argument(
        "--uid",
        default=None,
        metavar="UUID",
        help="a UUID naming this save: saving again with the same UUID returns the stored "
        "assessment instead of a second copy (use it to retry after 'outcome unknown')",
    )
    group.add_argument(
        "--supersedes",
        type=record_id,
        default=None,
        metavar="ASSESSMENT_ID",
        help="this assessment corrects an earlier one",
    )
    _database_argument(group)  # type: ignore[arg-type]


def check_save_arguments(args: argparse.Namespace, recommendation: Recommendation) -> None:
    """Refuse bad save options before anything is written (UsageError, exit 2)."""
    if not getattr(args, "save", False):
        return
    case_patient = recommendation.case.get("patient") or {}
    patient_id = args.patient_id or case_patient.get("id")
    if not patient_id:
        raise UsageError("--patient-id is required with --save (the case has no patient.id)")
    if not args.clinician or not str(args.clinician).strip():
        raise UsageError("--clinician is required with --save")
    from baclofen_cds.records.types import CLINICIAN_MAX

    if len(str(args.clinician)) > CLINICIAN_MAX:
        raise UsageError(f"--clinician: must be at most {CLINICIAN_MAX} characters")
    case_id = case_patient.get("id")
    if case_id and str(case_id).strip() != str(patient_id).strip():
        # Checked before the records are opened: a mistyped id creates nothing at all.
        raise UsageError(
            f"not saved: --patient-id {patient_id!r} is not the patient id in the case "
            f"({case_id!r})"
        )
    if getattr(args, "uid", None):
        from baclofen_cds.records import InvalidRecord
        from baclofen_cds.records.validation import uid

        try:
            args.uid = uid("--uid", args.uid)
        except InvalidRecord as exc:
            raise UsageError(str(exc)) from None


def save_if_asked(
    args: argparse.Namespace,
    recommendation: Recommendation,
    pdfs: Sequence[Any],
    *,
    acknowledgements: Sequence[Any] = (),
) -> int | None:
    """Store the assessment (with the PDFs printed in this run and the acknowledgements
    given) when `--save` was given; return its number, or None when not asked.

    `pdfs`: (variant, pdf_bytes) or (variant, pdf_bytes, render_options) tuples, or
    `PrintedPdf`; the date printed on them defaults to today (`--today` in tests).
    `acknowledgements`: `logic.acknowledgement.GivenAcknowledgement`s (stored as overrides
    with their reason code; the case's `override` is stored with the case).

    Prints "saved as assessment N" to standard error. Bad options raise `UsageError`
    (exit 2); unavailable records exit 3 with one plain line and no traceback; a connection
    lost while committing says "outcome unknown — check history" (exit 3).
    """
    if not getattr(args, "save", False):
        if getattr(args, "patient_id", None) or getattr(args, "clinician", None):
            print(
                "baclofen-cds: note: not saved (add --save to save the assessment)",
                file=sys.stderr,
            )
        return None
    import uuid

    from baclofen_cds.records import (
        InvalidRecord,
        OutcomeUnknown,
        PatientDetails,
        RecordNotFound,
        RecordsError,
        as_overrides,
    )

    check_save_arguments(args, recommendation)
    details = PatientDetails.from_case(
        recommendation.case, external_id=args.patient_id or None, birth_year=args.birth_year
    )
    assert details is not None  # check_save_arguments: a patient id is given
    prints = [_with_print_options(item, args) for item in pdfs]
    acks = as_overrides(acknowledgements)
    # Every save carries a uid: a retry after an unknown outcome can then never duplicate it.
    key = getattr(args, "uid", None) or str(uuid.uuid4())
    try:
        with _open(args, prefix="not saved: ") as store:
            aid = store.save_assessment(
                recommendation,
                patient=details,
                clinician=args.clinician,
                supersedes=args.supersedes,
                acknowledgements=acks,
                prints=prints,
                uid=key,
            )
            where = store.location
    except InvalidRecord as exc:
        raise UsageError(f"not saved: {exc}") from None
    except RecordNotFound as exc:
        raise UsageError(f"not saved: {exc}") from None
    except OutcomeUnknown as exc:
        raise RecordsCommandFailed(str(exc), EXIT_RECORDS_UNAVAILABLE) from None
    except RecordsError as exc:
        raise RecordsCommandFailed(
            f"not saved: records unavailable: {exc}", EXIT_RECORDS_UNAVAILABLE
        ) from None
    print(f"baclofen-cds: saved as assessment {aid} ({where}; uid {key})", file=sys.stderr)
    return int(aid)


def _with_print_options(item: Any, args: argparse.Namespace) -> Any:
    """A printed PDF with at least the date printed on it (needed to reprint it identically)."""
    from baclofen_cds.records import PrintedPdf

    if isinstance(item, PrintedPdf):
        return item
    if not isinstance(item, tuple):  # a handout.service.PrintRecord
        item = item.as_tuple()
    variant, pdf, *rest = item
    options = dict(rest[0]) if rest else {}
    options.setdefault("printed_on", args.today)  # set by `main` (the edge) or --today
    return PrintedPdf(variant, pdf, options)


def _open(args: argparse.Namespace, *, prefix: str = "") -> RecordStore:
    from baclofen_cds.records import RecordsUnavailable, open_store

    try:
        return open_store(getattr(args, "database_url", None))
    except RecordsUnavailable as exc:
        raise RecordsCommandFailed(
            f"{prefix}records unavailable: {exc}", EXIT_RECORDS_UNAVAILABLE
        ) from None


def _get(store: RecordStore, assessment_id: int) -> StoredAssessment:
    from baclofen_cds.records import RecordIntegrityError, RecordNotFound, RecordsUnavailable

    try:
        return store.get_assessment(assessment_id)
    except RecordNotFound as exc:
        raise RecordsCommandFailed(str(exc), EXIT_NOT_REPRODUCIBLE) from None
    except RecordIntegrityError as exc:
        raise RecordsCommandFailed(str(exc), EXIT_NOT_REPRODUCIBLE) from None
    except RecordsUnavailable as exc:
        raise RecordsCommandFailed(
            f"records unavailable: {exc}", EXIT_RECORDS_UNAVAILABLE
        ) from None


# ---------------------------------------------------------------------------- history
def run_history(args: argparse.Namespace) -> int:
    from baclofen_cds.records import InvalidRecord, RecordsUnavailable

    if args.page < 1:
        raise UsageError("--page must be 1 or more")
    with _open(args) as store:
        try:
            rows = store.history(args.patient_id, page=args.page - 1, page_size=args.page_size)
            total = store.count_history(args.patient_id)
        except InvalidRecord as exc:
            raise UsageError(str(exc)) from None
        except RecordsUnavailable as exc:
            raise RecordsCommandFailed(
                f"records unavailable: {exc}", EXIT_RECORDS_UNAVAILABLE
            ) from None
    if args.format == "json":
        payload = {
            "patient_id": args.patient_id,
            "total": total,
            "page": args.page,
            "page_size": args.page_size,
            "assessments": [records_view.summary_dict(r) for r in rows],
        }
        import json

        write_stdout(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return 0
    write_stdout(records_view.history_text(args.patient_id, rows, total, args.page, args.page_size))
    return 0


# ---------------------------------------------------------------------------- show
def run_show(args: argparse.Namespace) -> int:
    with _open(args) as store:
        stored = _get(store, args.assessment_id)
    if args.format == "json":
        import json

        write_stdout(
            json.dumps(records_view.stored_dict(stored), ensure_ascii=False, indent=2) + "\n"
        )
        return 0
    write_stdout(records_view.stored_text(stored))
    return 0


# ---------------------------------------------------------------------------- reprint
def run_reprint(args: argparse.Namespace) -> int:
    from baclofen_cds.cli import handout_io
    from baclofen_cds.handout.service import write_prints
    from baclofen_cds.records import RecordsError
    from baclofen_cds.records.reproduce import NotReproducible, reproduce

    out = Path(args.handout).expanduser().absolute()
    force = bool(getattr(args, "force", False))
    handout_io.check_target("--handout", out, force=force)
    who = args.clinician or _login_name()
    if len(who) > handout_io.MAX_NAME_CHARS:
        raise UsageError(f"--clinician: must be at most {handout_io.MAX_NAME_CHARS} characters")
    with _open(args) as store:
        stored = _get(store, args.assessment_id)
        try:
            rec = reproduce(stored)
        except NotReproducible as exc:
            raise RecordsCommandFailed(f"not reprinted: {exc}", EXIT_NOT_REPRODUCIBLE) from None
        variant = args.variant
        # The first print of this variant is the original: a reprint repeats its options.
        earlier = [p for p in stored.prints if p.variant == variant][:1]
        options = dict(earlier[0].options) if earlier else {}
        options.pop("reprint", None)
        printed = _render_stored(rec, variant, options, default_day=stored.created_at)

        def record(prints: Sequence[PrintRecord]) -> str:
            # Staged first, recorded, then renamed into place: a reprint that cannot be
            # recorded leaves no file, and a recorded reprint names a file that exists.
            try:
                return store.record_print(
                    stored.id,
                    variant=variant,
                    pdf=prints[0].pdf,
                    printed_by=who,
                    options={**prints[0].options, "reprint": True},
                )
            except RecordsError as exc:
                raise RecordsCommandFailed(
                    f"not reprinted: the reprint could not be recorded: {exc}",
                    EXIT_RECORDS_UNAVAILABLE,
                ) from None

        with handout_io.usage_errors():
            digest = write_prints([printed.to("--handout", out)], force=force, record=record)
    if earlier and earlier[0].pdf_sha256 == digest:
        print(
            f"baclofen-cds: reprinted assessment #{stored.id} to {out}: identical to the "
            f"handout printed {records_view.when(earlier[0].printed_at)}",
            file=sys.stderr,
        )
    elif earlier:
        print(
            f"baclofen-cds: warning: the reprint of assessment #{stored.id} differs from the "
            f"handout printed {records_view.when(earlier[0].printed_at)} (the handout layout "
            "changed?); the dosing content comes from the same recomputed result",
            file=sys.stderr,
        )
    else:
        print(
            f"baclofen-cds: printed assessment #{stored.id} to {out} (no earlier print recorded)",
            file=sys.stderr,
        )
    return 0


def _render_stored(
    recommendation: Recommendation, variant: str, options: dict[str, Any], *, default_day: Any
) -> PrintRecord:
    """A stored print made again with its options (the print service); a print recorded
    without a date is dated the day the assessment was saved."""
    from baclofen_cds.handout.service import PrintError, PrintOptions, render

    used = PrintOptions.from_recorded(
        "clinician" if variant == "clinician" else "patient",
        options,
        default_day=default_day.date(),
    )
    try:
        return render(recommendation, used)
    except PrintError as exc:
        raise UsageError(f"--handout: {exc}") from None


def _login_name() -> str:
    try:
        import getpass

        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"
