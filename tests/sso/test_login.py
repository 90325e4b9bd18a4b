"""Signing in through an institution's identity provider: accounts created, linked, updated."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.sso.models import SsoIdentity
from tests.sso.conftest import sso_login


def test_first_sign_in_creates_the_account_in_the_providers_institution(app, client, sso):
    response = sso_login(client, "alice")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/my/learning")
    page = client.get("/my/learning")
    assert page.status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "alice@csd-lasko.si"))
        assert user.full_name == "Alice Novak"
        assert user.institution.slug == "csd-lasko"
        assert user.password_hash == ""
        identity = db.session.scalar(select(SsoIdentity))
        assert identity.user_id == user.id
