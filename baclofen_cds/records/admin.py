"""Setting up a shared records server, and backing up a records file.

`init_server(url)` (`baclofen-cds records init --database-url OWNER_URL`), run once by the
clinic's database administrator, and again after an upgrade of the application:

- creates two group roles (no login): `baclofen_cds_owner`, which owns the tables and runs the
  migrations, and `baclofen_cds_clinician`, which may only read and insert: no UPDATE,
  DELETE or TRUNCATE, and, not owning the tables, no ALTER TABLE (so no disabling of the
  append-only triggers) and no DDL;
- creates or upgrades the schema as `baclofen_cds_owner`;
- grants the clinician role SELECT and INSERT on the records tables (SELECT only on the
  schema version).

Each clinician then logs in as their own role, a member of `baclofen_cds_clinician`; every
row stores that login (`session_user`, set by a trigger). See docs/records.md.

`backup_sqlite_file(url, target)` copies a SQLite records file with SQLite's online backup
API (consistent while the application is writing), to a new file of mode 0600, and checks
the copy.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from baclofen_cds.records.types import InvalidRecord, RecordsUnavailable

if TYPE_CHECKING:
    from sqlalchemy import Connection

OWNER_ROLE = "baclofen_cds_owner"
CLINICIAN_ROLE = "baclofen_cds_clinician"
#: Tables a clinician may read and add to (never change or delete).
INSERT_TABLES = (
    "patient",
    "patient_detail",
    "assessment",
    "alert_acknowledgement",
    "handout_print",
)
READ_ONLY_TABLES = ("alembic_version",)

_CREATE_ROLE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
        CREATE ROLE {role} NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object THEN NULL;
END
$$
"""


def init_server(url: str | None) -> str:
    """Create the roles and the schema on a PostgreSQL server (see the module docstring).

    Returns a one-line description of what was done. Raises `RecordsUnavailable` (the
    server cannot be used, or this login may not create roles) or `InvalidRecord` (not a
    PostgreSQL URL).
    """
    from sqlalchemy import event
    from sqlalchemy.exc import DBAPIError

    from baclofen_cds.records.engine import create_engine_for, describe, redact, resolve_url
    from baclofen_cds.records.migrate import migrate_to_head

    resolved = resolve_url(url)
    where = describe(resolved)
    if resolved.get_backend_name() != "postgresql":
        raise InvalidRecord(
            "--database-url",
            "records init sets up a PostgreSQL server; a SQLite file is created on first use",
        )
    admin = create_engine_for(resolved, pool="null")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(_CREATE_ROLE.format(role=OWNER_ROLE))
            conn.exec_driver_sql(_CREATE_ROLE.format(role=CLINICIAN_ROLE))
            conn.commit()
            schema = str(conn.exec_driver_sql("SELECT current_schema()").scalar_one())
            me = str(conn.exec_driver_sql("SELECT current_user").scalar_one())
            conn.exec_driver_sql(f"GRANT {OWNER_ROLE} TO {_ident(me)}")
            conn.exec_driver_sql(f"GRANT USAGE, CREATE ON SCHEMA {_ident(schema)} TO {OWNER_ROLE}")
            _hand_over_existing(conn, schema)
            conn.commit()
        owner = create_engine_for(resolved, pool="null")

        def become_owner(dbapi_connection: object, record: object) -> None:
            del record
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute(f"SET ROLE {OWNER_ROLE}")
            cursor.close()

        event.listen(owner, "connect", become_owner)
        try:
            revision = migrate_to_head(owner)
        finally:
            owner.dispose()
        with admin.connect() as conn:
            _grant(conn, schema)
            conn.commit()
    except DBAPIError as exc:
        original = getattr(exc, "orig", exc)
        first = (str(original).strip().splitlines() or [type(original).__name__])[0]
        raise RecordsUnavailable(
            redact(
                f"Setting up the records server {where} failed: {first}. Run `records init` "
                "as the database owner or an administrator allowed to create roles.",
                resolved,
            )
        ) from None
    finally:
        admin.dispose()
    return (
        f"records server {where} ready (schema {schema}, revision {revision}): "
        f"group roles {OWNER_ROLE} (owner) and {CLINICIAN_ROLE} (read and insert only)"
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _hand_over_existing(conn: Connection, schema: str) -> None:
    """Tables made before (by the application's own login) pass to the owner role."""
    rows = conn.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = %(s)s", {"s": schema}
    ).fetchall()
    known = {*INSERT_TABLES, *READ_ONLY_TABLES}
    for (table,) in rows:
        if table in known:
            conn.exec_driver_sql(
                f"ALTER TABLE {_ident(schema)}.{_ident(table)} OWNER TO {OWNER_ROLE}"
            )
    for function in ("records_refuse_change()", "records_stamp_session_user()"):
        exists = conn.exec_driver_sql(
            "SELECT to_regprocedure(%(f)s)", {"f": f"{schema}.{function}"}
        ).scalar_one()
        if exists is not None:
            conn.exec_driver_sql(
                f"ALTER FUNCTION {_ident(schema)}.{function} OWNER TO {OWNER_ROLE}"
            )


def _grant(conn: Connection, schema: str) -> None:
    s = _ident(schema)
    conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC")
    conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {CLINICIAN_ROLE}")
    conn.exec_driver_sql(f"REVOKE CREATE ON SCHEMA {s} FROM {CLINICIAN_ROLE}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {s} TO {CLINICIAN_ROLE}")
    for table in INSERT_TABLES:
        conn.exec_driver_sql(f"GRANT SELECT, INSERT ON {s}.{table} TO {CLINICIAN_ROLE}")
    for table in READ_ONLY_TABLES:
        conn.exec_driver_sql(f"GRANT SELECT ON {s}.{table} TO {CLINICIAN_ROLE}")
    conn.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {CLINICIAN_ROLE}")


# ---------------------------------------------------------------------------- backup
def backup_sqlite_file(url: str | None, target: Path, *, force: bool = False) -> str:
    """Copy the SQLite records to `target` (online backup API, 0600), check the copy, and
    return a one-line description. The target is written through a temporary file in its
    folder: a failed backup leaves nothing, and an existing file is replaced only with
    `force` (never a link or device)."""
    from baclofen_cds.records.engine import resolve_url

    resolved = resolve_url(url)
    if resolved.get_backend_name() != "sqlite":
        raise InvalidRecord(
            "--database-url",
            "records backup copies a SQLite file; back up a PostgreSQL server with pg_dump "
            "(docs/records.md)",
        )
    source_path = Path(str(resolved.database))
    if not source_path.is_file():
        raise RecordsUnavailable(f"There is no records file at {source_path}.")
    target = target.expanduser().absolute()
    if os.path.realpath(target) == os.path.realpath(source_path):
        raise InvalidRecord("--to", "is the records file itself")
    tmp = target.with_name(f".bcds-{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
    except OSError as exc:
        raise InvalidRecord("--to", f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
        try:
            dest = sqlite3.connect(str(tmp))
            try:
                source.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")
                check = dest.execute("PRAGMA integrity_check").fetchone()
                count = dest.execute("SELECT count(*) FROM assessment").fetchone()[0]
            finally:
                dest.close()
        finally:
            source.close()
        if check != ("ok",):
            raise RecordsUnavailable(f"The backup copy failed its integrity check ({check}).")
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        if force:
            if target.is_symlink() or (target.exists() and not target.is_file()):
                raise InvalidRecord("--to", f"{target} is not a regular file; it is never replaced")
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise InvalidRecord(
                    "--to", f"{target} already exists (add --force to replace it)"
                ) from None
    except sqlite3.Error as exc:
        raise RecordsUnavailable(
            f"The records file {source_path} cannot be backed up: {exc}."
        ) from None
    except OSError as exc:
        raise InvalidRecord("--to", f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return f"backed up {count} assessments from {source_path} to {target} (integrity check ok)"
