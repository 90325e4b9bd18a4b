"""Background jobs on Huey: SQLite storage embedded, Redis or PostgreSQL when JOBS_URL says so.

A job is queued only when the transaction that asked for it commits (`after_commit`), so a
worker never looks for rows that are not there yet and a rolled-back request queues nothing.
Each job runs in an app context of its own (its own database session), in the worker, or at
once in the same process when JOBS_IMMEDIATE is set (tests). Failures are retried with
exponential back-off and recorded (`JobFailure`) for administrators at /admin/jobs.
"""

from __future__ import annotations

import functools
import json
import logging
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from flask import Flask
from huey import Huey, crontab
from huey.api import Task, TaskWrapper
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR
from huey.storage import MemoryStorage, PostgresStorage, RedisStorage, SqliteStorage
from sqlalchemy import Select, String, Text, event, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.database import UTCDateTime, utcnow
from app.extensions import Model, db

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# The queue; its storage is chosen by init_app from the configuration.
huey = Huey("sokrog", storage_class=MemoryStorage, utc=True, results=False)
_bound: dict[str, Flask] = {}
_AFTER_COMMIT = "sokrog_jobs_after_commit"
DEFAULT_RETRIES = 6  # with back-off from 30 s doubling: the last try about 30 minutes later
DEFAULT_RETRY_DELAY = 30


class JobFailure(Model):
    """A failed run of a job: shown to administrators; a retry may still follow."""

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The job's arguments (ids and codes, never personal text), to run it again from /admin/jobs.
    arguments: Mapped[str] = mapped_column(Text, default="[[], {}]")
    error: Mapped[str] = mapped_column(Text)
    retries_left: Mapped[int] = mapped_column(default=0)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def storage_settings(config: dict[str, Any]) -> tuple[type, dict[str, Any]]:
    """The Huey storage class and its arguments for this configuration."""
    url = str(config.get("JOBS_URL") or config.get("REDIS_URL") or "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage, {"url": url}
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStorage, {"dsn": url}
    if url.startswith("sqlite:///"):
        return SqliteStorage, {"filename": url.removeprefix("sqlite:///")}
    if url:
        raise RuntimeError(
            f"JOBS_URL must start with redis://, postgresql:// or sqlite:/// (got {url[:20]!r})"
        )
    # The embedded default: a SQLite file beside the database of a development install.
    folder = Path(str(config["STORAGE_DIR"])).parent
    return SqliteStorage, {"filename": str(folder / "jobs.sqlite3")}


def describe_storage(config: dict[str, Any]) -> str:
    storage, settings = storage_settings(config)
    if storage is SqliteStorage:
        return f"SQLite ({settings['filename']})"
    return "Redis" if storage is RedisStorage else "PostgreSQL"


def _bound_app() -> Flask:
    app = _bound.get("app")
    if app is None:
        raise RuntimeError("jobs: init_app was not called (no application for the worker)")
    return app


def job(
    retries: int = DEFAULT_RETRIES, retry_delay: int = DEFAULT_RETRY_DELAY, **options: Any
) -> Callable[[Callable[P, R]], TaskWrapper]:
    """A task run in an app context of its own, retried with doubling delays when it fails."""

    def decorator(function: Callable[P, R]) -> TaskWrapper:
        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with _bound_app().app_context():
                return function(*args, **kwargs)

        return huey.task(retries=retries, retry_delay=retry_delay, retry_backoff=2, **options)(run)

    return decorator


def periodic(schedule: crontab, **options: Any) -> Callable[[Callable[[], R]], TaskWrapper]:
    """A job the worker runs on a schedule (crontab, in UTC)."""

    def decorator(function: Callable[[], R]) -> TaskWrapper:
        @functools.wraps(function)
        def run() -> R:
            with _bound_app().app_context():
                return function()

        return huey.periodic_task(schedule, **options)(run)

    return decorator


def after_commit(task: TaskWrapper, *args: Any, **kwargs: Any) -> None:
    """Queue `task(*args)` when the current transaction commits; forget it on rollback."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so a rollback before anything was written forgets it too
    session.info.setdefault(_AFTER_COMMIT, []).append((task, args, kwargs))


def _queue_committed(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy sends after_commit for a released savepoint too (mail.send takes one):
        # the work waits for the real commit, or a worker would look for rows not yet there.
        return
    for task, args, kwargs in session.info.pop(_AFTER_COMMIT, []):
        try:
            task(*args, **kwargs)
        except Exception:  # the queue is down: the work is recovered by its periodic job
            log.exception("could not queue %s", task.name)


def _drop_uncommitted(session: Session, transaction: Any) -> None:
    # A rollback of the whole transaction (not of a savepoint) forgets what it queued, even
    # one that never reached the database (a "soft" rollback).
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_AFTER_COMMIT, None)


def _record_failure(signal: str, task: Task, exc: BaseException | None = None) -> None:
    with _bound_app().app_context():
        error = "".join(traceback.format_exception_only(type(exc), exc)) if exc else signal
        db.session.add(
            JobFailure(
                task_id=task.id,
                name=huey._registry.task_to_string(type(task)),
                arguments=json.dumps([list(task.args or ()), task.kwargs or {}], default=str),
                error=error.strip()[:4000],
                retries_left=task.retries,
            )
        )
        db.session.commit()
    log.warning("job %s (%s) failed, %d retries left: %s", task.name, task.id, task.retries,
                error)  # fmt: skip


def _resolve_retried(signal: str, task: Task) -> None:
    """A job that failed before and has now run: its failures are resolved."""
    if task.retries >= type(task).default_retries:
        return  # it never failed: nothing to resolve (and no query)
    with _bound_app().app_context():
        db.session.execute(
            update(JobFailure)
            .where(JobFailure.task_id == task.id, JobFailure.resolved_at.is_(None))
            .values(resolved_at=utcnow())
        )
        db.session.commit()


def unresolved_failures() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(JobFailure).where(JobFailure.resolved_at.is_(None))
        )
        or 0
    )


def failures() -> Select[JobFailure]:
    """Failures, the unresolved first, newest first: for the administrators' page."""
    return select(JobFailure).order_by(
        JobFailure.resolved_at.is_not(None), JobFailure.failed_at.desc()
    )


def periodic_names() -> list[str]:
    return sorted(task.__name__ for task in huey._registry._periodic_tasks)


def run_again(failure: JobFailure) -> None:
    """Queue the failed job again with its recorded arguments."""
    task_class = huey._registry.string_to_task(failure.name)  # HueyException if it is gone
    args, kwargs = json.loads(failure.arguments)
    huey.enqueue(task_class(args=tuple(args), kwargs=kwargs))
    failure.resolved_at = utcnow()


def init_app(app: Flask) -> None:
    storage, settings = storage_settings(app.config)
    huey.storage_class = storage
    huey.storage_kwargs = settings
    huey._immediate = bool(app.config["JOBS_IMMEDIATE"])
    huey.storage = huey.create_storage()
    _bound["app"] = app
    if not event.contains(Session, "after_commit", _queue_committed):
        event.listen(Session, "after_commit", _queue_committed)
        event.listen(Session, "after_soft_rollback", _drop_uncommitted)
    if _record_failure not in huey._signal.receivers.get(SIGNAL_ERROR, ()):
        huey.signal(SIGNAL_ERROR)(_record_failure)
        huey.signal(SIGNAL_COMPLETE)(_resolve_retried)
