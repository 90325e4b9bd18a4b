"""Database helpers: SQLite pragmas, timestamps, upserts and the SQL query counter."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Flask, request, session
from sqlalchemy import Connection, DateTime, Dialect, Engine, event, exc
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
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


class IdlePing:
    """Pings a pooled connection before it is reused only when it has been idle longer than
    `after` seconds: pool_pre_ping's round trip on every request is what a connection that
    served the previous request a moment ago does not need. A connection the database or a
    firewall dropped while idle is replaced before use; one that fails in between is caught
    by SQLAlchemy's disconnect handling, which replaces the whole pool at once."""

    def __init__(self, engine: Engine, after: float) -> None:
        self.engine, self.after = engine, after
        event.listen(engine.pool, "checkin", self._checkin)
        event.listen(engine.pool, "checkout", self._checkout)

    @staticmethod
    def _checkin(_dbapi_connection: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    def _checkout(
        self,
        dbapi_connection: DBAPIConnection,
        record: ConnectionPoolEntry,
        _proxy: PoolProxiedConnection,
    ) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since <= self.after:
            return  # new, or used a moment ago
        try:
            self.engine.dialect.do_ping(dbapi_connection)
            # Out of the ping's transaction: a read-only request then turns autocommit on.
            dbapi_connection.rollback()
        except self.engine.dialect.loaded_dbapi.Error as error:
            # The pool then discards this connection and checks out another (documented).
            raise exc.DisconnectionError() from error


READ_ONLY = "sokrog_read_only"
View = TypeVar("View", bound=Callable[..., Any])


def read_only(view: View) -> View:
    """Marks a view whose GET only reads. On PostgreSQL its statements then run without a
    transaction: no BEGIN and ROLLBACK round trips around two queries, and the driver keeps
    its prepared statements, which a rollback clears. A write there is refused (in tests it
    fails the test), since without a transaction it could not be undone."""
    setattr(view, READ_ONLY, True)  # functools.wraps carries it to the decorators above
    return view


def _refuse_writes(
    connection: Connection,
    _cursor: DBAPICursor,
    statement: str,
    _parameters: object,
    context: Any,
    _executemany: bool,
) -> None:
    if context is None or not connection.get_execution_options().get(READ_ONLY):
        return
    if context.isinsert or context.isupdate or context.isdelete:
        raise exc.InvalidRequestError(f"a read-only view wrote: {statement[:80]}")


def _begin_read_only(app: Flask) -> None:
    """Before any other hook reads the database (the locale of the user, for one)."""
    view = app.view_functions.get(request.endpoint or "")
    if request.method not in ("GET", "HEAD") or not getattr(view, READ_ONLY, False):
        return
    if db.session().in_transaction():
        return  # within a caller's own transaction (a test's app context): it stays in it
    if "_user_id" not in session:
        # A visitor's page mostly comes from the page cache without a query: the connection
        # this would take at once costs more than the round trips it saves (a fifth of it).
        return
    options: dict[str, Any] = {READ_ONLY: True}
    if db.engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    db.session.connection(execution_options=options)


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        else:  # a file needs no ping; a server may have closed an idle connection
            IdlePing(engine, app.config["DATABASE_PING_AFTER"])
        event.listen(engine, "before_cursor_execute", _refuse_writes)
    app.before_request(lambda: _begin_read_only(app))


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
