"""A course's history in the editor: revisions, differences, and restoring one into the draft."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.authoring import diffs, drafts
from app.authoring import history as revision_history
from app.authoring.editor_views import editable
from app.authoring.forms import (
    ActionForm,
)
from app.authoring.views import bp
from app.core.i18n import current_language
from app.core.params import parse_id
from app.core.permissions import roles_required
from app.extensions import db


@bp.route("/courses/<slug>/history")
@roles_required("trainer", "admin")
def history(slug: str):
    copy = editable(slug)
    revisions = revision_history.revisions(copy.course) if copy.course else []
    return render_template(
        "authoring/history.html",
        copy=copy,
        title=copy.title(current_language()),
        revisions=revisions,
        action_form=ActionForm(),
    )


def _state(copy: drafts.WorkingCopy, key: str) -> tuple[dict, dict] | None:
    """The files of a revision number, of the draft ('draft') or of nothing yet ('none')."""
    if key == "draft":
        return copy.files, copy.assets
    if key == "none":
        return {}, {}
    number = parse_id(key)
    if number is None or copy.course is None:
        return None
    found = revision_history.revision(copy.course, number)
    return (found.files, found.assets) if found else None


@bp.route("/courses/<slug>/history/diff")
@roles_required("trainer", "admin")
def diff(slug: str):
    copy = editable(slug)
    revisions = revision_history.revisions(copy.course) if copy.course else []
    numbers = [str(item.number) for item in revisions]
    if copy.has_draft:
        default_from, default_to = (numbers[0] if numbers else "none"), "draft"
    else:
        default_from = numbers[1] if len(numbers) > 1 else "none"
        default_to = numbers[0] if numbers else "none"
    old_key = request.args.get("from", default_from)
    new_key = request.args.get("to", default_to)
    old, new = _state(copy, old_key), _state(copy, new_key)
    if old is None or new is None:
        abort(404)
    return render_template(
        "authoring/diff.html",
        copy=copy,
        title=copy.title(current_language()),
        revisions=revisions,
        old_key=old_key,
        new_key=new_key,
        changes=diffs.diff(old[0], old[1], new[0], new[1]),
    )


@bp.route("/courses/<slug>/history/<int:number>/restore", methods=["POST"])
@roles_required("trainer", "admin")
def restore(slug: str, number: int):
    copy = editable(slug)
    old = revision_history.revision(copy.course, number) if copy.course else None
    if old is None:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit() and form.confirm.data:
        revision_history.restore(copy, old, current_user.id)
        db.session.commit()
        flash(
            _(
                "Revision %(number)d is now the draft: publish it to make it current.",
                number=number,
            ),
            "success",
        )
        return redirect(url_for("authoring.course", slug=slug))
    flash(_("Tick the box to confirm that the draft should be replaced."), "error")
    return redirect(url_for("authoring.history", slug=slug))
