"""report_snapshot: the summary across institutions as last counted, shared by every server

Revision ID: 0024_report_snapshot
Revises: 0023_attempt_list_index
Create Date: 2026-12-07 20:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0024_report_snapshot"
down_revision = "0023_attempt_list_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_snapshot",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_report_snapshot")),
    )


def downgrade():
    op.drop_table("report_snapshot")
