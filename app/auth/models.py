"""Institutions, user accounts and their roles."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core.content import watch
from app.core.database import UTCDateTime, utcnow
from app.core.search import fold
from app.extensions import Model
from app.framework.models import JobRole

if TYPE_CHECKING:
    # Flask-Login ships no types, so its UserMixin is Any to mypy, and a class with an Any base
    # passes for any type (select(User) would return rows of Any). mypy is shown what the
    # mixin adds to User; is_active and get_id are User's own.

    class UserMixin:
        @property
        def is_authenticated(self) -> bool: ...
        @property
        def is_anonymous(self) -> bool: ...
else:
    from flask_login import UserMixin

COUNTRIES = ("SI", "HR")
INSTITUTION_KINDS = (
    "social-work-centre",
    "employment-service",
    "development-agency",
    "research-centre",
    "social-enterprise",
    "adult-education",
    "ministry",
)
PARTNER_ROLES = ("lead", "project", "associated")
# Every account is a learner; an assessor is appointed by HR to rate colleagues.
ASSIGNABLE_ROLES = ("trainer", "assessor", "hr", "admin")


class Institution(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(32))
    partner_role: Mapped[str] = mapped_column(String(16))
    # Who signs this institution's certificates; configured with `flask institutions signatory`.
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    # The postal address, in the issuer profile of its credentials and on its certificates.
    street_address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    locality: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Off where the institution's staff sign in only through its identity provider (app.sso):
    # then no password of its accounts works, and none can be set or reset.
    is_password_login_allowed: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Institution {self.slug}>"


class Unit(Model):
    """An organisational unit of an institution (a department, an office), from its HR system."""

    __table_args__ = (UniqueConstraint("institution_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="SET NULL"), index=True
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


def new_session_token() -> str:
    return secrets.token_hex(16)


def search_text(full_name: str | None, email: str | None) -> str:
    """What the administrators' search looks in: name and e-mail, folded (app.core.search)."""
    return fold(f"{full_name or ''} {email or ''}")[:500]


def _search_default(context: DefaultExecutionContext) -> str:
    # For rows inserted without the ORM (the demo's synthetic employees, in bulk).
    values: dict[str, str | None] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return search_text(values.get("full_name"), values.get("email"))


class User(UserMixin, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    job_role_id: Mapped[int | None] = mapped_column(ForeignKey("job_role.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), default="sl")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of every session's user id (Flask-Login's alternative token): a new token ends every
    # session of the account at once, on logout, a password change or a deactivation.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    # The e-mail kinds (app.core.notifications) the person switched off on their profile.
    notification_optout: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Name and e-mail without diacritics, kept in step by `_keep_search_text`: the search of
    # accounts finds Šimić as Simic and the reverse on every database.
    search_text: Mapped[str] = mapped_column(String(500), default=_search_default)
    # From the HR system (`flask users sync`): the unit, the line manager, and when a load
    # last listed the person (None: an account made by hand, which no load deactivates).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    hr_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    institution: Mapped[Institution] = relationship(lazy="joined", innerjoin=True)
    job_role: Mapped[JobRole | None] = relationship(lazy="joined", foreign_keys=[job_role_id])
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    unit: Mapped[Unit | None] = relationship()
    manager: Mapped[User | None] = relationship(remote_side=[id])

    @property
    def roles(self) -> set[str]:
        return {"learner"} | {row.role for row in self.role_rows}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @validates("full_name", "email")
    def _keep_search_text(self, key: str, value: str) -> str:
        name = value if key == "full_name" else self.full_name
        email = value if key == "email" else self.email
        self.search_text = search_text(name, email)
        return value

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(Model):
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="role_rows")


# An institution's name is on the catalogue's course cards.
watch(Institution)
