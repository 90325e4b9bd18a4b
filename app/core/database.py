"""Database helpers: SQLite pragmas, timestamps, upserts and the SQL query counter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import Connection, DateTime, Dialect, Engine, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from app.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


def upsert(model: type[Any], values: dict[str, Any], key: str) -> None:
    """Insert the row, or update every other column of the one with the same `key`, in one
    statement on both databases: of two servers writing at once, the later wins."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).values(**values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[key],
            set_={name: statement.excluded[name] for name in values if name != key},
        )
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def _sqlite_on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers go on while one writer commits; busy_timeout waits instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_before_savepoint(connection: Connection, _name: str | None) -> None:
    """Python's sqlite3 opens a transaction only before a data change, and SQLite treats a
    SAVEPOINT outside one as the transaction itself: releasing it would commit, whatever the
    outer transaction later does. Beginning first keeps a savepoint inside its transaction."""
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        raw.execute("BEGIN")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)


class QueryCounter:
    """Counts the SQL statements an engine runs, for tests and benchmarks."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def _on_execute(
        self, _conn: Connection, _cursor: DBAPICursor, statement: str, *_args: object
    ) -> None:
        self.statements.append(statement)


@contextmanager
def count_queries(engine: Engine | None = None) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    target = engine or db.engine
    event.listen(target, "before_cursor_execute", counter._on_execute)
    try:
        yield counter
    finally:
        event.remove(target, "before_cursor_execute", counter._on_execute)


def local_today(timezone: str = "Europe/Ljubljana") -> date:
    """Today where the partners are: due dates are calendar days in Slovenia and Croatia."""
    return datetime.now(ZoneInfo(timezone)).date()
