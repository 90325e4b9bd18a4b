"""HR assign courses (to people or a job role), change a due date or withdraw an assignment."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from app.auth.models import User
from app.auth.services import active_staff
from app.competences.forms import AssignmentForm
from app.competences.views import _institution_for_request, bp
from app.core.database import local_today
from app.core.forms import ConfirmForm
from app.core.i18n import current_language
from app.core.permissions import roles_required
from app.courses import assignments
from app.courses.models import CourseAssignment
from app.courses.services import course_options
from app.extensions import db
from app.framework import services as framework


def _own(assignment_id: int) -> CourseAssignment:
    """An assignment HR of its institution may change; administrators, who may open any
    institution's assignments page, any."""
    assignment = db.get_or_404(CourseAssignment, assignment_id)
    if (
        not current_user.has_role("admin")
        and assignment.institution_id != current_user.institution_id
    ):
        abort(403)
    return assignment


@bp.route("/hr/assignments/<int:assignment_id>/due", methods=["POST"])
@roles_required("hr", "admin")
def change_due(assignment_id: int):
    assignment = _own(assignment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        due_on = date.fromisoformat(request.form.get("due_on", ""))
        assignments.change_due(assignment, due_on, local_today())
    except (ValueError, assignments.AssignmentError):
        flash(_("Choose a due date from today on."), "error")
    else:
        db.session.commit()
        flash(_("The due date is changed."), "success")
    return redirect(url_for("competences.assignments_page"))


@bp.route("/hr/assignments/<int:assignment_id>/withdraw", methods=["POST"])
@roles_required("hr", "admin")
def withdraw(assignment_id: int):
    assignment = _own(assignment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    assignments.withdraw(assignment)
    db.session.commit()
    flash(_("The assignment is withdrawn."), "success")
    return redirect(url_for("competences.assignments_page"))


def _person_label(person: User) -> str:
    """A name HR can tell apart: the unit, and the e-mail for two people of the same name."""
    unit = f", {person.unit.name}" if person.unit else ""
    return f"{person.full_name}{unit} ({person.email})"


@bp.route("/hr/assignments", methods=["GET", "POST"])
@roles_required("hr", "admin")
def assignments_page():

    institution = _institution_for_request()
    language = current_language()
    form = AssignmentForm()
    people = active_staff(institution.id)
    form.course_id.choices = [
        SelectChoice(course_id, title) for course_id, title in course_options(language)
    ]
    form.user_id.choices = [SelectChoice(person.id, _person_label(person)) for person in people]
    form.job_role_id.choices = [SelectChoice(0, _("No job role"))] + [
        SelectChoice(role.id, role.name(language)) for role in framework.active_job_roles()
    ]
    if form.validate_on_submit() and form.due_on.data < local_today():
        # A due date already past would make the course overdue the moment it is assigned.
        form.due_on.errors.append(_("Choose a due date from today on."))
    elif form.validate_on_submit():
        chosen = form.user_id.data or []
        try:
            if chosen and form.job_role_id.data:
                raise assignments.AssignmentError("people or a job role")
            for user_id in chosen or [None]:
                assignments.assign(
                    institution.id,
                    form.course_id.data,
                    form.due_on.data,
                    current_user.id,
                    user_id=user_id,
                    job_role_id=form.job_role_id.data or None,
                )
        except assignments.AssignmentError:
            db.session.rollback()
            form.user_id.errors.append(_("Choose either employees or one job role."))
        else:
            db.session.commit()
            if len(chosen) > 1:
                flash(ngettext("The course is assigned to %(num)d person.",
                               "The course is assigned to %(num)d people.", len(chosen)),
                      "success")  # fmt: skip
            else:
                flash(_("The course is assigned."), "success")
            return redirect(url_for("competences.assignments_page"))
    return render_template(
        "competences/assignments.html",
        institution=institution,
        form=form,
        page=db.paginate(
            assignments.assignments_query(institution.id),
            per_page=current_app.config["LIST_PER_PAGE"],
            error_out=False,
        ),
        overdue=assignments.overdue(institution.id, local_today()),
        today=local_today(),
    )
