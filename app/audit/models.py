"""Audit entries, chained by SHA-256, and the head of the chain that writers lock in turn."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import UTCDateTime, utcnow
from app.extensions import Model

GENESIS = "0" * 64  # the "previous hash" of the first entry


class AuditEntry(Model):
    """One act: who did what to whom or what, when. Never updated, never deleted.

    Ids only, no foreign keys: an entry outlives what it names (a purged attempt, a retired
    key) and must not stop its deletion; names are looked up when the trail is shown, so an
    erased person appears under their pseudonym. `details` is the canonical JSON the hash
    covers, kept as text so that the bytes hashed are the bytes stored.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    subject_id: Mapped[int | None] = mapped_column(index=True)
    institution_id: Mapped[int | None] = mapped_column(index=True)
    object_type: Mapped[str] = mapped_column(String(30), default="")
    object_id: Mapped[int | None]
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Model):
    """The chain's last sequence number and hash, in one row: appending locks it first, so
    concurrent writers take turns and the chain never forks."""

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
