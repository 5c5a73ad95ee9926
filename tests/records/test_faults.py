"""Real processes: killed in the middle of a save, and saving at the same time."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from baclofen_cds.records import PatientDetails, open_store
from tests.records.records_support import make_recommendation

WORKER = str(Path(__file__).with_name("records_worker.py"))


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, WORKER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_for(proc: subprocess.Popen[str], line: str, seen: list[str]) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = proc.stdout.readline().strip()
        if not got:
            raise AssertionError(f"worker ended early: {proc.stderr.read() if proc.stderr else ''}")
        seen.append(got)
        if got == line:
            return
    raise AssertionError(f"worker never printed {line!r}")


def _saved_ids(lines: list[str]) -> list[int]:
    return [int(x.split()[1]) for x in lines if x.startswith("saved ")]


def _check_consistent(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
            orphans = conn.execute(
                text(
                    "SELECT count(*) FROM alert_acknowledgement k "
                    "LEFT JOIN assessment a ON a.id = k.assessment_id WHERE a.id IS NULL"
                )
            ).scalar()
            assert orphans == 0
    finally:
        engine.dispose()


@pytest.mark.slow
def test_killed_in_the_middle_of_a_save_loses_only_that_save(database_url: str) -> None:
    with open_store(database_url) as store:
        earlier = store.save_assessment(
            make_recommendation("MRN-K", "Patient MRN-K"),
            patient=PatientDetails("MRN-K", "Patient MRN-K"),
            clinician="Dr A",
        )
        before = store.get_assessment(earlier)
    proc = _spawn(database_url, "hang", "MRN-K")
    lines: list[str] = []
    try:
        _wait_for(proc, "in-transaction", lines)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL
    committed = _saved_ids(lines)
    assert len(committed) == 1

    _check_consistent(database_url)
    with open_store(database_url) as store:
        assert store.get_assessment(earlier) == before  # earlier records intact
        ids = [s.id for s in store.history("MRN-K")]
        assert ids == [committed[0], earlier]  # the half-done save is not there
        # and the database is not left locked: a new save goes through at once
        start = time.monotonic()
        store.save_assessment(
            make_recommendation("MRN-K", "Patient MRN-K"),
            patient=PatientDetails("MRN-K"),
            clinician="Dr A",
        )
        assert time.monotonic() - start < 5
        assert store.count_history("MRN-K") == 3


@pytest.mark.slow
def test_killed_at_random_moments_while_saving(database_url: str, tmp_path: Path) -> None:
    start_file = tmp_path / "go"
    start_file.touch()
    rng = random.Random(20261122)
    committed: list[int] = []
    for _ in range(4):
        proc = _spawn(database_url, "loop", "MRN-R", "100000", str(start_file))
        lines: list[str] = []
        assert proc.stdout is not None
        # let it save a few, then kill it somewhere inside a save
        while len(_saved_ids(lines)) < 3:
            got = proc.stdout.readline().strip()
            assert got, proc.stderr.read() if proc.stderr else ""
            lines.append(got)
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=30)
        lines.extend(rest.split("\n"))
        committed.extend(_saved_ids(lines))
    _check_consistent(database_url)
    with open_store(database_url) as store:
        stored = {s.id for s in store.history("MRN-R", page_size=500)}
        # every save the worker reported committed is there; at most one more per kill
        # (committed but killed before it could print)
        assert set(committed) <= stored
        assert len(stored) - len(committed) <= 4
        for aid in committed:
            got = store.get_assessment(aid)
            assert got.result_json == make_recommendation("MRN-R", "Patient MRN-R").to_json()
            assert len(got.acknowledgements) == 1
            assert len(got.prints) == 1


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 4])
def test_processes_saving_at_the_same_time_all_land(
    database_url: str, tmp_path: Path, workers: int
) -> None:
    open_store(database_url).close()  # created and migrated once
    start_file = tmp_path / "go"
    per_worker = 15
    # Half the workers share one new patient: they race to create it.
    procs = [
        _spawn(
            database_url,
            "loop",
            "MRN-SHARED" if i % 2 == 0 else f"MRN-{i}",
            str(per_worker),
            str(start_file),
        )
        for i in range(workers)
    ]
    time.sleep(1.0)  # let them all import and open the store
    start_file.touch()
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    saved = [_saved_ids(out.splitlines()) for out, _ in results]
    assert all(len(ids) == per_worker for ids in saved)
    all_ids = [i for ids in saved for i in ids]
    assert len(set(all_ids)) == workers * per_worker
    _check_consistent(database_url)
    with open_store(database_url) as store:
        assert store.count_history("MRN-SHARED") == per_worker * ((workers + 1) // 2)
        for i in range(1, workers, 2):
            assert store.count_history(f"MRN-{i}") == per_worker


@pytest.mark.slow
def test_several_workstations_starting_at_once_create_the_database_once(
    database_url: str, tmp_path: Path
) -> None:
    start_file = tmp_path / "go"
    procs = [_spawn(database_url, "open", "MRN-1", str(start_file)) for _ in range(4)]
    time.sleep(1.0)
    start_file.touch()
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == "opened 0"
    from baclofen_cds.records.migrate import check_models_match

    check_models_match(database_url)


@pytest.mark.parametrize("workers", [4])
def test_concurrent_writers_retrying_with_a_uid_save_each_once(
    database_url: str, tmp_path: Path, workers: int
) -> None:
    """Issue 11: W writers, each saving S assessments and retrying every save with its uid
    (as after "outcome unknown"): exactly W x S assessments, none lost, none doubled."""
    open_store(database_url).close()
    start_file = tmp_path / "go"
    per_worker = 10
    procs = [
        _spawn(database_url, "uidloop", "MRN-SHARED", str(per_worker), str(start_file))
        for _ in range(workers)
    ]
    time.sleep(1.0)
    start_file.touch()
    results = [p.communicate(timeout=180) for p in procs]
    pairs = []
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        for line in out.splitlines():
            _, first, _, again = line.split()
            pairs.append((int(first), int(again)))
    assert len(pairs) == workers * per_worker
    assert all(first == again for first, again in pairs)
    assert len({first for first, _ in pairs}) == workers * per_worker
    with open_store(database_url) as store:
        assert store.count_history("MRN-SHARED") == workers * per_worker
