"""security review: session tokens, hand-issue reasons, one active key, evidence once

Throttling moves to Flask-Limiter, so the failed-login and rate-event tables go.

Revision ID: 0011_security_review
Revises: 0010_content_version
Create Date: 2026-12-07 12:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

import app.core.database

# revision identifiers, used by Alembic.
revision = "0011_security_review"
down_revision = "0010_content_version"
branch_labels = None
depends_on = None

COURSE_ONCE = "source = 'course'"
ATTEMPT_ONCE = "source = 'quiz'"
ACTIVE_KEY = "retired_at IS NULL"


def _fill_session_tokens() -> None:
    connection = op.get_bind()
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(
            user.update().where(user.c.id == user_id).values(session_token=secrets.token_hex(16))
        )


def _drop_duplicate_evidence() -> None:
    # Completions that raced left the same evidence two or three times: keep the first record.
    op.execute(
        "DELETE FROM evidence WHERE source = 'course' AND id NOT IN ("
        " SELECT MIN(id) FROM evidence WHERE source = 'course'"
        " GROUP BY user_id, course_id, competence_id)"
    )
    op.execute(
        "DELETE FROM evidence WHERE source = 'quiz' AND id NOT IN ("
        " SELECT MIN(id) FROM evidence WHERE source = 'quiz'"
        " GROUP BY attempt_id, competence_id)"
    )


def _retire_extra_keys() -> None:
    # Racing first requests could leave two active keys: the newest stays active.
    op.execute(
        "UPDATE institution_key SET retired_at = created_at WHERE retired_at IS NULL AND id NOT IN ("
        " SELECT MAX(id) FROM institution_key WHERE retired_at IS NULL GROUP BY institution_id)"
    )


def upgrade():
    # Added NOT NULL with a default rather than altered afterwards: on SQLite an alter copies
    # the table, and dropping "user" with foreign keys on would cascade into its dependants.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_token", sa.String(length=32), nullable=False, server_default="")
        )
    _fill_session_tokens()
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issue_reason", sa.Text(), nullable=False, server_default=""))

    _retire_extra_keys()
    with op.batch_alter_table("institution_key", schema=None) as batch_op:
        batch_op.create_index(
            "uq_institution_key_active",
            ["institution_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE_KEY),
            postgresql_where=sa.text(ACTIVE_KEY),
        )

    _drop_duplicate_evidence()
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(
            "uq_evidence_course_once",
            ["user_id", "course_id", "competence_id"],
            unique=True,
            sqlite_where=sa.text(COURSE_ONCE),
            postgresql_where=sa.text(COURSE_ONCE),
        )
        batch_op.create_index(
            "uq_evidence_attempt_once",
            ["attempt_id", "competence_id"],
            unique=True,
            sqlite_where=sa.text(ATTEMPT_ONCE),
            postgresql_where=sa.text(ATTEMPT_ONCE),
        )

    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_key"))
        batch_op.drop_index(batch_op.f("ix_login_failure_created_at"))
    op.drop_table("login_failure")
    with op.batch_alter_table("rate_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_event_key"))
        batch_op.drop_index(batch_op.f("ix_rate_event_created_at"))
    op.drop_table("rate_event")


def downgrade():
    for name in ("rate_event", "login_failure"):
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key", sa.String(length=64), nullable=False),
            sa.Column("created_at", app.core.database.UTCDateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        )
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{name}_created_at"), ["created_at"], unique=False)
            batch_op.create_index(batch_op.f(f"ix_{name}_key"), ["key"], unique=False)
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("uq_evidence_attempt_once")
        batch_op.drop_index("uq_evidence_course_once")
    with op.batch_alter_table("institution_key", schema=None) as batch_op:
        batch_op.drop_index("uq_institution_key_active")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_column("issue_reason")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_token")
