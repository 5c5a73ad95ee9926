"""Command line: `baclofen-cds` opens the window; sub-commands work headless.

This is the top floor: it wires logic, records, handout and ui together. Heavy modules
(SQLAlchemy, reportlab, Qt) are imported inside the commands that need them, so that
`recommend` stays quick and the window starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from baclofen_cds import __version__


class UsageError(Exception):
    """A bad argument or input: printed as one line, exit status 2."""


#: Sub-command names. Without one, `baclofen-cds` opens the window, and the sub-command
#: modules are not even imported (they cost ~30 ms before the first paint).
COMMANDS: tuple[str, ...] = (
    "recommend",
    "knowledge",
    "history",
    "show",
    "reprint",
    "records",
    "fhir",
)


#: The module that registers each sub-command (`register(sub)`).
COMMAND_MODULES: dict[str, str] = {
    "recommend": "recommend_cmd",
    "knowledge": "knowledge_cmd",
    "history": "records_cmd",
    "show": "records_cmd",
    "reprint": "records_cmd",
    "records": "records_cmd",
    "fhir": "fhir_cmd",
}


def _terminal_columns() -> int:
    """`shutil.get_terminal_size().columns`, computed as shutil does (COLUMNS, then the
    terminal of standard output, then 80)."""
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's own formatter and width, without importing shutil for the width: argparse
    makes a formatter for every argument it adds (shutil, bz2, lzma: ~1.7 ms of a
    `recommend` that prints no help)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """The parser of the command and of its sub-commands (add_subparsers makes its own kind)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser(
    *, with_commands: bool = True, only: Sequence[str] | None = None
) -> argparse.ArgumentParser:
    """The argument parser; with `only` (command names), just those commands' modules are
    imported and registered (a plain `recommend` builds one sub-command, not seven)."""
    parser = _Parser(
        prog="baclofen-cds",
        description="Clinical decision support for oral baclofen (for licensed clinicians).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--startup-check",
        action="store_true",
        help="open the window, wait for its first paint, print the milliseconds and exit",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="records database (default: SQLite in the user's data folder; "
        "or set BACLOFEN_CDS_DATABASE_URL)",
    )
    from baclofen_cds.cli import policy_opts

    policy_opts.add_policy_file_argument(parser)
    if not with_commands:
        parser.set_defaults(command=None)
        parser.epilog = f"commands: {', '.join(COMMANDS)} (see baclofen-cds COMMAND --help)"
        return parser
    import importlib

    wanted = set(COMMANDS if only is None else only)
    modules = dict.fromkeys(COMMAND_MODULES[c] for c in COMMANDS if c in wanted)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        importlib.import_module(f"baclofen_cds.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line. Every failure is one line on standard error with its exit
    status (README: 2 bad input, 3 records unavailable, 4 not reproducible, 5 output could
    not be written); control characters never reach the terminal raw (cli.terminal)."""
    import gc

    from baclofen_cds.cli.terminal import SafeStream

    saved = sys.stdout, sys.stderr
    if sys.stdout is not None:
        sys.stdout = SafeStream(sys.stdout)
    if sys.stderr is not None:
        sys.stderr = SafeStream(sys.stderr)
    # A command is short and bounded (inputs have size limits): the cyclic garbage collector
    # only costs it time (~5-10 ms of a 90 ms `recommend`, scanning the objects made by the
    # imports and the knowledge base). Reference counting still frees everything else; the
    # collector is back on when the command returns (the window: once it is ready, ui.app).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(argv)
    finally:
        if collecting:
            gc.enable()
        if isinstance(sys.stdout, SafeStream):
            sys.stdout = saved[0]
        if isinstance(sys.stderr, SafeStream):
            sys.stderr = saved[1]


def _main(argv: Sequence[str] | None) -> int:
    import os

    from baclofen_cds.cli.terminal import EXIT_OUTPUT_FAILED, OutputFailed, print_error

    words = list(sys.argv[1:] if argv is None else argv)
    named = [w for w in words if w in COMMANDS]
    parser = build_parser(with_commands=bool(named), only=named)
    args = parser.parse_args(words)
    if getattr(args, "today", None) is None:  # the commands' one read of the wall clock
        args.today = date.today().isoformat()
    try:
        if args.command is None:  # the window turns the collector back on once it is ready
            from baclofen_cds.cli import gui_cmd

            return gui_cmd.run(args)
        handler = args.handler
        return int(handler(args))
    except UsageError as exc:
        print_error(f"error: {exc}")
        return 2
    except OutputFailed as exc:
        print_error(f"error: {exc}")
        return EXIT_OUTPUT_FAILED
    except KeyboardInterrupt:
        return 130
    except (SystemExit, GeneratorExit):
        raise
    except Exception as exc:  # the last guard: one line, never a traceback with patient data
        if os.environ.get("BACLOFEN_CDS_DEBUG"):
            raise
        print_error(
            f"internal error ({type(exc).__name__}); nothing more was done. "
            "Set BACLOFEN_CDS_DEBUG=1 to see the details, and please report it."
        )
        return EXIT_INTERNAL_ERROR


#: Exit status of an unexpected error (EX_SOFTWARE); the message says nothing more was done.
EXIT_INTERNAL_ERROR = 70


def entry() -> None:
    """The `baclofen-cds` program (console script and `python -m baclofen_cds`): run `main`,
    then leave.

    After a sub-command, the process ends without tearing the interpreter down (module by
    module, object by object: ~10 ms of a 90 ms `recommend`): the output is flushed, the
    atexit handlers run, and the status is returned to the shell exactly as before. The
    window, a failed flush (a closed pipe) or a thread still running leave the usual way."""
    words = sys.argv[1:]
    status = main()
    if not any(w in COMMANDS for w in words):
        raise SystemExit(status)
    _leave(status)


def _leave(status: int) -> None:
    import atexit
    import os

    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # the interpreter reports it and sets the status, as before
        raise SystemExit(status) from None
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        raise SystemExit(status)
    atexit._run_exitfuncs()
    os._exit(status)
