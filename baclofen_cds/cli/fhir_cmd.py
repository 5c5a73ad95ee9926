"""`baclofen-cds fhir import`: a patient from a FHIR R4 file or server, printed as a case."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baclofen_cds.cli import UsageError

if TYPE_CHECKING:
    from baclofen_cds.handout.output import Output


def register(sub: Any) -> None:
    p = sub.add_parser("fhir", help="FHIR R4: import a patient from the record")
    fsub = p.add_subparsers(dest="fhir_command", metavar="ACTION", required=True)
    imp = fsub.add_parser(
        "import",
        help="print the case built from a FHIR Bundle or resource (FILE), or from a server",
    )
    imp.add_argument("file", nargs="?", default=None, metavar="FILE", help="FHIR JSON file")
    imp.add_argument("--server", default=None, metavar="URL", help="FHIR server base URL")
    imp.add_argument("--patient", default=None, metavar="ID", help="Patient id on the server")
    imp.add_argument(
        "--start-date", default=None, metavar="YYYY-MM-DD", help="start date (default: today)"
    )
    imp.add_argument(
        "--indication",
        default=None,
        metavar="CODE",
        help="add the indication (a record does not hold it), e.g. spasticity",
    )
    imp.add_argument(
        "--timeout", type=float, default=20.0, metavar="SECONDS", help="server timeout"
    )
    imp.add_argument("--output", default=None, metavar="FILE", help="write the case here")
    imp.add_argument(
        "--force", action="store_true", help="replace an existing --output file (never a link)"
    )
    imp.add_argument("--today", default=None, help=argparse.SUPPRESS)  # tests: fixed 'today'
    imp.set_defaults(handler=run_import)


def _start_date(args: argparse.Namespace) -> date:
    today = date.fromisoformat(args.today)  # set by `main` (the edge) or --today
    if not args.start_date:
        return today
    try:
        return date.fromisoformat(args.start_date)
    except ValueError:
        raise UsageError(f"--start-date: {args.start_date!r} is not a date (YYYY-MM-DD)") from None


def read_file(path_text: str) -> Any:
    path = Path(path_text)
    if not path.is_file():
        raise UsageError(f"fhir: no such file: {path_text}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"fhir: cannot read {path_text}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"fhir: {path_text} is not FHIR JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def write_file(option: str, path: Path, data: bytes, *, force: bool = False) -> None:
    """Whole or not at all, private, never replacing a link or device (as the PDFs)."""
    from baclofen_cds.cli import handout_io
    from baclofen_cds.handout import output

    target = path.expanduser().absolute()
    with handout_io.usage_errors():
        output.write([output.Output(option, target, data)], force=force)


def plan_output(args: argparse.Namespace, rec: Any, kb: Any, today: date, acks: Any = ()) -> Output:
    """`recommend --fhir-out FILE`: the plan as a FHIR R4 Bundle, as an output staged and
    published with the PDFs (whole or not at all, after the save, never replacing a link)."""
    from baclofen_cds import __version__
    from baclofen_cds.cli import handout_io
    from baclofen_cds.fhir.export import Acknowledgement, bundle_json, plan_bundle
    from baclofen_cds.handout.output import Output
    from baclofen_cds.logic.acknowledgement import reason_labels

    path = Path(args.fhir_out).expanduser().absolute()
    handout_io.check_target("--fhir-out", path, force=bool(getattr(args, "force", False)))
    labels = reason_labels(kb)
    acknowledged = {
        a.alert_id: Acknowledgement(
            code=a.reason_code, label=labels.get(a.reason_code, a.reason_code), comment=a.comment
        )
        for a in acks
    }
    bundle = plan_bundle(
        rec,
        kb,
        created=f"{today.isoformat()}T00:00:00+00:00",  # the day of the plan (one clock)
        app_version=__version__,
        acknowledgements=acknowledged,
    )
    return Output("--fhir-out", path, bundle_json(bundle).encode("utf-8"))


def run_import(args: argparse.Namespace) -> int:
    from baclofen_cds.fhir import FhirInputError, MappingError
    from baclofen_cds.fhir.importer import import_case
    from baclofen_cds.fhir.resources import read_resources
    from baclofen_cds.logic import KnowledgeBaseError, load_knowledge_base, load_policy

    start = _start_date(args)
    if (args.file is None) == (args.server is None):
        raise UsageError("fhir import: give a FILE or --server URL --patient ID (one of them)")
    if args.server is not None and not args.patient:
        raise UsageError("fhir import: --server needs --patient ID")
    try:
        kb = load_knowledge_base()
        policy = load_policy(kb)
    except KnowledgeBaseError as exc:
        raise UsageError(f"knowledge base is broken, nothing imported: {exc}") from None
    try:
        if args.file is not None:
            data = read_file(args.file)
            resources, skipped = read_resources(data, args.file)
            source = f"FHIR file {Path(args.file).name}"
        else:
            from baclofen_cds.fhir.client import FhirServerError, bearer_token, fetch_patient

            try:
                resources, skipped = fetch_patient(
                    args.server, args.patient, kb, token=bearer_token(), timeout=args.timeout
                )
            except FhirServerError as exc:
                raise UsageError(f"fhir: {exc}") from None
            source = f"FHIR server {args.server} Patient/{args.patient}"
        case = import_case(resources, kb, policy, start_date=start, source=source, skipped=skipped)
    except FhirInputError as exc:
        raise UsageError(f"fhir: {exc}") from None
    except MappingError as exc:
        raise UsageError(f"knowledge base is broken, nothing imported: {exc}") from None
    if args.indication is not None:
        if args.indication not in kb.indications:
            raise UsageError(
                f"--indication: {args.indication!r} is not one of {', '.join(kb.indications)}"
            )
        case["indication"] = args.indication
        case["provenance"]["missing"].remove("indication")
    text = json.dumps(case, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        write_file("--output", Path(args.output), text.encode("utf-8"), force=bool(args.force))
    else:
        from baclofen_cds.cli.terminal import write_stdout

        write_stdout(text)
    return 0
