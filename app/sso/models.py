"""An institution's identity provider, the identities it vouches for, and the sign-ins spent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Institution, User
from app.core.database import UTCDateTime, utcnow
from app.extensions import Model

DEFAULT_SCOPES = "openid email profile"
# Which claim holds each field of an account; job_role and unit are left out unless set.
DEFAULT_CLAIMS = {"email": "email", "name": "name", "job_role": "", "unit": ""}


class IdentityProvider(Model):
    """One OpenID Connect provider per institution; its client secret encrypted (app.core.kek)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), unique=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    scopes: Mapped[str] = mapped_column(String(255), default=DEFAULT_SCOPES)
    # {"email": claim, "name": claim, "job_role": claim, "unit": claim}; "" leaves a field out.
    claims: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Roles only through an explicit mapping: the claim to read, and {claim value: role}.
    role_claim: Mapped[str] = mapped_column(String(100), default="")
    role_map: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Create an account at the first sign-in of someone the platform does not know yet.
    is_jit_enabled: Mapped[bool] = mapped_column(default=True)
    # Raised by every change: sign-ins started under older settings are not completed.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    institution: Mapped[Institution] = relationship(lazy="joined", innerjoin=True)

    def claim(self, field: str) -> str:
        return (self.claims or {}).get(field, DEFAULT_CLAIMS.get(field, "")) or ""

    def __repr__(self) -> str:
        return f"<IdentityProvider {self.issuer}>"


class SsoIdentity(Model):
    """An account's identity at a provider: the issuer and its subject, for good (OIDC Core 5.7)."""

    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class SsoSpentState(Model):
    """A sign-in's state, once its callback arrived: the same callback twice is refused."""

    # SHA-256 of the state value: the value itself is not kept.
    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
