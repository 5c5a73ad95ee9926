"""The program leaves quickly after a sub-command (cli.entry: no interpreter teardown) and
still behaves as a program should: complete output, the exit status, atexit handlers run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.test_cli import EXAMPLE

SCRIPT = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
sys.argv = ["baclofen-cds", *sys.argv[1:]]
from baclofen_cds.cli import entry
entry()
"""


def _run(*args: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_whole_recommendation_reaches_a_file_and_atexit_handlers_run(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    with target.open("w", encoding="utf-8") as handle:  # block-buffered: must be flushed
        out = _run("recommend", "--input", str(EXAMPLE), "--today", "2026-11-22", stdout=handle)
    assert out.returncode == 0, out.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["status"]
    assert out.stderr == "atexit ran\n"


def test_bad_input_still_exits_2_with_one_line(tmp_path: Path) -> None:
    out = _run("recommend", "--input", str(tmp_path / "missing.json"))
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.splitlines() == [
        f"baclofen-cds: error: input: no such file: {tmp_path / 'missing.json'}",
        "atexit ran",
    ]


def test_python_dash_m_gives_the_same_status_and_output(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "baclofen_cds", "recommend", "--input", str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0 and json.loads(out.stdout)["status"]
