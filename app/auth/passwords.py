"""Password policy and hashing: long enough, not common or breached, never the account's name."""

from __future__ import annotations

import functools
import re

from flask import current_app
from flask_babel import gettext
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
# zxcvbn's score: 3 is "safely unguessable" against an online attack and resists an offline
# one on a slow hash (scrypt here). Its dictionaries hold the passwords of public breaches.
MIN_SCORE = 3
# zxcvbn's matching grows quickly with length; what lies beyond this adds only strength.
SCORED_LENGTH = 72
# Without the account's name and e-mail, a password keeps at least this many letters or digits.
MIN_OWN_CHARACTERS = 8


def hash_password(password: str) -> str:
    # Werkzeug's default is scrypt with a random salt.
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-password-of-anyone", method=method)


def check_password(password_hash: str | None, password: str) -> bool:
    """Check a password; without an account, check one anyway so both take the same time."""
    if not password_hash:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return check_password_hash(password_hash, password)


def _personal_words(email: str, full_name: str) -> list[str]:
    words = re.split(r"[^\w]+", f"{email} {full_name}".lower())
    return [word for word in words if len(word) >= 3]


def _mostly_personal(password: str, personal: list[str]) -> bool:
    """The name and e-mail with a few digits or separators: zxcvbn rates "novak-ana-2024" well,
    but whoever knows the person guesses it."""
    rest = password.lower()
    for word in sorted(personal, key=len, reverse=True):
        rest = rest.replace(word, "")
    return len(rest) < len(password) and sum(char.isalnum() for char in rest) < MIN_OWN_CHARACTERS


def password_problem(password: str, email: str = "", full_name: str = "") -> str | None:
    """Why the password may not be used, in the reader's language; None if it is good."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return gettext(
            "The password must have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return gettext(
            "The password may have at most %(count)d characters.", count=MAX_PASSWORD_LENGTH
        )
    personal = _personal_words(email, full_name)
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=personal)
    if result["score"] < MIN_SCORE or _mostly_personal(password, personal):
        return gettext(
            "This password is too easy to guess: it is common, was leaked in a breach, or is "
            "built from your name or e-mail. Use a longer phrase of unrelated words."
        )
    return None
