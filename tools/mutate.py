"""`make mutate [MODULE=renal|dosing]`: mutation testing of the clinical core with mutmut.

The module and the tests that are meant to guard it are copied into build/mutation/MODULE/
with a [tool.mutmut] section for that module only; mutmut runs there (niced, one worker by
default: the machine is shared), and the score is printed and written to
build/mutation/MODULE/score.json. Why mutmut (not cosmic-ray): docs/mutation.md.

    python tools/mutate.py renal [--jobs N] [--keep]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: module -> (files mutmut mutates, the tests that guard them). The test files are globs, so a
#: split of a module into several files (or new test files) needs no change here.
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "renal": (["baclofen_cds/logic/renal.py"], ["tests/logic/test_renal*.py"]),
    "dosing": (
        ["baclofen_cds/logic/dosing.py", "baclofen_cds/logic/dosing/*"],
        [
            "tests/logic/test_dosing*.py",
            "tests/logic/test_scenarios.py",
            "tests/logic/test_safety_scenarios.py",
        ],
    ),
}

#: mutmut's words for a mutant's fate; a timeout counts as caught (the mutant hung).
CAUGHT = {"killed", "timeout", "caught by type check"}
COUNTED = CAUGHT | {"survived", "no tests", "suspicious"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", choices=sorted(MODULES))
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATE_JOBS", "1")))
    parser.add_argument("--keep", action="store_true", help="reuse earlier results")
    parser.add_argument(
        "--minutes",
        type=float,
        default=float(os.environ.get("MUTATE_MINUTES", "0")),
        help="stop after this long and score the mutants tested so far (0: no limit)",
    )
    args = parser.parse_args(argv)
    mutate, test_globs = MODULES[args.module]
    tests = sorted({p for g in test_globs for p in glob.glob(g, root_dir=ROOT)})
    if not tests:
        print(f"mutate: no tests match {test_globs}", file=sys.stderr)
        return 2
    work = ROOT / "build" / "mutation" / args.module
    if work.exists() and not args.keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for name in ("baclofen_cds", "resources", "tests", "examples"):
        shutil.rmtree(work / name, ignore_errors=True)
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config += (
        "\n[tool.mutmut]\n"
        'source_paths = ["baclofen_cds"]\n'
        # the knowledge base beside the mutated package (resource_files finds mutants/resources)
        'also_copy = ["resources"]\n'
        f"only_mutate = {json.dumps(mutate)}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]\n'
    )
    (work / "pyproject.toml").write_text(config, encoding="utf-8")
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    print(f"mutate {args.module}: {', '.join(mutate)} against {', '.join(tests)}", flush=True)
    started = time.monotonic()
    run = subprocess.Popen(
        ["nice", "-n", "10", mutmut, "run", "--max-children", str(args.jobs)],
        cwd=work,
        stdout=subprocess.DEVNULL,  # a progress spinner; the summary is computed below
    )
    stopped = False
    try:
        run.wait(timeout=args.minutes * 60 or None)
    except subprocess.TimeoutExpired:
        stopped = True  # mutmut saves each result as it goes: score what was tested
        run.send_signal(signal.SIGINT)
        run.wait()
    minutes = (time.monotonic() - started) / 60
    listing = subprocess.run(
        [mutmut, "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    counts: dict[str, int] = {}
    survivors: list[str] = []
    for line in listing.splitlines():
        match = re.match(r"\s+(\S+): (.+)$", line)
        if match:
            status = match.group(2).strip()
            counts[status] = counts.get(status, 0) + 1
            if status in COUNTED - CAUGHT:
                survivors.append(f"{match.group(1)}: {status}")
    total = sum(n for s, n in counts.items() if s in COUNTED)
    caught = sum(n for s, n in counts.items() if s in CAUGHT)
    score = 100.0 * caught / total if total else 0.0
    summary = {
        "module": args.module,
        "mutated": mutate,
        "tests": tests,
        "counts": counts,
        "score_percent": round(score, 1),
        "minutes": round(minutes, 1),
        "jobs": args.jobs,
        "stopped_at_time_limit": stopped,
        "not_tested": counts.get("not checked", 0),
        "mutmut_exit": run.returncode,
    }
    (work / "score.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (work / "survivors.txt").write_text("\n".join(survivors) + "\n", encoding="utf-8")
    partial = " (PARTIAL: stopped at the time limit)" if stopped else ""
    print(
        f"mutation score {args.module}{partial}: {score:.1f}% ({caught} of {total} caught; "
        f"{counts}) in {minutes:.1f} min; survivors: {work / 'survivors.txt'}"
    )
    return 0 if total and (stopped or run.returncode == 0) else 1


if __name__ == "__main__":
    sys.exit(main())
