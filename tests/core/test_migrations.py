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
