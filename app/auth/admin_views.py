"""Administrators' account pages beyond the single form: bulk import, and reactivation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from app.auth import csvfile, imports, services
from app.auth.forms import UserImportConfirmForm, UserImportForm
from app.auth.jobs import send_invitations
from app.auth.models import Institution, User
from app.auth.views import admin_bp
from app.core import jobs
from app.core.errors import DomainError
from app.core.forms import ConfirmForm
from app.core.permissions import roles_required
from app.core.security import MAX_ID
from app.extensions import db


def _confirmed_institution(form: UserImportConfirmForm) -> Institution:
    value = form.institution_id.data or ""
    if not value.isdigit() or int(value) > MAX_ID:
        abort(400)
    return db.get_or_404(Institution, int(value))


def _imported(plan: imports.Plan, institution: Institution):
    """Carry out the confirmed plan; new accounts are invited once it is committed."""
    try:
        result = imports.apply(plan, by_id=current_user.id)
    except DomainError as error:  # an address taken meanwhile, by another import or admin
        db.session.rollback()
        flash(str(error) or _("Nothing was imported: please check the file again."), "error")
        return redirect(url_for("admin.user_import"))
    if result.created:
        jobs.after_commit(send_invitations, result.created, current_user.id)
    db.session.commit()
    flash(
        _(
            "Imported: %(created)s, %(updated)s, %(deactivated)s.",
            created=ngettext(
                "%(num)d account created and invited",
                "%(num)d accounts created and invited",
                len(result.created),
            ),
            updated=ngettext("%(num)d updated", "%(num)d updated", result.updated),
            deactivated=ngettext("%(num)d deactivated", "%(num)d deactivated", result.deactivated),
        ),
        "success",
    )
    return redirect(url_for("admin.users", institution=institution.id))


@admin_bp.route("/users/import", methods=["GET", "POST"])
@roles_required("admin")
def user_import():
    """Upload a CSV, see what each line would do, then confirm; nothing half-done."""
    form = UserImportForm()
    form.institution_id.choices = [
        SelectChoice(row.id, row.name) for row in services.institutions()
    ]
    if not form.is_submitted():
        form.institution_id.data = current_user.institution_id
    confirm = UserImportConfirmForm()
    plan, institution = None, None
    if confirm.confirm.data and confirm.validate_on_submit():
        institution = _confirmed_institution(confirm)
        try:
            plan = imports.plan(
                confirm.text.data or "",
                institution,
                confirm.deactivate_missing.data == "1",
                by=current_user,
            )
        except csvfile.CsvFileError as error:
            flash(str(error), "error")
            return redirect(url_for("admin.user_import"))
        if plan.digest == confirm.digest.data and not plan.errors:
            return _imported(plan, institution)
        flash(
            _(
                "The accounts have changed since the file was checked. Please look at the "
                "report again."
            ),
            "error",
        )
    elif form.submit.data and form.validate_on_submit():
        institution = db.get_or_404(Institution, form.institution_id.data)
        try:
            text = csvfile.decode(form.file.data.read(csvfile.MAX_BYTES + 1))
            plan = imports.plan(text, institution, form.deactivate_missing.data, by=current_user)
        except csvfile.CsvFileError as error:
            form.file.errors.append(str(error))
        else:
            confirm.text.data = text
            confirm.institution_id.data = str(institution.id)
            confirm.deactivate_missing.data = "1" if form.deactivate_missing.data else ""
    if plan is not None:
        confirm.digest.data = plan.digest
    return render_template(
        "admin/user_import.html",
        form=form,
        confirm=confirm,
        plan=plan,
        institution=institution,
        actions=imports,
    )


@admin_bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles_required("admin")
def user_reactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.is_active:
        flash(_("%(name)s can already log in.", name=user.full_name), "info")
    else:
        services.reactivate(user)
        db.session.commit()
        flash(_("%(name)s can log in again.", name=user.full_name), "success")
    return redirect(url_for("admin.users"))
