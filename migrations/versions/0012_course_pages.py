"""course_page: a course's outcomes, glossary, sources, case studies, templates and guide

Revision ID: 0012_course_pages
Revises: 0011_security_review
Create Date: 2026-12-07 11:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_course_pages"
down_revision = "0011_security_review"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "course_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_page_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_page")),
        sa.UniqueConstraint(
            "course_id", "slug", "language", name=op.f("uq_course_page_course_id_slug_language")
        ),
    )
    with op.batch_alter_table("course_page", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_page_course_id"), ["course_id"], unique=False)
    # Pages are written when a course loads: load every course again on the next sync.
    op.execute("UPDATE course SET content_hash = ''")


def downgrade():
    with op.batch_alter_table("course_page", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_page_course_id"))
    op.drop_table("course_page")
