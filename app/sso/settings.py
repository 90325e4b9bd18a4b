"""An institution's single sign-on settings: checked, the secret encrypted, each change told."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask_babel import gettext
from sqlalchemy import select

from app.auth.models import ASSIGNABLE_ROLES, Institution
from app.core import events, kek
from app.core.database import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.sso.models import DEFAULT_CLAIMS, DEFAULT_SCOPES, IdentityProvider

CLAIM_FIELDS = tuple(DEFAULT_CLAIMS)
# A claim name as providers write them (Keycloak's mappers allow dots, colons and slashes).
CLAIM_NAME = re.compile(r"^[A-Za-z0-9_.:/-]{1,100}$")
# The administrator role is never granted by a claim: an identity provider's operator is not
# thereby an administrator of the platform. Every other role may be, where a mapping says so.
MAPPABLE_ROLES = tuple(role for role in ASSIGNABLE_ROLES if role != "admin")


class SettingsError(DomainError):
    """The settings are not valid; the message says which and why."""


@dataclass
class SsoSettings:
    """What the admin page or `flask institutions sso` gives; a None secret keeps the old one."""

    issuer: str
    client_id: str
    client_secret: str | None = None
    scopes: str = DEFAULT_SCOPES
    claims: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CLAIMS))
    role_claim: str = ""
    role_map: dict[str, str] = field(default_factory=dict)
    is_enabled: bool = True
    is_jit_enabled: bool = True
    is_password_login_allowed: bool = True


def provider_for(institution_id: int) -> IdentityProvider | None:
    return db.session.scalar(
        select(IdentityProvider).where(IdentityProvider.institution_id == institution_id)
    )


def enabled_providers() -> list[IdentityProvider]:
    return list(
        db.session.scalars(
            select(IdentityProvider)
            .join(Institution)
            .where(IdentityProvider.is_enabled.is_(True))
            .order_by(Institution.short_name)
        )
    )


def client_secret(provider: IdentityProvider) -> str:
    return kek.decrypt(provider.client_secret_encrypted).decode()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_issuer(issuer: str) -> str:
    """The issuer URL as the provider names itself: https (plain http only on this machine),
    no query or fragment (OpenID Connect Discovery 1.0, section 2)."""
    issuer = issuer.strip()
    parts = urlsplit(issuer)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise SettingsError(gettext("The issuer must be an address starting with https://."))
    if parts.scheme == "http" and not _is_loopback(host):
        raise SettingsError(gettext("The issuer must use https:// (plain http only on 127.0.0.1)."))
    if parts.query or parts.fragment:
        raise SettingsError(gettext("The issuer may not have a query (?) or a fragment (#)."))
    return issuer


def _check_claims(claims: dict[str, str]) -> dict[str, str]:
    checked = {}
    for name in CLAIM_FIELDS:
        value = (claims.get(name) or "").strip()
        if value and not CLAIM_NAME.match(value):
            raise SettingsError(gettext("“%(claim)s” is not a claim name.", claim=value))
        checked[name] = value
    unknown = set(claims) - set(CLAIM_FIELDS)
    if unknown:
        raise SettingsError(
            gettext("Unknown account field: %(fields)s.", fields=", ".join(sorted(unknown)))
        )
    if not checked["email"]:
        raise SettingsError(gettext("The e-mail claim is needed: accounts are found by it."))
    return checked


def _check_roles(role_claim: str, role_map: dict[str, str]) -> tuple[str, dict[str, str]]:
    role_claim = role_claim.strip()
    if role_claim and not CLAIM_NAME.match(role_claim):
        raise SettingsError(gettext("“%(claim)s” is not a claim name.", claim=role_claim))
    for value, role in role_map.items():
        if role not in MAPPABLE_ROLES:
            raise SettingsError(
                gettext(
                    "“%(role)s” cannot be given by the identity provider; it may give: %(roles)s.",
                    role=role,
                    roles=", ".join(MAPPABLE_ROLES),
                )
            )
        if not value.strip() or len(value) > 200:
            raise SettingsError(gettext("A role mapping needs a claim value."))
    if role_map and not role_claim:
        raise SettingsError(gettext("Name the claim that holds the roles, or map none."))
    return role_claim, {value.strip(): role for value, role in role_map.items()}


def _check(settings: SsoSettings, existing: IdentityProvider | None) -> None:
    settings.issuer = check_issuer(settings.issuer)
    settings.client_id = settings.client_id.strip()
    if not settings.client_id or len(settings.client_id) > 255:
        raise SettingsError(gettext("The client id is needed (at most 255 characters)."))
    if existing is None and not settings.client_secret:
        raise SettingsError(gettext("The client secret is needed."))
    scopes = settings.scopes.split()
    if "openid" not in scopes or any(not CLAIM_NAME.match(scope) for scope in scopes):
        raise SettingsError(gettext("The scopes must include “openid”, separated by spaces."))
    settings.scopes = " ".join(scopes)
    settings.claims = _check_claims(settings.claims)
    settings.role_claim, settings.role_map = _check_roles(settings.role_claim, settings.role_map)
    if not settings.is_password_login_allowed and not settings.is_enabled:
        # Otherwise nobody of the institution could log in at all.
        raise SettingsError(
            gettext("Passwords can be switched off only while single sign-on is switched on.")
        )


def _changes(provider: IdentityProvider, settings: SsoSettings) -> list[str]:
    values = {
        "issuer": settings.issuer,
        "client_id": settings.client_id,
        "scopes": settings.scopes,
        "claims": settings.claims,
        "role_claim": settings.role_claim,
        "role_map": settings.role_map,
        "is_enabled": settings.is_enabled,
        "is_jit_enabled": settings.is_jit_enabled,
    }
    changed = [name for name, value in values.items() if getattr(provider, name) != value]
    for name, value in values.items():
        setattr(provider, name, value)
    if settings.client_secret:
        changed.append("client_secret")
        provider.client_secret_encrypted = kek.encrypt(settings.client_secret.encode())
    return changed


def save_settings(
    institution: Institution, settings: SsoSettings, by_id: int | None = None
) -> IdentityProvider:
    """Create or change the institution's provider; raises SettingsError with the reason."""
    provider = provider_for(institution.id)
    _check(settings, provider)
    created = provider is None
    if provider is None:
        provider = IdentityProvider(institution_id=institution.id, version=0)
        db.session.add(provider)
    changes = _changes(provider, settings)
    if institution.is_password_login_allowed != settings.is_password_login_allowed:
        institution.is_password_login_allowed = settings.is_password_login_allowed
        changes.append("is_password_login_allowed")
    if changes or created:
        provider.version = (provider.version or 0) + 1
        provider.updated_at = utcnow()
        db.session.flush()
        events.sso_settings_changed.send(
            None, institution_id=institution.id, by_id=by_id, changes=changes
        )
    return provider


def rewrap_secrets() -> int:
    """Encrypt every client secret with the newest KEK (after `SIGNING_KEY_ENCRYPTION_KEY`
    gained a new first key); returns how many."""
    providers = list(db.session.scalars(select(IdentityProvider)))
    for provider in providers:
        provider.client_secret_encrypted = kek.rewrap(provider.client_secret_encrypted)
    db.session.flush()
    return len(providers)
