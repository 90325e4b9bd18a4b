"""Security settings: production start-up checks, headers, request size, bounded ids."""

from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet

from app import create_app
from tests.conftest import login

TEMPLATES = __import__("pathlib").Path(__file__).parents[2] / "app" / "templates"


def test_production_refuses_to_start_without_a_public_base_url(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    settings = {
        "SECRET_KEY": "x" * 40,
        "STORAGE_DIR": str(tmp_path),
        "SIGNING_KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL must be set in production"):
        create_app("production", settings)
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:5000")  # the development default
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app("production", {**settings, "PUBLIC_BASE_URL": "http://127.0.0.1:5000"})
    monkeypatch.setenv("PUBLIC_BASE_URL", "ftp://learning.example.org")
    with pytest.raises(RuntimeError, match="must start with https://"):
        create_app("production", {**settings, "PUBLIC_BASE_URL": "ftp://learning.example.org"})
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://learning.example.org")
    app = create_app("production", {**settings, "PUBLIC_BASE_URL": "https://learning.example.org"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_the_default_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://learning.example.org")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"STORAGE_DIR": str(tmp_path)})


def test_headers_on_every_page(client):
    response = client.get("/courses/")
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain http: HSTS would be ignored


def test_hsts_when_served_over_https(client):
    response = client.get("/courses/", base_url="https://learning.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_template_has_inline_script_or_style():
    # The policy forbids inline script and style; a template that had one would break silently.
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if path.parent.name == "mail":
            # E-mails are not served under the policy, and mail programs read inline styles
            # only; scripts they never run, and none are written.
            assert "<script" not in text, path
            continue
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+=", text), path
        assert " style=" not in text, path


def test_personal_pages_are_not_kept_by_browsers_or_proxies(app, client, make_user):
    assert "no-store" not in client.get("/courses/").headers.get("Cache-Control", "")
    login(client, make_user())
    for path in ("/my/learning", "/my/competences", "/my/certificates", "/courses/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store", path
        assert "Cookie" in response.headers["Vary"]
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


@pytest.mark.parametrize(("language", "title"), [
    ("en", "The file or form is too large"),
    ("sl", "Datoteka ali obrazec je prevelik"),
    ("hr", "Datoteka ili obrazac je prevelik"),
])  # fmt: skip
def test_a_request_over_the_limit_gets_a_translated_413(app, client, make_user, language, title):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    login(client, make_user(roles={"trainer"}, language=language))
    response = client.post(
        "/authoring/",
        data={"package": (__import__("io").BytesIO(b"x" * 4096), "big.zip")},
        headers={"Accept-Language": language},
        environ_base={"HTTP_ACCEPT_LANGUAGE": language},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert title in page
    assert "0 MB" in page


def test_ids_beyond_what_the_database_holds_are_not_found(app, client, courses, make_user):
    login(client, make_user(roles={"admin"}))
    for path in (
        "/admin/users/99999999999999999999",
        "/certificates/9223372036854775808.pdf",
        "/quiz/attempts/2147483648",
        "/hr/employees/340282366920938463463374607431768211456",
    ):
        assert client.get(path).status_code == 404, path


def test_digits_that_python_reads_but_int_does_not_are_ignored(app, client, make_user):
    login(client, make_user(roles={"hr"}))
    for value in ("²", "١٢", "1e3", "-1", "0"):
        assert client.get(f"/hr/matrix?area={value}&course={value}").status_code == 200
        assert client.get(f"/hr/certificates?year={value}&course={value}").status_code == 200
