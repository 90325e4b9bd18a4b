"""evidence: a covering index for current levels

Revision ID: 0009_evidence_levels_index
Revises: 0008
Create Date: 2026-11-24 19:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0009_evidence_levels_index"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_user_levels",
            ["user_id", "created_at", "id", "competence_id", "level", "is_verified",
             "supersedes_id", "expires_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_user_levels")
