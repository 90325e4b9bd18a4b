"""`flask jobs worker|status`: run the background worker, see what waits."""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.core import jobs

group = AppGroup("jobs", help="Background jobs: run a worker, see the queue.")


@group.command("worker")
@click.option("--workers", type=click.IntRange(1, 32), help="Jobs run at once (threads).")
def worker(workers: int | None) -> None:
    """Run jobs as they are queued, and the periodic ones on time, until stopped (Ctrl+C)."""
    if jobs.huey.immediate:
        raise click.ClickException(
            "JOBS_IMMEDIATE is set: jobs run where they are queued, a worker has nothing to do"
        )
    # The worker's log is its only window: every job run, retried or failed, on stderr.
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("huey").setLevel(logging.INFO)
    count = workers or current_app.config["JOBS_WORKERS"]
    click.echo(f"job worker: {count} thread(s), queue {jobs.describe_storage(current_app.config)}")
    consumer = jobs.huey.create_consumer(
        workers=count, worker_type="thread", periodic=True, check_worker_health=True
    )
    consumer.run()


@group.command("status")
def status() -> None:
    """How many jobs wait, how many are scheduled, and the failures not yet resolved."""
    click.echo(f"queue: {jobs.describe_storage(current_app.config)}")
    click.echo(f"waiting: {jobs.huey.pending_count()}")
    click.echo(f"scheduled (retries and delayed): {jobs.huey.scheduled_count()}")
    click.echo(f"unresolved failures: {jobs.unresolved_failures()}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
