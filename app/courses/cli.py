"""`flask courses check|sync|export|import`: courses as folders and zip packages."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.courses.packages import PackageError, export_zip, import_zip
from app.courses.services import get_course
from app.courses.sync import ContentError, check_folder, sync_folder
from app.extensions import db


def _root(path: str | None) -> Path:
    return Path(path) if path else Path(current_app.config["COURSES_DIR"])


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


@group.command("export")
@click.argument("slug")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(slug: str, output: Path) -> None:
    """Write the course's newest revision as a zip of its folder (the courses/ format)."""
    course = get_course(slug)
    if course is None:
        raise click.ClickException(f"no course '{slug}'")
    try:
        output.write_bytes(export_zip(course))
    except PackageError as error:
        raise click.ClickException("; ".join(map(str, error.problems))) from error
    click.echo(f"{slug} -> {output}")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Load a course zip: validated like `flask courses check`; all or nothing."""
    try:
        course = import_zip(file.read_bytes(), label=file.name)
    except PackageError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(error.problems)} problems; nothing was imported", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"imported {course.slug}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
