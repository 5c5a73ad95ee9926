"""Keyset paging of a patient's history: forward and back, no gaps, no repeats, ties broken."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from baclofen_cds.records import HistoryCursor, HistoryPage, InvalidRecord
from baclofen_cds.records.store import RecordStore, sha256_hex
from tests.records.test_store import _save

MANY = 95  # with the one saved normally: 96 rows, pages of 10 -> the last page has 6


def _fill(store: RecordStore, count: int) -> None:
    """`count` more assessments for MRN-001, four at a time saved in the same microsecond."""
    first = store.get_assessment(_save(store))
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def work(session):  # type: ignore[no-untyped-def]
        from baclofen_cds.records.models import Assessment, Patient

        pid = session.query(Patient.id).filter_by(external_id="MRN-001").scalar()
        session.bulk_insert_mappings(
            Assessment,
            [
                {
                    "patient_id": pid,
                    "clinician": "Dr A. Smith",
                    "created_at": start + timedelta(minutes=i // 4),
                    "case_json": json.dumps(first.case),
                    "result_json": first.result_json,
                    "result_sha256": sha256_hex(first.result_json.encode()),
                    "kb_version": first.knowledge_base_version,
                    "kb_sha256": first.knowledge_base_sha256,
                    "app_version": "test",
                    "status": first.status,
                    "indication": "spasticity",
                    "alert_count": 0,
                    "critical_alert_count": 0,
                }
                for i in range(count)
            ],
        )

    store._write(work)


def _forward(store: RecordStore, size: int) -> list[HistoryPage]:
    pages = [store.history_page("MRN-001", page_size=size)]
    while pages[-1].older is not None:
        pages.append(store.history_page("MRN-001", older_than=pages[-1].older, page_size=size))
        assert len(pages) < 100
    return pages


def test_forward_and_back_without_gaps_or_repeats(store: RecordStore) -> None:
    _fill(store, MANY)
    everything = store.history("MRN-001", page_size=500)
    assert len(everything) == MANY + 1
    pages = _forward(store, 10)
    assert [len(p.rows) for p in pages] == [10] * 9 + [6]
    walked = [r.id for p in pages for r in p.rows]
    assert walked == [r.id for r in everything]  # newest first, each row once
    assert pages[0].newer is None and pages[-1].older is None
    # back from the last page, one page at a time, to the newest page
    back = [pages[-1]]
    while back[-1].newer is not None:
        back.append(store.history_page("MRN-001", newer_than=back[-1].newer, page_size=10))
        assert len(back) < 100
    assert [[r.id for r in p.rows] for p in reversed(back)] == [
        [r.id for r in p.rows] for p in pages
    ]
    # the keyset pages are the OFFSET pages
    for number, page in enumerate(pages):
        assert list(page.rows) == store.history("MRN-001", page=number, page_size=10)


def test_rows_saved_while_paging_neither_repeat_nor_hide_the_older_ones(
    store: RecordStore,
) -> None:
    _fill(store, 30)
    first = store.history_page("MRN-001", page_size=10)
    seen = [r.id for r in first.rows]
    newest = [_save(store) for _ in range(3)]  # saved by a colleague meanwhile
    page = first
    while page.older is not None:
        page = store.history_page("MRN-001", older_than=page.older, page_size=10)
        seen += [r.id for r in page.rows]
    assert len(seen) == len(set(seen)) == 31
    assert not set(newest) & set(seen)
    head = first.rows[0]
    top = store.history_page(
        "MRN-001", newer_than=HistoryCursor(head.created_at, head.id), page_size=10
    )
    assert [r.id for r in top.rows] == list(reversed(newest))
    assert top.newer is None and top.older is not None


def test_an_unknown_patient_and_bad_arguments(store: RecordStore) -> None:
    empty = store.history_page("NOBODY")
    assert empty == HistoryPage(rows=(), older=None, newer=None)
    cursor = HistoryCursor(datetime(2026, 1, 1, tzinfo=UTC), 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidRecord, match="not both"):
        store.history_page("MRN-001", older_than=cursor, newer_than=cursor)
    with pytest.raises(InvalidRecord, match="page_size"):
        store.history_page("MRN-001", page_size=0)
