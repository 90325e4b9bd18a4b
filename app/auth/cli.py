"""`flask institutions` and `flask users` commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import force_locale

from app.auth import csvfile, hrfile, hrsync, imports, services
from app.auth.jobs import send_invitations
from app.auth.models import ASSIGNABLE_ROLES
from app.core import jobs
from app.core.database import utcnow
from app.core.errors import DomainError
from app.core.i18n import LANGUAGES
from app.extensions import db
from app.framework.models import JobRole

institutions = AppGroup("institutions", help="Partner institutions.")


@institutions.command("list")
def list_command() -> None:
    """Print the institution slugs, one per line."""
    for row in services.institutions():
        click.echo(row.slug)


@institutions.command("seed")
def seed_command() -> None:
    """Create or update the partner institutions of the project (idempotent)."""
    created = services.seed_institutions()
    db.session.commit()
    click.echo(f"{len(created)} institutions created" if created else "Nothing changed.")


@institutions.command("signatory")
@click.option("--institution", "slug", required=True)
@click.option("--name", required=True, help="Who signs the institution's certificates.")
@click.option("--title", required=True, help="Their title, e.g. 'Director'.")
def signatory_command(slug: str, name: str, title: str) -> None:
    """Set who signs the institution's certificates (name and title on the PDF)."""
    institution = services.institution_by_slug(slug)
    if institution is None:
        raise click.ClickException(f"unknown institution '{slug}'")
    institution.signatory_name, institution.signatory_title = name.strip(), title.strip()
    db.session.commit()
    click.echo(f"{slug}: {institution.signatory_name}, {institution.signatory_title}")


users = AppGroup("users", help="User accounts.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(("learner", *ASSIGNABLE_ROLES)),
    help="Repeat for several roles; every account is a learner.",
)
@click.option("--institution", required=True, help="Institution slug.")
@click.option("--language", type=click.Choice(LANGUAGES), default="sl", show_default=True)
@click.option("--job-role", help="Job role id from competences.yml.")
def create_command(email, full_name, roles, institution, language, job_role) -> None:
    """Create an account. The password is read from stdin, or generated and printed."""

    row = services.institution_by_slug(institution)
    if row is None:
        raise click.BadParameter(f"unknown institution '{institution}'", param_hint="--institution")
    job_role_id = None
    if job_role:
        role_row = db.session.scalar(db.select(JobRole).where(JobRole.code == job_role))
        if role_row is None:
            raise click.BadParameter(f"unknown job role '{job_role}'", param_hint="--job-role")
        job_role_id = role_row.id
    generated = sys.stdin is None or sys.stdin.isatty()
    password = services.generate_password() if generated else sys.stdin.readline().strip()
    if not password:
        password, generated = services.generate_password(), True
    data = services.UserData(
        email=email,
        full_name=full_name,
        institution_id=row.id,
        language=language,
        job_role_id=job_role_id,
        roles=set(roles),
    )
    try:
        user = services.create_user(data, password, source="cli")
    except services.EmailTaken:
        raise click.UsageError(f"an account with e-mail {email} already exists") from None
    except DomainError as error:
        raise click.UsageError(str(error)) from None
    db.session.commit()
    click.echo(f"created user {user.email} ({', '.join(sorted(user.roles))})")
    if generated:
        click.echo(f"password: {password}")


def _report(plan: imports.Plan) -> None:
    for line in plan.lines:
        where = f"line {line.line}" if line.line else "not in file"
        notes = f": {' '.join(line.notes)}" if line.notes else ""
        click.echo(f"{where}: {line.action} {line.email}{notes}")


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--institution", "slug", required=True, help="Institution slug.")
@click.option("--dry-run", is_flag=True, help="Report what would happen; change nothing.")
@click.option(
    "--deactivate-missing", is_flag=True, help="Deactivate the institution's accounts not in FILE."
)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="The language of the report.",
)
def import_command(
    file: Path, slug: str, dry_run: bool, deactivate_missing: bool, language: str
) -> None:
    """Create and update accounts from a CSV file (columns e-mail, name, job role, role,
    language), matched by e-mail; new accounts are invited. Nothing is written if any line
    has an error."""
    institution = services.institution_by_slug(slug)
    if institution is None:
        raise click.BadParameter(f"unknown institution '{slug}'", param_hint="--institution")
    with force_locale(language):
        try:
            plan = imports.plan(csvfile.decode(file.read_bytes()), institution, deactivate_missing)
        except csvfile.CsvFileError as error:
            raise click.ClickException(f"{file}: {error}") from None
        _report(plan)
        summary = (
            f"{plan.count(imports.CREATE)} to create, {plan.count(imports.UPDATE)} to "
            f"update, {plan.count(imports.UNCHANGED)} unchanged, "
            f"{plan.count(imports.DEACTIVATE)} to deactivate"
        )
        if plan.errors:
            raise click.ClickException(
                f"{len(plan.errors)} line(s) with errors ({summary}): nothing was imported"
            )
        if dry_run:
            click.echo(f"Dry run, nothing written: {summary}.")
            return
        result = imports.apply(plan)
        if result.created:
            jobs.after_commit(send_invitations, result.created)
        db.session.commit()
    click.echo(
        f"{len(result.created)} created (invited), {result.updated} updated, "
        f"{result.deactivated} deactivated."
    )


def _read_load(path: Path, units: Path | None) -> hrfile.Load:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            if units is not None:
                raise click.UsageError("--units goes with a CSV file; JSON lists its units itself")
            return hrfile.read_json(text)
        units_text = units.read_text(encoding="utf-8") if units else None
    except UnicodeDecodeError as error:
        raise click.UsageError(f"the file is not UTF-8 text ({error.reason})") from None
    return hrfile.read_csv(text, units_text, (path.name, units.name if units else ""))


def _print_report(report: hrsync.SyncReport, dry_run: bool) -> None:
    for label, items in (
        ("created", report.created), ("updated", report.updated),
        ("deactivated", report.deactivated), ("units created", report.units_created),
        ("units updated", report.units_updated),
    ):  # fmt: skip
        click.echo(f"{label}: {len(items)}" + (f" ({', '.join(items)})" if items else ""))
    click.echo(f"errors: {len(report.errors)}")
    for error in report.errors:
        click.echo(f"  {error}")
    if report.errors:
        click.echo("Nothing was changed: correct the errors and load the file again.")
    elif dry_run:
        click.echo("Dry run: nothing was changed.")
    elif report.unchanged:
        click.echo("Nothing changed.")


@users.command("sync")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--institution", "slug", required=True, help="Whose staff the file lists.")
@click.option(
    "--units",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With a CSV file of people: a CSV file of units (code,name,parent).",
)
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
def sync_command(path: Path, slug: str, units: Path | None, dry_run: bool) -> None:
    """Load units and people from an HR system (docs/hr-sync.md): idempotent, with a report;
    a file with errors changes nothing."""
    institution = services.institution_by_slug(slug)
    if institution is None:
        raise click.BadParameter(f"unknown institution '{slug}'", param_hint="--institution")
    report = hrsync.sync(institution, _read_load(path, units), utcnow())
    if report.errors or dry_run:
        db.session.rollback()
    else:
        hrsync.publish(institution, report)
        db.session.commit()
    _print_report(report, dry_run)
    if report.errors:
        sys.exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(institutions)
    app.cli.add_command(users)
