"""Writing a file whole or not at all: staged beside its target, private, never replacing a
link or a device.

Every file the program writes for a clinician (handout and summary PDFs, the FHIR plan, a
reprint, an exported handout) goes through here:

1. `check_target` refuses a target that must not be written: a symbolic link, a device, a
   pipe or a folder is never replaced; an existing file only with `force`; a missing or
   read-only folder is named.
2. `stage` writes each file to a temporary file (mode 0600) in its target's folder and fsyncs
   it.
3. The caller records what was printed, if it wants to (a refused record: `discard`, nothing
   remains).
4. `publish` renames each temporary file onto its name (fsyncing the folder); without
   `force` a file created meanwhile is never replaced (a hard link, which fails if the name
   exists).

Errors are `OutputError`, one line that starts with the output's label (the command line's
option, e.g. "--handout"). No Qt, no records: the callers pass labels and decide what a
failure means to them.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: Longest file name (one path component) most file systems accept, in bytes.
NAME_MAX = 255


class OutputError(Exception):
    """A file that cannot or must not be written: one line naming the output; nothing of
    this write remains."""


@dataclass(frozen=True, slots=True)
class Output:
    """Bytes to be written to `target`; `label` starts every message about it."""

    label: str
    target: Path
    data: bytes


@dataclass
class Staged:
    """A file written to a temporary file beside its target, not yet renamed onto it."""

    label: str
    target: Path
    temporary: Path | None
    force: bool


def same_file(a: Path, b: Path) -> bool:
    """True when two paths name one file (through '..', symbolic links or hard links)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_target(label: str, path: Path, *, force: bool) -> None:
    """Refuse a target that must not be written (see the module docstring)."""
    if len(path.name.encode("utf-8", "surrogateescape")) > NAME_MAX:
        raise OutputError(f"{label}: the file name is longer than {NAME_MAX} bytes")
    folder = path.parent
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"{label}: cannot write {path}: {exc.strerror or exc}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"{label}: cannot write {path}: it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(
                f"{label}: {path} is not a regular file (a link, device or pipe); "
                "it is never replaced"
            )
        if not force:
            raise OutputError(f"{label}: {path} already exists (add --force to replace it)")
        if not os.access(path, os.W_OK):
            raise OutputError(f"{label}: cannot write {path}: permission denied")
    if not folder.is_dir():
        raise OutputError(f"{label}: cannot write {path}: no such folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{label}: cannot write {path}: permission denied")


def stage(outputs: Sequence[Output], *, force: bool) -> list[Staged]:
    """Write each output to a private temporary file in its target's folder, fsynced."""
    staged: list[Staged] = []
    try:
        for output in outputs:
            item = Staged(output.label, output.target, None, force)
            staged.append(item)
            item.temporary = _write_temporary(output.label, output.target, output.data)
    except BaseException:
        discard(staged)
        raise
    return staged


def _write_temporary(label: str, path: Path, data: bytes) -> Path:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(10):
        tmp = path.with_name(f".bcds-{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"{label}: cannot write {path}: {exc.strerror or exc}") from None
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
            raise OutputError(f"{label}: cannot write {path}: {exc.strerror or exc}") from None
        os.close(fd)
        return tmp
    raise OutputError(f"{label}: cannot write {path}: no free temporary name")  # pragma: no cover


def discard(staged: Sequence[Staged]) -> None:
    """Remove the temporary files: nothing of this write remains."""
    for item in staged:
        if item.temporary is not None:
            item.temporary.unlink(missing_ok=True)
            item.temporary = None


def publish(staged: Sequence[Staged]) -> None:
    """Rename each temporary file onto its target (no replace without `force`)."""
    try:
        for item in staged:
            assert item.temporary is not None
            try:
                if item.force:
                    check_target(item.label, item.target, force=True)
                    os.replace(item.temporary, item.target)
                else:
                    _publish_no_replace(item.temporary, item.target)
            except FileExistsError:
                raise OutputError(
                    f"{item.label}: {item.target} already exists (add --force to replace it)"
                ) from None
            except OSError as exc:
                raise OutputError(
                    f"{item.label}: cannot write {item.target}: {exc.strerror or exc}"
                ) from None
            item.temporary = None
            _fsync_folder(item.target.parent)
    finally:
        discard(staged)


def write(outputs: Sequence[Output], *, force: bool) -> None:
    """Check, stage and publish: each file whole, or none of this write left behind."""
    for output in outputs:
        check_target(output.label, output.target, force=force)
    publish(stage(outputs, force=force))


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
