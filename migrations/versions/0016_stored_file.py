"""stored_file: the files of the database storage backend (STORAGE_BACKEND=database)

Revision ID: 0016_stored_file
Revises: 0015_course_summaries
Create Date: 2026-12-07 14:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.database

# revision identifiers, used by Alembic.
revision = "0016_stored_file"
down_revision = "0015_course_summaries"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_file",
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.core.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_file")),
    )


def downgrade():
    op.drop_table("stored_file")
