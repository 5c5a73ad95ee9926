"""Where the records live and how to connect: URL resolution, engine and session factory.

Nothing here runs at import time: engines and session factories are made by functions.

- No URL given: one SQLite file in the user's data folder (platformdirs, app name
  "baclofen-cds"), created on first run with mode 0600, in a folder of mode 0700.
- `BACLOFEN_CDS_DATABASE_URL` or an explicit URL: `sqlite:///path/to/file` or
  `postgresql+psycopg://user@host:port/db` (a plain `postgresql://` URL is read as psycopg).

SQLite connections get foreign keys on, a busy timeout, and `BEGIN IMMEDIATE` for
write transactions so that two processes saving at once queue instead of failing. WAL mode is
switched on (it is stored in the file) by `migrate.migrate_to_head`, once the file is known to
be a records database: a file of another application is never modified.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baclofen_cds.records.types import RecordsUnavailable

if TYPE_CHECKING:
    from sqlalchemy import URL, Engine
    from sqlalchemy.orm import Session, sessionmaker

APP_NAME = "baclofen-cds"
ENV_VAR = "BACLOFEN_CDS_DATABASE_URL"
DEFAULT_FILE_NAME = "records.sqlite3"
#: Seconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_S = 10.0
#: Seconds to wait for a PostgreSQL server before saying records are unavailable.
PG_CONNECT_TIMEOUT_S = 5
SQLITE_HEADER = b"SQLite format 3\x00"
#: Execution option naming how a SQLite transaction begins (DEFERRED or IMMEDIATE).
SQLITE_BEGIN_OPTION = "baclofen_sqlite_begin"


def default_database_path() -> Path:
    """The SQLite file used when no URL is given (inside the user's data folder)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DEFAULT_FILE_NAME


def resolve_url(url: str | None = None) -> URL:
    """The database URL to use: the argument, else the environment variable, else the default.

    Raises `RecordsUnavailable` for a URL that is not SQLite or PostgreSQL.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = url if url else os.environ.get(ENV_VAR) or None
    if text is None:
        return make_url("sqlite://").set(database=str(default_database_path()))
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise RecordsUnavailable(
            "The records database address is not a valid URL "
            "(expected sqlite:///PATH or postgresql+psycopg://USER@HOST/DB)."
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if parsed.get_driver_name() not in ("pysqlite", ""):
            return parsed.set(drivername="sqlite")
        if not parsed.database or parsed.database == ":memory:":
            raise RecordsUnavailable(
                "The records database must be a file (sqlite:///PATH), not an in-memory database."
            )
        return parsed.set(database=str(Path(parsed.database).expanduser()))
    raise RecordsUnavailable(
        f"Records can be kept in SQLite or PostgreSQL, not {backend!r}. "
        "Use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB."
    )


def describe(url: URL) -> str:
    """The URL as it may be shown to a person: every password is hidden (the user's, and
    any `password`/`sslpassword` query parameter)."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    query = {key: ("***" if _secret_key(key) else value) for key, value in url.query.items()}
    shown = url.set(query=query).render_as_string(hide_password=True)
    return str(shown).replace("%2A%2A%2A", "***")


def _secret_key(key: str) -> bool:
    return "password" in key.lower() or key.lower() in ("passfile_content", "token")


def secrets_of(url: URL | None) -> list[str]:
    """The secret strings in a URL (passwords), longest first, for `redact`."""
    if url is None:
        return []
    found = [url.password] if url.password else []
    for key, value in url.query.items():
        if _secret_key(key):
            found.extend([value] if isinstance(value, str) else list(value))
    return sorted({str(v) for v in found if v}, key=len, reverse=True)


def redact(text: str, url: URL | None) -> str:
    """`text` with every secret of `url` replaced by ***."""
    for secret in secrets_of(url):
        text = text.replace(secret, "***")
    return text


def prepare_sqlite_file(path: Path) -> bool:
    """Make sure the SQLite file can be used, creating it (mode 0600) if absent.

    Returns True when the file was created now. Never overwrites or truncates an existing
    file; raises `RecordsUnavailable` with a plain message when it cannot be used.
    """
    where = str(path)
    if path.exists() and not path.is_file():
        raise RecordsUnavailable(
            f"The records database {where} is not a file. Nothing was changed."
        )
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise RecordsUnavailable(
            f"The folder for the records database ({path.parent}) cannot be created: "
            f"{exc.strerror or exc}."
        ) from None
    created = False
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise RecordsUnavailable(
            f"The records database {where} cannot be created: {exc.strerror or exc}."
        ) from None
    else:
        os.close(fd)
        created = True
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise RecordsUnavailable(
            f"The records database {where} cannot be read: {exc.strerror or exc}. "
            "Nothing was changed."
        ) from None
    if header and header != SQLITE_HEADER:
        raise RecordsUnavailable(
            f"The records database {where} is damaged or is not a Baclofen CDS records file. "
            "It was left untouched; restore it from a backup or move it aside."
        )
    _owner_only(path)
    return created


def _owner_only(path: Path) -> None:
    """Records hold patient data: readable and writable by their owner only."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except OSError:  # not ours to change (e.g. a shared read-only copy): leave as is
        pass


def _on_sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    del connection_record
    # Take control of transactions ourselves (pysqlite's own handling is not transactional
    # for DDL and cannot begin IMMEDIATE); see the "begin" listener below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # A committed assessment survives a power cut, not only a crash of the process.
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_engine_for(url: URL, *, pool: str = "default") -> Engine:
    """An engine for `url` with the settings records need. Does not connect yet.

    `pool="null"` gives a connection per use (for migrations and short-lived tools).
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    kwargs: dict[str, Any] = {}
    if pool == "null":
        kwargs["poolclass"] = NullPool
    if url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    kwargs["connect_args"] = {
        "connect_timeout": PG_CONNECT_TIMEOUT_S,
        "application_name": APP_NAME,
    }
    kwargs["pool_pre_ping"] = True
    return create_engine(url, **kwargs)


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions refuse to change append-only rows."""
    from sqlalchemy.orm import sessionmaker

    from baclofen_cds.records.models import RecordsSession

    return sessionmaker(bind=engine, class_=RecordsSession, expire_on_commit=False, autoflush=False)
