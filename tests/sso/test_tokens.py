"""What single sign-on refuses, each with a clear message and nobody logged in: a state that is
not this browser's, a callback used twice, a code stolen from another sign-in (PKCE), an ID
token of another issuer or audience, expired, of another nonce or badly signed, a provider that
is down or names itself differently."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.sso.conftest import (
    _free_port,
    at_provider,
    browser,
    local,
    set_up_sso,
    sso_login,
    start,
)


def _message(client) -> str:
    return client.get("/login").get_data(as_text=True)


def _logged_in(client) -> bool:
    return client.get("/my/learning").status_code == 200


def _nobody(app) -> bool:
    with app.app_context():
        return db.session.scalar(select(db.func.count(User.id))) == 0


def test_the_request_carries_pkce_state_and_nonce(app, client, sso):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of SHA-256
    assert len(query["state"][0]) >= 20
    assert len(query["nonce"][0]) >= 20
    assert query["scope"] == ["openid email profile org"]
    assert query["redirect_uri"] == ["http://127.0.0.1:5000/login/sso/csd-lasko/callback"]


def test_a_callback_is_used_once(app, client, sso):
    callback = at_provider(start(client), "alice")
    with client.session_transaction() as session:
        cookie_before = dict(session)
    assert client.get(local(callback)).headers["Location"].endswith("/my/learning")
    client.post("/logout")  # (without a CSRF token: still logged in, which does not matter)
    # The same callback again, in the same browser: refused.
    other = browser(client)
    response = other.get(local(callback))
    assert response.headers["Location"].endswith("/login")
    # And with the session as it was before the callback (a replayed cookie): refused too.
    replay = browser(client)
    with replay.session_transaction() as session:
        session.update(cookie_before)
    response = replay.get(local(callback))
    assert response.headers["Location"].endswith("/login")
    assert "cannot be used again" in _message(replay)
    assert not _logged_in(replay)


def test_a_callback_in_another_browser_is_refused(app, client, sso):
    """Login CSRF: a victim's browser opened on an attacker's callback logs in nobody."""
    callback = at_provider(start(client), "alice")
    victim = browser(client)
    response = victim.get(local(callback))
    assert response.headers["Location"].endswith("/login")
    assert "was not started in this browser" in _message(victim)
    assert not _logged_in(victim)
    assert _nobody(app)


def test_a_code_from_another_sign_in_fails_its_pkce_check(app, client, sso):
    # The attacker signs in as alice and keeps the code; the victim's sign-in gets it injected
    # with the victim's own state: the victim's PKCE verifier does not fit the attacker's code.
    attacker = browser(client)
    stolen = parse_qs(urlsplit(at_provider(start(attacker), "alice")).query)["code"][0]
    victim_state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(
        f"/login/sso/csd-lasko/callback?code={stolen}&state={victim_state}&iss={sso.issuer}"
    )
    assert response.headers["Location"].endswith("/login")
    assert "did not complete the sign-in (invalid_grant)" in _message(client)
    assert not _logged_in(client)


@pytest.mark.parametrize(
    ("change", "message", "reason"),
    [
        ({"iss": "https://evil.example"}, "was not issued by the sign-in service", "wrong-issuer"),
        ({"aud": "another-app"}, "meant for another application", "wrong-audience"),
        # Authlib alone would take this one: azp names us, aud does not.
        (
            {"aud": ["another-app"], "azp": "sokrog-platform"},
            "meant for another application",
            "wrong-audience",
        ),
        ({"exp": "now-3600", "iat": "now-7200"}, "has expired", "token-exp"),
        ({"nonce": "not-the-nonce"}, "does not belong to this sign-in", "token-nonce"),
        ({"nonce": None}, "does not belong to this sign-in", "token-nonce"),
    ],
)
def test_a_wrong_id_token_is_refused(app, client, sso, sent, change, message, reason):
    sso.tamper(change)
    response = sso_login(client, "alice")
    assert response.headers["Location"].endswith("/login")
    assert message in _message(client)
    assert not _logged_in(client)
    assert _nobody(app)
    assert [kwargs["reason"] for name, kwargs in sent if name == "sso-login-refused"] == [reason]


def test_a_token_signed_with_another_key_is_refused(app, client, sso):
    sso.tamper({}, foreign_key=True)
    response = sso_login(client, "alice")
    assert response.headers["Location"].endswith("/login")
    assert "is not signed by the sign-in service of" in _message(client)
    assert _nobody(app)


def test_a_provider_that_is_down_gets_a_message_not_an_error(app, client, sent):
    set_up_sso(app, f"http://127.0.0.1:{_free_port()}")
    response = client.get("/login/sso/csd-lasko")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert "cannot be reached at the moment" in _message(client)
    (refusal,) = [kwargs for name, kwargs in sent if name == "sso-login-refused"]
    assert refusal["reason"] == "provider-down"
    assert "ConnectionError" in refusal["detail"]


def test_a_provider_that_names_itself_differently_is_refused(app, client, oidc_provider):
    # Discovery 4.3: the metadata's issuer must be exactly the configured one.
    set_up_sso(app, oidc_provider.issuer + "/")
    response = client.get("/login/sso/csd-lasko")
    assert response.headers["Location"].endswith("/login")
    assert "names itself differently than configured" in _message(client)


def test_the_provider_refusing_the_person_is_said(app, client, sso):
    callback = at_provider(start(client), "nobody-known")
    response = client.get(local(callback))
    assert response.headers["Location"].endswith("/login")
    assert "did not log you in (Unknown account)" in _message(client)


def test_settings_changed_during_a_sign_in_end_it(app, client, sso):
    callback = at_provider(start(client), "alice")
    set_up_sso(app, sso.issuer, scopes="openid email profile")  # a new version of the settings
    response = client.get(local(callback))
    assert response.headers["Location"].endswith("/login")
    assert not _logged_in(client)
