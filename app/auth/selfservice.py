"""Accounts people run themselves: password reset, invitations, e-mail change, account mails.

Links carry signed, timed tokens (itsdangerous) bound to a fingerprint of what they change: a
reset or invitation link stops working once a password is set with it (or any other way), an
e-mail change link once the address has changed. Nothing of the token is stored.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.auth import services
from app.auth.models import User
from app.auth.passwords import check_password
from app.core import mail, notifications
from app.core.errors import DomainError
from app.core.urls import public_url
from app.extensions import db

log = logging.getLogger(__name__)

RESET_SECONDS = 60 * 60  # a reset link is valid for one hour
INVITATION_SECONDS = 14 * 24 * 60 * 60
EMAIL_CHANGE_SECONDS = 24 * 60 * 60

for _code, _label, _order in (
    ("account-created", lazy_gettext("Your account was created"), 1),
    ("password-changed", lazy_gettext(lazy_gettext("Your password was changed")), 2),
    ("password-reset", lazy_gettext("Password reset links"), 3),
    ("email-change", lazy_gettext("E-mail address changes"), 4),
):
    notifications.register(notifications.Kind(_code, _label, optional=False, order=_order))


class InvalidLink(DomainError):
    """The link is unknown, altered, used already or too old."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"sokrog-{purpose}")


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def _password_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps(
        {"u": user.id, "f": _fingerprint(user.password_hash, user.email)}
    )


def _load(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidLink(gettext("This link has expired. Please ask for a new one.")) from error
    except BadSignature as error:
        raise InvalidLink(gettext("This link is not valid. Please ask for a new one.")) from error
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise InvalidLink(gettext("This link is not valid. Please ask for a new one."))
    return data


def _user_for(purpose: str, token: str, max_age: int) -> User:
    data = _load(purpose, token, max_age)
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active:
        raise InvalidLink(gettext("This link is not valid. Please ask for a new one."))
    if data.get("f") != _fingerprint(user.password_hash, user.email):
        raise InvalidLink(gettext("This link has been used already. Please ask for a new one."))
    return user


def recipient(user: User, email: str | None = None) -> mail.Recipient:
    return mail.Recipient(email or user.email, user.full_name, user.language, user.id)


def _send(user: User, subject: LazyString, template: str, kind: str, **context: Any) -> None:
    to = context.pop("to", None) or recipient(user)
    object_key = context.pop("object_key", None)
    with force_locale(to.language):
        mail.send(
            to,
            str(subject),  # in the recipient's language
            template,
            kind=kind,
            object_key=object_key,
            sender_name=user.institution.name,
            user=user,
            institution=user.institution,
            **context,
        )


# --- password reset ------------------------------------------------------------------------------


def request_reset(email: str) -> None:
    """Mail a reset link if an active account has this address; say nothing either way."""
    user = services.user_by_email(email)
    if user is None or not user.is_active:
        log.info("password reset asked for an address without an active account")
        return
    token = _password_token(user, "reset")
    _send(
        user,
        lazy_gettext("Reset your password"),
        "password_reset",
        "password-reset",
        link=public_url("auth.reset_password", token=token),
        hours=RESET_SECONDS // 3600,
    )


def user_for_reset(token: str) -> User:
    return _user_for("reset", token, RESET_SECONDS)


def reset_password(token: str, password: str) -> User:
    """Set the new password; the link is spent and every session of the account ends."""
    user = user_for_reset(token)
    services.set_password(user, password)
    password_changed(user)
    return user


def password_changed(user: User) -> None:
    _send(
        user,
        lazy_gettext("Your password was changed"),
        "password_changed",
        "password-changed",
        link=public_url("auth.request_reset"),
    )


# --- invitations ---------------------------------------------------------------------------------


def invite(user: User, by: User | None = None, object_key: str | None = None) -> None:
    """Mail the new account a link to choose its password (no password is typed for them).
    With `object_key`, at most once for that key (an import's invitations, a job retried)."""
    token = _password_token(user, "invitation")
    _send(
        user,
        lazy_gettext("You are invited to the 2SoKroG learning platform"),
        "invitation",
        "account-created",
        link=public_url("auth.accept_invitation", token=token),
        days=INVITATION_SECONDS // 86400,
        by=by,
        object_key=object_key,
    )


def user_for_invitation(token: str) -> User:
    return _user_for("invitation", token, INVITATION_SECONDS)


def accept_invitation(token: str, password: str) -> User:
    user = user_for_invitation(token)
    services.set_password(user, password)
    return user


def account_created(user: User) -> None:
    """An account made with a password (the command line, an import): tell its owner."""
    _send(
        user,
        lazy_gettext("Your account on the 2SoKroG learning platform"),
        "account_created",
        "account-created",
        link=public_url("auth.login"),
    )


# --- e-mail change -------------------------------------------------------------------------------


def request_email_change(user: User, password: str, new_email: str) -> None:
    """Mail a confirmation link to the new address; nothing changes until it is opened."""
    if not check_password(user.password_hash, password):
        raise services.WrongPassword("current password")
    new_email = services.normalise_email(new_email)
    if new_email == user.email:
        raise DomainError(gettext("This is already your e-mail address."))
    if services.user_by_email(new_email) is not None:
        raise services.EmailTaken(new_email)
    token = _serializer("email").dumps(
        {"u": user.id, "e": new_email, "f": _fingerprint(user.password_hash, user.email)}
    )
    _send(
        user,
        lazy_gettext("Confirm your new e-mail address"),
        "email_change",
        "email-change",
        to=recipient(user, new_email),
        link=public_url("auth.confirm_email", token=token),
        new_email=new_email,
    )


def _email_change(token: str) -> tuple[User, str]:
    data = _load("email", token, EMAIL_CHANGE_SECONDS)
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active:
        raise InvalidLink(gettext("This link is not valid. Please ask for a new one."))
    if data.get("f") != _fingerprint(user.password_hash, user.email):
        raise InvalidLink(gettext("This link has been used already. Please ask for a new one."))
    return user, str(data.get("e", ""))


def pending_email(token: str) -> str:
    """The new address a still valid e-mail change link would set."""
    return _email_change(token)[1]


def confirm_email_change(token: str) -> User:
    """Change the address; the old one is told, and every session ends."""
    user, new_email = _email_change(token)
    if services.user_by_email(new_email) is not None:
        raise services.EmailTaken(new_email)
    old = recipient(user)
    user.email = new_email
    services.end_sessions(user)
    _send(
        user,
        lazy_gettext("Your e-mail address was changed"),
        "email_changed",
        "email-change",
        to=old,
        new_email=new_email,
    )
    return user
