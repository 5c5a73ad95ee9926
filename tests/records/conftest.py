"""Fixtures of the records suite: a fresh database per test, on SQLite and on PostgreSQL.

The PostgreSQL half runs when BACLOFEN_CDS_TEST_DATABASE_URL points at a server (CI starts a
throwaway one with .ci/postgres.sh); each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from baclofen_cds.records.store import RecordStore

PG_ENV = "BACLOFEN_CDS_TEST_DATABASE_URL"
PG_SKIP = f"needs a PostgreSQL server: set {PG_ENV} (`. .ci/postgres.sh` starts a throwaway one)"


def _pg_schema_url(schema: str) -> str:
    from sqlalchemy.engine import make_url

    base = make_url(os.environ[PG_ENV])
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _pg_admin(sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(os.environ[PG_ENV])
    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database,
        autocommit=True,
    ) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL to an empty PostgreSQL schema of its own."""
    if not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP)
    schema = f"records_test_{uuid.uuid4().hex[:12]}"
    _pg_admin(f"CREATE SCHEMA {schema}")
    try:
        yield _pg_schema_url(schema)
    finally:
        _pg_admin(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'records.sqlite3'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'records.sqlite3'}"
        return
    yield request.getfixturevalue("pg_url")


@pytest.fixture
def store(database_url: str) -> Iterator[RecordStore]:
    from baclofen_cds.records import open_store

    opened = open_store(database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(autouse=True)
def _no_records_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACLOFEN_CDS_DATABASE_URL", raising=False)
