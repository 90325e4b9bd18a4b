"""An administrator keeps their institution's details: name, address and signatory."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.certificates import emblem
from app.certificates.forms import InstitutionForm
from app.certificates.views import bp
from app.core import events
from app.core.permissions import roles_required
from app.extensions import db

# What an administrator may change; the country, kind and partner role decide who may receive
# the project's certificates, so only the operator changes them (`flask institutions`).
EDITABLE = (
    "name",
    "short_name",
    "street_address",
    "postal_code",
    "locality",
    "signatory_name",
    "signatory_title",
)


@bp.route("/admin/institution", methods=["GET", "POST"])
@roles_required("admin")
def institution_settings():
    institution = current_user.institution
    form = InstitutionForm(obj=institution)
    if form.validate_on_submit():
        changes = [name for name in EDITABLE if getattr(institution, name) != form[name].data]
        for name in changes:
            setattr(institution, name, form[name].data)
        if changes:
            events.institution_changed.send(
                None, institution_id=institution.id, by_id=current_user.id, changes=changes
            )
            db.session.commit()
            flash(_("Saved. Certificates issued from now on show these details."), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for("certificates.institution_settings"))
    return render_template(
        "certificates/institution.html",
        form=form,
        institution=institution,
        has_emblem=emblem.emblem_key(institution) is not None,
    ), (400 if form.errors else 200)
