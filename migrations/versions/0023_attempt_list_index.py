"""quiz attempts in the order of the trainers' list: (quiz, started, id)

Revision ID: 0023_attempt_list_index
Revises: 0022_quiz_statistics
Create Date: 2026-12-07 19:40:00

"""

from alembic import op

revision = "0023_attempt_list_index"
down_revision = "0022_quiz_statistics"
branch_labels = None
depends_on = None


def upgrade():
    # The composite index also serves every lookup by quiz alone, so it replaces that one.
    op.create_index(
        "ix_quiz_attempt_quiz_started", "quiz_attempt", ["quiz_id", "started_at", "id"]
    )
    op.drop_index("ix_quiz_attempt_quiz_id", table_name="quiz_attempt")


def downgrade():
    op.create_index("ix_quiz_attempt_quiz_id", "quiz_attempt", ["quiz_id"])
    op.drop_index("ix_quiz_attempt_quiz_started", table_name="quiz_attempt")
