"""signing keys in the database, encrypted; compromised keys; re-issued certificates

The private keys move from PEM files (SIGNING_KEY_DIR, or SIGNING_KEY_<SLUG> in the
environment) into institution_key.private_key_encrypted, encrypted with the key-encryption key
(app.core.kek). The files are left where they were, for the administrator to remove once a
backup of the database is taken: a migration does not destroy the only copy of a key.

Revision ID: 0013_keys_in_database
Revises: 0012_course_pages
Create Date: 2026-12-07 13:00:00

"""
import logging
import os
import re
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

import app.core.database
from app.core import kek

# revision identifiers, used by Alembic.
revision = "0013_keys_in_database"
down_revision = "0012_course_pages"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _key_dir() -> Path:
    configured = current_app.config.get("SIGNING_KEY_DIR")
    if configured:
        return Path(configured)
    # The folder the previous release used when SIGNING_KEY_DIR was not set.
    return Path(current_app.config["STORAGE_DIR"]).parent / "keys"


def _old_pem(slug: str, multibase: str, active: bool) -> bytes | None:
    env = "SIGNING_KEY_" + re.sub(r"[^A-Z0-9]", "_", slug.upper())
    if active and os.environ.get(env):
        return os.environ[env].encode()
    path = _key_dir() / slug / f"{multibase}.pem"
    return path.read_bytes() if path.is_file() else None


def _import_keys() -> None:
    connection = op.get_bind()
    key = sa.table(
        "institution_key",
        sa.column("id", sa.Integer),
        sa.column("institution_id", sa.Integer),
        sa.column("public_key_multibase", sa.String),
        sa.column("retired_at", sa.DateTime),
        sa.column("private_key_encrypted", sa.LargeBinary),
    )
    institution = sa.table("institution", sa.column("id", sa.Integer), sa.column("slug", sa.String))
    rows = connection.execute(
        sa.select(key.c.id, key.c.public_key_multibase, key.c.retired_at, institution.c.slug).join(
            institution, institution.c.id == key.c.institution_id
        )
    ).all()
    moved = 0
    for key_id, multibase, retired_at, slug in rows:
        pem = _old_pem(slug, multibase, retired_at is None)
        if pem is None:
            continue
        connection.execute(
            key.update().where(key.c.id == key_id).values(private_key_encrypted=kek.encrypt(pem))
        )
        moved += 1
    if moved:
        log.warning(
            "%d signing key(s) moved into the database, encrypted; once the database is backed up, "
            "remove the PEM files in %s and any SIGNING_KEY_<SLUG> variables",
            moved,
            _key_dir(),
        )


def upgrade():
    with op.batch_alter_table("institution_key") as batch:
        batch.add_column(sa.Column("compromised_at", app.core.database.UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("compromised_reason", sa.Text(), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("private_key_encrypted", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("certificate") as batch:
        batch.add_column(sa.Column("reissued_at", app.core.database.UTCDateTime(), nullable=True))
    _import_keys()


def downgrade():
    with op.batch_alter_table("certificate") as batch:
        batch.drop_column("reissued_at")
    with op.batch_alter_table("institution_key") as batch:
        batch.drop_column("private_key_encrypted")
        batch.drop_column("compromised_reason")
        batch.drop_column("compromised_at")
