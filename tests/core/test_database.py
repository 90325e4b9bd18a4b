"""The database connection: idle ones tested before reuse, busy ones not; read-only views."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, exc, select, text, update

from app.auth.models import Institution
from app.core.database import read_only
from app.core.permissions import public
from app.extensions import db
from tests.conftest import login, make_app


def _backend_pid() -> int:
    return int(db.session.scalar(text("SELECT pg_backend_pid()")))


def _terminate(url: str, pid: int) -> None:
    """What a database restart or a firewall's idle timeout does to a pooled connection."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def _used_and_returned(app) -> int:
    with app.app_context():
        pid = _backend_pid()
        db.session.remove()  # back to the pool, as at the end of a request
    return pid


def test_a_connection_dropped_while_idle_is_replaced_before_use(postgres_url, tmp_path):
    app = make_app(postgres_url, tmp_path / "storage", DATABASE_PING_AFTER=0)
    dropped = _used_and_returned(app)
    _terminate(postgres_url, dropped)
    with app.app_context():
        # The ping found it dead: the pool gave another connection, and the request never
        # saw an error.
        assert _backend_pid() != dropped
        db.session.remove()
        db.engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(postgres_url, tmp_path):
    app = make_app(postgres_url, tmp_path / "storage", DATABASE_PING_AFTER=3600)
    dropped = _used_and_returned(app)
    _terminate(postgres_url, dropped)
    with app.app_context():
        # No round trip before reuse: this statement is the first to meet the dead connection.
        with pytest.raises(exc.OperationalError):
            _backend_pid()
        db.session.remove()
        # SQLAlchemy's disconnect handling then replaced the pool: the next request works.
        assert _backend_pid() != dropped
        db.session.remove()
        db.engine.dispose()


def _add_views(app) -> None:
    @read_only
    def reads() -> str:
        db.session.scalar(select(Institution.name).limit(1))
        raw = db.session.connection().connection.dbapi_connection
        if db.engine.dialect.name == "postgresql":
            # Still IDLE after a SELECT: no BEGIN was sent, so no ROLLBACK comes either.
            return raw.info.transaction_status.name  # type: ignore[union-attr]
        return "IDLE"

    @read_only
    def writes() -> str:
        db.session.execute(update(Institution).values(name="Changed"))
        db.session.commit()
        return "wrote"

    app.add_url_rule("/_test/reads", view_func=public(reads))
    app.add_url_rule("/_test/writes", view_func=public(writes))


def test_a_read_only_view_reads_outside_a_transaction(app, make_user):
    _add_views(app)
    client = app.test_client()
    login(client, make_user())
    assert client.get("/_test/reads").text == "IDLE"


def test_a_visitors_read_only_page_takes_no_connection_before_it_needs_one(app):
    """A visitor's public page mostly comes from the page cache: no connection is taken for
    it in advance (on PostgreSQL its reads are then in a transaction, as any other page's)."""
    _add_views(app)
    expected = (
        "INTRANS" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "IDLE"
    )
    assert app.test_client().get("/_test/reads").text == expected


def test_a_read_only_view_cannot_write(app, make_user):
    _add_views(app)
    client = app.test_client()
    login(client, make_user())
    with app.app_context():
        names = set(db.session.scalars(select(Institution.name)))
    with pytest.raises(exc.InvalidRequestError, match="read-only view wrote"):
        client.get("/_test/writes")
    with app.app_context():
        assert set(db.session.scalars(select(Institution.name))) == names


def test_a_lesson_is_read_without_a_transaction(app):
    """The learner's hot path is marked read-only (courses.lesson)."""
    view = app.view_functions["courses.lesson"]
    assert getattr(view, "sokrog_read_only", False)
