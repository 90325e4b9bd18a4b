"""Rate limits through Flask-Limiter; keys are keyed hashes, so no address or e-mail is stored."""

from __future__ import annotations

import hashlib
import hmac
import math
import time

from flask import Flask, current_app, request
from flask_limiter import RequestLimit
from limits import parse_many

from app.extensions import limiter


def hashed(kind: str, value: str) -> str:
    """A counter's key: an HMAC, so Redis or memory never holds an address or e-mail in clear."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def client_key() -> str:
    """The client's address (as ProxyFix trusts it), hashed."""
    return hashed("client", request.remote_addr or "")


def minutes_until(limit: RequestLimit) -> int:
    """Whole minutes until the breached limit lets the next request through (at least 1)."""
    # reset_at is rounded up to the next whole second by Flask-Limiter.
    return max(1, math.ceil((limit.reset_at - 1 - time.time()) / 60))


# Settings that hold a limit: Flask-Limiter logs a limit it cannot parse and then does not
# apply it, so a typo would switch the protection off without a word. Checked at start-up.
LIMIT_SETTINGS = (
    "VERIFY_RATE_LIMIT",
    "LOGIN_FAILURES_PER_ADDRESS",
    "RESET_REQUESTS_PER_ADDRESS",
    "RESET_REQUESTS_PER_EMAIL",
)


def init_app(app: Flask) -> None:
    for name in LIMIT_SETTINGS:
        try:
            parse_many(str(app.config[name]))
        except ValueError as error:
            raise RuntimeError(
                f"{name} = {app.config[name]!r} is not a rate limit such as '30 per 10 minutes'"
            ) from error
    limiter.init_app(app)
