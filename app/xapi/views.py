"""The administrators' page of the learning records outbox: what waits, what was refused."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.forms import ConfirmForm
from app.core.permissions import roles_required
from app.extensions import db
from app.xapi import sender
from app.xapi.models import PENDING, REFUSED, XapiStatement

bp = Blueprint("xapi", __name__, url_prefix="/admin")
PER_PAGE = 50


@bp.route("/learning-records")
@roles_required("admin")
def outbox():
    counts = dict(
        db.session.execute(
            select(XapiStatement.status, func.count()).group_by(XapiStatement.status)
        ).all()
    )
    query = (
        select(XapiStatement)
        .where(XapiStatement.status.in_((PENDING, REFUSED)))
        .order_by(XapiStatement.status.desc(), XapiStatement.id)
    )
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "xapi/outbox.html",
        counts=counts,
        page=page,
        lrs=current_app.config["XAPI_LRS_URL"],
        form=ConfirmForm(),
    )


@bp.route("/learning-records/<int:row_id>/send", methods=["POST"])
@roles_required("admin")
def send_again(row_id: int):
    row = db.get_or_404(XapiStatement, row_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if row.status != REFUSED:
        flash(_("This statement is not refused; it is sent as usual."), "info")
    else:
        sender.send_again(row)
        db.session.commit()
        flash(_("The statement will be sent again."), "success")
    return redirect(url_for("xapi.outbox"))
