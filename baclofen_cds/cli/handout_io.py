"""Handout options of `recommend`: the patient handout and the clinician summary as PDF files.

    baclofen-cds recommend --input CASE.json --handout OUT.pdf [--large-print]
        [--clinician-summary OUT.pdf] [--paper a4|letter] [--prescriber NAME]

Everything is rendered before anything is written, and each file is written through a
temporary file in the same folder, so a bad path or a case without a regimen leaves no
half-written PDF. `write_handouts` returns what was printed as (variant, pdf, options)
tuples for `records_cmd.save_if_asked`; the options are exactly what is needed to print the
same bytes again (`records_cmd.render_patient_handout`).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from baclofen_cds.cli import UsageError

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
        "--prescriber",
        default=None,
        metavar="NAME",
        help="prescriber printed on the handout (default: --clinician)",
    )


def write_handouts(
    args: argparse.Namespace, case: Any, recommendation: Any, policy: Any
) -> list[tuple[str, bytes, dict[str, Any]]]:
    """Render and write the PDFs asked for; return (variant, pdf, render options) for each."""
    del case, policy  # the recommendation carries the normalised case and the policy
    handout_path = _path("--handout", getattr(args, "handout", None))
    summary_path = _path("--clinician-summary", getattr(args, "clinician_summary", None))
    if handout_path is None and summary_path is None:
        if getattr(args, "large_print", False):
            raise UsageError("--large-print needs --handout OUT.pdf")
        return []
    for option, path in (("--handout", handout_path), ("--clinician-summary", summary_path)):
        if path is not None:
            _check_writable(option, path)
    if handout_path is not None and handout_path == summary_path:
        raise UsageError("--clinician-summary: must not be the same file as --handout")

    today = getattr(args, "today", None)
    printed_on = date.fromisoformat(today) if today else date.today()
    prescriber = _prescriber(args)
    paper = getattr(args, "paper", "a4") or "a4"
    printed: list[tuple[str, bytes, dict[str, Any]]] = []
    outputs: list[tuple[str, Path, bytes]] = []
    if handout_path is not None:
        from baclofen_cds.handout import render_handout
        from baclofen_cds.handout.fonts import unprintable_characters
        from baclofen_cds.logic.handout_content import HandoutError, build_handout

        try:
            content = build_handout(recommendation, printed_on=printed_on, prescriber=prescriber)
        except HandoutError as exc:
            raise UsageError(f"--handout: {exc}") from None
        large = bool(getattr(args, "large_print", False))
        diary = not getattr(args, "no_diary", False)
        pdf = render_handout(content, large_print=large, paper=paper, diary=diary)
        options = {
            "printed_on": printed_on.isoformat(),
            "prescriber": prescriber,
            "large_print": large,
            "paper": paper,
        }
        if not diary:
            options["diary"] = False  # recorded only when not the default: old reprints match
        printed.append(("patient", pdf, options))
        outputs.append(("--handout", handout_path, pdf))
        missing = unprintable_characters(f"{content.patient_name} {prescriber or ''}")
        if missing:
            shown = " ".join(f"U+{ord(c):04X}" for c in missing)
            print(
                f"baclofen-cds: note: the handout font has no glyph for {shown}; "
                "it is printed as a replacement mark (\ufffd)",
                file=sys.stderr,
            )
    if summary_path is not None:
        from baclofen_cds.handout import render_clinician_summary
        from baclofen_cds.logic.handout_summary import build_clinician_summary

        summary = build_clinician_summary(
            recommendation, printed_on=printed_on, prescriber=prescriber
        )
        pdf = render_clinician_summary(summary, paper=paper)
        printed.append(
            (
                "clinician",
                pdf,
                {"printed_on": printed_on.isoformat(), "prescriber": prescriber, "paper": paper},
            )
        )
        outputs.append(("--clinician-summary", summary_path, pdf))
    for option, path, pdf in outputs:
        _write_atomically(option, path, pdf)
    return printed


def _path(option: str, value: str | None) -> Path | None:
    if value is None:
        return None
    if not str(value).strip():
        raise UsageError(f"{option}: the file name is empty")
    return Path(value).expanduser().absolute()


def _prescriber(args: argparse.Namespace) -> str | None:
    for name in ("prescriber", "clinician"):
        value = getattr(args, name, None)
        if value and str(value).strip():
            return " ".join(str(value).split())
    return None


def _check_writable(option: str, path: Path) -> None:
    if path.is_dir():
        raise UsageError(f"{option}: cannot write {path}: it is a folder")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"{option}: cannot write {path}: no such folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option}: cannot write {path}: permission denied")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{option}: cannot write {path}: permission denied")


def _write_atomically(option: str, path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"{option}: cannot write {path}: {exc.strerror or exc}") from None
