"""Authoring pages: the courses a trainer looks after, zip import and export, trainer assignment."""

from __future__ import annotations

from pathlib import PurePosixPath

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.services import user_by_email
from app.authoring import services
from app.authoring.forms import AssignTrainerForm, ImportForm, UnassignForm
from app.core.params import parse_id
from app.core.permissions import roles_required
from app.courses import trainers as course_trainers
from app.courses.models import Course
from app.courses.packages import MAX_ZIP_BYTES, PackageError, export_zip
from app.extensions import db

bp = Blueprint("authoring", __name__, url_prefix="/authoring")


def _course_or_404(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    return course


@bp.route("/", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def index():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        data = form.package.data.read(MAX_ZIP_BYTES + 1)
        label = PurePosixPath(form.package.data.filename or "package.zip").name[:100]
        try:
            course, dropped = services.import_package(data, current_user, label)
        except PackageError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
            flash(_("Course %(slug)s imported.", slug=course.slug), "success")
            if dropped:
                flash(
                    _(
                        "Files no lesson or quiz uses were left out: %(files)s.",
                        files=", ".join(dropped[:20]) + (" …" if len(dropped) > 20 else ""),
                    ),
                    "info",
                )
            return redirect(url_for("authoring.index"))
    status = 422 if problems else 200
    courses = course_trainers.editable_courses(current_user)
    return render_template(
        "authoring/index.html",
        courses=courses,
        new_drafts=services.unpublished_drafts(current_user),
        draft_slugs=services.draft_slugs(),
        form=form,
        problems=problems,
    ), status


@bp.route("/courses/<slug>/export.zip")
@roles_required("trainer", "admin")
def export(slug: str):
    course = _course_or_404(slug)
    if not course_trainers.can_edit(current_user, course):
        abort(403)
    try:
        data = export_zip(course)
    except PackageError:
        abort(404)
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}.zip"'},
    )


@bp.route("/courses/<slug>/trainers", methods=["GET", "POST"])
@roles_required("admin")
def trainers(slug: str):
    course = _course_or_404(slug)
    form = AssignTrainerForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user is None:
            form.email.errors.append(_("There is no account with this e-mail address."))
        else:
            try:
                added = course_trainers.assign(course, user)
            except course_trainers.AssignmentError as error:
                form.email.errors.append(str(error))
            else:
                db.session.commit()
                if added:
                    flash(
                        _("%(name)s now looks after this course.", name=user.full_name), "success"
                    )
                return redirect(url_for("authoring.trainers", slug=slug))
    return render_template(
        "authoring/trainers.html",
        course=course,
        form=form,
        trainers=course_trainers.trainers_of(course),
        remove_form=UnassignForm(),
    )


@bp.route("/courses/<slug>/trainers/remove", methods=["POST"])
@roles_required("admin")
def remove_trainer(slug: str):
    course = _course_or_404(slug)
    form = UnassignForm()
    user_id = parse_id(form.user_id.data or "")
    if form.validate_on_submit() and user_id is not None:
        course_trainers.unassign(course, user_id)
        db.session.commit()
    return redirect(url_for("authoring.trainers", slug=slug))


# The editor's pages live in modules of their own on this blueprint.
from app.authoring import editor_views, history_views, lesson_views, quiz_views  # noqa: E402, F401
