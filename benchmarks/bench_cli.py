"""Command-line speed (issue 14 point 7): `baclofen-cds recommend` against a bare interpreter.

    .venv/bin/python -m benchmarks bench_cli      (or: .venv/bin/python -m benchmarks.bench_cli)

In one run, alternating, N times each: `python -c pass` and `python -m baclofen_cds recommend
--input examples/adult-spasticity-ms.json` (the same interpreter, output to a pipe). Prints the
medians and their ratio against the target (6x). The machine's load moves both alike; the
ratio is the figure to compare.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "adult-spasticity-ms.json"
TARGET_RATIO = 6.0
RUNS = int(os.environ.get("BENCH_CLI_RUNS", "21"))


def _wall_ms(argv: list[str]) -> float:
    started = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, check=False, cwd=ROOT)
    elapsed = (time.perf_counter() - started) * 1000.0
    if out.returncode != 0:
        raise RuntimeError(f"{argv[1:]} exited {out.returncode}: {out.stderr[-300:]!r}")
    return elapsed


def measure(runs: int = RUNS) -> tuple[float, float]:
    """Median milliseconds of a bare interpreter and of `recommend`, alternating."""
    bare = [sys.executable, "-c", "pass"]
    recommend = [sys.executable, "-m", "baclofen_cds", "recommend", "--input", str(EXAMPLE),
                 "--today", "2026-11-22"]  # fmt: skip
    _wall_ms(bare), _wall_ms(recommend)  # warm the file cache
    pass_ms: list[float] = []
    cli_ms: list[float] = []
    for _ in range(runs):
        pass_ms.append(_wall_ms(bare))
        cli_ms.append(_wall_ms(recommend))
    return statistics.median(pass_ms), statistics.median(cli_ms)


def run() -> list[tuple[str, float, str]]:
    pass_ms, cli_ms = measure()
    ratio = cli_ms / pass_ms
    return [
        ("python -c pass (median)", pass_ms, "ms"),
        ("baclofen-cds recommend --input adult example (median)", cli_ms, "ms"),
        (f"ratio (target <= {TARGET_RATIO:g}x)", ratio, "x"),
    ]


if __name__ == "__main__":
    for label, value, unit in run():
        print(f"  {label:<60} {value:>10.3f} {unit}")
