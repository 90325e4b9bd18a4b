"""institution_emblem, superseded_pdf: the emblem on certificates; PDF copies replaced

Revision ID: 0017_certificate_pdfa
Revises: 0016_stored_file
Create Date: 2026-12-07 13:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.core.database

# revision identifiers, used by Alembic.
revision = "0017_certificate_pdfa"
down_revision = "0016_stored_file"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "institution_emblem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", app.core.database.UTCDateTime(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_institution_emblem_institution_id_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user.id"],
            name=op.f("fk_institution_emblem_uploaded_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institution_emblem")),
        sa.UniqueConstraint("institution_id", name=op.f("uq_institution_emblem_institution_id")),
    )
    op.create_table(
        "superseded_pdf",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("superseded_at", app.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
            name=op.f("fk_superseded_pdf_certificate_id_certificate"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_superseded_pdf")),
    )
    with op.batch_alter_table("superseded_pdf", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_superseded_pdf_certificate_id"), ["certificate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_superseded_pdf_sha256"), ["sha256"], unique=False)


def downgrade():
    with op.batch_alter_table("superseded_pdf", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_superseded_pdf_sha256"))
        batch_op.drop_index(batch_op.f("ix_superseded_pdf_certificate_id"))
    op.drop_table("superseded_pdf")
    op.drop_table("institution_emblem")
