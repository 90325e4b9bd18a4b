"""A version of the published content that every worker reads, and a cache built from it."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable, Hashable
from datetime import datetime
from itertools import chain
from typing import TypeVar, cast

from flask import Flask, current_app, has_app_context
from sqlalchemy import String, Table, event, insert, select, update
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column

from app.core.database import UTCDateTime, utcnow
from app.extensions import Model, db

T = TypeVar("T")

_BUMPED = "sokrog_content_bumped"
# The one row there is; a name leaves room for versions of other content later.
CONTENT = "content"
# Entries of one version: a few per interface language and course, and the public pages
# (app.core.pagecache). The bound only guards against a key that grows with input nobody checked.
MAX_ENTRIES = 1024

_watched: tuple[type, ...] = ()


class ContentVersion(Model):
    """Changes whenever a watched row (a course, lesson, competence, institution) changes.

    Every worker compares it with the version its cache was built from, so a course published
    through one worker is what the others show from their next request.
    """

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def watch(*models: type) -> None:
    """Changes to rows of these models change the content version."""
    global _watched
    _watched = tuple(dict.fromkeys((*_watched, *models)))


def _touches_content(session: Session) -> bool:
    for instance in chain(session.new, session.deleted):
        if isinstance(instance, _watched):
            return True
    return any(
        isinstance(instance, _watched) and session.is_modified(instance)
        for instance in session.dirty
    )


@event.listens_for(Session, "after_flush")
def _bump_on_flush(session: Session, _context: UOWTransaction) -> None:
    # In the same transaction as the change: a rollback takes the new version back with it.
    if _watched and _touches_content(session):
        bump(session)


@event.listens_for(Session, "do_orm_execute")
def _bump_on_bulk(state: ORMExecuteState) -> None:
    # UPDATE and DELETE statements on watched models bypass the flush.
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper and issubclass(mapper.class_, _watched):
        bump(state.session)


def bump(session: Session) -> None:
    # Declarative types __table__ as any FromClause (a mapping may be to a join); this model
    # is mapped to a plain Table, which is what update() and insert() take.
    table = cast(Table, ContentVersion.__table__)
    values = {"token": secrets.token_hex(16), "changed_at": utcnow()}
    session.info[_BUMPED] = True
    connection = session.connection()
    result = connection.execute(update(table).where(table.c.name == CONTENT).values(**values))
    if result.rowcount == 0:
        # The migration writes the row; a database emptied since (tests) gets it back here.
        connection.execute(insert(table).values(name=CONTENT, **values))


def current_token() -> str | None:
    return db.session.scalar(select(ContentVersion.token).where(ContentVersion.name == CONTENT))


class ContentCache:
    """Values built from the content, for one version at a time, in this process.

    The version is read at most once every `check_seconds`: another server's publication shows
    here within that time; one made through this process shows at once (`_changed_here`).
    """

    def __init__(self, check_seconds: float = 0.0) -> None:
        self.token: str | None = None
        self.entries: dict[tuple[Hashable, ...], object] = {}
        self.check_seconds = check_seconds
        self.checked_at = -math.inf

    def _token(self) -> str | None:
        now = time.monotonic()
        if self.token is not None and now - self.checked_at < self.check_seconds:
            return self.token
        token = current_token()
        self.checked_at = now
        return token

    def forget_version(self) -> None:
        self.checked_at = -math.inf

    def find(self, key: tuple[Hashable, ...]) -> tuple[str | None, object | None]:
        """The current version and what was kept for `key` under it (None if nothing)."""
        token = self._token()
        if token is None:
            return None, None
        if token != self.token:
            self.token, self.entries = token, {}
        return token, self.entries.get(key)

    def keep(self, key: tuple[Hashable, ...], value: object, token: str | None) -> None:
        """Keep `value`, built after `find` returned `token`, if that is still the version:
        built under an older one it might show what has changed since."""
        if token is not None and token == self.token and len(self.entries) < MAX_ENTRIES:
            self.entries[key] = value

    def get(self, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
        # The version is read before the content: a change committed in between makes the
        # entry newer than its version, never older, so nothing stale is kept.
        token = self._token()
        if token is None:
            return build()
        if token != self.token:
            self.token, self.entries = token, {}
        if key in self.entries:
            # Made by build() for this key before: a T. A dict cannot type each key's value.
            return cast(T, self.entries[key])
        value = build()
        # Nothing is kept for a key that found nothing (a mistyped address, say).
        if value is not None and len(self.entries) < MAX_ENTRIES:
            self.entries[key] = value
        return value


def cached(key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """`build()`, or what it returned before for `key` while the content is unchanged.

    One query (the version) per call. What is cached must not hold ORM objects: it outlives
    the session it was loaded in.
    """
    cache: ContentCache = current_app.extensions["content_cache"]
    return cache.get(key, build)


@event.listens_for(Session, "after_commit")
def _changed_here(session: Session) -> None:
    # This process changed the content: its own cache reads the new version at once.
    if session.info.pop(_BUMPED, False) and has_app_context():
        cache = current_app.extensions.get("content_cache")
        if cache is not None:
            cache.forget_version()


def init_app(app: Flask) -> None:
    app.extensions["content_cache"] = ContentCache(app.config["CONTENT_CHECK_SECONDS"])
