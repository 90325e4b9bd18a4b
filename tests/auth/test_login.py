"""Login, logout, throttling, safe redirects, language choice and security headers."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.core.security import is_safe_redirect
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, login


def log_in(client, email: str, password: str = PASSWORD, next_url: str = ""):
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password, "next": next_url},
    )


def test_login_and_logout(client, make_user):
    make_user(email="ana@example.org", full_name="Ana Novak")
    response = log_in(client, "Ana@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/my/learning").get_data(as_text=True)
    assert "Ana Novak" in page
    token = csrf_token(client, "/my/learning")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/my/learning").status_code == 302


def test_wrong_password_gives_a_clear_message_and_keeps_the_email(client, make_user):
    make_user(email="ana@example.org")
    response = log_in(client, "ana@example.org", "wrong-password")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The e-mail or password is not correct." in page
    assert 'value="ana@example.org"' in page
    assert 'aria-invalid="true"' in page


def test_deactivated_account_cannot_log_in(client, make_user):
    make_user(email="gone@example.org", is_active=False)
    assert log_in(client, "gone@example.org").status_code == 200
    assert client.get("/my/learning").status_code == 302


def test_deactivating_ends_an_open_session(app, client, make_user):
    user = make_user()
    from tests.conftest import login

    login(client, user)
    assert client.get("/my/learning").status_code == 200
    with app.app_context():
        db.session.get(User, user).is_active = False
        db.session.commit()
    assert client.get("/my/learning").status_code == 302


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/courses/alpha/", True),
        ("/my/learning?x=1", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("", False),
        ("courses", False),
    ],
)
def test_safe_redirects(target, safe):
    assert is_safe_redirect(target) is safe


def test_login_follows_only_local_next(client, make_user):
    make_user(email="ana@example.org")
    response = log_in(client, "ana@example.org", next_url="https://evil.example/")
    assert response.headers["Location"] == "/"
    client.get("/")  # keep the session
    token = csrf_token(client, "/my/learning")
    client.post("/logout", data={"csrf_token": token})
    response = log_in(client, "ana@example.org", next_url="/courses/")
    assert response.headers["Location"] == "/courses/"


def test_language_switch_is_saved_on_the_account(app, client, make_user):
    from tests.conftest import login

    user = make_user(language="sl")
    login(client, user)
    assert '<html lang="sl">' in client.get("/courses/").get_data(as_text=True)
    token = csrf_token(client)
    response = client.post(
        "/language", data={"csrf_token": token, "language": "hr", "next": "/courses/"}
    )
    assert response.headers["Location"] == "/courses/"
    assert '<html lang="hr">' in client.get("/courses/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user).language == "hr"


def test_a_visitors_language_is_a_cookie_set_without_a_session(client):
    page = client.get("/courses/", headers={"Accept-Language": "sl"})
    assert '<form class="language-form" method="get"' in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers  # no session for a visitor's public page
    response = client.get("/language?language=en&next=/courses/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/courses/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("language=en;")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "session=" not in cookie
    assert '<html lang="en">' in client.get("/courses/").get_data(as_text=True)
    assert client.get("/language?language=xx").status_code == 400
    assert (
        client.get("/language?language=en&next=https://evil.example/")
        .headers["Location"]
        .endswith("/courses/")
    )
    # A form posted with its token (a page from before) still works.
    token = csrf_token(client)
    client.post("/language", data={"csrf_token": token, "language": "hr"})
    assert '<html lang="hr">' in client.get("/courses/").get_data(as_text=True)
    assert client.post("/language", data={"csrf_token": token, "language": "xx"}).status_code == 400


def test_a_logged_in_persons_language_change_needs_its_token(client, make_user, app):
    user = make_user(language="sl")
    login(client, user)
    assert client.post("/language", data={"language": "en"}).status_code == 400
    # A GET (a link from anywhere) changes the browser's cookie, never the account.
    client.get("/language?language=en")
    with app.app_context():
        assert db.session.get(User, user).language == "sl"
    client.post("/language", data={"csrf_token": csrf_token(client), "language": "hr"})
    with app.app_context():
        assert db.session.get(User, user).language == "hr"


def test_security_headers_and_cookie_flags(client, make_user):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    make_user(email="ana@example.org")
    cookie = log_in(client, "ana@example.org").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_error_pages_are_translated(client):
    response = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
