"""Configuration: production refuses weak secrets; SQLite runs with foreign keys and WAL."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from app import create_app
from app.extensions import db


def test_production_refuses_the_development_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"SECRET_KEY": "short"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_with_a_real_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://learning.example.org")
    app = create_app(
        "production",
        {
            "SECRET_KEY": "x" * 40,
            "STORAGE_DIR": str(tmp_path),
            "PUBLIC_BASE_URL": "https://learning.example.org",
            "SIGNING_KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        },
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_sqlite_has_foreign_keys_and_wal(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": str(tmp_path)})
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        db.session.remove()
        db.engine.dispose()


def test_unknown_config_name_is_refused():
    with pytest.raises(RuntimeError, match="Unknown SOKROG_CONFIG"):
        create_app("staging")


def test_server_errors_get_a_translated_page(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "STORAGE_DIR": str(tmp_path),
            "PROPAGATE_EXCEPTIONS": False,
        },
    )

    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken", view_func=broken)
    client = app.test_client()
    response = client.get("/broken", headers={"Accept-Language": "hr"})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert '<html lang="hr">' in page
    assert "Something went wrong on our side" not in page  # translated, not English
    with app.app_context():
        db.engine.dispose()
