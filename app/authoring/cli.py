"""`flask quizzes import-gift`: a Moodle question bank into a course's draft, as in the editor."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from app.auth.services import user_by_email
from app.authoring import drafts, publishing
from app.authoring.quiz_import import FORMATS, ImportPlan, QuizImportError, apply_import
from app.authoring.quiz_import import plan_import as make_plan
from app.core.i18n import LANGUAGES
from app.extensions import db


def _report(plan: ImportPlan) -> str:
    counts = plan.counts
    return (
        f"{len(plan.questions)} questions: {counts['new']} new, {counts['unchanged']} unchanged, "
        f"{counts['updated']} updated"
    )


def _json(plan: ImportPlan) -> str:
    rows = []
    for item in plan.questions:
        data = item.question.to_json()
        data["status"] = item.status
        data["warnings"] = [str(warning) for warning in item.warnings]
        rows.append(data)
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _warn(plan: ImportPlan) -> None:
    warnings = [warning for item in plan.questions for warning in item.warnings]
    for warning in sorted(warnings + plan.other_warnings, key=lambda problem: problem.line):
        click.echo(str(warning), err=True)


def _publish(copy: drafts.WorkingCopy, email: str) -> None:
    user = user_by_email(email)
    if user is None:
        raise click.BadParameter(f"no account '{email}'", param_hint="--publish-as")
    try:
        publishing.publish(copy, user)
    except drafts.PublishError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the draft has errors: nothing was imported") from error
    except (drafts.DraftError, drafts.StaleDraft) as error:
        db.session.rollback()
        raise click.ClickException(f"not published: {error}") from error


@click.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "slug", required=True, help="Course slug.")
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default="sl", show_default=True)
@click.option(
    "--format",
    "form",
    type=click.Choice(FORMATS),
    default=None,
    help="GIFT or Moodle XML; by default recognised from the file.",
)
@click.option("--dry-run", is_flag=True, help="Read and report; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the questions as JSON; no changes.")
@click.option("--publish-as", "publisher", help="Publish the draft afterwards, as this account.")
@with_appcontext
def import_command(
    file: Path,
    slug: str,
    language: str,
    form: str | None,
    dry_run: bool,
    as_json: bool,
    publisher: str | None,
) -> None:
    """Import a Moodle question bank (GIFT or Moodle XML) into the course's draft.

    Learners see the questions once the draft is published (in the editor, or --publish-as).
    """
    copy = drafts.working_copy(slug)
    if copy is None:
        raise click.BadParameter(f"unknown course '{slug}'", param_hint="--course")
    try:
        plan = make_plan(copy, file.read_bytes(), str(file), language, form)
    except QuizImportError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(error)) from error
    _warn(plan)
    if as_json:
        click.echo(_json(plan))
        return
    if dry_run:
        click.echo(f"{_report(plan)} (dry run: nothing imported)")
        return
    apply_import(copy, plan, None)
    if publisher:
        if copy.draft is not None:
            _publish(copy, publisher)
        db.session.commit()
        click.echo(f"{_report(plan)}; published")
        return
    db.session.commit()
    where = f"in the draft of {slug}" if copy.draft is not None else "nothing to change"
    click.echo(f"{_report(plan)}; {where}")


def init_app(app: Flask) -> None:
    """Add the command to `flask quizzes` (app.quizzes.cli makes the group)."""
    group = app.cli.commands.get("quizzes")
    if not isinstance(group, click.Group):
        raise RuntimeError("app.quizzes.cli.init_app must run before app.authoring.cli.init_app")
    group.add_command(import_command)
