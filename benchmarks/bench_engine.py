"""Engine speed: one recommendation (p50, p99 over 10,000 random cases) and knowledge-base load."""

from __future__ import annotations

import random
import statistics
import time
from datetime import date

from benchmarks.cases import random_case


def run() -> list[tuple[str, float, str]]:
    from baclofen_cds.logic import load_knowledge_base, load_policy, parse_case, recommend

    loads = []
    for _ in range(7):
        t = time.perf_counter()
        kb = load_knowledge_base()
        loads.append((time.perf_counter() - t) * 1000)
    policy = load_policy(kb)
    import shutil
    import tempfile
    from pathlib import Path

    from baclofen_cds.logic.knowledge import BUNDLE_NAME

    packaged = Path(__file__).resolve().parents[1] / "resources" / "knowledge"
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "kb"
        shutil.copytree(packaged, plain)
        (plain / BUNDLE_NAME).unlink(missing_ok=True)
        yaml_loads = []
        for _ in range(5):
            t = time.perf_counter()
            load_knowledge_base(plain)
            yaml_loads.append((time.perf_counter() - t) * 1000)
    rng = random.Random(20261122)
    cases = [parse_case(random_case(rng), kb, today=date(2026, 11, 22)) for _ in range(10_000)]
    for case in cases[:200]:  # warm-up
        recommend(case, kb, policy)
    times = []
    cpu = []
    for case in cases:
        t = time.perf_counter()
        c = time.thread_time()
        recommend(case, kb, policy)
        cpu.append((time.thread_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    cpu.sort()
    return [
        ("knowledge-base load, first (cold) [target ≤ 50 ms]", loads[0], "ms"),
        ("knowledge-base load, median of 7", statistics.median(loads), "ms"),
        (
            "knowledge-base load from YAML only (no bundle), median of 5",
            statistics.median(yaml_loads),
            "ms",
        ),
        ("recommend, p50 of 10,000 random cases", times[len(times) // 2], "ms"),
        (
            "recommend, p99 of 10,000 random cases [target ≤ 1 ms]",
            times[int(len(times) * 0.99)],
            "ms",
        ),
        ("recommend, max", times[-1], "ms"),
        # CPU time of this thread: what the engine costs, without waiting for a shared CPU
        ("recommend, p99 CPU time (thread_time) [target ≤ 1 ms]", cpu[int(len(cpu) * 0.99)], "ms"),
        *run_uncached_matching(),
        run_uncached_suggestion(),
    ]


def run_uncached_matching() -> list[tuple[str, float, str]]:
    """Reading a co-medication entry the first time it is typed (the cache is cleared)."""
    from baclofen_cds.logic import load_knowledge_base
    from baclofen_cds.logic.interactions import match_one

    kb = load_knowledge_base()
    names = kb.comedication_names()
    typed = [f"{n} {i % 40 * 5 + 5} mg bd" for i, n in enumerate(names)]
    times = []
    for text in typed:
        match_one.cache_clear()
        t = time.perf_counter()
        match_one(text, kb)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return [
        (f"read one new entry (uncached), p50 of {len(typed)} names", times[len(times) // 2], "ms"),
        (
            f"read one new entry (uncached), p99 of {len(typed)} names",
            times[int(len(times) * 0.99)],
            "ms",
        ),
    ]


def run_uncached_suggestion() -> tuple[str, float, str]:
    """The one slow path: a never-seen unknown name needs a 'did you mean' search."""
    from baclofen_cds.logic import load_knowledge_base
    from baclofen_cds.logic.interactions import suggest

    kb = load_knowledge_base()
    words = [f"unknownmed{i}" for i in range(200)]
    t = time.perf_counter()
    for w in words:
        suggest(w, kb)
    return (
        "'did you mean' search for a new unknown name (uncached), mean",
        (time.perf_counter() - t) * 1000 / len(words),
        "ms",
    )
