"""An administrator issues a revoked certificate again, with the reason."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.certificates import replacement
from app.certificates.forms import ReplaceForm
from app.certificates.views import bp, issued_by_own_institution
from app.core.errors import DomainError
from app.core.permissions import roles_required
from app.extensions import db


@bp.route("/certificates/<int:certificate_id>/replace", methods=["GET", "POST"])
@roles_required("admin")
def replace(certificate_id: int):
    certificate = issued_by_own_institution(certificate_id)
    form = ReplaceForm()
    if form.validate_on_submit():
        try:
            new = replacement.replace(certificate, current_user, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "Certificate %(serial)s was issued in place of %(old)s.",
                    serial=new.serial,
                    old=certificate.serial,
                ),
                "success",
            )
            return redirect(url_for("certificates.detail", certificate_id=new.id))
    status = 200 if not form.errors else 400
    return render_template("certificates/replace.html", form=form, certificate=certificate), status
