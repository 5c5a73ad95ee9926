"""Handout options of `recommend`: the patient handout and the clinician summary as PDF files.

    baclofen-cds recommend --input CASE.json --handout OUT.pdf [--large-print] [--no-diary]
        [--clinician-summary OUT.pdf] [--paper a4|letter] [--prescriber NAME] [--force]

Nothing is written until everything is known to be right, and what is written is true:

1. `render_handouts` checks the paths and renders every PDF in memory (a bad path, a case
   without a regimen or a name too long to lay out: exit 2, nothing written).
2. `stage` writes each PDF to a temporary file (mode 0600) in its target folder and fsyncs it.
3. The caller saves the assessment, if asked (a refused or failed save: `discard`, nothing
   remains).
4. `publish` renames each temporary file onto its name (fsyncing the folder).

A target that is not a regular file (a symbolic link, a device, a pipe, a folder) is never
replaced; an existing file is replaced only with `--force`; two outputs (or an output and the
input) that resolve to the same file are refused. `render_handouts` returns what was printed
as (variant, pdf, options) tuples for `records_cmd.save_if_asked`; the options are exactly
what is needed to print the same bytes again (`records_cmd.render_patient_handout`).
"""

from __future__ import annotations

import argparse
import errno
import os
import secrets
import stat
import sys
from dataclasses import dataclass
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


@dataclass
class Staged:
    """A PDF written to a temporary file beside its target, not yet renamed onto it."""

    option: str
    target: Path
    temporary: Path | None
    force: bool


def write_handouts(
    args: argparse.Namespace, case: Any, recommendation: Any, policy: Any
) -> list[tuple[str, bytes, dict[str, Any]]]:
    """Render, stage and publish the PDFs asked for (no save in between); return what was
    printed as (variant, pdf, render options)."""
    printed, outputs = render_handouts(args, case, recommendation, policy)
    staged = stage(outputs, force=bool(getattr(args, "force", False)))
    publish(staged)
    return printed


def render_handouts(
    args: argparse.Namespace, case: Any, recommendation: Any, policy: Any
) -> tuple[list[tuple[str, bytes, dict[str, Any]]], list[tuple[str, Path, bytes]]]:
    """Check the output paths and render the PDFs asked for, in memory.

    Returns (printed, outputs): printed = [(variant, pdf, render options)], outputs =
    [(option, path, pdf)]. Raises `UsageError` (nothing written) on any problem.
    """
    del case, policy  # the recommendation carries the normalised case and the policy
    handout_path = _path("--handout", getattr(args, "handout", None))
    summary_path = _path("--clinician-summary", getattr(args, "clinician_summary", None))
    if handout_path is None and summary_path is None:
        if getattr(args, "large_print", False):
            raise UsageError("--large-print needs --handout OUT.pdf")
        return [], []
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
        pdf = _laid_out(
            "--handout",
            lambda: render_handout(content, large_print=large, paper=paper, diary=diary),
        )
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

        acknowledged = getattr(args, "printed_acknowledgements", None) or None
        summary = build_clinician_summary(
            recommendation,
            printed_on=printed_on,
            prescriber=prescriber,
            acknowledgements=acknowledged,
        )
        pdf = _laid_out(
            "--clinician-summary", lambda: render_clinician_summary(summary, paper=paper)
        )
        summary_options: dict[str, Any] = {
            "printed_on": printed_on.isoformat(),
            "prescriber": prescriber,
            "paper": paper,
        }
        if acknowledged:
            summary_options["acknowledgements"] = dict(acknowledged)
        printed.append(("clinician", pdf, summary_options))
        outputs.append(("--clinician-summary", summary_path, pdf))
    return printed, outputs


def _laid_out(option: str, render: Any) -> bytes:
    """Render a PDF; a text too long to lay out is a bad input, not a crash."""
    from reportlab.platypus.doctemplate import LayoutError

    try:
        return bytes(render())
    except LayoutError:
        raise UsageError(
            f"{option}: the handout cannot be laid out (a name or note is too long to fit "
            "on a page)"
        ) from None


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


def same_file(a: Path, b: Path) -> bool:
    """True when two paths name one file (through '..', symbolic links or hard links)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_target(option: str, path: Path, *, force: bool) -> None:
    """Refuse a target that must not be written: see the module docstring."""
    if len(path.name.encode("utf-8", "surrogateescape")) > NAME_MAX:
        raise UsageError(f"{option}: the file name is longer than {NAME_MAX} bytes")
    folder = path.parent
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UsageError(f"{option}: cannot write {path}: {exc.strerror or exc}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{option}: cannot write {path}: it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(
                f"{option}: {path} is not a regular file (a link, device or pipe); "
                "it is never replaced"
            )
        if not force:
            raise UsageError(f"{option}: {path} already exists (add --force to replace it)")
        if not os.access(path, os.W_OK):
            raise UsageError(f"{option}: cannot write {path}: permission denied")
    if not folder.is_dir():
        raise UsageError(f"{option}: cannot write {path}: no such folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option}: cannot write {path}: permission denied")


#: Longest file name (one path component) most file systems accept, in bytes.
NAME_MAX = 255


def stage(outputs: list[tuple[str, Path, bytes]], *, force: bool) -> list[Staged]:
    """Write each PDF to a private temporary file in its target's folder, fsynced."""
    staged: list[Staged] = []
    try:
        for option, path, data in outputs:
            item = Staged(option, path, None, force)
            staged.append(item)
            item.temporary = _write_temporary(option, path, data)
    except BaseException:
        discard(staged)
        raise
    return staged


def _write_temporary(option: str, path: Path, data: bytes) -> Path:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(10):
        tmp = path.with_name(f".bcds-{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise UsageError(f"{option}: cannot write {path}: {exc.strerror or exc}") from None
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError as exc:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise UsageError(f"{option}: cannot write {path}: {exc.strerror or exc}") from None
        os.close(fd)
        return tmp
    raise UsageError(f"{option}: cannot write {path}: no free temporary name")  # pragma: no cover


def discard(staged: list[Staged]) -> None:
    """Remove the temporary files: nothing of this run remains."""
    for item in staged:
        if item.temporary is not None:
            item.temporary.unlink(missing_ok=True)
            item.temporary = None


def publish(staged: list[Staged]) -> None:
    """Rename each temporary file onto its target (no replace without --force)."""
    try:
        for item in staged:
            assert item.temporary is not None
            try:
                if item.force:
                    check_target(item.option, item.target, force=True)
                    os.replace(item.temporary, item.target)
                else:
                    _publish_no_replace(item.temporary, item.target)
            except FileExistsError:
                raise UsageError(
                    f"{item.option}: {item.target} already exists (add --force to replace it)"
                ) from None
            except OSError as exc:
                raise UsageError(
                    f"{item.option}: cannot write {item.target}: {exc.strerror or exc}"
                ) from None
            item.temporary = None
            _fsync_folder(item.target.parent)
    finally:
        discard(staged)


def _publish_no_replace(temporary: Path, target: Path) -> None:
    """Put `temporary` at `target` without ever replacing a file created meanwhile: link()
    fails if the name exists. A file system without hard links (FAT, some network shares)
    gets a checked rename instead."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
        if os.path.lexists(target):
            raise FileExistsError(str(target)) from None
        os.rename(temporary, target)
        return
    temporary.unlink()


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
