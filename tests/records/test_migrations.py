"""The migrations: shipped in the package, in step with the models, and upgrading old files."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from baclofen_cds.records import PatientDetails, RecordsUnavailable, open_store
from baclofen_cds.records.migrate import (
    alembic_config,
    backup_sqlite,
    check_models_match,
    head_revision,
    migrations_path,
)
from tests.records.records_support import make_recommendation

STORED = Path(__file__).parent / "data"


def test_models_and_migrations_agree(database_url: str) -> None:
    """`alembic check`: fails when a model changes without a migration."""
    open_store(database_url).close()
    check_models_match(database_url)


def test_migrations_are_found_by_package_not_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert Path(migrations_path()).is_dir()
    assert Path(migrations_path()).is_relative_to(Path(__file__).parents[2] / "baclofen_cds")
    open_store(f"sqlite:///{tmp_path / 'r.sqlite3'}").close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.sqlite3"]


def test_downgrade_and_upgrade_round_trip(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import create_engine, inspect

    open_store(database_url).close()
    engine = create_engine(database_url)
    try:
        command.downgrade(alembic_config(url=database_url), "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    with open_store(database_url) as store:
        assert store.history("MRN-001") == []


@pytest.mark.parametrize("stored", sorted(STORED.glob("schema_*.sqlite3")), ids=lambda p: p.name)
def test_a_stored_database_of_every_released_schema_opens_with_its_records(
    stored: Path, tmp_path: Path
) -> None:
    path = tmp_path / "records.sqlite3"
    shutil.copyfile(stored, path)
    with open_store(f"sqlite:///{path}") as store:
        history = store.history("MRN-001")
        assert len(history) == 2
        newest, oldest = history
        assert newest.supersedes_id == oldest.id
        assert oldest.superseded_by_id == newest.id
        got = store.get_assessment(oldest.id)
        assert got.patient.display_name == "Zoë O'Brien"
        # The stored text is whatever the engine wrote then; its checksum still matches
        # (get_assessment checks it) and its content is readable.
        assert got.result["status"] == "use_with_caution"
        assert got.case["patient"]["name"] == "Zoë O'Brien"
        assert got.knowledge_base_version == "2026.11.0"
        assert [a.reason_code for a in got.acknowledgements] == ["benefit"]
        # and it takes new records
        store.save_assessment(
            make_recommendation(), patient=PatientDetails("MRN-001"), clinician="Dr B"
        )
        assert store.count_history("MRN-001") == 3
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),
        )
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


NEXT_REVISION = """
revision = "9999"
down_revision = "0002"
branch_labels = None
depends_on = None

import sqlalchemy as sa
from alembic import op


def upgrade():
    op.create_table("future_table", sa.Column("id", sa.Integer, primary_key=True))
    with op.batch_alter_table("patient") as batch:
        batch.add_column(sa.Column("future_note", sa.String(50)))
    FAIL


def downgrade():
    pass
"""


def _with_next_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, fail: bool) -> None:
    """Ship a made-up revision 9999 (a copy of the migrations plus one file)."""
    folder = tmp_path / "migrations"
    shutil.copytree(migrations_path(), folder)
    body = NEXT_REVISION.replace(
        "    FAIL\n", '    raise RuntimeError("migration broke")\n' if fail else ""
    )
    (folder / "versions" / "v9999_next.py").write_text(body)
    monkeypatch.setattr("baclofen_cds.records.migrate.migrations_path", lambda: str(folder))


def _old_database(tmp_path: Path) -> Path:
    path = tmp_path / "db" / "records.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(STORED / "schema_0001.sqlite3", path)
    return path


def test_an_old_database_is_backed_up_then_upgraded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _old_database(tmp_path)
    original = path.read_bytes()
    _with_next_revision(tmp_path, monkeypatch, fail=False)
    with open_store(f"sqlite:///{path}") as store:
        assert store.count_history("MRN-001") == 2
    backups = sorted(path.parent.glob("records.sqlite3.before-0001-*.bak"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert conn.execute("SELECT count(*) FROM assessment").fetchone() == (2,)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999",)
        columns = [r[1] for r in conn.execute("PRAGMA table_info(patient)")]
        assert "future_note" in columns
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert original  # the old file's content lives on in the backup
    # Opening again does not back up again.
    open_store(f"sqlite:///{path}").close()
    assert len(list(path.parent.glob("*.bak"))) == 1


def test_a_failed_upgrade_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _old_database(tmp_path)
    _with_next_revision(tmp_path, monkeypatch, fail=True)
    with pytest.raises(RecordsUnavailable, match=r"migration broke.*left as it was"):
        open_store(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "future_table" not in tables
        assert "future_note" not in [r[1] for r in conn.execute("PRAGMA table_info(patient)")]
        assert conn.execute("SELECT count(*) FROM assessment").fetchone() == (2,)
        triggers = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
        assert "trg_assessment_no_update" in triggers


def test_backup_copies_consistently(tmp_path: Path) -> None:
    path = _old_database(tmp_path)
    backup = backup_sqlite(path, "0001")
    assert backup.name.startswith("records.sqlite3.before-0001-")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
