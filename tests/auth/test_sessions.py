"""Sessions end everywhere on logout, password change and deactivation; the password policy."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.auth.models import User
from app.auth.services import institution_by_slug
from app.extensions import db
from tests.conftest import PASSWORD, csrf_token, login, post

NEW_PASSWORD = "lipa-na-trgu-ob-reki-7"


def real_login(app, email: str, password: str = PASSWORD):
    """A browser of its own that logs in through the form, as a person does."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token(browser, "/login")
    response = browser.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


def is_logged_in(browser) -> bool:
    return browser.get("/my/learning").status_code == 200


def session_cookie(browser) -> str:
    return browser.get_cookie("session").value


def test_logout_ends_every_session_of_the_account(app, make_user):
    make_user(email="ana@example.org")
    office = real_login(app, "ana@example.org")
    home = real_login(app, "ana@example.org")
    stolen = session_cookie(home)
    assert is_logged_in(office)
    assert is_logged_in(home)
    office.post("/logout", data={"csrf_token": csrf_token(office, "/my/learning")})
    assert not is_logged_in(office)
    assert not is_logged_in(home)
    # A copy of the old cookie, replayed later, is logged out too.
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert not is_logged_in(thief)
    # Logging in again works as before.
    assert is_logged_in(real_login(app, "ana@example.org"))


def test_a_session_of_the_old_format_is_no_session(app, client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["_user_id"] = str(user)  # the id alone, as cookies before session tokens held
    assert not is_logged_in(client)


def test_changing_the_password_ends_the_other_sessions_only(app, make_user):
    user = make_user(email="ana@example.org", full_name="Ana Novak")
    here = real_login(app, "ana@example.org")
    elsewhere = real_login(app, "ana@example.org")
    response = here.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(here, "/account/password"),
            "current": PASSWORD,
            "new": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        follow_redirects=True,
    )
    assert "Your password is changed." in response.get_data(as_text=True)
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)
    with app.app_context():
        stored = db.session.get(User, user).password_hash
        assert check_password_hash(stored, NEW_PASSWORD)


def test_a_password_change_needs_the_current_password_and_a_strong_new_one(app, client, make_user):
    user = make_user(email="ana@example.org", full_name="Ana Novak")
    login(client, user)

    def change(current: str, new: str, confirm: str | None = None) -> str:
        response = post(
            client,
            "/account/password",
            {"current": current, "new": new, "confirm": confirm or new},
        )
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "The current password is not correct." in change("not-my-password", NEW_PASSWORD)
    assert "between 12 and 200 characters" in change(PASSWORD, "short-1")
    assert "too easy to guess" in change(PASSWORD, "password1234")
    assert "too easy to guess" in change(PASSWORD, "ana.novak.example")  # built from the name
    assert "too easy to guess" in change(PASSWORD, "novak-ana-2024")
    assert "The two new passwords differ." in change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    with app.app_context():
        assert check_password_hash(db.session.get(User, user).password_hash, PASSWORD)


def test_deactivation_by_an_admin_ends_the_open_sessions(app, client, make_user):
    make_user(email="ana@example.org")
    browser = real_login(app, "ana@example.org")
    with app.app_context():
        target = db.session.scalar(select(User.id).where(User.email == "ana@example.org"))
    login(client, make_user(roles={"admin"}))
    response = post(client, f"/admin/users/{target}/deactivate")
    assert response.status_code == 302
    assert not is_logged_in(browser)


def test_a_password_set_by_an_admin_ends_the_open_sessions(app, client, make_user):
    user = make_user(email="ana@example.org", full_name="Ana Novak")
    browser = real_login(app, "ana@example.org")
    login(client, make_user(roles={"admin"}))
    with app.app_context():
        institution = institution_by_slug("csd-lasko").id
    form = {
        "full_name": "Ana Novak",
        "email": "ana@example.org",
        "institution_id": institution,
        "job_role_id": 0,
        "language": "en",
        "is_active": "y",
    }
    weak = post(client, f"/admin/users/{user}", {**form, "password": "qwertyuiopas"})
    assert "too easy to guess" in weak.get_data(as_text=True)
    assert is_logged_in(browser)
    assert (
        post(client, f"/admin/users/{user}", {**form, "password": NEW_PASSWORD}).status_code == 302
    )
    assert not is_logged_in(browser)


def test_the_cli_refuses_a_weak_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "w@example.org", "--name", "W", "--institution",
              "zrsz"],
        input="password1234\n",
    )  # fmt: skip
    assert result.exit_code != 0
    assert "preveč lahko uganiti" in result.output  # the CLI speaks the default language, sl
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "w@example.org")) is None
