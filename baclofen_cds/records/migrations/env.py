"""Alembic environment for the records database (SQLite and PostgreSQL).

Loaded by package path (`baclofen_cds.records.migrate.alembic_config`), never from the
working directory. The caller passes either an open connection (`connection`, inside a
transaction it owns: start-up migration) or a URL (`url`: tools such as `check`).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from baclofen_cds.records.engine import create_engine_for, resolve_url
from baclofen_cds.records.models import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url")
    engine = create_engine_for(resolve_url(url), pool="null")
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("The records migrations run against a database, not in --sql mode.")
_run_online()
