"""Handout options of `recommend`: the patient handout and the clinician summary as PDF files.

    baclofen-cds recommend --input CASE.json --handout OUT.pdf [--large-print] [--no-diary]
        [--clinician-summary OUT.pdf] [--paper a4|letter] [--prescriber NAME] [--force]

Nothing is written until everything is known to be right, and what is written is true.
This module only turns the options into the print service's requests
(`baclofen_cds.handout.service`): `render_handouts` checks the paths and renders every PDF in
memory (a bad path, a case without a regimen or a name too long to lay out: exit 2, nothing
written); `service.write_prints` stages them, lets the caller save the assessment, and
publishes them. A target that is not a regular file (a symbolic link, a device, a pipe, a
folder) is never replaced; an existing file is replaced only with `--force`; two outputs (or
an output and the input) that resolve to the same file are refused.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baclofen_cds.cli import UsageError

if TYPE_CHECKING:
    from baclofen_cds.handout.service import PrintRecord

PAPERS = ("a4", "letter")


def add_handout_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("printing")
    group.add_argument(
        "--handout", default=None, metavar="OUT.pdf", help="write the patient handout PDF here"
    )
    group.add_argument(
        "--large-print", action="store_true", help="large-print handout (body text 18 pt)"
    )
    group.add_argument(
        "--clinician-summary",
        default=None,
        metavar="OUT.pdf",
        help="write the one-page clinician summary PDF here",
    )
    group.add_argument("--paper", choices=PAPERS, default="a4", help="paper size (default a4)")
    group.add_argument(
        "--no-diary", action="store_true", help="leave out the dose diary (the two pages only)"
    )
    group.add_argument(
        "--force",
        action="store_true",
        help="replace an existing PDF file (a link, device or folder is never replaced)",
    )
    group.add_argument(
        "--prescriber",
        default=None,
        metavar="NAME",
        help="prescriber printed on the handout (default: --clinician)",
    )


#: Longest prescriber or clinician name printed on a handout (as the records keep it).
MAX_NAME_CHARS = 200


@contextmanager
def usage_errors() -> Iterator[None]:
    """The print service's refusals as the command line's bad-input errors (exit 2)."""
    from baclofen_cds.handout.output import OutputError

    try:
        yield
    except OutputError as exc:
        raise UsageError(str(exc)) from None


def check_target(option: str, path: Path, *, force: bool) -> None:
    """Refuse a target that must not be written (`handout.output.check_target`)."""
    from baclofen_cds.handout.output import check_target as check

    with usage_errors():
        check(option, path, force=force)


def same_file(a: Path, b: Path) -> bool:
    from baclofen_cds.handout.output import same_file as same

    return same(a, b)


def write_handouts(
    args: argparse.Namespace, case: Any, recommendation: Any, policy: Any
) -> list[tuple[str, bytes, dict[str, Any]]]:
    """Render and write the PDFs asked for (no save in between); return what was printed
    as (variant, pdf, render options)."""
    from baclofen_cds.handout.service import write_prints

    printed = render_handouts(args, case, recommendation, policy)
    with usage_errors():
        write_prints(printed, force=bool(getattr(args, "force", False)))
    return [p.as_tuple() for p in printed]


def render_handouts(
    args: argparse.Namespace, case: Any, recommendation: Any, policy: Any
) -> list[PrintRecord]:
    """Check the output paths and render the PDFs asked for, in memory: the prints with
    their targets. Raises `UsageError` (nothing written) on any problem."""
    del case, policy  # the recommendation carries the normalised case and the policy
    handout_path = _path("--handout", getattr(args, "handout", None))
    summary_path = _path("--clinician-summary", getattr(args, "clinician_summary", None))
    if handout_path is None and summary_path is None:
        if getattr(args, "large_print", False):
            raise UsageError("--large-print needs --handout OUT.pdf")
        return []
    from baclofen_cds.handout.service import PrintError, PrintOptions, render

    force = bool(getattr(args, "force", False))
    for option, path in (("--handout", handout_path), ("--clinician-summary", summary_path)):
        if path is not None:
            check_target(option, path, force=force)
    if handout_path is not None and summary_path is not None:  # noqa: SIM102
        if same_file(handout_path, summary_path):
            raise UsageError(
                f"--clinician-summary: {summary_path} is the same file as --handout; "
                "give two different files"
            )
    source = getattr(args, "input", None)
    if source and source != "-":
        for option, path in (("--handout", handout_path), ("--clinician-summary", summary_path)):
            if path is not None and same_file(path, Path(source).expanduser().absolute()):
                raise UsageError(f"{option}: {path} is the case file given with --input")

    printed_on = date.fromisoformat(args.today)  # set by `main` (the edge) or --today
    prescriber = _prescriber(args)
    paper = getattr(args, "paper", "a4") or "a4"
    requests: list[tuple[str, Path, PrintOptions]] = []
    if handout_path is not None:
        requests.append(
            (
                "--handout",
                handout_path,
                PrintOptions(
                    "patient",
                    printed_on=printed_on,
                    prescriber=prescriber,
                    paper=paper,
                    large_print=bool(getattr(args, "large_print", False)),
                    diary=not getattr(args, "no_diary", False),
                ),
            )
        )
    if summary_path is not None:
        requests.append(
            (
                "--clinician-summary",
                summary_path,
                PrintOptions(
                    "clinician",
                    printed_on=printed_on,
                    prescriber=prescriber,
                    paper=paper,
                    acknowledgements=getattr(args, "printed_acknowledgements", None) or {},
                ),
            )
        )
    printed: list[PrintRecord] = []
    for option, path, options in requests:
        try:
            made = render(recommendation, options)
        except PrintError as exc:
            raise UsageError(f"{option}: {exc}") from None
        printed.append(made.to(option, path))
        if made.unprintable:
            shown = " ".join(f"U+{ord(c):04X}" for c in made.unprintable)
            print(
                f"baclofen-cds: note: the handout font has no glyph for {shown}; "
                "it is printed as a replacement mark (\ufffd)",
                file=sys.stderr,
            )
    return printed


def _path(option: str, value: str | None) -> Path | None:
    if value is None:
        return None
    if not str(value).strip():
        raise UsageError(f"{option}: the file name is empty")
    if "\x00" in str(value):
        raise UsageError(f"{option}: the file name contains a NUL character")
    return Path(value).expanduser().absolute()


def _prescriber(args: argparse.Namespace) -> str | None:
    for name in ("prescriber", "clinician"):
        value = getattr(args, name, None)
        if value and str(value).strip():
            text = " ".join(str(value).split())
            if len(text) > MAX_NAME_CHARS:
                raise UsageError(f"--{name}: must be at most {MAX_NAME_CHARS} characters")
            return text
    return None
