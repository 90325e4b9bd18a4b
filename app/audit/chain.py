"""Appending to the hash chain and verifying it.

Receivers of domain events call `record()`, which keeps the entry with the session; when the
transaction commits, every entry it gathered is appended at once: the head row is locked
(an UPDATE, so SQLite takes its write lock and PostgreSQL a row lock), the entries are chained
from the head's hash, inserted in one statement, and the head moves on. A rolled-back
transaction appends nothing, as nothing it did happened.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import event, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.audit.models import GENESIS, AuditEntry, AuditHead
from app.auth.models import User
from app.core.database import utcnow
from app.extensions import db

_PENDING = "sokrog_audit_pending"
HEAD_ID = 1
VERIFY_CHUNK = 1000


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: one text for one value, whatever wrote it."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's canonical content."""
    content = canonical(fields)
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def _content(
    seq: int,
    created_at: datetime,
    action: str,
    actor_id: int | None,
    subject_id: int | None,
    institution_id: int | None,
    object_type: str,
    object_id: int | None,
    details: str,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "created_at": created_at.isoformat(),
        "action": action,
        "actor_id": actor_id,
        "subject_id": subject_id,
        "institution_id": institution_id,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
    }


def content_of(entry: AuditEntry) -> dict[str, Any]:
    return _content(
        entry.seq,
        entry.created_at,
        entry.action,
        entry.actor_id,
        entry.subject_id,
        entry.institution_id,
        entry.object_type,
        entry.object_id,
        entry.details,
    )


def record(
    action: str,
    *,
    actor_id: int | None = None,
    subject_id: int | None = None,
    institution_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an entry when the current transaction commits (ids and minimal data only).

    Without `institution_id`, the entry is the subject's institution's: looked up at commit
    for every entry at once, so a receiver of many records adds no query per record."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_PENDING, []).append(
        {
            "action": action,
            "actor_id": actor_id,
            "subject_id": subject_id,
            "institution_id": institution_id,
            "object_type": object_type,
            "object_id": object_id,
            "details": canonical(details or {}),
        }
    )


def _lock_head(session: Session, count: int) -> tuple[int, str]:
    """Reserve `count` sequence numbers; returns the last one before them and the head hash."""
    statement = (
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(seq=AuditHead.seq + count)
        .returning(AuditHead.seq, AuditHead.hash)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(statement).one_or_none()
    if row is None:
        # No head yet (a new database): make it, whoever else does at the same moment.
        dialect = session.get_bind().dialect.name
        make = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(AuditHead)
        session.execute(
            make.values(id=HEAD_ID, seq=0, hash=GENESIS).on_conflict_do_nothing(),
        )
        row = session.execute(statement).one()
    return row[0] - count, row[1]


def _subjects_institutions(session: Session, pending: list[dict[str, Any]]) -> None:
    wanted = {
        item["subject_id"]
        for item in pending
        if item["institution_id"] is None and item["subject_id"] is not None
    }
    if not wanted:
        return
    found = dict(
        session.execute(select(User.id, User.institution_id).where(User.id.in_(wanted))).all()
    )
    for item in pending:
        if item["institution_id"] is None and item["subject_id"] is not None:
            item["institution_id"] = found.get(item["subject_id"])


def _append(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint is released: the entries wait for the real commit
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    _subjects_institutions(session, pending)
    seq, prev = _lock_head(session, len(pending))
    now = utcnow()
    rows = []
    for item in pending:
        seq += 1
        content = _content(seq=seq, created_at=now, **item)
        digest = entry_hash(prev, content)
        rows.append({**item, "seq": seq, "created_at": now, "prev_hash": prev, "hash": digest})
        prev = digest
    session.execute(insert(AuditEntry), rows)
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(hash=prev)
        .execution_options(synchronize_session=False)
    )


def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)


@dataclass
class Verification:
    """What `verify` found: entries checked, and each problem as (seq, description)."""

    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        return not self.problems


def _entries() -> Iterator[AuditEntry]:
    last = 0
    while True:
        chunk = list(
            db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(VERIFY_CHUNK)
            )
        )
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq
        db.session.expunge_all()  # a long trail is read in constant memory


def verify() -> Verification:
    """Recompute the chain: a changed entry breaks its own hash, a deleted one the sequence
    or the next entry's link, and a deleted last entry the head."""
    result = Verification()
    expected_seq, prev = 1, GENESIS
    for entry in _entries():
        result.checked += 1
        if entry.seq != expected_seq:
            gap = f"entries {expected_seq} to {entry.seq - 1} are missing"
            result.problems.append((entry.seq, gap))
        if entry.prev_hash != prev:
            result.problems.append((entry.seq, "does not follow the entry before it"))
        if entry_hash(entry.prev_hash, content_of(entry)) != entry.hash:
            result.problems.append((entry.seq, "its content was changed"))
        expected_seq, prev = entry.seq + 1, entry.hash
    head = db.session.get(AuditHead, HEAD_ID)
    if head is None:
        if result.checked:
            result.problems.append((0, "the head of the chain is missing"))
        return result
    result.head_seq, result.head_hash = head.seq, head.hash
    if head.seq != expected_seq - 1 or head.hash != prev:
        result.problems.append(
            (head.seq, f"the head names entry {head.seq}, the last entry is {expected_seq - 1}")
        )
    return result


def init_app(_app: Flask) -> None:
    if not event.contains(Session, "before_commit", _append):
        event.listen(Session, "before_commit", _append)
        event.listen(Session, "after_soft_rollback", _forget)
