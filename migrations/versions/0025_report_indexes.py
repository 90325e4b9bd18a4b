"""indexes the staff reports read instead of whole tables: certificate years, quiz states

Revision ID: 0025_report_indexes
Revises: 0024_report_snapshot
Create Date: 2026-12-07 21:20:00

"""

from alembic import op

revision = "0025_report_indexes"
down_revision = "0024_report_snapshot"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_certificate_issued_on", "certificate", ["issued_on"])
    op.create_index(
        "ix_quiz_attempt_quiz_state_graded", "quiz_attempt", ["quiz_id", "state", "graded_at"]
    )


def downgrade():
    op.drop_index("ix_quiz_attempt_quiz_state_graded", table_name="quiz_attempt")
    op.drop_index("ix_certificate_issued_on", table_name="certificate")
