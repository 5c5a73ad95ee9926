"""Opening the records: where the file lives, and what happens when it cannot be used."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from baclofen_cds.records import PatientDetails, RecordsUnavailable, open_store
from baclofen_cds.records.engine import default_database_path, resolve_url
from tests.records.records_support import make_recommendation


def _save_one(url: str | None) -> int:
    with open_store(url) as store:
        return store.save_assessment(
            make_recommendation(), patient=PatientDetails("MRN-001"), clinician="Dr A"
        )


def test_first_run_creates_a_private_sqlite_file_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = tmp_path / "data" / "baclofen-cds" / "records.sqlite3"
    assert default_database_path() == path
    assert not path.exists()

    with open_store() as store:
        assert store.backend == "sqlite"
        assert store.location == str(path)
        store.save_assessment(
            make_recommendation(), patient=PatientDetails("MRN-001"), clinician="Dr A"
        )
        with store._engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for sidecar in path.parent.glob("records.sqlite3-*"):  # WAL files hold patient data too
        assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600


def test_tests_do_not_use_the_real_home_folder() -> None:
    assert not str(default_database_path()).startswith(str(Path.home() / ".local"))


def test_environment_variable_chooses_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "clinic.sqlite3"
    monkeypatch.setenv("BACLOFEN_CDS_DATABASE_URL", f"sqlite:///{target}")
    _save_one(None)
    assert target.exists()
    # An explicit URL wins over the environment.
    other = tmp_path / "other.sqlite3"
    _save_one(f"sqlite:///{other}")
    assert other.exists()


def test_a_too_open_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    _save_one(f"sqlite:///{path}")
    path.chmod(0o644)
    _save_one(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_plain_postgresql_url_uses_psycopg() -> None:
    url = resolve_url("postgresql://clinic@db.example:5432/records")
    assert url.drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://x@y/z", "SQLite or PostgreSQL"),
        ("sqlite://", "must be a file"),
        ("not a url", "not a valid URL"),
    ],
)
def test_unusable_urls_are_refused_plainly(url: str, words: str) -> None:
    with pytest.raises(RecordsUnavailable, match=words):
        open_store(url)


def _assert_untouched(path: Path, content: bytes) -> None:
    assert path.read_bytes() == content
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_a_damaged_file_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    content = b"this is not a database\n" * 100
    path.write_bytes(content)
    with pytest.raises(RecordsUnavailable, match="damaged") as caught:
        open_store(f"sqlite:///{path}")
    assert str(path) in str(caught.value)
    _assert_untouched(path, content)


def test_a_truncated_database_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    for _ in range(30):
        _save_one(f"sqlite:///{path}")
    for sidecar in tmp_path.glob("records.sqlite3-*"):
        sidecar.unlink()
    content = path.read_bytes()[: 4096 * 3]  # the header survives, most pages do not
    path.write_bytes(content)
    with pytest.raises(RecordsUnavailable) as caught, open_store(f"sqlite:///{path}") as store:
        store.history("MRN-001")
    assert "Traceback" not in str(caught.value)
    assert path.read_bytes()[: len(content)] == content


def test_a_folder_in_place_of_the_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    path.mkdir()
    with pytest.raises(RecordsUnavailable, match="not a file"):
        open_store(f"sqlite:///{path}")


def test_a_file_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(RecordsUnavailable, match="cannot be created"):
        open_store(f"sqlite:///{blocker / 'records.sqlite3'}")


def test_another_applications_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.commit()
    conn.close()
    content = path.read_bytes()
    with pytest.raises(RecordsUnavailable, match="not Baclofen CDS records"):
        open_store(f"sqlite:///{path}")
    _assert_untouched(path, content)


def test_a_database_from_a_newer_version_is_not_touched(database_url: str) -> None:
    _save_one(database_url)
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(RecordsUnavailable, match="newer version"):
        open_store(database_url)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
        assert conn.execute(text("SELECT count(*) FROM assessment")).scalar() == 1
    engine.dispose()


def test_an_unreachable_server_is_reported_quickly() -> None:
    start = time.monotonic()
    with pytest.raises(RecordsUnavailable, match="cannot be reached") as caught:
        open_store("postgresql+psycopg://clinic:s3cret@127.0.0.1:9/records")
    assert time.monotonic() - start < 10
    assert "s3cret" not in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file regardless of its mode")
def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:  # pragma: no cover - non-root
    path = tmp_path / "records.sqlite3"
    _save_one(f"sqlite:///{path}")
    path.chmod(0)
    with pytest.raises(RecordsUnavailable, match="cannot be read"):
        open_store(f"sqlite:///{path}")
