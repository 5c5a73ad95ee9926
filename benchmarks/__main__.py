"""Run every `benchmarks/bench_*.py` module and print its figures.

Each module exposes `run() -> list[tuple[str, float, str]]` (name, value, unit). A module
whose optional dependency is missing (e.g. no PySide6) is reported as skipped, not passed.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import benchmarks


def main() -> int:
    names = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    only = set(sys.argv[1:])
    failed = False
    for name in names:
        if only and name not in only:
            continue
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            rows = module.run()
        except ImportError as exc:
            print(f"{name}: skipped ({exc})")
            continue
        except Exception as exc:
            print(f"{name}: FAILED: {exc!r}")
            failed = True
            continue
        print(f"{name} ({time.perf_counter() - started:.1f} s)")
        for label, value, unit in rows:
            print(f"  {label:<60} {value:>10.3f} {unit}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
