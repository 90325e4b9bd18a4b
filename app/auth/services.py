"""Account logic: authentication, sessions, passwords, creating and editing users, institutions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import (
    ASSIGNABLE_ROLES,
    Institution,
    Unit,
    User,
    UserRole,
    new_session_token,
)
from app.auth.partners import PARTNERS
from app.auth.passwords import check_password, hash_password, password_problem
from app.core import events
from app.core.database import utcnow
from app.core.errors import DomainError
from app.extensions import db


class EmailTaken(DomainError):
    pass


class WeakPassword(DomainError):
    """The password breaks the policy; the message says why, in the reader's language."""


class WrongPassword(DomainError):
    pass


class PasswordsOff(WeakPassword):
    """The account's institution has switched passwords off: its staff use single sign-on."""


def passwords_off_message(institution: Institution) -> str:
    return gettext(
        "Passwords are switched off for %(institution)s: please log in with its button on the "
        "login page (single sign-on).",
        institution=institution.name,
    )


def check_passwords_allowed(user: User) -> None:
    """Raise PasswordsOff when the user's institution lets its staff in only by single sign-on."""
    institution = user.institution or db.session.get(Institution, user.institution_id)
    if institution is not None and not institution.is_password_login_allowed:
        raise PasswordsOff(passwords_off_message(institution))


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    An unknown e-mail costs the same password check as a known one, so the time of the answer
    does not tell which addresses have accounts. Throttling is the view's (Flask-Limiter).
    """
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    ok = check_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        reason = "unknown" if user is None else ("password" if not ok else "inactive")
        events.login_failed.send(None, user_id=user.id if user else None, reason=reason)
        return None
    # Said only to whoever knows the password: it tells nothing about which addresses exist.
    check_passwords_allowed(user)
    user.last_login_at = utcnow()
    events.user_logged_in.send(None, user_id=user.id, method="password")
    return user


def user_for_session(session_id: str) -> User | None:
    """The user a session's id ("<id>:<token>") names, if the token is still the account's."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or not token or len(user_id) > 12:
        return None
    user = (
        db.session.scalars(
            select(User).where(User.id == int(user_id)).options(joinedload(User.role_rows))
        )
        .unique()
        .one_or_none()
    )
    if user is None or not user.is_active:
        return None
    if not secrets.compare_digest(user.session_token, token):
        return None
    return user


def awaits_invitation(user: User) -> bool:
    """The account has no password yet: its owner has not accepted the invitation."""
    return not user.password_hash


def end_sessions(user: User) -> None:
    """Log the account out everywhere: every session cookie issued so far stops working."""
    user.session_token = new_session_token()


def set_password(user: User, password: str) -> None:
    """A new password under the policy; every other session of the account ends."""
    check_passwords_allowed(user)
    problem = password_problem(password, user.email or "", user.full_name or "")
    if problem:
        raise WeakPassword(problem)
    user.password_hash = hash_password(password)
    end_sessions(user)


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password first, then the policy."""
    if not check_password(user.password_hash, current):
        raise WrongPassword("current password")
    set_password(user, new)


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


def _apply(user: User, data: UserData) -> tuple[list[str], list[str]]:
    """Copy the form's data onto the account; returns the roles (added, removed)."""
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
    had = {row.role for row in user.role_rows}
    user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
        UserRole(role=role) for role in sorted(wanted - had)
    ]
    return sorted(wanted - had), sorted(had - wanted)


def _roles_changed(user: User, by_id: int | None, added: list[str], removed: list[str]) -> None:
    if added or removed:
        events.roles_changed.send(None, user_id=user.id, by_id=by_id, added=added, removed=removed)


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _email_taken(email: str, except_id: int | None = None) -> bool:
    query = select(User.id).where(User.email == normalise_email(email))
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def create_user(
    data: UserData, password: str | None, by_id: int | None = None, source: str = "admin"
) -> User:
    """A new account; without a password it cannot log in until its invitation is accepted.

    `source` says where it came from for the audit trail: "admin", "cli", "import" or "demo".
    """
    if _email_taken(data.email):
        raise EmailTaken(data.email)
    user = User()
    added, _removed = _apply(user, data)
    if password is None:
        user.password_hash = ""  # no password matches an empty hash (passwords.check_password)
    else:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    events.user_created.send(None, user_id=user.id, by_id=by_id, source=source)
    _roles_changed(user, by_id, added, [])
    return user


def update_user(
    user: User, data: UserData, password: str | None = None, by_id: int | None = None
) -> User:
    if _email_taken(data.email, except_id=user.id):
        raise EmailTaken(data.email)
    was_active = user.is_active
    added, removed = _apply(user, data)
    if password:
        set_password(user, password)
    elif was_active and not user.is_active:
        end_sessions(user)
    db.session.flush()
    _roles_changed(user, by_id, added, removed)
    if was_active and not user.is_active:
        events.user_deactivated.send(None, user_id=user.id, by_id=by_id)
    return user


def deactivate(user: User, by_id: int | None = None) -> None:
    """The account can no longer log in, and its open sessions end now; its history stays."""
    user.is_active = False
    end_sessions(user)
    events.user_deactivated.send(None, user_id=user.id, by_id=by_id)


def reactivate(user: User) -> None:
    """The account may log in again, with its history as it was; sessions ended at the
    deactivation stay ended."""
    user.is_active = True


def set_role(user: User, role: str, present: bool, by_id: int | None = None) -> None:
    """Grant or withdraw one role, leaving the others as they are."""
    if role not in ASSIGNABLE_ROLES:
        raise DomainError(f"unknown role: {role}")
    has = user.has_role(role)
    if present and not has:
        user.role_rows.append(UserRole(role=role))
    elif not present and has:
        user.role_rows = [row for row in user.role_rows if row.role != role]
    db.session.flush()
    if present != has:
        _roles_changed(user, by_id, [role] if present else [], [] if present else [role])


def set_language(user: User, language: str) -> None:
    user.language = language


def seed_institutions() -> list[str]:
    """Create or update the partner institutions; returns the slugs created.

    Names are set only when the institution is created: from then on its administrators keep
    them (the institution details page), and running the seed again must not undo that.
    """
    existing = {row.slug: row for row in db.session.scalars(select(Institution))}
    created = []
    for slug, name, short_name, country, kind, role in PARTNERS:
        row = existing.get(slug)
        if row is None:
            row = Institution(slug=slug, name=name, short_name=short_name)
            db.session.add(row)
            created.append(slug)
        row.country, row.kind, row.partner_role = country, kind, role
    db.session.flush()
    return created


def institution_by_slug(slug: str) -> Institution | None:
    return db.session.scalar(select(Institution).where(Institution.slug == slug))


def institutions() -> list[Institution]:
    return list(db.session.scalars(select(Institution).order_by(Institution.slug)))


def institutions_without_passwords() -> list[Institution]:
    """The institutions whose staff log in only by single sign-on, by name."""
    return list(
        db.session.scalars(
            select(Institution)
            .where(Institution.is_password_login_allowed.is_(False))
            .order_by(Institution.name)
        )
    )


def active_staff(institution_id: int) -> list[User]:
    """The institution's active accounts by name, with their units (for pickers and lists)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.institution_id == institution_id, User.is_active.is_(True))
            .options(selectinload(User.unit))
            .order_by(User.full_name, User.email)
        )
    )


def unit_subtree(unit_id: int) -> Select[int]:
    """The ids of the unit and of every unit under it, as a query to filter by in SQL.
    UNION (not ALL): it ends even on a loop of parents, which an HR import may bring."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte("unit_tree", recursive=True)
    tree = tree.union(select(Unit.id).where(Unit.parent_id == tree.c.id))
    return select(tree.c.id)


def units_of(institution_id: int) -> list[Unit]:
    """The institution's organisational units (from its HR system), by name."""
    return list(
        db.session.scalars(
            select(Unit).where(Unit.institution_id == institution_id).order_by(Unit.name, Unit.code)
        )
    )
