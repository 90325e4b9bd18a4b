"""`flask quizzes import-gift` and `export-gift`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.core.i18n import LANGUAGES
from app.courses.services import get_course
from app.extensions import db
from app.quizzes.gift_import import export_course_gift, import_gift


def init_app(app: Flask) -> None:
    group = AppGroup("quizzes", help="Quiz question pools.")

    @group.command("import-gift")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--course", "slug", required=True, help="Course slug.")
    @click.option(
        "--lang", "language", type=click.Choice(LANGUAGES), default="sl", show_default=True
    )
    @click.option("--dry-run", is_flag=True, help="Parse and report; change nothing.")
    @click.option("--json", "as_json", is_flag=True, help="Print the parsed questions as JSON.")
    def import_command(file: Path, slug: str, language: str, dry_run: bool, as_json: bool):
        """Import a Moodle GIFT file into the course's question pool."""
        course = get_course(slug)
        if course is None:
            raise click.BadParameter(f"unknown course '{slug}'", param_hint="--course")
        text = file.read_bytes().decode("utf-8-sig", errors="replace")
        result = import_gift(course, text, language, dry_run=dry_run or as_json, path=str(file))
        for warning in result.warnings:
            click.echo(str(warning), err=True)
        if as_json:
            click.echo(
                json.dumps([q.to_json() for q in result.questions], ensure_ascii=False, indent=2)
            )
            return
        if dry_run:
            click.echo(f"{len(result.questions)} questions parsed (dry run: nothing imported)")
            return
        db.session.commit()
        click.echo(f"{len(result.questions)} questions imported ({result.created} new)")

    @group.command("export-gift")
    @click.option("--course", "slug", required=True, help="Course slug.")
    @click.option(
        "--lang", "language", type=click.Choice(LANGUAGES), default="sl", show_default=True
    )
    def export_command(slug: str, language: str) -> None:
        """Write the course's questions as GIFT (standard output)."""
        course = get_course(slug)
        if course is None:
            raise click.BadParameter(f"unknown course '{slug}'", param_hint="--course")
        sys.stdout.write(export_course_gift(course, language))

    app.cli.add_command(group)
