"""HR change an assignment's due date or withdraw it, for their own institution only."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.competences.views import bp
from app.core.database import local_today
from app.core.forms import ConfirmForm
from app.core.permissions import roles_required
from app.courses import assignments
from app.courses.models import CourseAssignment
from app.extensions import db


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
