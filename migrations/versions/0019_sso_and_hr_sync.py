"""single sign-on (identity providers, identities, spent states) and HR data (units, managers)

Each institution may have one OpenID Connect provider (its client secret encrypted with the
KEK) and may switch its passwords off; an account keeps its identities at providers. The HR
sync adds organisational units, each person's unit and line manager, and when a load last
listed them.

Revision ID: 0019_sso_and_hr_sync
Revises: 0018_notifications_exports
Create Date: 2026-12-07 13:17:37.923518

"""

import sqlalchemy as sa
from alembic import op

import app.core.database


# revision identifiers, used by Alembic.
revision = "0019_sso_and_hr_sync"
down_revision = "0018_notifications_exports"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sso_spent_state",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", app.core.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_sso_spent_state")),
    )
    with op.batch_alter_table("sso_spent_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_spent_state_used_at"), ["used_at"], unique=False)

    op.create_table(
        "identity_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("scopes", sa.String(length=255), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("role_claim", sa.String(length=100), nullable=False),
        sa.Column("role_map", sa.JSON(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("is_jit_enabled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", app.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_identity_provider_institution_id_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_provider")),
        sa.UniqueConstraint("institution_id", name=op.f("uq_identity_provider_institution_id")),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institution.id"], name=op.f("fk_unit_institution_id_institution")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("institution_id", "code", name=op.f("uq_unit_institution_id_code")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unit_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unit_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "sso_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.database.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", app.core.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_sso_identity_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_identity")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_sso_identity_issuer_subject")),
    )
    with op.batch_alter_table("sso_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_identity_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_password_login_allowed", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("manager_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("hr_synced_at", app.core.database.UTCDateTime(), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_user_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_unit_id"), ["unit_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_user_unit_id_unit"), "unit", ["unit_id"], ["id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_user_manager_id_user"),
            "user",
            ["manager_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_user_manager_id_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_user_unit_id_unit"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_user_unit_id"))
        batch_op.drop_index(batch_op.f("ix_user_manager_id"))
        batch_op.drop_column("hr_synced_at")
        batch_op.drop_column("manager_id")
        batch_op.drop_column("unit_id")

    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.drop_column("is_password_login_allowed")

    with op.batch_alter_table("sso_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_identity_user_id"))

    op.drop_table("sso_identity")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_parent_id"))
        batch_op.drop_index(batch_op.f("ix_unit_institution_id"))

    op.drop_table("unit")
    op.drop_table("identity_provider")
    with op.batch_alter_table("sso_spent_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_spent_state_used_at"))

    op.drop_table("sso_spent_state")
