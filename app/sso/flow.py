"""The OpenID Connect authorization code flow with an institution's provider (Authlib's Flask
client): PKCE (S256), state and nonce; the ID token's signature, issuer, audience, expiry and
nonce checked; a callback used twice refused.

This is the web half of single sign-on: it reads the request and keeps the flow's state in the
session, as Authlib's Flask integration does. What an identity may do is decided in
`app.sso.accounts`, which needs no request.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request, session
from flask_babel import gettext, lazy_gettext
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from app.core.database import utcnow
from app.extensions import db
from app.sso.errors import SsoRefused
from app.sso.models import IdentityProvider, SsoSpentState
from app.sso.settings import client_secret

# Seconds to wait for a provider: a slow one must not hold a server worker for long.
TIMEOUT = 10
# Clock difference allowed between us and the provider when checking exp and iat.
LEEWAY = 60
# A callback's state is remembered this long; Authlib's own state data lasts an hour.
SPENT_STATE_DAYS = 1


def init_app(app: Flask) -> None:
    OAuth(app)  # registers itself in app.extensions


def _registry() -> Any:
    return current_app.extensions["authlib.integrations.flask_client"]


def _name(provider: IdentityProvider) -> str:
    # The version changes with every saved setting, so a changed secret or issuer makes a new
    # client (the old one keeps its metadata cached) and a sign-in started before is refused.
    return f"sso-{provider.institution_id}-{provider.version}"


def discovery_url(issuer: str) -> str:
    """OpenID Connect Discovery 1.0, section 4: the issuer, less a trailing slash, and the
    well-known path."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def client_for(provider: IdentityProvider) -> Any:
    registry = _registry()
    name = _name(provider)
    client = registry.create_client(name)
    if client is None:
        client = registry.register(
            name,
            client_id=provider.client_id,
            client_secret=client_secret(provider),
            server_metadata_url=discovery_url(provider.issuer),
            client_kwargs={
                "scope": provider.scopes,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": TIMEOUT,
            },
        )
    return client


def _down(provider: IdentityProvider, error: Exception) -> SsoRefused:
    return SsoRefused(
        "provider-down",
        gettext(
            "The sign-in service of %(institution)s cannot be reached at the moment. Please try "
            "again later, or tell your administrator if it goes on.",
            institution=provider.institution.name,
        ),
        f"{type(error).__name__}: {error}",
    )


def metadata(provider: IdentityProvider) -> dict[str, Any]:
    """The provider's metadata (fetched once per client), checked to be the configured issuer's."""
    client = client_for(provider)
    try:
        data: dict[str, Any] = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise _down(provider, error) from error
    # Discovery 4.3: the issuer in the metadata must be exactly the one asked; otherwise a
    # second provider could stand in for the first.
    if data.get("issuer") != provider.issuer:
        raise SsoRefused(
            "wrong-issuer",
            gettext(
                "The sign-in service of %(institution)s is not set up correctly: it names "
                "itself differently than configured. Please tell your administrator.",
                institution=provider.institution.name,
            ),
            f"metadata issuer {data.get('issuer')!r} is not the configured {provider.issuer!r}",
        )
    return data


def start(provider: IdentityProvider, redirect_uri: str) -> Response:
    """Redirect to the provider's authorization endpoint; state, nonce and the PKCE verifier
    are kept in the session for the callback."""
    metadata(provider)
    try:
        response: Response = client_for(provider).authorize_redirect(redirect_uri)
    except (requests.RequestException, RuntimeError) as error:
        raise _down(provider, error) from error
    return response


def _spend_state(state: str) -> None:
    """Remember the state as used; a second callback with it (a replay) is refused."""
    digest = hashlib.sha256(state.encode()).hexdigest()
    cutoff = utcnow() - timedelta(days=SPENT_STATE_DAYS)
    db.session.execute(delete(SsoSpentState).where(SsoSpentState.used_at < cutoff))
    try:
        with db.session.begin_nested():
            db.session.add(SsoSpentState(state_hash=digest))
    except IntegrityError as error:
        raise _replayed() from error


def _replayed() -> SsoRefused:
    return SsoRefused(
        "replayed",
        gettext(
            "This sign-in has been completed already and cannot be used again. Please log in again."
        ),
        "the callback's state was used before",
    )


def _check_callback(provider: IdentityProvider, name: str) -> str:
    """The callback's state, after the provider's error, issuer and the state are checked."""
    error = request.args.get("error")
    if error:
        raise SsoRefused(
            "provider-refused",
            gettext(
                "The sign-in service of %(institution)s did not log you in (%(error)s).",
                institution=provider.institution.name,
                error=request.args.get("error_description") or error,
            ),
            f"authorization error {error}: {request.args.get('error_description', '')}",
        )
    # RFC 9207: a provider that names itself in the response must be the one we asked.
    issuer = request.args.get("iss")
    if issuer is not None and issuer != provider.issuer:
        raise _token_refused(provider, "iss", f"authorization response from {issuer!r}")
    state = request.args.get("state", "")
    if not state or f"_state_{name}_{state}" not in session:
        if state and _was_spent(state):
            raise _replayed()
        raise SsoRefused(
            "state",
            gettext(
                "This sign-in was not started in this browser, has expired or was started "
                "under settings that have changed since. Please log in again."
            ),
            "no sign-in with this state is waiting in the session",
        )
    return state


def _was_spent(state: str) -> bool:
    digest = hashlib.sha256(state.encode()).hexdigest()
    return db.session.get(SsoSpentState, digest) is not None


_TOKEN_MESSAGES = {
    "iss": lazy_gettext(
        "The sign-in answer was not issued by the sign-in service of %(institution)s."
    ),
    "aud": lazy_gettext(
        "The sign-in answer was meant for another application, not for this platform."
    ),
    "exp": lazy_gettext("The sign-in answer has expired. Please log in again."),
    "nonce": lazy_gettext(
        "The sign-in answer does not belong to this sign-in. Please log in again."
    ),
    "signature": lazy_gettext(
        "The sign-in answer is not signed by the sign-in service of %(institution)s."
    ),
}
_TOKEN_REASONS = {"iss": "wrong-issuer", "aud": "wrong-audience", "azp": "wrong-audience"}


def _token_refused(provider: IdentityProvider, claim: str, detail: str) -> SsoRefused:
    claim = "aud" if claim == "azp" else claim
    reason = _TOKEN_REASONS.get(claim, f"token-{claim}" if claim in _TOKEN_MESSAGES else "")
    template = _TOKEN_MESSAGES.get(claim)
    if template is None:
        message = gettext(
            "The sign-in answer of %(institution)s could not be checked (%(claim)s).",
            institution=provider.institution.name,
            claim=claim,
        )
    else:
        message = str(template) % {"institution": provider.institution.name}
    return SsoRefused(reason or "token-invalid", message, detail)


def _refusal(provider: IdentityProvider, error: Exception) -> SsoRefused:
    if isinstance(error, requests.RequestException):
        return _down(provider, error)
    if isinstance(error, ExpiredTokenError):
        return _token_refused(provider, "exp", str(error))
    if isinstance(error, ClaimError):
        return _token_refused(provider, error.claim, str(error))
    if isinstance(error, JoseError):
        return _token_refused(provider, "signature", f"{type(error).__name__}: {error}")
    if isinstance(error, MismatchingStateError):
        return _replayed()
    description = getattr(error, "description", "") or str(error)
    return SsoRefused(
        "provider-refused",
        gettext(
            "The sign-in service of %(institution)s did not complete the sign-in (%(error)s). "
            "Please log in again.",
            institution=provider.institution.name,
            error=getattr(error, "error", "") or type(error).__name__,
        ),
        f"token endpoint: {getattr(error, 'error', '')} {description}",
    )


def _claims_options(provider: IdentityProvider) -> dict[str, Any]:
    # Authlib checks the issuer against the metadata and the audience only through azp: both
    # are pinned here to what the institution configured.
    return {
        "iss": {"essential": True, "values": [provider.issuer]},
        "aud": {"essential": True, "values": [provider.client_id]},
    }


def _userinfo(provider: IdentityProvider, client: Any, token: dict[str, Any]) -> dict[str, Any]:
    """The UserInfo endpoint's claims, for the same subject (OIDC Core 5.3.4), or {}."""
    if not metadata(provider).get("userinfo_endpoint"):
        return {}
    info = dict(client.userinfo(token=token))
    if info.get("sub") != token["userinfo"].get("sub"):
        raise SsoRefused(
            "token-sub",
            gettext(
                "The sign-in service of %(institution)s answered about another person. Please "
                "log in again.",
                institution=provider.institution.name,
            ),
            "the UserInfo subject differs from the ID token's",
        )
    return info


def spend_callback(provider: IdentityProvider) -> None:
    """Check the callback (the provider's error, its issuer, a state waiting in this session)
    and spend its state: the caller commits, so a refused callback cannot be tried again."""
    _spend_state(_check_callback(provider, client_for(provider).name))


def complete(provider: IdentityProvider) -> dict[str, Any]:
    """The signed-in person's claims (the ID token's over the UserInfo endpoint's), after
    `spend_callback`; or SsoRefused."""
    client = client_for(provider)
    try:
        token = client.authorize_access_token(
            claims_options=_claims_options(provider), leeway=LEEWAY
        )
        if not token.get("userinfo"):
            raise SsoRefused(
                "no-id-token",
                gettext(
                    "The sign-in service of %(institution)s sent no identity (ID token). "
                    "Please tell your administrator.",
                    institution=provider.institution.name,
                ),
                "the token response has no id_token",
            )
        claims = {**_userinfo(provider, client, token), **dict(token["userinfo"])}
    except SsoRefused:
        raise
    except (requests.RequestException, JoseError, OAuthError, ValueError) as error:
        raise _refusal(provider, error) from error
    return claims


def logout_url(provider: IdentityProvider, post_logout_redirect_uri: str) -> str | None:
    """The provider's end_session_endpoint (RP-Initiated Logout 1.0), or None where it has
    none or cannot be reached (the local logout has happened either way)."""
    try:
        data = metadata(provider)
    except SsoRefused:
        return None
    if not data.get("end_session_endpoint"):
        return None
    result = client_for(provider).create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, client_id=provider.client_id
    )
    return str(result["url"])
