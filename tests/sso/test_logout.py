"""Logging out after single sign-on ends the local session and continues to the provider's
end_session_endpoint (RP-Initiated Logout); without a provider, to the login page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from tests.conftest import login, post
from tests.sso.conftest import CLIENT_ID, _free_port, set_up_sso, sso_login


def test_logout_ends_the_session_and_goes_on_to_the_provider(app, client, sso):
    sso_login(client, "alice")
    with client.session_transaction() as session:
        old_session = dict(session)
    response = post(client, "/logout")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == sso.issuer
    assert target.path == "/session/end"
    query = parse_qs(target.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:5000/login"]
    # The provider knows the address: its logout page answers (and asks to confirm).
    page = requests.get(response.headers["Location"], timeout=10)
    assert page.status_code == 200
    # Locally logged out, and the cookie from before logs nobody in any more.
    assert client.get("/my/learning").status_code == 302
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(old_session)
    assert replay.get("/my/learning").status_code == 302


def test_a_password_login_logs_out_to_the_login_page(app, client, sso, make_user):
    login(client, make_user())
    response = post(client, "/logout")
    assert response.headers["Location"].endswith("/login")


def test_a_provider_down_at_logout_still_logs_out_here(app, client, sso):
    sso_login(client, "alice")
    # The settings change (a new client, its metadata not loaded) to a provider that is down.
    set_up_sso(app, f"http://127.0.0.1:{_free_port()}")
    response = post(client, "/logout")
    assert response.headers["Location"].endswith("/login")
    assert client.get("/my/learning").status_code == 302
