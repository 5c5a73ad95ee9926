"""What the command line writes to a terminal: no raw control characters, no lost output.

- Every text the CLI prints (results, records, error lines) passes through `safe_text`:
  C0/C1 control characters (ESC, CSI, BEL, ...) and bidirectional overrides are shown as
  `\\uXXXX`, so a name typed with escape sequences cannot move the cursor, retitle the
  terminal or hide text. Newlines and tabs stay. Inside JSON output the same `\\uXXXX` is a
  valid JSON escape of the same character, so the data is unchanged.
- `write_stdout` writes and flushes standard output; a closed or full output becomes
  `OutputFailed` (exit 5, one line) instead of a traceback.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from typing import Any, TextIO

EXIT_OUTPUT_FAILED = 5

#: Characters never written raw: C0 controls but newline and tab, DEL, C1 controls, and the
#: bidirectional embedding/override/isolate marks (they reorder what the reader sees).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_text(text: str) -> str:
    """`text` with every unsafe character shown as `\\uXXXX`."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class OutputFailed(Exception):  # noqa: N818 - reads as a sentence at the call site
    """Standard output could not be written (closed, full, broken pipe)."""


class SafeStream:
    """A text stream that escapes unsafe characters before writing to the real one."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(safe_text(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def write_stdout(text: str) -> None:
    """Write the command's result to standard output, or raise `OutputFailed`."""
    stream = sys.stdout
    if stream is None:
        raise OutputFailed("standard output is closed")
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError) as exc:
        _silence_stdout()
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise OutputFailed(f"standard output cannot be written: {reason}") from None


def _silence_stdout() -> None:
    """After a failed write, point standard output at /dev/null so that the interpreter's
    final flush does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def print_error(message: str) -> None:
    """One line on standard error (if there is one)."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(safe_text(f"baclofen-cds: {message}") + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass
