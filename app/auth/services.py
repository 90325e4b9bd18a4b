"""Account logic: authentication with throttling, creating and editing users, institutions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import ASSIGNABLE_ROLES, Institution, LoginFailure, User, UserRole
from app.auth.partners import PARTNERS
from app.core.database import utcnow
from app.core.errors import DomainError
from app.core.ratelimit import rate_key
from app.extensions import db

MIN_PASSWORD_LENGTH = 10


class LoginThrottled(DomainError):
    """Too many failed logins recently; the user must wait."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"try again in {minutes} minutes")
        self.minutes = minutes


class EmailTaken(DomainError):
    pass


def hash_password(password: str) -> str:
    # Werkzeug's default is scrypt with a random salt.
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _recent_failures(key: str, window: timedelta) -> int:
    return db.session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.key == key, LoginFailure.created_at > utcnow() - window
        )
    )


def authenticate(email: str, password: str, address: str) -> User | None:
    """The active user with these credentials, or None; raises LoginThrottled when locked out."""
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
    email = normalise_email(email)
    account_key = rate_key("email", email)
    address_key = rate_key("address", address)
    if (
        _recent_failures(account_key, window) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent_failures(address_key, window) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    ):
        raise LoginThrottled(config["LOGIN_FAILURE_WINDOW_MINUTES"])
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active or not check_password_hash(user.password_hash, password):
        db.session.add(LoginFailure(key=account_key))
        db.session.add(LoginFailure(key=address_key))
        db.session.flush()
        return None
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == account_key))
    user.last_login_at = utcnow()
    return user


@dataclass
class UserData:
    """What an admin form or the CLI gives to create or edit a user."""

    email: str
    full_name: str
    institution_id: int
    language: str = "sl"
    job_role_id: int | None = None
    roles: set[str] = field(default_factory=set)
    is_active: bool = True


def _apply(user: User, data: UserData) -> None:
    user.email = normalise_email(data.email)
    user.full_name = data.full_name.strip()
    user.institution_id = data.institution_id
    user.language = data.language
    user.job_role_id = data.job_role_id
    user.is_active = data.is_active
    unknown = set(data.roles) - set(ASSIGNABLE_ROLES) - {"learner"}
    if unknown:
        raise DomainError(f"unknown role: {', '.join(sorted(unknown))}")
    wanted = set(data.roles) & set(ASSIGNABLE_ROLES)
    user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
        UserRole(role=role) for role in sorted(wanted - {row.role for row in user.role_rows})
    ]


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _email_taken(email: str, except_id: int | None = None) -> bool:
    query = select(User.id).where(User.email == normalise_email(email))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def create_user(data: UserData, password: str) -> User:
    if _email_taken(data.email):
        raise EmailTaken(data.email)
    user = User(password_hash=hash_password(password))
    _apply(user, data)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, data: UserData, password: str | None = None) -> User:
    if _email_taken(data.email, except_id=user.id):
        raise EmailTaken(data.email)
    _apply(user, data)
    if password:
        user.password_hash = hash_password(password)
    db.session.flush()
    return user


def set_role(user: User, role: str, present: bool) -> None:
    """Grant or withdraw one role, leaving the others as they are."""
    if role not in ASSIGNABLE_ROLES:
        raise DomainError(f"unknown role: {role}")
    has = user.has_role(role)
    if present and not has:
        user.role_rows.append(UserRole(role=role))
    elif not present and has:
        user.role_rows = [row for row in user.role_rows if row.role != role]
    db.session.flush()


def set_language(user: User, language: str) -> None:
    user.language = language


def seed_institutions() -> list[str]:
    """Create or update the partner institutions; returns the slugs created."""
    existing = {row.slug: row for row in db.session.scalars(select(Institution))}
    created = []
    for slug, name, short_name, country, kind, role in PARTNERS:
        row = existing.get(slug)
        if row is None:
            row = Institution(slug=slug)
            db.session.add(row)
            created.append(slug)
        row.name, row.short_name, row.country = name, short_name, country
        row.kind, row.partner_role = kind, role
    db.session.flush()
    return created


def institution_by_slug(slug: str) -> Institution | None:
    return db.session.scalar(select(Institution).where(Institution.slug == slug))


def institutions() -> list[Institution]:
    return list(db.session.scalars(select(Institution).order_by(Institution.slug)))
