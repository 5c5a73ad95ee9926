"""Bring a records database to the current schema at start-up (Alembic, shipped in the package).

`migrate_to_head(engine)` is called by `open_store`. It is quick when the database is already
current (one query). Otherwise it takes a lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an
advisory lock) so that two workstations starting together migrate once, backs up an existing
SQLite file first (`<file>.before-<revision>-<UTC time>.bak`, mode 0600), and runs the upgrade in
one transaction: a failed migration leaves the database as it was.

A database written by a newer version of the application, or a file holding somebody else's
tables, is refused with `RecordsUnavailable` and left untouched.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from baclofen_cds.records.engine import SQLITE_BEGIN_OPTION
from baclofen_cds.records.types import RecordsUnavailable

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import Connection, Engine

#: Key of the PostgreSQL advisory lock held while migrating ("baclofen" in ASCII).
PG_MIGRATION_LOCK_KEY = 0x62_61_63_6C_6F_66_65_6E
RECORDS_TABLES = frozenset({"patient", "assessment", "alert_acknowledgement", "handout_print"})


def migrations_path() -> str:
    """The folder of the migrations, found through the package (not the working directory)."""
    return str(files("baclofen_cds.records") / "migrations")


def alembic_config(*, connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic configuration for the shipped migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", migrations_path())
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    if url is not None:
        cfg.attributes["url"] = url
    return cfg


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no records migrations shipped")
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def migrate_to_head(engine: Engine) -> str:
    """Upgrade the database behind `engine` to the newest schema. Returns the revision.

    Raises `RecordsUnavailable` (database left unchanged) when it cannot.
    """
    head = head_revision()
    with engine.connect() as conn:
        current = current_revision(conn)
        _check_known(conn, current)
        conn.rollback()
        if engine.dialect.name == "sqlite":
            _sqlite_pragma(conn, "PRAGMA journal_mode = WAL")
        if current == head:
            return head
    is_sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if is_sqlite:
            # Batch migrations copy tables; foreign keys are checked once at the end instead.
            _sqlite_pragma(conn, "PRAGMA foreign_keys = OFF")
            conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        try:
            with conn.begin():
                if not is_sqlite:
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK_KEY})")
                current = current_revision(conn)  # again, now that we hold the lock
                _check_known(conn, current)
                if current != head:
                    if is_sqlite and current is not None:
                        backup_sqlite(Path(str(engine.url.database)), current)
                    from alembic import command

                    command.upgrade(alembic_config(connection=conn), "head")
                    if is_sqlite:
                        problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if problems:
                            raise RecordsUnavailable(
                                "Updating the records database failed a consistency check; "
                                "it was left as it was."
                            )
        finally:
            if is_sqlite:
                _sqlite_pragma(conn, "PRAGMA foreign_keys = ON")
    return head


def _sqlite_pragma(conn: Connection, pragma: str) -> None:
    """Run a PRAGMA outside any transaction (inside one, foreign_keys is silently ignored)."""
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(pragma)


def _check_known(conn: Connection, current: str | None) -> None:
    if current is None:
        from sqlalchemy import inspect

        tables = set(inspect(conn).get_table_names())
        tables.discard("alembic_version")
        if tables:
            raise RecordsUnavailable(
                "The records database holds tables that are not Baclofen CDS records "
                f"({', '.join(sorted(tables)[:5])}). It was left untouched."
            )
        return
    try:
        script_directory().get_revision(current)
    except Exception:  # alembic raises several kinds for an unknown revision
        raise RecordsUnavailable(
            f"The records database was written by a newer version of Baclofen CDS "
            f"(schema {current}). Update the application; the database was left untouched."
        ) from None


def backup_sqlite(path: Path, revision: str) -> Path:
    """Copy the SQLite database (consistently, with SQLite's backup API) beside itself."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.before-{revision}-{stamp}.bak")
    source = sqlite3.connect(str(path))
    try:
        target.touch(mode=0o600, exist_ok=False)
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    target.chmod(0o600)
    return target


def check_models_match(url: str) -> None:
    """Alembic's `check`: raise when the models and the migrations disagree (used in CI)."""
    from alembic import command

    command.check(alembic_config(url=url))
