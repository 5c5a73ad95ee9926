"""Integrity: who wrote each row (database user), idempotent saves, append-only patients.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

- `db_user` on every table: the authenticated database user. On PostgreSQL a BEFORE INSERT
  trigger sets it to `session_user` whatever the client sends; on SQLite the application
  writes the operating-system login.
- `assessment.uid` (unique): chosen by the client before saving, so a retry after an unknown
  outcome returns the stored assessment instead of saving it twice.
- `patient` becomes append-only (triggers as for the other tables); a detail added later is a
  new `patient_detail` row.
Only columns are added (no SQLite table rebuild), so the append-only triggers of 0001 stay.
This file is frozen: it does not import the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMPED_TABLES = ("patient", "patient_detail", "assessment", "alert_acknowledgement", "handout_print")
NEW_APPEND_ONLY = ("patient", "patient_detail")

PG_STAMP = """
CREATE OR REPLACE FUNCTION records_stamp_session_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.db_user := session_user;
    RETURN NEW;
END
$$
"""


def _append_only(table: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER trg_{table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: rows of {table} cannot be changed "
                f"or deleted ({action})'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION records_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION records_refuse_change()"
        )


def _drop_append_only(table: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_no_{action}")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_no_truncate ON {table}")


def upgrade() -> None:
    op.create_table(
        "patient_detail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=500), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("db_user", sa.String(length=200), nullable=True),
        sa.CheckConstraint("sex IN ('female', 'male')", name=op.f("ck_patient_detail_sex_known")),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_detail_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_detail")),
    )
    op.create_index(
        op.f("ix_patient_detail_patient_id"), "patient_detail", ["patient_id"], unique=False
    )
    for table in ("patient", "assessment", "alert_acknowledgement", "handout_print"):
        op.add_column(table, sa.Column("db_user", sa.String(length=200), nullable=True))
    op.add_column("assessment", sa.Column("uid", sa.String(length=36), nullable=True))
    op.create_index("ix_assessment_uid", "assessment", ["uid"], unique=True)
    for table in NEW_APPEND_ONLY:
        _append_only(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_STAMP)
        for table in STAMPED_TABLES:
            op.execute(
                f"CREATE TRIGGER trg_{table}_db_user BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION records_stamp_session_user()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in STAMPED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_db_user ON {table}")
        op.execute("DROP FUNCTION IF EXISTS records_stamp_session_user()")
    for table in NEW_APPEND_ONLY:
        _drop_append_only(table)
    op.drop_index("ix_assessment_uid", table_name="assessment")
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("uid")
    for table in ("patient", "assessment", "alert_acknowledgement", "handout_print"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("db_user")
    if op.get_bind().dialect.name == "sqlite":
        # A SQLite batch operation rebuilt these tables and dropped their 0001 triggers.
        for table in ("assessment", "alert_acknowledgement", "handout_print"):
            _drop_append_only(table)
            _append_only(table)
    op.drop_index(op.f("ix_patient_detail_patient_id"), table_name="patient_detail")
    op.drop_table("patient_detail")
