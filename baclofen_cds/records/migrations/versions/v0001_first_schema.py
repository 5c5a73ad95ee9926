"""First schema: patient, assessment, alert acknowledgement, handout print.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Assessments, acknowledgements and prints are append-only: triggers refuse UPDATE and DELETE
on them (and TRUNCATE on PostgreSQL). A later SQLite batch migration that rebuilds one of these
tables drops its triggers with it and must create them again (`_create_append_only_triggers`).
This file is frozen: it does not import the models, so later model changes cannot alter it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("assessment", "alert_acknowledgement", "handout_print")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION records_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only: rows of % cannot be changed or deleted (%)',
        TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def _create_append_only_triggers(table: str) -> None:
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


def _drop_append_only_triggers(table: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_no_{action}")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_no_truncate ON {table}")


def upgrade() -> None:
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=500), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sex IN ('female', 'male')", name=op.f("ck_patient_sex_known")),
        sa.CheckConstraint(
            "length(external_id) > 0", name=op.f("ck_patient_external_id_not_empty")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("external_id", name=op.f("uq_patient_external_id")),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinician", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_json", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=False),
        sa.Column("kb_version", sa.String(length=100), nullable=False),
        sa.Column("kb_sha256", sa.String(length=64), nullable=False),
        sa.Column("app_version", sa.String(length=50), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("indication", sa.String(length=64), nullable=False),
        sa.Column("alert_count", sa.Integer(), nullable=False),
        sa.Column("critical_alert_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "length(clinician) > 0", name=op.f("ck_assessment_clinician_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_assessment_patient_id_patient"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id", "patient_id"],
            ["assessment.id", "assessment.patient_id"],
            name="fk_assessment_supersedes_same_patient",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint("id", "patient_id", name=op.f("uq_assessment_id_patient_id")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_assessment_supersedes_id")),
    )
    op.create_index(
        "ix_assessment_patient_history",
        "assessment",
        ["patient_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "alert_acknowledgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=100), nullable=True),
        sa.Column("comment", sa.String(length=4000), nullable=True),
        sa.Column("clinician", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome <> 'overridden' OR reason_code IS NOT NULL",
            name=op.f("ck_alert_acknowledgement_override_has_reason"),
        ),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'overridden')",
            name=op.f("ck_alert_acknowledgement_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_alert_acknowledgement_assessment_id_assessment"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_acknowledgement")),
    )
    op.create_index(
        op.f("ix_alert_acknowledgement_assessment_id"),
        "alert_acknowledgement",
        ["assessment_id"],
        unique=False,
    )
    op.create_table(
        "handout_print",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=50), nullable=False),
        sa.Column("options_json", sa.Text(), nullable=True),
        sa.Column("printed_by", sa.String(length=200), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_handout_print_assessment_id_assessment"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handout_print")),
    )
    op.create_index(
        op.f("ix_handout_print_assessment_id"), "handout_print", ["assessment_id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
    for table in APPEND_ONLY_TABLES:
        _create_append_only_triggers(table)


def downgrade() -> None:
    for table in APPEND_ONLY_TABLES:
        _drop_append_only_triggers(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS records_refuse_change()")
    op.drop_index(op.f("ix_handout_print_assessment_id"), table_name="handout_print")
    op.drop_table("handout_print")
    op.drop_index(
        op.f("ix_alert_acknowledgement_assessment_id"), table_name="alert_acknowledgement"
    )
    op.drop_table("alert_acknowledgement")
    op.drop_index("ix_assessment_patient_history", table_name="assessment")
    op.drop_table("assessment")
    op.drop_table("patient")
