"""Job roles and their target profiles: HR and administrators read them, the lead partner's
administrators change them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from app.auth.models import User
from app.competences.forms import NewJobRoleForm, target_form
from app.competences.views import bp
from app.core.errors import DomainError
from app.core.i18n import current_language
from app.core.permissions import roles_required
from app.extensions import db
from app.framework import editing
from app.framework import services as framework
from app.framework.models import CompetenceArea, JobRole, JobRoleTarget


def may_edit_framework() -> bool:
    """The framework is the project's: only administrators of the lead partner change it."""
    return bool(current_user.has_role("admin") and current_user.institution.partner_role == "lead")


@bp.route("/admin/job-roles")
@roles_required("hr", "admin")
def job_roles():
    language = current_language()
    roles = list(db.session.scalars(select(JobRole).order_by(JobRole.is_retired, JobRole.position)))
    targets = dict(
        db.session.execute(
            select(JobRoleTarget.job_role_id, func.count()).group_by(JobRoleTarget.job_role_id)
        ).all()
    )
    # Staff counts are of the viewer's own institution: other institutions' staff are theirs.
    staff = dict(
        db.session.execute(
            select(User.job_role_id, func.count())
            .where(User.institution_id == current_user.institution_id, User.is_active.is_(True))
            .group_by(User.job_role_id)
        ).all()
    )
    return render_template(
        "competences/job_roles.html",
        roles=roles,
        targets=targets,
        staff=staff,
        language=language,
        may_edit=may_edit_framework(),
    )


@bp.route("/admin/job-roles/new", methods=["GET", "POST"])
@roles_required("admin")
def new_job_role():
    if not may_edit_framework():
        abort(403)
    form = NewJobRoleForm()
    if form.validate_on_submit():
        try:
            role = editing.create_role(
                form.code.data, _names(form), current_user.id, current_user.institution_id
            )
        except DomainError as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The job role is created: now set its target profile."), "success")
            return redirect(url_for("competences.job_role", role_id=role.id))
    return render_template("competences/job_role_new.html", form=form), (
        400 if form.errors else 200
    )


def _names(form) -> dict[str, str]:
    return {language: form[f"name_{language}"].data or "" for language in editing.LANGUAGES}


@bp.route("/admin/job-roles/<int:role_id>", methods=["GET", "POST"])
@roles_required("hr", "admin")
def job_role(role_id: int):
    role = db.session.get(JobRole, role_id)
    if role is None:
        abort(404)
    may_edit = may_edit_framework()
    if request.method == "POST" and not may_edit:
        abort(403)
    language = current_language()
    competences = framework.active_competences()
    scale = framework.scale()
    current = framework.targets_for(role.id)
    choices = [SelectChoice("", _("No target"))] + [
        SelectChoice(level, f"{level} – {scale[level].name(language)}")
        for level in editing.TARGET_LEVELS
        if level in scale
    ]
    data: dict[str, object] = {
        f"name_{code}": role.names.get(code, "") for code in editing.LANGUAGES
    }
    data |= {f"target_{row.id}": current.get(row.id) for row in competences}
    form = target_form([(row.id, row.name(language)) for row in competences], choices, data=data)
    if may_edit and form.validate_on_submit():
        targets = {row.id: form[f"target_{row.id}"].data for row in competences}
        try:
            changes = editing.update_role(
                role, _names(form), targets, current_user.id, current_user.institution_id
            )
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            if changes:
                flash(_("The job role and its target profile are saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("competences.job_role", role_id=role.id))
    areas = {row.id: row for row in db.session.scalars(select(CompetenceArea))}
    groups: dict[int, list] = {}
    for row in competences:
        groups.setdefault(row.area_id, []).append(row)
    return render_template(
        "competences/job_role.html",
        role=role,
        form=form,
        may_edit=may_edit,
        groups=[(areas[area_id], rows) for area_id, rows in groups.items()],
        current=current,
        scale=scale,
        language=language,
    ), (400 if form.errors else 200)
