"""`flask quizzes export-gift`: a course's live quiz for Moodle. (`import-gift`, which goes
through the course's draft, is added to the group by app.authoring.cli.)"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from app.core.i18n import LANGUAGES
from app.courses.services import get_course
from app.quizzes.exports import FORMATS, export_course


def init_app(app: Flask) -> None:
    group = AppGroup("quizzes", help="Quiz question banks: to and from Moodle.")

    @group.command("export-gift")
    @click.option("--course", "slug", required=True, help="Course slug.")
    @click.option(
        "--lang", "language", type=click.Choice(LANGUAGES), default="sl", show_default=True
    )
    @click.option(
        "--format",
        "form",
        type=click.Choice(FORMATS),
        default="gift",
        show_default=True,
        help="GIFT, or Moodle XML (with the images).",
    )
    def export_command(slug: str, language: str, form: str) -> None:
        """Write the course's live questions for Moodle (standard output)."""
        course = get_course(slug)
        if course is None:
            raise click.BadParameter(f"unknown course '{slug}'", param_hint="--course")
        sys.stdout.write(export_course(course, language, form))

    app.cli.add_command(group)
