"""notices sent (each once per person), background exports, and users' search text without
diacritics (filled here for existing accounts)

Revision ID: 0018_notifications_exports
Revises: 0017_certificate_pdfa
Create Date: 2026-12-07 13:13:20.685831

"""

import sqlalchemy as sa
from alembic import op

import app.core.database
from app.core.search import fold


# revision identifiers, used by Alembic.
revision = "0018_notifications_exports"
down_revision = "0017_certificate_pdfa"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", app.core.database.UTCDateTime(), nullable=False),
        sa.Column("finished_at", app.core.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_export_institution_id_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_export_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export")),
    )
    with op.batch_alter_table("export", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_export_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_export_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sent_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("object_key", sa.String(length=120), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mail_id"],
            ["mail_message.id"],
            name=op.f("fk_sent_notice_mail_id_mail_message"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_sent_notice_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_notice")),
        sa.UniqueConstraint(
            "user_id", "kind", "object_key", name=op.f("uq_sent_notice_user_id_kind_object_key")
        ),
    )
    with op.batch_alter_table("sent_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_notice_mail_id"), ["mail_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sent_notice_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_text", sa.String(length=500), nullable=False, server_default="")
        )

    # Existing accounts get their folded name and e-mail (Šimić -> simic), computed in Python:
    # neither SQLite nor a plain PostgreSQL can strip diacritics in SQL.
    connection = op.get_bind()
    user = sa.table(
        "user",
        sa.column("id", sa.Integer),
        sa.column("full_name", sa.String),
        sa.column("email", sa.String),
        sa.column("search_text", sa.String),
    )
    rows = connection.execute(sa.select(user.c.id, user.c.full_name, user.c.email)).all()
    for start in range(0, len(rows), 1000):
        connection.execute(
            user.update()
            .where(user.c.id == sa.bindparam("user_id"))
            .values(search_text=sa.bindparam("text")),
            [
                {"user_id": row.id, "text": fold(f"{row.full_name or ''} {row.email or ''}")[:500]}
                for row in rows[start : start + 1000]
            ],
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("search_text")

    with op.batch_alter_table("sent_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_notice_user_id"))
        batch_op.drop_index(batch_op.f("ix_sent_notice_mail_id"))

    op.drop_table("sent_notice")
    with op.batch_alter_table("export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_user_id"))
        batch_op.drop_index(batch_op.f("ix_export_institution_id"))
        batch_op.drop_index(batch_op.f("ix_export_created_at"))

    op.drop_table("export")
