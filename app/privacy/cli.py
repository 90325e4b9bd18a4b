"""`flask users export-data|erase` and `flask privacy purge-attempts`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.auth.cli import users
from app.auth.services import user_by_email
from app.core import events
from app.core.files import write_private
from app.extensions import db
from app.privacy import erasure, export, retention

group = AppGroup("privacy", help="Retention of personal data.")


def _person(email: str):
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account has the e-mail {email}")
    return user


@users.command("export-data")
@click.argument("email")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for the JSON and HTML files.",
)
def export_data_command(email: str, output: Path) -> None:
    """Write everything held about a person (JSON and readable HTML) for their request."""
    user = _person(email)
    as_json, html = export.render_files(user)
    stem = output / f"personal-data-{user.id}"
    write_private(stem.with_suffix(".json"), as_json)
    write_private(stem.with_suffix(".html"), html)
    events.personal_data_exported.send(None, user_id=user.id, by_id=None, export_id=None)
    db.session.commit()
    click.echo(f"{stem}.json\n{stem}.html")


@users.command("erase")
@click.argument("email")
@click.option("--reason", required=True, help="The request: who asked, when and how.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (open assignments too).")
def erase_command(email: str, reason: str, yes: bool) -> None:
    """Erase a person's personal data on request; certificates stay verifiable."""
    user = _person(email)
    count = erasure.open_assignments(user)
    if not yes:
        click.echo(f"{user.full_name} <{user.email}>, {user.institution.name}")
        if count:
            click.echo(f"{count} assigned course(s) not completed: the assignments are deleted.")
        if not click.confirm("Erase this person's personal data? This cannot be undone"):
            if count:  # the request was held back by its open assignments: on the record
                events.erasure_held.send(None, user_id=user.id, by_id=None, open_assignments=count)
                db.session.commit()
            raise click.ClickException("nothing was erased")
    try:
        done = erasure.erase(user, None, reason, confirm_open=True)
    except erasure.ErasureRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"erased: the account is kept as {done.pseudonym}")


@group.command("purge-attempts")
@click.option(
    "--years",
    type=click.IntRange(min=1),
    default=None,
    help="Older than this; default ATTEMPT_RETENTION_YEARS.",
)
@click.option("--dry-run", is_flag=True, help="Only count them.")
def purge_command(years: int | None, dry_run: bool) -> None:
    """Delete quiz attempts (answers included) older than the retention period."""
    years = years or int(current_app.config["ATTEMPT_RETENTION_YEARS"])
    if years <= 0:
        raise click.ClickException("ATTEMPT_RETENTION_YEARS is 0: attempts are kept for ever")
    before = retention.cutoff(years)
    if dry_run:
        click.echo(f"{retention.old_attempts(before)} attempts started before {before:%Y-%m-%d}")
        return
    count = retention.purge_attempts(before)
    db.session.commit()
    click.echo(f"{count} attempts started before {before:%Y-%m-%d} deleted")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
