"""`flask competences` commands: check and sync the framework file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.competences.loader import FRAMEWORK_FILE, load_framework
from app.competences.services import sync_framework
from app.core.sources import relative_path
from app.extensions import db


def _framework_path(path: str | None) -> Path:
    target = Path(path) if path else Path(current_app.config["COURSES_DIR"])
    return target / FRAMEWORK_FILE if target.is_dir() else target


def init_app(app: Flask) -> None:
    group = AppGroup("competences", help="The competence framework.")

    @group.command("check")
    @click.argument("path", required=False)
    def check_command(path: str | None) -> None:
        """Validate competences.yml; print file:line problems; exit 1 on any error."""
        target = _framework_path(path)
        _, problems = load_framework(target, relative_path(target))
        for problem in problems:
            click.echo(str(problem), err=True)
        if any(not problem.is_warning for problem in problems):
            sys.exit(1)
        click.echo(f"{relative_path(target)}: OK")

    @group.command("sync")
    @click.argument("path", required=False)
    def sync_command(path: str | None) -> None:
        """Load competences.yml into the database (idempotent; retires, never deletes)."""
        target = _framework_path(path)
        framework, problems = load_framework(target, relative_path(target))
        errors = [problem for problem in problems if not problem.is_warning]
        for problem in problems:
            click.echo(str(problem), err=True)
        if errors:
            sys.exit(1)
        changes = sync_framework(framework)
        db.session.commit()
        for change in changes:
            click.echo(change)
        click.echo(f"{len(changes)} changes" if changes else "Nothing changed.")

    app.cli.add_command(group)

    reports_group = AppGroup("reports", help="Reports for HR.")

    @reports_group.command("matrix")
    @click.option("--institution", "slug", help="Institution slug.")
    @click.option("--all", "everyone", is_flag=True, help="Every institution in one matrix.")
    @click.option(
        "--format", "kind", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
    )
    @click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
    @click.option(
        "--language", type=click.Choice(["sl", "hr", "en"]), default="en", show_default=True
    )
    def matrix_command(
        slug: str | None, everyone: bool, kind: str, output: Path, language: str
    ) -> None:
        """Export the competence matrix of one institution (or --all), as the HR page shows it."""
        from app.auth.services import institution_by_slug
        from app.competences import reports

        if bool(slug) == everyone:
            raise click.UsageError("give either --institution SLUG or --all")
        institution_id = None
        if slug:
            institution = institution_by_slug(slug)
            if institution is None:
                raise click.BadParameter(
                    f"unknown institution '{slug}'", param_hint="--institution"
                )
            institution_id = institution.id
        matrix = reports.stream_matrix(reports.MatrixFilter(institution_id=institution_id))
        if kind == "csv":
            # utf-8-sig: the BOM Excel needs to read č, š, ž, đ, ć.
            with output.open("w", encoding="utf-8-sig", newline="") as handle:
                written = reports.write_csv(matrix, language, handle)
        else:
            written = reports.write_xlsx(matrix, language, str(output))
        click.echo(
            f"{written} employees x {len(matrix.competences)} competences written to {output}"
        )

    app.cli.add_command(reports_group)
