"""Issue 11 figures: hostile inputs, injected faults, concurrent writers (not part of `make bench`).

    .venv/bin/python -m benchmarks.probe_integrity [POSTGRES_URL]

1. Hostile inputs: the example case with one field replaced by a hostile value, and the
   example's JSON text mutated byte by byte; each goes through strict parsing, validation and
   the engine. Handled = a result, or one `CaseInputError` naming a field; anything else is a
   crash. Also: no result ever took `true` as a number.
2. Faults: SIGKILL of a process saving in a loop, at random moments (SQLite and PostgreSQL);
   a connection cut right after COMMIT by a TCP proxy (PostgreSQL), half confirmed on a new
   connection, half left "outcome unknown" and retried with the same uid. Survived = every
   acknowledged save is present, nothing is duplicated, the database is consistent.
3. Concurrent writers: W processes x S saves, every save retried with its uid; nothing lost,
   nothing doubled.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOSTILE: list[Any] = [
    True, False, None, -1, 0, 1e308, -1e308, 10**30, "", " ", "45", "x" * 3000, "\x1b[2J",
    "\x00", [], {}, [1, 2], {"a": 1}, [[[[[[[[[[1]]]]]]]]]], ["x"] * 500, 3.5, "2026-13-45",
    "9999-12-31", "0001-01-01", {"value": True, "unit": "mg/dL"}, {"value": 1e999},
    {"id": None, "name": "\u202e"}, ["oxycodone"] * 101, [True], [None], "null",
]  # fmt: skip


def hostile_inputs(rounds: int, seed: int = 11) -> tuple[int, int, int]:
    from baclofen_cds.logic import CaseInputError, load_knowledge_base, parse_case, recommend
    from baclofen_cds.logic.case import loads_case

    kb = load_knowledge_base()
    rng = random.Random(seed)
    base = json.loads((ROOT / "examples" / "adult-spasticity-ms.json").read_text())
    base_text = json.dumps(base)
    fields = [*base, "regimen_choice", "unknown_field"]
    tried = handled = refused = 0
    for n in range(rounds):
        if n % 2 == 0:
            data = dict(base)
            data[rng.choice(fields)] = rng.choice(HOSTILE)
            text = json.dumps(data)
            if rng.random() < 0.2:  # a duplicate key at the end
                text = text[:-1] + ', "age_years": true}'
        else:
            chars = list(base_text)
            for _ in range(rng.randint(1, 4)):
                i = rng.randrange(len(chars))
                op = rng.random()
                if op < 0.4:
                    chars[i] = rng.choice('{}[]",:0123456789.eE-tfn \\\x1b')
                elif op < 0.7:
                    chars.insert(i, rng.choice(['{"a":', "[", "NaN", "1e999", '"', "9" * 40]))
                else:
                    del chars[i]
            text = "".join(chars)
        tried += 1
        try:
            case = parse_case(loads_case(text), kb, today=date(2026, 11, 22))
            rec = recommend(case, kb)
            assert not isinstance(case.age_years, bool)
            assert rec.to_json()
        except CaseInputError as exc:
            if exc.field and exc.message:
                handled += 1
                refused += 1
            continue
        except Exception as exc:  # a crash: report it
            print(f"  CRASH on input {n}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        handled += 1
    return tried, handled, refused


def kills(url: str, rounds: int) -> tuple[int, int]:
    from baclofen_cds.records import open_store
    from tests.records.test_faults import _check_consistent, _saved_ids, _spawn

    open_store(url).close()
    survived = 0
    rng = random.Random(7)
    for n in range(rounds):
        go = Path(tempfile.mkdtemp()) / "go"
        go.touch()
        patient = f"MRN-KILL-{n}"
        proc = _spawn(url, "loop", patient, "100000", str(go))
        time.sleep(0.8 + rng.random() * 0.8)
        proc.kill()
        out, _ = proc.communicate(timeout=60)
        ids = _saved_ids(out.splitlines())
        _check_consistent(url)
        with open_store(url) as store:
            stored = {r.id for page in range(0, 100) for r in store.history(patient, page, 500)}
            if set(ids) <= stored and len(stored) - len(ids) <= 1:
                survived += 1
    return rounds, survived


def lost_commits(url: str, rounds: int) -> tuple[int, int]:
    from sqlalchemy.engine import make_url

    from baclofen_cds.records import OutcomeUnknown, PatientDetails, open_store
    from tests.records.records_support import make_recommendation
    from tests.records.test_shared_server import CuttingProxy, _through

    open_store(url).close()
    parsed = make_url(url)
    survived = 0
    for n in range(rounds):
        patient = f"MRN-CUT-{n}"
        rec = make_recommendation(patient, f"Patient {n}")
        proxy = CuttingProxy(parsed.host or "127.0.0.1", parsed.port or 5432,
                             refuse_after_cut=n % 2 == 1)  # fmt: skip
        key = str(uuid.uuid4())
        details = PatientDetails(patient, f"Patient {n}")
        try:
            with open_store(_through(url, proxy.port)) as store:
                proxy.armed = True
                try:
                    store.save_assessment(rec, patient=details, clinician="Dr A", uid=key)
                except OutcomeUnknown:
                    with open_store(url) as direct:  # the clinician retries, same uid
                        direct.save_assessment(rec, patient=details, clinician="Dr A", uid=key)
        finally:
            proxy.close()
        with open_store(url) as store:
            if proxy.cuts == 1 and store.count_history(patient) == 1:
                survived += 1
    return rounds, survived


def writers(url: str, workers: int, per_worker: int) -> tuple[int, int, bool]:
    from baclofen_cds.records import open_store
    from tests.records.test_faults import _spawn

    open_store(url).close()
    go = Path(tempfile.mkdtemp()) / "go"
    patient = f"MRN-W-{uuid.uuid4().hex[:6]}"
    procs = [_spawn(url, "uidloop", patient, str(per_worker), str(go)) for _ in range(workers)]
    time.sleep(1.5)
    go.touch()
    firsts: list[int] = []
    same = True
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            print(f"  writer failed: {err.strip().splitlines()[-1:]}", file=sys.stderr)
        for line in out.splitlines():
            _, first, _, again = line.split()
            firsts.append(int(first))
            same = same and first == again
    with open_store(url) as store:
        stored = store.count_history(patient)
    return workers * per_worker, stored, same and len(set(firsts)) == stored


def _pg_schema(base: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"probe_{uuid.uuid4().hex[:8]}"
    u = make_url(base)
    with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database,
                         autocommit=True) as conn:  # fmt: skip
        conn.execute(f"CREATE SCHEMA {schema}")  # type: ignore[arg-type]
    return u.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def main() -> None:
    pg = sys.argv[1] if len(sys.argv) > 1 else None
    tried, handled, refused = hostile_inputs(4000)
    print(f"hostile inputs: {tried} tried, {handled} handled ({refused} refused with a field)")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite:///{tmp}/probe.sqlite3"
        n, ok = kills(sqlite, 10)
        print(f"SIGKILL while saving (SQLite): {n} injected, {ok} survived")
        total, stored, clean = writers(sqlite, 8, 25)
        print(f"writers (SQLite): 8 x 25 saves, each retried: {total} expected, {stored} stored,"
              f" no duplicate: {clean}")  # fmt: skip
    if pg:
        n, ok = kills(_pg_schema(pg), 10)
        print(f"SIGKILL while saving (PostgreSQL): {n} injected, {ok} survived")
        n, ok = lost_commits(_pg_schema(pg), 40)
        print(f"connection cut after COMMIT (PostgreSQL): {n} injected, {ok} survived")
        total, stored, clean = writers(_pg_schema(pg), 8, 25)
        print(f"writers (PostgreSQL): 8 x 25 saves, each retried: {total} expected, {stored} "
              f"stored, no duplicate: {clean}")  # fmt: skip


if __name__ == "__main__":
    main()
