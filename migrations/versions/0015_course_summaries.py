"""certificate.course_summaries: the course's summary in each language, frozen at issue

The Europass credential describes the course in every language it has; the certificate keeps
the summaries it was issued with, as it keeps the titles. Certificates issued before have
none (the Open Badges credential keeps the summary in the learner's language).

Revision ID: 0015_course_summaries
Revises: 0014_jobs_and_mail
Create Date: 2026-12-08 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_course_summaries"
down_revision = "0014_jobs_and_mail"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificate") as batch:
        batch.add_column(
            sa.Column("course_summaries", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade():
    with op.batch_alter_table("certificate") as batch:
        batch.drop_column("course_summaries")
