"""An institution's single sign-on settings: only its administrators (the page) and the operator
(`flask institutions sso`) set them; the client secret is encrypted and never shown back."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app.auth.services import institution_by_slug
from app.core import events
from app.core.kek import _derived
from app.extensions import db
from app.sso.models import IdentityProvider
from app.sso.settings import client_secret
from tests.conftest import login, post

SECRET = "s3cret-value-from-the-provider"
FORM = {
    "issuer": "https://login.czss.example/realms/staff",
    "client_id": "lms",
    "client_secret": SECRET,
    "scopes": "openid email profile",
    "claim_email": "email",
    "claim_name": "name",
    "claim_job_role": "",
    "claim_unit": "department",
    "role_claim": "groups",
    "role_map": "lms-trainers = trainer\nhr-office = hr",
    "is_enabled": "y",
    "is_jit_enabled": "y",
    "is_password_login_allowed": "y",
}


def _provider(app, slug: str) -> IdentityProvider | None:
    with app.app_context():
        institution = institution_by_slug(slug)
        row = db.session.scalar(
            select(IdentityProvider).where(IdentityProvider.institution_id == institution.id)
        )
        if row is not None:
            db.session.expunge(row)
        return row


def test_an_admin_sets_up_their_own_institution_and_the_secret_stays_hidden(app, client, make_user):
    admin = make_user(roles={"admin"}, institution="czss-cakovec")
    login(client, admin)
    changed = []

    def receiver(_sender, **kwargs):
        changed.append(kwargs)

    events.sso_settings_changed.connect(receiver)
    try:
        response = post(client, "/admin/sso", FORM, follow_redirects=True)
    finally:
        events.sso_settings_changed.disconnect(receiver)
    page = response.get_data(as_text=True)
    assert "The single sign-on settings are saved." in page
    assert SECRET not in page
    assert "http://127.0.0.1:5000/login/sso/czss-cakovec/callback" in page
    provider = _provider(app, "czss-cakovec")
    assert provider.issuer == FORM["issuer"]
    assert provider.claims["unit"] == "department"
    assert provider.role_map == {"lms-trainers": "trainer", "hr-office": "hr"}
    assert SECRET.encode() not in provider.client_secret_encrypted  # encrypted at rest
    with app.app_context():
        assert client_secret(provider) == SECRET
    assert changed[0]["by_id"] == admin
    assert "client_secret" in changed[0]["changes"]
    assert SECRET not in repr(changed)
    assert _provider(app, "csd-lasko") is None  # nobody else's institution changed

    # Saved again without a secret: the secret is kept.
    post(client, "/admin/sso", {**FORM, "client_secret": "", "client_id": "lms-2"})
    with app.app_context():
        provider = _provider(app, "czss-cakovec")
        assert provider.client_id == "lms-2"
        assert client_secret(provider) == SECRET
        assert provider.version == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"role_map": "platform-admins = admin"}, "“admin” cannot be given by the identity"),
        ({"role_map": "no equals sign"}, "Write each mapping as “value = role”."),
        ({"issuer": "http://login.czss.example"}, "The issuer must use https://"),
        ({"issuer": "https://login.example/?x=1"}, "may not have a query"),
        ({"scopes": "email profile"}, "The scopes must include “openid”"),
        ({"client_secret": ""}, "The client secret is needed."),
        ({"is_enabled": "", "is_password_login_allowed": ""}, "only while single sign-on"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(app, client, make_user, change, message):
    login(client, make_user(roles={"admin"}, institution="czss-cakovec"))
    form = {key: value for key, value in {**FORM, **change}.items() if value != ""}
    form.setdefault("client_secret", "")
    response = post(client, "/admin/sso", form)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _provider(app, "czss-cakovec") is None


def test_the_users_page_links_to_the_settings(app, client, make_user):
    login(client, make_user(roles={"admin"}, institution="czss-cakovec"))
    assert 'href="/admin/sso"' in client.get("/admin/users").get_data(as_text=True)


def test_only_administrators_see_the_page(app, client, make_user):
    login(client, make_user(roles={"hr", "trainer"}))
    assert client.get("/admin/sso").status_code == 403


def test_the_command_line_sets_up_and_shows_without_the_secret(app, runner, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    result = runner.invoke(args=[
        "institutions", "sso", "--institution", "csd-lasko",
        "--issuer", "https://id.csd-lasko.example", "--client-id", "lms",
        "--client-secret-file", str(secret_file), "--claim", "unit=ou",
        "--role-claim", "groups", "--role", "ucitelji=trainer", "--disable-passwords",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert "claims: email=email, name=name, job_role=, unit=ou" in result.output
    assert "passwords: off" in result.output
    with app.app_context():
        assert institution_by_slug("csd-lasko").is_password_login_allowed is False
        assert client_secret(_provider(app, "csd-lasko")) == SECRET
    # Changed later: only what is given changes; the operator switches passwords on again.
    result = runner.invoke(
        args=["institutions", "sso", "--institution", "csd-lasko", "--allow-passwords"]
    )
    assert result.exit_code == 0, result.output
    assert "passwords: allowed" in result.output
    assert "roles from groups: ucitelji=trainer" in result.output
    shown = runner.invoke(args=["institutions", "sso", "--institution", "csd-lasko", "--show"])
    assert SECRET not in shown.output
    assert "issuer https://id.csd-lasko.example, client lms" in shown.output


def test_the_command_line_refuses_what_it_cannot_use(app, runner, tmp_path):
    first = runner.invoke(args=["institutions", "sso", "--institution", "csd-lasko",
                                "--issuer", "https://id.example"])  # fmt: skip
    assert first.exit_code != 0
    assert "needs --issuer, --client-id and --client-secret-file" in first.output
    unknown = runner.invoke(args=["institutions", "sso", "--institution", "nowhere", "--show"])
    assert "nowhere: no single sign-on" in unknown.output
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET, encoding="utf-8")
    admin_role = runner.invoke(args=[
        "institutions", "sso", "--institution", "csd-lasko", "--issuer", "https://id.example",
        "--client-id", "lms", "--client-secret-file", str(secret_file),
        "--role-claim", "groups", "--role", "admins=admin",
    ])  # fmt: skip
    assert admin_role.exit_code != 0
    assert "cannot be given by the identity provider" in admin_role.output


def test_secrets_are_encrypted_again_with_a_new_key(app, runner, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET, encoding="utf-8")
    runner.invoke(args=["institutions", "sso", "--institution", "csd-lasko", "--issuer",
                        "https://id.example", "--client-id", "lms",
                        "--client-secret-file", str(secret_file)])  # fmt: skip
    before = _provider(app, "csd-lasko").client_secret_encrypted
    old = _derived(app.config["SECRET_KEY"])
    new = Fernet.generate_key().decode()
    app.config["SIGNING_KEY_ENCRYPTION_KEY"] = f"{new},{old}"
    result = runner.invoke(args=["institutions", "sso-rewrap"])
    assert "1 client secrets encrypted with the newest key" in result.output
    after = _provider(app, "csd-lasko")
    assert after.client_secret_encrypted != before
    app.config["SIGNING_KEY_ENCRYPTION_KEY"] = app.config["SIGNING_KEY_ENCRYPTION_KEY"].split(",")[
        0
    ]
    with app.app_context():
        assert client_secret(after) == SECRET
