"""background jobs (their failures), e-mail records, the notification choices of each person

Revision ID: 0014_jobs_and_mail
Revises: 0013_keys_in_database
Create Date: 2026-12-07 12:34:54.932085

"""
import sqlalchemy as sa
from alembic import op

import app.core.database


# revision identifiers, used by Alembic.
revision = '0014_jobs_and_mail'
down_revision = '0013_keys_in_database'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('arguments', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('retries_left', sa.Integer(), nullable=False),
    sa.Column('failed_at', app.core.database.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', app.core.database.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_failure'))
    )
    with op.batch_alter_table('job_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_failure_failed_at'), ['failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_failure_task_id'), ['task_id'], unique=False)

    op.create_table('mail_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('object_key', sa.String(length=120), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.database.UTCDateTime(), nullable=False),
    sa.Column('sent_at', app.core.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mail_message_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_message'))
    )
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_status'), ['status'], unique=False)
        batch_op.create_index('uq_mail_once', ['user_id', 'kind', 'object_key'], unique=True, sqlite_where=sa.text('object_key IS NOT NULL'), postgresql_where=sa.text('object_key IS NOT NULL'))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notification_optout', sa.JSON(), nullable=False, server_default='[]'))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('notification_optout')

    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.drop_index('uq_mail_once', sqlite_where=sa.text('object_key IS NOT NULL'), postgresql_where=sa.text('object_key IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_mail_message_status'))
        batch_op.drop_index(batch_op.f('ix_mail_message_kind'))
        batch_op.drop_index(batch_op.f('ix_mail_message_created_at'))

    op.drop_table('mail_message')
    with op.batch_alter_table('job_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_failure_task_id'))
        batch_op.drop_index(batch_op.f('ix_job_failure_failed_at'))

    op.drop_table('job_failure')
