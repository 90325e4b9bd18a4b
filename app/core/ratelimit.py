"""A rate limit shared by every app server, kept in the database with keyed hashes only."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import UTCDateTime, utcnow
from app.extensions import db


class RateEvent(db.Model):
    """One counted request; the key is an HMAC, so no address can be read back from it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


def rate_key(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def hit(kind: str, value: str, limit: int, window_seconds: int) -> bool:
    """Count one request; False when the caller has used up the limit for the window."""
    key = rate_key(kind, value)
    since = utcnow() - timedelta(seconds=window_seconds)
    used = db.session.scalar(
        select(func.count(RateEvent.id)).where(RateEvent.key == key, RateEvent.created_at > since)
    )
    if used >= limit:
        return False
    # Old rows of this caller go as new ones come, so the table stays small without a cron job.
    db.session.execute(delete(RateEvent).where(RateEvent.key == key, RateEvent.created_at <= since))
    db.session.add(RateEvent(key=key))
    return True
