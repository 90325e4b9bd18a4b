"""A real OpenID Connect provider (tests/oidc/provider.mjs, panva's oidc-provider) on 127.0.0.1,
an institution set up to sign in with it, and a helper that goes through the provider's login
as a browser does (requests, following its redirects, posting its form)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from joserfc.jwk import RSAKey

from app.auth.services import institution_by_slug
from app.core import events
from app.extensions import db
from app.sso.settings import SsoSettings, save_settings

OIDC = Path(__file__).parents[1] / "oidc"
BASE = "http://127.0.0.1:5000"  # PUBLIC_BASE_URL of the testing configuration
CLIENT_ID = "sokrog-platform"
CLIENT_SECRET = "test-client-secret-9f2c1d7e"
SLUGS = ("csd-lasko", "czss-cakovec")

ACCOUNTS = {
    # Verified address, a job role and unit the platform knows, a group mapped to a role.
    "alice": {
        "email": "alice@csd-lasko.si",
        "email_verified": True,
        "name": "Alice Novak",
        "locale": "sl",
        "job_role": "social-worker-csd",
        "unit": "SOC",
        "groups": ["lms-trainers", "staff"],
    },
    "bojan": {"email": "bojan@csd-lasko.si", "email_verified": True, "name": "Bojan Kranjc"},
    "unverified": {"email": "mallory@csd-lasko.si", "email_verified": False, "name": "M"},
    "noemail": {"name": "Nobody Without Mail"},
    # The address of an account at another institution.
    "intruder": {"email": "admin@czss.hr", "email_verified": True, "name": "Not The Admin"},
}


@dataclass
class TestProvider:
    issuer: str
    port: int

    def tamper(self, claims: dict | None = None, foreign_key: bool = False) -> None:
        """Change the claims of the next ID token (None: stop changing them)."""
        body = None if claims is None and not foreign_key else {
            "claims": claims or {}, "foreign_key": foreign_key
        }  # fmt: skip
        response = requests.post(f"{self.issuer}/__test/tamper", json=body, timeout=5)
        assert response.status_code == 204


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Iterator[TestProvider]:
    node = shutil.which("node")
    if node is None or not (OIDC / "node_modules" / "oidc-provider").is_dir():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("node and `npm ci` in tests/oidc are required in CI")
        pytest.skip("node or tests/oidc/node_modules missing (cd tests/oidc && npm ci)")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    key = RSAKey.generate_key(2048, parameters={"kid": "test-1", "alg": "RS256", "use": "sig"})
    config = {
        "issuer": issuer,
        "port": port,
        "jwks": {"keys": [key.as_dict(private=True)]},
        "accounts": ACCOUNTS,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{BASE}/login/sso/{slug}/callback" for slug in SLUGS],
                "post_logout_redirect_uris": [f"{BASE}/login"],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }
        ],
    }
    path = tmp_path_factory.mktemp("oidc") / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    process = subprocess.Popen(
        [node, str(OIDC / "provider.mjs"), str(path)],
        cwd=OIDC,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(200):
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None:
                    pytest.fail(f"the test provider stopped: {process.stdout.read().decode()}")
                time.sleep(0.05)
        else:
            pytest.fail("the test provider did not start")
        yield TestProvider(issuer, port)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def sent() -> Iterator[list[tuple[str, dict]]]:
    """The logins and refusals sent as events (what the audit trail records)."""
    record: list[tuple[str, dict]] = []

    def logged_in(_sender, **kwargs):
        record.append(("user-logged-in", kwargs))

    def refused(_sender, **kwargs):
        record.append(("sso-login-refused", kwargs))

    events.user_logged_in.connect(logged_in)
    events.sso_login_refused.connect(refused)
    yield record
    events.user_logged_in.disconnect(logged_in)
    events.sso_login_refused.disconnect(refused)


def set_up_sso(app: Flask, issuer: str, slug: str = "csd-lasko", **overrides) -> None:
    values = {
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scopes": "openid email profile org",
        "claims": {"email": "email", "name": "name", "job_role": "job_role", "unit": "unit"},
        **overrides,
    }
    with app.app_context(), force_locale("en"):  # a refusal's message in English
        save_settings(institution_by_slug(slug), SsoSettings(**values))
        db.session.commit()


@pytest.fixture
def sso(app: Flask, oidc_provider: TestProvider) -> TestProvider:
    """csd-lasko signs in with the test provider; the provider changes no token."""
    oidc_provider.tamper(None)
    set_up_sso(app, oidc_provider.issuer)
    return oidc_provider


FORM_ACTION = re.compile(r'action="(/interaction/[^"]+/login)"')


def at_provider(authorization_url: str, account: str) -> str:
    """Go through the provider's login as `account`, as a browser would; return the address it
    sends the browser back to (our callback, with the code and state)."""
    browser = requests.Session()
    url, method, data = authorization_url, "GET", None
    for _ in range(20):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = requests.compat.urljoin(url, response.headers["Location"])
            method, data = "GET", None
            if url.startswith(BASE):
                return url
            continue
        match = FORM_ACTION.search(response.text)
        assert match, f"{response.status_code} at {url}: {response.text[:500]}"
        url = requests.compat.urljoin(url, match.group(1))
        method, data = "POST", {"login": account}
    raise AssertionError("the provider never sent the browser back")


def browser(client: FlaskClient) -> FlaskClient:
    """Another browser (its own cookies), reading English like the `client` fixture."""
    other = client.application.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return other


def local(url: str) -> str:
    """The path and query of one of our addresses, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def start(client: FlaskClient, slug: str = "csd-lasko", next_url: str | None = None) -> str:
    """Press "Log in with ..." and return the provider's authorization address."""
    query = f"?next={next_url}" if next_url else ""
    response = client.get(f"/login/sso/{slug}{query}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def sso_login(client: FlaskClient, account: str = "alice", slug: str = "csd-lasko"):
    """The whole sign-in: our redirect, the provider's login, our callback (its response)."""
    callback = at_provider(start(client, slug), account)
    return client.get(local(callback))
