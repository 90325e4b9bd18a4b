"""Which account an identity provider's claims log in: found by the identity, linked by a
verified e-mail address, or created at the first sign-in, always in the provider's institution.

Claims choose nothing they are not trusted with: the institution is the provider's, the e-mail
links an account only when the provider says it verified it, and roles come only through the
institution's explicit role mapping (never the administrator role).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from app.auth import services as accounts
from app.auth.models import Unit, User
from app.core import events
from app.core.database import utcnow
from app.core.i18n import LANGUAGES
from app.extensions import db
from app.framework.models import JobRole
from app.sso.errors import SsoRefused
from app.sso.models import IdentityProvider, SsoIdentity
from app.sso.settings import MAPPABLE_ROLES

MAX_CLAIM_LENGTH = 254


def _text(claims: Mapping[str, Any], name: str) -> str:
    """A claim as a trimmed string ("" where absent, empty or not a string)."""
    if not name:
        return ""
    value = claims.get(name)
    return value.strip()[:MAX_CLAIM_LENGTH] if isinstance(value, str) else ""


def _verified(claims: Mapping[str, Any]) -> bool:
    # Some providers send the boolean as a string; nothing else counts as verified.
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _missing(provider: IdentityProvider, what: str, claim: str) -> SsoRefused:
    return SsoRefused(
        "claim-missing",
        gettext(
            "The sign-in service of %(institution)s did not send your %(what)s (claim "
            "“%(claim)s”), so you cannot be logged in. Please ask your administrator to "
            "release it to this platform.",
            institution=provider.institution.name,
            what=what,
            claim=claim,
        ),
        f"claim {claim!r} missing or empty",
    )


def _identity(provider: IdentityProvider, subject: str) -> SsoIdentity | None:
    return db.session.scalar(
        select(SsoIdentity).where(
            SsoIdentity.issuer == provider.issuer, SsoIdentity.subject == subject
        )
    )


def _email(provider: IdentityProvider, claims: Mapping[str, Any]) -> str:
    claim = provider.claim("email")
    email = accounts.normalise_email(_text(claims, claim))
    if not email or "@" not in email:
        raise _missing(provider, gettext("e-mail address"), claim)
    if not _verified(claims):
        raise SsoRefused(
            "email-unverified",
            gettext(
                "The sign-in service of %(institution)s has not verified your e-mail address "
                "%(email)s, so it cannot be linked to an account here. Please ask your "
                "administrator.",
                institution=provider.institution.name,
                email=email,
            ),
            "email_verified is not true",
            email=email,
        )
    return email


def _other_institution(provider: IdentityProvider, user: User) -> SsoRefused:
    return SsoRefused(
        "other-institution",
        gettext(
            "The account %(email)s belongs to another institution; it cannot log in through "
            "the sign-in service of %(institution)s.",
            email=user.email,
            institution=provider.institution.name,
        ),
        f"account of institution {user.institution_id}",
        email=user.email,
        user_id=user.id,
    )


def _create(
    provider: IdentityProvider, claims: Mapping[str, Any], email: str, language: str
) -> User:
    if not provider.is_jit_enabled:
        raise SsoRefused(
            "no-account",
            gettext(
                "There is no account for %(email)s yet, and %(institution)s does not create "
                "them at the first sign-in. Please ask your administrator for an account.",
                email=email,
                institution=provider.institution.name,
            ),
            "no account, and accounts are not created at sign-in",
            email=email,
        )
    name = _text(claims, provider.claim("name"))
    if not name:
        raise _missing(provider, gettext("name"), provider.claim("name") or "name")
    locale = _text(claims, "locale")[:2].lower()
    data = accounts.UserData(
        email=email,
        full_name=name[:200],
        institution_id=provider.institution_id,  # the provider's, never a claim's
        language=locale if locale in LANGUAGES else language,
    )
    return accounts.create_user(data, password=None)


def _account(provider: IdentityProvider, claims: Mapping[str, Any], language: str) -> User:
    """The account of these claims; links or creates one the first time."""
    subject = _text(claims, "sub")
    if not subject:
        raise _missing(provider, gettext("identifier"), "sub")
    identity = _identity(provider, subject)
    if identity is not None:
        return identity.user
    email = _email(provider, claims)
    user = accounts.user_by_email(email)
    if user is None:
        user = _create(provider, claims, email, language)
    elif user.institution_id != provider.institution_id:
        raise _other_institution(provider, user)
    db.session.add(SsoIdentity(issuer=provider.issuer, subject=subject, user_id=user.id))
    return user


def _values(claims: Mapping[str, Any], name: str) -> set[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def _update(provider: IdentityProvider, user: User, claims: Mapping[str, Any]) -> None:
    """The fields the institution maps from claims; an unknown job role or unit is left as is."""
    name = _text(claims, provider.claim("name"))
    if name:
        user.full_name = name[:200]
    code = _text(claims, provider.claim("job_role"))
    if code:
        job_role = db.session.scalar(select(JobRole).where(JobRole.code == code))
        if job_role is not None:
            user.job_role_id = job_role.id
    code = _text(claims, provider.claim("unit"))
    if code:
        unit = db.session.scalar(
            select(Unit).where(Unit.institution_id == user.institution_id, Unit.code == code)
        )
        if unit is not None:
            user.unit_id = unit.id
    if provider.role_claim and provider.role_map:
        granted = {
            provider.role_map[value]
            for value in _values(claims, provider.role_claim)
            if value in provider.role_map
        }
        # The mapping is the provider's word on the roles it names, both ways.
        for role in sorted(set(provider.role_map.values()) & set(MAPPABLE_ROLES)):
            accounts.set_role(user, role, role in granted)


def sign_in(provider: IdentityProvider, claims: Mapping[str, Any], language: str = "sl") -> User:
    """The active account these checked claims log in, or SsoRefused with the reason."""
    user = _account(provider, claims, language)
    if user.institution_id != provider.institution_id:
        raise _other_institution(provider, user)
    if not user.is_active:
        raise SsoRefused(
            "deactivated",
            gettext("Your account %(email)s is deactivated.", email=user.email),
            "the account is deactivated",
            email=user.email,
            user_id=user.id,
        )
    _update(provider, user, claims)
    now = utcnow()
    user.last_login_at = now
    identity = _identity(provider, _text(claims, "sub"))
    if identity is not None:
        identity.last_login_at = now
    db.session.flush()
    events.user_logged_in.send(None, user_id=user.id, method="sso")
    return user
