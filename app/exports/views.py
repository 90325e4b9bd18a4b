"""Exports of a whole institution: ask, watch the progress, download."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.auth.services import institution_by_slug, institutions
from app.core.i18n import current_language, percent
from app.core.permissions import roles_required, wants_json
from app.exports import services
from app.exports.forms import ExportForm
from app.exports.jobs import queue_export
from app.exports.models import DONE, FAILED, QUEUED, RETRYING, Export
from app.extensions import db

bp = Blueprint("exports", __name__)


def _form() -> ExportForm:
    form = ExportForm()
    if current_user.has_role("admin"):
        form.institution.choices = [SelectChoice(row.slug, row.name) for row in institutions()]
    else:
        own = current_user.institution
        form.institution.choices = [SelectChoice(own.slug, own.name)]
    if request.method == "GET":
        form.institution.data = request.args.get("institution") or current_user.institution.slug
        if request.args.get("kind") in ("matrix", "certificates"):
            form.kind.data = request.args["kind"]
    return form


@bp.route("/exports", methods=["GET", "POST"])
@roles_required("hr", "admin")
def index():
    form = _form()
    if form.validate_on_submit():
        institution = institution_by_slug(form.institution.data)
        if institution is None or not services.may_request(current_user, institution):
            abort(403)
        export = queue_export(
            current_user, institution, form.kind.data, form.format.data, current_language()
        )
        db.session.commit()
        return redirect(url_for("exports.status", export_id=export.id))
    return render_template(
        "exports/index.html", form=form, exports=services.visible_to(current_user)
    )


def _export_or_404(export_id: int) -> Export:
    """The export, if the current user may see it; to anyone else it does not exist."""
    export = db.session.get(Export, export_id)
    if export is None or not services.may_see(current_user, export):
        abort(404)
    return export


def status_text(export: Export) -> str:
    if export.status == QUEUED:
        return _("Waiting for its turn…")
    if export.status == DONE:
        return _("Ready: %(count)s rows.", count=format_decimal(export.rows_done))
    if export.status == RETRYING:
        return _(
            "The export failed; it will be tried again. If it keeps failing, tell an administrator."
        )
    if export.status == FAILED:
        return _(
            "The export failed and will not be tried again. Ask for it once more; if it fails "
            "again, tell an administrator."
        )
    if export.rows_total:
        return _(
            "%(done)s of %(total)s rows written (%(percent)s).",
            done=format_decimal(export.rows_done),
            total=format_decimal(export.rows_total),
            percent=percent(export.progress, 0),
        )
    return _("Starting…")


@bp.route("/exports/<int:export_id>")
@roles_required("hr", "admin")
def status(export_id: int):
    export = _export_or_404(export_id)
    download = url_for("exports.download", export_id=export.id) if export.status == DONE else None
    if wants_json():
        # The page's script polls this, and updates the progress bar and its live region.
        return jsonify(
            status=export.status,
            progress=export.progress,
            message=status_text(export),
            download=download,
        )
    return render_template(
        "exports/status.html", export=export, message=status_text(export), download=download
    )


@bp.route("/exports/<int:export_id>/download")
@roles_required("hr", "admin")
def download(export_id: int):
    export = _export_or_404(export_id)
    response = services.response(export)
    if response is None:
        abort(404)
    response.headers["Cache-Control"] = "private, no-store"
    return response
