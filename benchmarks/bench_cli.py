"""Command-line speed (issue 14 point 7): `baclofen-cds recommend` against a bare interpreter.

    .venv/bin/python -m benchmarks bench_cli      (or: .venv/bin/python -m benchmarks.bench_cli)

In one run, alternating, N times each (BENCH_CLI_RUNS, default 15): `python -c pass` and
`baclofen-cds recommend --input examples/adult-spasticity-ms.json` (the console script beside
this interpreter, or `python -m baclofen_cds` when there is none; output to a pipe). Prints the medians and their ratio against the target (6x).
The machine's load moves both alike; the ratio is the figure to compare.

The commands run with Python's bytecode cache on, as an installed program runs (pip compiles
a wheel's modules when it installs them): PYTHONDONTWRITEBYTECODE, which CI sets, is removed
from their environment, and a first run writes the cache. The same command compiled from
source on every run is printed too, for information.
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
RUNS = int(os.environ.get("BENCH_CLI_RUNS", "15"))
CACHED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
UNCACHED = {**CACHED, "PYTHONDONTWRITEBYTECODE": "1"}


def _wall_ms(argv: list[str], env: dict[str, str] = CACHED) -> float:
    started = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, check=False, cwd=ROOT, env=env)
    elapsed = (time.perf_counter() - started) * 1000.0
    if out.returncode != 0:
        raise RuntimeError(f"{argv[1:]} exited {out.returncode}: {out.stderr[-300:]!r}")
    return elapsed


def measure(runs: int = RUNS) -> tuple[float, float, float]:
    """Median milliseconds of a bare interpreter, of `recommend` and of `recommend` compiled
    from source each time, alternating."""
    bare = [sys.executable, "-c", "pass"]
    script = Path(sys.executable).with_name("baclofen-cds")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "baclofen_cds"]
    recommend = [*command, "recommend", "--input", str(EXAMPLE), "--today", "2026-11-22"]
    _wall_ms(bare), _wall_ms(recommend)  # warm the file cache, write the bytecode cache
    pass_ms: list[float] = []
    cli_ms: list[float] = []
    source_ms: list[float] = []
    for _ in range(runs):
        pass_ms.append(_wall_ms(bare))
        cli_ms.append(_wall_ms(recommend))
        source_ms.append(_wall_ms(recommend, UNCACHED))
    return statistics.median(pass_ms), statistics.median(cli_ms), statistics.median(source_ms)


def run() -> list[tuple[str, float, str]]:
    pass_ms, cli_ms, source_ms = measure()
    return [
        ("python -c pass (median)", pass_ms, "ms"),
        ("baclofen-cds recommend --input adult example (median)", cli_ms, "ms"),
        (f"ratio (target <= {TARGET_RATIO:g}x)", cli_ms / pass_ms, "x"),
        ("recommend, compiled from source every run (median)", source_ms, "ms"),
        ("ratio, compiled from source every run", source_ms / pass_ms, "x"),
    ]


if __name__ == "__main__":
    for label, value, unit in run():
        print(f"  {label:<60} {value:>10.3f} {unit}")
