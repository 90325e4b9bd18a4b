"""content_version: the version of the published content that the page caches follow

Revision ID: 0010_content_version
Revises: 0009_evidence_levels_index
Create Date: 2026-11-24 21:00:00

"""
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.core.database

# revision identifiers, used by Alembic.
revision = "0010_content_version"
down_revision = "0009_evidence_levels_index"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "content_version",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("changed_at", app.core.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_content_version")),
    )
    op.bulk_insert(
        table,
        [{"name": "content", "token": secrets.token_hex(16), "changed_at": datetime.now(UTC)}],
    )


def downgrade():
    op.drop_table("content_version")
