"""`flask xapi status|send`: the outbox of learning records."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.extensions import db
from app.xapi import sender
from app.xapi.models import XapiStatement

group = AppGroup("xapi", help="Learning records (xAPI) for the LRS.")


@group.command("status")
def status_command() -> None:
    """How many statements are pending, sent and refused."""
    counts = dict(
        db.session.execute(
            select(XapiStatement.status, func.count()).group_by(XapiStatement.status)
        ).all()
    )
    target = current_app.config["XAPI_LRS_URL"] or "no LRS configured (XAPI_LRS_URL)"
    click.echo(f"LRS: {target}")
    for status in ("pending", "sent", "refused"):
        click.echo(f"{status}: {counts.get(status, 0)}")


@group.command("send")
def send_command() -> None:
    """Send every pending statement now; exit 1 if some could not be sent."""
    if not current_app.config["XAPI_LRS_URL"]:
        raise click.ClickException("XAPI_LRS_URL is not set")
    waiting = sender.send(sender.pending_ids(limit=1_000_000))
    click.echo(f"{waiting} statements still waiting" if waiting else "all sent")
    if waiting:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
