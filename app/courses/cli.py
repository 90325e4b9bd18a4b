"""`flask courses check` and `flask courses sync`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.courses.services import ContentError, check_folder, sync_folder
from app.extensions import db


def _root(path: str | None) -> Path:
    return Path(path) if path else Path(current_app.config["COURSES_DIR"])


def init_app(app: Flask) -> None:
    group = AppGroup("courses", help="Courses written in Markdown under courses/.")

    @group.command("check")
    @click.argument("path", required=False)
    def check_command(path: str | None) -> None:
        """Validate courses (default: the courses/ folder); print file:line problems."""
        catalogue = check_folder(_root(path))
        for problem in catalogue.problems:
            click.echo(str(problem), err=True)
        if catalogue.errors:
            click.echo(f"{len(catalogue.errors)} errors", err=True)
            sys.exit(1)
        lessons = sum(len(course.lessons) for course in catalogue.courses)
        click.echo(f"OK: {len(catalogue.courses)} courses, {lessons} lessons")

    @group.command("sync")
    @click.argument("path", required=False)
    def sync_command(path: str | None) -> None:
        """Load courses into the database: idempotent; retires what is gone, never deletes."""
        try:
            report = sync_folder(_root(path))
        except ContentError as error:
            db.session.rollback()
            for problem in error.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{len(error.problems)} errors; nothing was loaded", err=True)
            sys.exit(1)
        db.session.commit()
        for change in report.changes:
            click.echo(change)
        click.echo(f"{len(report.changes)} changes" if report.changed else "Nothing changed.")

    app.cli.add_command(group)
