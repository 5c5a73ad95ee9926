"""Records speed: saving one assessment, and the first and the last history page of a patient
with 10,000 assessments (the last by OFFSET and by keyset). SQLite in a temporary folder; also PostgreSQL (a throwaway schema) when
BACLOFEN_CDS_TEST_DATABASE_URL points at a server."""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def run() -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory(prefix="bcds-bench-") as folder:
        rows = _measure(f"sqlite:///{Path(folder) / 'records.sqlite3'}", "SQLite")
    pg = os.environ.get("BACLOFEN_CDS_TEST_DATABASE_URL")
    if pg:
        rows += _measure_postgres(pg)
    return rows


def _measure_postgres(base: str) -> list[tuple[str, float, str]]:
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        return _measure(url.render_as_string(hide_password=False), "PostgreSQL")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _measure(url: str, name: str) -> list[tuple[str, float, str]]:
    from baclofen_cds.logic import load_knowledge_base, load_policy, parse_case, recommend
    from baclofen_cds.records import PatientDetails, open_store
    from baclofen_cds.records.models import Assessment
    from baclofen_cds.records.store import sha256_hex

    example = Path(__file__).resolve().parents[1] / "examples" / "adult-spasticity-ms.json"
    data = json.loads(example.read_text(encoding="utf-8"))
    data["patient"] = {"id": "BENCH-1", "name": "Bench Patient"}
    kb = load_knowledge_base()
    rec = recommend(parse_case(data, kb, today=date(2026, 11, 22)), kb, load_policy(kb))
    patient = PatientDetails("BENCH-1", "Bench Patient")

    t = time.perf_counter()
    store = open_store(url)
    first_open = (time.perf_counter() - t) * 1000
    try:
        for _ in range(20):  # warm-up
            store.save_assessment(rec, patient=patient, clinician="Dr Bench")
        saves = []
        for _ in range(200):
            t = time.perf_counter()
            store.save_assessment(rec, patient=patient, clinician="Dr Bench")
            saves.append((time.perf_counter() - t) * 1000)

        # Fill the patient's history to 10,000 assessments in one transaction.
        result_json = rec.to_json()
        case_json = json.dumps(rec.case, ensure_ascii=False)
        existing = store.count_history("BENCH-1")
        start = datetime.now(UTC) - timedelta(days=3650)

        def fill(session):  # type: ignore[no-untyped-def]
            from baclofen_cds.records.models import Patient

            pid = session.query(Patient.id).filter_by(external_id="BENCH-1").scalar()
            session.bulk_insert_mappings(
                Assessment,
                [
                    {
                        "patient_id": pid,
                        "clinician": "Dr Bench",
                        "created_at": start + timedelta(minutes=i),
                        "case_json": case_json,
                        "result_json": result_json,
                        "result_sha256": sha256_hex(result_json.encode()),
                        "kb_version": rec.knowledge_base.version,
                        "kb_sha256": rec.knowledge_base.sha256,
                        "app_version": "bench",
                        "status": rec.status,
                        "indication": "spasticity",
                        "alert_count": len(rec.alerts),
                        "critical_alert_count": 0,
                    }
                    for i in range(10_000 - existing)
                ],
            )

        store._write(fill)
        assert store.count_history("BENCH-1") == 10_000
        pages = []
        for _ in range(50):
            t = time.perf_counter()
            page = store.history("BENCH-1", page=0, page_size=20)
            pages.append((time.perf_counter() - t) * 1000)
        assert len(page) == 20
        t = time.perf_counter()
        store.get_assessment(page[0].id)
        get_one = (time.perf_counter() - t) * 1000
        from baclofen_cds.records import HistoryCursor

        offset_last, keyset_last = [], []
        before_last = store.history("BENCH-1", page=498, page_size=20)[-1]
        cursor = HistoryCursor(before_last.created_at, before_last.id)
        for _ in range(20):
            t = time.perf_counter()
            last = store.history("BENCH-1", page=499, page_size=20)
            offset_last.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            keyset = store.history_page("BENCH-1", older_than=cursor, page_size=20)
            keyset_last.append((time.perf_counter() - t) * 1000)
        assert list(keyset.rows) == last
        assert keyset.older is None
    finally:
        store.close()
    saves.sort()
    target = " [target ≤ 10 ms]" if name == "SQLite" else ""
    return [
        (f"records ({name}): open + create + migrate a new database", first_open, "ms"),
        (f"records ({name}): save one assessment, median{target}", statistics.median(saves), "ms"),
        (f"records ({name}): save one assessment, p95", saves[int(len(saves) * 0.95)], "ms"),
        (
            f"records ({name}): history first page (20) of 10,000, median [target ≤ 50 ms]",
            statistics.median(pages),
            "ms",
        ),
        (
            f"records ({name}): history last page (20) of 10,000 by OFFSET, median",
            statistics.median(offset_last),
            "ms",
        ),
        (
            f"records ({name}): history last page (20) of 10,000 by keyset, median",
            statistics.median(keyset_last),
            "ms",
        ),
        (f"records ({name}): get one assessment in full", get_one, "ms"),
    ]
