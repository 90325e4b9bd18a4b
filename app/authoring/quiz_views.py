"""Question banks from and to Moodle in the editor: import into the draft, export as GIFT/XML."""

from __future__ import annotations

from pathlib import PurePosixPath

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from app.authoring import quiz_export
from app.authoring import quiz_import as importing
from app.authoring.drafts import WorkingCopy
from app.authoring.editor_views import editable
from app.authoring.forms import QuizImportConfirmForm, QuizImportForm
from app.authoring.views import bp
from app.core.i18n import LANGUAGE_NAMES, current_language
from app.core.permissions import roles_required
from app.extensions import db


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(
        (
            ngettext("%(num)d new", "%(num)d new", counts["new"]),
            ngettext("%(num)d unchanged", "%(num)d unchanged", counts["unchanged"]),
            ngettext("%(num)d updated", "%(num)d updated", counts["updated"]),
        )
    )


def _confirmed(copy: WorkingCopy, confirm: QuizImportConfirmForm) -> ResponseReturnValue:
    """The second step: the kept file merged into the draft as it is now, and committed."""
    data = importing.take_upload(confirm.token.data, current_user.id)
    if data is None:
        flash(_("The preview has expired: upload the file again."), "error")
        return redirect(url_for("authoring.quiz_import", slug=copy.slug))
    try:
        plan = importing.plan_import(
            copy, data, confirm.filename.data, confirm.language.data, confirm.format.data
        )
    except importing.QuizImportError as error:
        flash(str(error), "error")
        return redirect(url_for("authoring.quiz_import", slug=copy.slug))
    importing.apply_import(copy, plan, current_user.id)
    importing.drop_upload(current_user.id)
    db.session.commit()
    flash(
        _(
            "Imported into the draft: %(summary)s. Learners see the questions once the draft "
            "is published.",
            summary=_summary(plan.counts),
        ),
        "success",
    )
    return redirect(url_for("authoring.quiz", slug=copy.slug, language=plan.language))


@bp.route("/courses/<slug>/quiz/import", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def quiz_import(slug: str) -> ResponseReturnValue:
    copy = editable(slug)
    form = QuizImportForm()
    form.language.choices = [
        SelectChoice(code, LANGUAGE_NAMES.get(code, code)) for code in copy.languages
    ]
    confirm = QuizImportConfirmForm()
    if confirm.confirm.data and confirm.validate_on_submit():
        return _confirmed(copy, confirm)
    plan, problems, status = None, [], 200
    if form.submit.data and form.validate_on_submit():
        data = form.file.data.read(importing.MAX_IMPORT_BYTES + 1)
        filename = PurePosixPath(form.file.data.filename or "questions.txt").name[:100]
        try:
            plan = importing.plan_import(
                copy, data, filename, form.language.data, form.format.data or None
            )
        except importing.QuizImportError as error:
            form.file.errors.append(str(error))
            problems, status = error.problems, 422
        else:
            confirm.token.data = importing.keep_upload(data, current_user.id)
            db.session.commit()  # the kept file, where the storage is the database
            confirm.filename.data, confirm.format.data = filename, plan.format
            confirm.language.data = plan.language
    elif not form.is_submitted():
        form.language.data = copy.source_language
    return render_template(
        "authoring/quiz_import.html",
        copy=copy,
        title=copy.title(current_language()),
        form=form,
        confirm=confirm,
        plan=plan,
        summary=_summary(plan.counts) if plan else "",
        problems=problems,
    ), status


@bp.route("/courses/<slug>/quiz/<language>/export.<form>")
@roles_required("trainer", "admin")
def quiz_export_file(slug: str, language: str, form: str) -> ResponseReturnValue:
    copy = editable(slug)
    if language not in copy.languages or form not in quiz_export.EXPORT_TYPES:
        abort(404)
    try:
        text = quiz_export.export_copy(copy, language, form)
    except importing.QuizImportError as error:
        flash(str(error), "error")
        return redirect(url_for("authoring.quiz", slug=slug, language=language))
    mimetype, suffix = quiz_export.EXPORT_TYPES[form]
    return Response(
        text,
        mimetype=f"{mimetype}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-quiz-{language}.{suffix}"'},
    )
