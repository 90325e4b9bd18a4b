"""Upgrading an empty database to head gives exactly the models' schema, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db

MIGRATIONS = str(Path(__file__).parents[2] / "migrations")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    admin = create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS sokrog_migrations"))
        connection.execute(text("CREATE DATABASE sokrog_migrations"))
    yield base.rsplit("/", 1)[0] + "/sokrog_migrations"
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS sokrog_migrations WITH (FORCE)"))
    admin.dispose()


def test_upgrade_to_head_matches_the_models(empty_url, tmp_path):
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": empty_url, "STORAGE_DIR": str(tmp_path)}
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def _row_for(table, **given):
    """A row with a value for every required column of a reflected table."""
    from datetime import UTC, datetime

    from sqlalchemy import JSON, Boolean, DateTime, Integer

    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.server_default is not None:
            continue
        if column.primary_key:
            continue
        kind = column.type
        if isinstance(kind, Boolean):
            row[column.name] = True
        elif isinstance(kind, Integer):
            row[column.name] = 1
        elif isinstance(kind, DateTime) or "datetime" in type(kind).__name__.lower():
            row[column.name] = datetime.now(UTC).replace(tzinfo=None)
        elif isinstance(kind, JSON) or type(kind).__name__ == "JSON":
            row[column.name] = {} if column.name == "names" else []
        else:  # strings and the rest
            row[column.name] = "x"
    return row


def test_the_search_text_is_filled_for_existing_accounts(empty_url, tmp_path):
    from sqlalchemy import MetaData

    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": empty_url, "STORAGE_DIR": str(tmp_path)}
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0016_stored_file")
        meta = MetaData()
        meta.reflect(db.engine, only=["institution", "user"])
        institution, user = meta.tables["institution"], meta.tables["user"]
        with db.engine.begin() as connection:
            connection.execute(institution.insert().values(_row_for(institution, id=1, slug="s")))
            connection.execute(
                user.insert().values(
                    _row_for(user, id=1, institution_id=1, full_name="Đuro Šimić",
                             email="duro@example.org", job_role_id=None)
                )
            )  # fmt: skip
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            found = connection.execute(text('SELECT search_text FROM "user"')).scalar_one()
        assert found == "duro simic duro@example.org djuro simic duro@example.org"
        downgrade(directory=MIGRATIONS, revision="base")
        db.engine.dispose()
