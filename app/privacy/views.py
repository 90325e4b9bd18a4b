"""A person's own data (export and download), erasure by an administrator, the privacy notice."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import User
from app.auth.services import normalise_email
from app.core import jobs
from app.core.forms import ConfirmForm
from app.core.permissions import public, roles_required
from app.core.storage import storage
from app.extensions import db
from app.privacy import erasure, export
from app.privacy.forms import EraseForm
from app.privacy.jobs import build_export
from app.privacy.models import QUEUED, READY, DataExport

bp = Blueprint("privacy", __name__)


@bp.route("/privacy")
@public
def notice():
    return render_template(
        "privacy/notice.html",
        contact=current_app.config["PRIVACY_CONTACT"],
        retention_years=current_app.config["ATTEMPT_RETENTION_YEARS"],
        export_days=current_app.config["DATA_EXPORT_DAYS"],
    )


@bp.route("/account/data", methods=["GET", "POST"])
@roles_required("learner")
def my_data():
    if (form := ConfirmForm()).validate_on_submit():
        waiting = db.session.scalar(
            select(DataExport.id).where(
                DataExport.user_id == current_user.id, DataExport.status == QUEUED
            )
        )
        if waiting is None:
            row = DataExport(user_id=current_user.id)
            db.session.add(row)
            db.session.flush()
            jobs.after_commit(build_export, row.id)
            db.session.commit()
        flash(
            _("Your data is being prepared. Reload this page in a moment to download it."),
            "success",
        )
        return redirect(url_for("privacy.my_data"))
    exports = db.session.scalars(
        select(DataExport)
        .where(DataExport.user_id == current_user.id)
        .order_by(DataExport.id.desc())
    ).all()
    return render_template(
        "privacy/my_data.html",
        exports=exports,
        form=form,
        days=current_app.config["DATA_EXPORT_DAYS"],
    )


@bp.route("/account/data/<int:export_id>.<any(json, html):kind>")
@roles_required("learner")
def download(export_id: int, kind: str):
    """Only the person downloads their export: anyone else learns nothing of it (404)."""
    row = db.session.get(DataExport, export_id)
    if row is None or row.user_id != current_user.id or row.status != READY:
        abort(404)
    key = export.file_key(row, kind)
    if not storage().exists(key):
        abort(404)
    response = storage().response(key, 0, download_name=f"2sokrog-personal-data-{row.id}.{kind}")
    response.headers["Cache-Control"] = "no-store"
    return response


def _erasable(user_id: int) -> User:
    """Administrators erase the people of their own institution (its controller)."""
    person = db.get_or_404(User, user_id)
    if person.institution_id != current_user.institution_id:
        abort(403)
    return person


@bp.route("/admin/users/<int:user_id>/erase", methods=["GET", "POST"])
@roles_required("admin")
def erase(user_id: int):
    person = _erasable(user_id)
    if erasure.is_erased(person.id):
        flash(_("This person's data has already been erased."), "info")
        return redirect(url_for("admin.users"))
    form = EraseForm()
    open_count = erasure.open_assignments(person)
    if form.validate_on_submit():
        if normalise_email(form.email.data) != person.email:
            form.email.errors.append(_("This is not the e-mail address of this person."))
        else:
            try:
                erasure.erase(person, current_user.id, form.reason.data, form.confirm_open.data)
            except erasure.OpenAssignments as error:
                db.session.commit()  # nothing changed; the held request is in the audit trail
                form.confirm_open.errors.append(str(error))
            except erasure.ErasureRefused as error:
                db.session.rollback()
                form.reason.errors.append(str(error))
            else:
                db.session.commit()
                flash(
                    _("The personal data was erased; the account is kept under a pseudonym."),
                    "success",
                )
                return redirect(url_for("admin.users"))
    return render_template("privacy/erase.html", form=form, person=person, open_count=open_count)
