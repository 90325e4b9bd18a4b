"""An institution that switched passwords off: its staff log in only through its provider; no
password of theirs works, none can be reset, set or chosen from an invitation, and each place
says so."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth import selfservice
from app.auth.models import User
from app.auth.services import institution_by_slug
from app.extensions import db
from app.sso.settings import SettingsError
from tests.conftest import PASSWORD, login, post
from tests.mailserver import link_in, text_of
from tests.sso.conftest import set_up_sso, sso_login

NEW_PASSWORD = "violet tram under seven bridges"


@pytest.fixture
def no_passwords(app, oidc_provider):
    oidc_provider.tamper(None)
    set_up_sso(app, oidc_provider.issuer, is_password_login_allowed=False)
    return oidc_provider


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_a_right_password_is_refused_with_the_reason(app, client, make_user):
    user = make_user(email="ana@csd-lasko.si")
    with app.app_context():
        link = selfservice._password_token(db.session.get(User, user), "reset")
    set_up_sso(app, "http://127.0.0.1:9", is_password_login_allowed=False)
    response = post(client, "/login", {"email": "ana@csd-lasko.si", "password": PASSWORD})
    page = response.get_data(as_text=True)
    assert "Passwords are switched off for Center za socialno delo Laško" in page
    assert client.get("/my/learning").status_code == 302
    # A wrong password reads as always: nothing tells whether the address has an account.
    wrong = post(client, "/login", {"email": "ana@csd-lasko.si", "password": "wrong-password!"})
    assert "The e-mail or password is not correct." in wrong.get_data(as_text=True)
    # The login page says whose passwords are off.
    assert "Passwords are switched off for the staff of Center za socialno delo Laško" in (
        client.get("/login").get_data(as_text=True)
    )
    # A reset link from before the switch does not work any more.
    refused = client.get(f"/password/reset/{link}")
    assert refused.status_code == 400
    assert "Passwords are switched off" in refused.get_data(as_text=True)


def test_a_reset_request_mails_how_to_log_in_instead_of_a_link(
    app, client, make_user, inbox, oidc_provider
):
    make_user(email="ana@csd-lasko.si", language="en")
    set_up_sso(app, oidc_provider.issuer, is_password_login_allowed=False)
    response = post(client, "/password/reset", {"email": "ana@csd-lasko.si"})
    assert "If an account exists for this address" in response.get_data(as_text=True)
    (message,) = inbox.wait(1)
    text = text_of(message)
    assert "Passwords of the platform are switched off for your institution" in text
    assert "/password/reset/" not in text
    assert link_in(message, "/login").endswith("/login")


def test_an_invitation_says_to_use_the_institutions_sign_in(
    app, client, make_user, inbox, no_passwords
):
    admin = make_user(roles={"admin"}, institution="czss-cakovec")
    login(client, admin)
    with app.app_context():
        institution = institution_by_slug("csd-lasko").id
    form = {"full_name": "Nova Oseba", "email": "nova@csd-lasko.si", "institution_id": institution,
            "job_role_id": 0, "language": "en", "is_active": "y", "password": ""}  # fmt: skip
    post(client, "/admin/users/new", form)
    (message,) = inbox.wait(1)
    assert "choose the button of Center za socialno delo Laško" in text_of(message)
    assert "/invitation/" not in text_of(message)
    # Nor can the administrator type a password for someone of this institution.
    form.update(email="druga@csd-lasko.si", password=NEW_PASSWORD)
    page = post(client, "/admin/users/new", form).get_data(as_text=True)
    assert "Passwords are switched off" in page


def test_the_account_pages_say_the_password_is_the_institutions(
    app, client, make_user, no_passwords
):
    sso_login(client, "alice")
    with app.app_context():  # alice's locale claim chose Slovenian; the assertions read English
        db.session.scalar(select(User).where(User.email == "alice@csd-lasko.si")).language = "en"
        db.session.commit()
    assert "You log in through Center za socialno delo Laško" in client.get("/account").get_data(
        as_text=True
    )
    page = client.get("/account/password").get_data(as_text=True)
    assert "your password is the one you use at work" in page
    changed = post(client, "/account/email", {"email": "new@csd-lasko.si", "password": "x"})
    assert "Passwords are switched off" in changed.get_data(as_text=True)


def test_passwords_cannot_be_off_without_single_sign_on(app, oidc_provider):
    with pytest.raises(SettingsError, match="only while single sign-on is switched on"):
        set_up_sso(app, oidc_provider.issuer, is_enabled=False, is_password_login_allowed=False)
