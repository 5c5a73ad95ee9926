"""Handout speed: content built and PDF rendered, median after import (target <= 100 ms).

"Typical" is the dialysis example (one dose step: the shortest real handout), the
alcohol-use-disorder example, the adult spasticity example (four steps, two interacting
medicines) and the older adult (five liquid steps with syringe pictures, a 35-day diary: the
longest), each printed for the example clinic (examples/policy/riverside-gb.yaml); the page
count is reported beside each, and one Spanish handout.
"""

from __future__ import annotations

import io
import statistics
import time
from datetime import date

CASES = ("dialysis", "alcohol-use-disorder", "adult-spasticity-ms", "older-adult-ckd")


def run() -> list[tuple[str, float, str]]:
    from pypdf import PdfReader

    from baclofen_cds.handout import render_clinician_summary, render_handout
    from baclofen_cds.logic.handout_content import build_handout
    from baclofen_cds.logic.handout_summary import build_clinician_summary
    from benchmarks.cases import example_recommendation

    today = date(2026, 11, 22)
    rows: list[tuple[str, float, str]] = []
    for name in CASES:
        kb, rec = example_recommendation(name, today)
        first = time.perf_counter()
        pdf = render_handout(build_handout(rec, printed_on=today, kb=kb))
        first_ms = (time.perf_counter() - first) * 1000
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        for large in (False, True):
            times, cpu = [], []
            for _ in range(9):
                t, c = time.perf_counter(), time.process_time()
                render_handout(build_handout(rec, printed_on=today, kb=kb), large_print=large)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
            label = f"handout {name}{' large print' if large else f' ({pages} pages)'} median"
            rows.append((label, statistics.median(times), "ms"))
            # CPU time of this process: the figure that does not grow when other processes
            # share the machine (wall time does, several-fold on a loaded 2-core runner).
            rows.append(("  the same, CPU time", statistics.median(cpu), "ms"))
        if name == CASES[0]:
            rows.append((f"handout {name}: first in process (fonts load)", first_ms, "ms"))
            times = []
            for _ in range(9):
                t = time.perf_counter()
                render_clinician_summary(build_clinician_summary(rec, printed_on=today, kb=kb))
                times.append((time.perf_counter() - t) * 1000)
            rows.append(("clinician summary median", statistics.median(times), "ms"))
    kb, rec = example_recommendation(CASES[2], today, handout_language="es")
    times = []
    for _ in range(9):
        t = time.perf_counter()
        render_handout(build_handout(rec, printed_on=today, kb=kb))
        times.append((time.perf_counter() - t) * 1000)
    rows.append((f"handout {CASES[2]} in Spanish median", statistics.median(times), "ms"))
    return rows
