"""Signing in through an institution's identity provider: accounts created, linked, updated, and
refused where the claims do not earn them."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Unit, User
from app.auth.services import institution_by_slug, set_role
from app.extensions import db
from app.sso.models import SsoIdentity
from tests.conftest import PASSWORD, login, post
from tests.sso.conftest import at_provider, local, set_up_sso, sso_login, start


def _user(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _refusal(response) -> str:
    """Where a refused sign-in leads: the login page, with the reason flashed."""
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    return response


def _flashed(client) -> str:
    return client.get("/login").get_data(as_text=True)


def test_first_sign_in_creates_the_account_in_the_providers_institution(app, client, sso, sent):
    response = sso_login(client, "alice")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/my/learning")
    page = client.get("/my/learning").get_data(as_text=True)
    assert "Alice Novak" in page
    user = _user(app, "alice@csd-lasko.si")
    assert user.full_name == "Alice Novak"
    assert user.language == "sl"  # the locale claim
    assert user.password_hash == ""  # no password: only the provider logs this account in
    with app.app_context():
        assert db.session.get(User, user.id).institution.slug == "csd-lasko"
        identity = db.session.scalar(select(SsoIdentity))
        assert (identity.user_id, identity.subject) == (user.id, "alice")
        assert identity.issuer == sso.issuer
    assert ("user-logged-in", {"user_id": user.id, "method": "sso"}) in sent
    # No role comes from the provider without a mapping, though alice is in "lms-trainers".
    with app.app_context():
        assert db.session.get(User, user.id).roles == {"learner"}


def test_an_account_is_linked_by_a_verified_address_then_found_by_its_identity(
    app, client, sso, make_user
):
    bojan = make_user(email="bojan@csd-lasko.si", full_name="B. Kranjc")
    assert sso_login(client, "bojan").headers["Location"].endswith("/my/learning")
    with app.app_context():
        identity = db.session.scalar(select(SsoIdentity))
        assert identity.user_id == bojan
        assert db.session.get(User, bojan).full_name == "Bojan Kranjc"  # the name claim
        assert db.session.scalar(select(db.func.count(User.id))) == 1
    post(client, "/logout")
    assert sso_login(client, "bojan").headers["Location"].endswith("/my/learning")
    with app.app_context():
        assert db.session.scalar(select(db.func.count(SsoIdentity.id))) == 1


def test_an_unverified_address_links_nothing_and_creates_nothing(app, client, sso, sent):
    _refusal(sso_login(client, "unverified"))
    page = _flashed(client)
    assert "has not verified your e-mail address mallory@csd-lasko.si" in page
    assert _user(app, "mallory@csd-lasko.si") is None
    assert client.get("/my/learning").status_code == 302  # not logged in
    (refusal,) = [kwargs for name, kwargs in sent if name == "sso-login-refused"]
    assert refusal["reason"] == "email-unverified"
    assert refusal["email"] == "mallory@csd-lasko.si"


def test_a_missing_claim_is_named_and_nothing_is_lost(app, client, sso, sent):
    _refusal(sso_login(client, "noemail"))
    assert "did not send your e-mail address (claim “email”)" in _flashed(client)
    (refusal,) = [kwargs for name, kwargs in sent if name == "sso-login-refused"]
    assert refusal["reason"] == "claim-missing"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_a_provider_cannot_log_in_an_account_of_another_institution(
    app, client, sso, make_user, sent
):
    # csd-lasko's provider vouches for the address of czss-cakovec's administrator.
    admin = make_user(email="admin@czss.hr", roles={"admin"}, institution="czss-cakovec")
    _refusal(sso_login(client, "intruder"))
    assert "belongs to another institution" in _flashed(client)
    assert client.get("/admin/users").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(SsoIdentity)) is None
        assert db.session.get(User, admin).full_name != "Not The Admin"
    assert [kwargs["reason"] for name, kwargs in sent if name == "sso-login-refused"] == [
        "other-institution"
    ]


def test_without_accounts_at_first_sign_in_only_known_people_get_in(
    app, client, oidc_provider, make_user
):
    oidc_provider.tamper(None)
    set_up_sso(app, oidc_provider.issuer, is_jit_enabled=False)
    _refusal(sso_login(client, "alice"))
    assert "does not create them at the first sign-in" in _flashed(client)
    assert _user(app, "alice@csd-lasko.si") is None
    make_user(email="bojan@csd-lasko.si")
    assert sso_login(client, "bojan").headers["Location"].endswith("/my/learning")


def test_a_deactivated_account_stays_out(app, client, sso, make_user):
    make_user(email="bojan@csd-lasko.si", is_active=False)
    _refusal(sso_login(client, "bojan"))
    assert "Your account bojan@csd-lasko.si is deactivated." in _flashed(client)


def test_mapped_claims_set_the_job_role_unit_and_roles(app, client, courses, oidc_provider):
    oidc_provider.tamper(None)
    set_up_sso(
        app,
        oidc_provider.issuer,
        role_claim="groups",
        role_map={"lms-trainers": "trainer", "hr-office": "hr"},
    )
    with app.app_context():
        db.session.add(Unit(institution_id=institution_by_slug("csd-lasko").id, code="SOC",
                            name="Socialna služba"))  # fmt: skip
        db.session.commit()
    sso_login(client, "alice")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "alice@csd-lasko.si"))
        assert user.job_role.code == "social-worker-csd"
        assert user.unit.code == "SOC"
        assert user.roles == {"learner", "trainer"}  # the mapping gives; "staff" maps nothing
        user.role_rows.clear()
        db.session.commit()
        hr_id = user.id
    # The mapping is the provider's word both ways: hr (mapped, not in the groups) goes.
    with app.app_context():
        set_role(db.session.get(User, hr_id), "hr", True)
        db.session.commit()
    post(client, "/logout")
    sso_login(client, "alice")
    with app.app_context():
        assert db.session.get(User, hr_id).roles == {"learner", "trainer"}


def test_the_page_asked_for_is_where_the_sign_in_ends(app, client, sso):
    callback = at_provider(start(client, next_url="/my/competences"), "alice")
    assert client.get(local(callback)).headers["Location"].endswith("/my/competences")


def test_an_offsite_next_address_is_ignored(app, client, sso):
    callback = at_provider(start(client, next_url="//evil.example/"), "alice")
    assert client.get(local(callback)).headers["Location"].endswith("/my/learning")


def test_the_login_page_offers_the_institutions_button(app, client, sso, make_user):
    page = client.get("/login").get_data(as_text=True)
    assert "Log in with CSD Laško" in page
    assert "/login/sso/csd-lasko" in page
    # A password login still works while the institution allows passwords.
    user = make_user(email="pw@csd-lasko.si")
    response = post(client, "/login", {"email": "pw@csd-lasko.si", "password": PASSWORD})
    assert response.status_code == 302
    assert user


def test_an_unknown_or_disabled_provider_is_not_found(app, client, oidc_provider, make_user):
    assert client.get("/login/sso/csd-lasko").status_code == 404
    assert client.get("/login/sso/nowhere").status_code == 404
    set_up_sso(app, oidc_provider.issuer, is_enabled=False)
    assert client.get("/login/sso/csd-lasko").status_code == 404
    assert "/login/sso/csd-lasko" not in client.get("/login").get_data(as_text=True)
    login(client, make_user())
    assert client.get("/login/sso/csd-lasko/callback?state=x&code=y").status_code == 404
