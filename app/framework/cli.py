"""`flask competences` commands: check and sync the framework file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.core.sources import relative_path
from app.extensions import db
from app.framework.loader import FRAMEWORK_FILE, load_framework
from app.framework.models import JobRole
from app.framework.services import sync_framework


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
        for role in db.session.scalars(select(JobRole).where(JobRole.edited_at.is_not(None))):
            click.echo(
                f"Job role {role.code} was edited in the app on {role.edited_at:%Y-%m-%d}: "
                "the file does not change it.",
                err=True,
            )

    app.cli.add_command(group)
