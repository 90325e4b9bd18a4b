"""The browser editor: course drafts, lessons, quizzes, images, publishing and history."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from app.auth.models import Institution
from app.authoring import diffs, documents, drafts, lessons, publishing, services
from app.authoring import history as revision_history
from app.authoring.forms import (
    ActionForm,
    AddLessonForm,
    MoveForm,
    NewCourseForm,
    PublishForm,
    settings_form,
)
from app.authoring.issuers import issuer_choices
from app.authoring.views import bp
from app.core.i18n import current_language
from app.core.permissions import roles_required
from app.courses.revisions import blob_bytes
from app.courses.sources import COURSE_FILE, LESSON_NAME_RE, QUIZ_NAME_RE
from app.extensions import db
from app.framework.models import Competence


def editable(slug: str) -> drafts.WorkingCopy:
    copy = drafts.working_copy(slug)
    if copy is None:
        abort(404)
    if not services.can_edit_copy(current_user, copy):
        abort(403)
    return copy


def save_and_commit(
    copy: drafts.WorkingCopy, path: str, save: Callable[[], bool]
) -> tuple[bool, drafts.EditConflict | None, drafts.WorkingCopy]:
    """Run one save and commit: (changed, None, copy), or the conflict with the copy as saved."""
    try:
        changed = save()
        db.session.commit()
    except drafts.EditConflict as error:
        return False, error, copy
    except StaleDataError:
        # Another save of the same draft won the race: start again from what it saved.
        db.session.rollback()
        copy = editable(copy.slug)
        return False, drafts.EditConflict(path, copy.files.get(path)), copy
    return changed, None, copy


@bp.errorhandler(StaleDataError)
def _draft_changed_meanwhile(_error):
    """Two changes to one draft at the same moment: the later one is refused, not merged."""
    db.session.rollback()
    flash(
        _("Someone else changed the draft at the same moment: nothing was saved, try again."),
        "error",
    )
    slug = (request.view_args or {}).get("slug")
    return redirect(url_for("authoring.course", slug=slug) if slug else url_for("authoring.index"))


def _institution_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The issuers an administrator may choose: the course's current one and their own."""
    slugs = issuer_choices(current_user, current)
    rows = db.session.scalars(select(Institution).where(Institution.slug.in_(slugs)))
    return [SelectChoice(row.slug, row.name) for row in sorted(rows, key=lambda r: r.name)]


@bp.route("/new", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def new_course():
    form = NewCourseForm()
    is_admin = current_user.has_role("admin")
    if is_admin:
        form.institution.choices = _institution_choices()
    else:
        # A trainer's courses are issued by their own institution.
        del form.institution
    if request.method == "GET":
        if is_admin:
            form.institution.data = current_user.institution.slug
        form.translations.data = ["hr", "en"]
    if form.validate_on_submit():
        languages = [form.source_language.data] + [
            language
            for language in ("sl", "hr", "en")
            if language in (form.translations.data or []) and language != form.source_language.data
        ]
        try:
            institution = form.institution.data if is_admin else current_user.institution.slug
            copy = documents.new_course(
                form.slug.data, institution, languages, form.title.data, current_user.id
            )
        except drafts.DraftError as error:
            form.slug.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Draft created. Add lessons, then publish the course."), "success")
            return redirect(url_for("authoring.course", slug=copy.slug))
    return render_template("authoring/new.html", form=form)


@bp.route("/courses/<slug>/")
@roles_required("trainer", "admin")
def course(slug: str):
    copy = editable(slug)
    entries = lessons.lessons(copy)
    quiz_languages = [
        language for language in copy.languages if f"quiz.{language}.md" in copy.files
    ]
    titles = {
        entry.slug: documents.lesson_fields(
            copy.files.get(entry.paths.get(copy.source_language, ""))
        ).title
        for entry in entries
    }
    return render_template(
        "authoring/course.html",
        copy=copy,
        title=copy.title(current_language()),
        entries=entries,
        titles=titles,
        translations={entry.slug: lessons.translations(copy, entry) for entry in entries},
        quiz_languages=quiz_languages,
        add_form=AddLessonForm(),
        publish_form=PublishForm(),
        action_form=ActionForm(),
        move_form=MoveForm(),
        latest=revision_history.revisions(copy.course, limit=1) if copy.course else [],
    )


@bp.route("/courses/<slug>/settings", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def settings(slug: str):
    copy = editable(slug)
    language = current_language()
    competences = list(
        db.session.scalars(
            select(Competence).where(Competence.is_retired.is_(False)).order_by(Competence.code)
        )
    )
    meta = copy.meta
    levels = {
        str(item.get("id")): item.get("level")
        for item in meta.get("competences") or []
        if isinstance(item, dict)
    }
    form = settings_form(copy.languages, [(row.code, row.name(language)) for row in competences])
    is_admin = current_user.has_role("admin")
    if is_admin:
        form.institution.choices = _institution_choices(
            copy.course.institution.slug if copy.course else meta.get("institution")
        )
    else:
        # Only administrators move a course to another issuing institution.
        del form.institution
    if request.method == "GET":
        form.base_hash.data = drafts.text_hash(copy.files.get(COURSE_FILE))
        form.workload_hours.data = meta.get("workload_hours")
        form.certificate_validity_months.data = meta.get("certificate_validity_months")
        if is_admin:
            form.institution.data = meta.get("institution")
        for code in (row.code for row in competences):
            form[f"level__{code}"].data = levels.get(code) or 0
        for lang in copy.languages:
            form[f"title_{lang}"].data = (meta.get("title") or {}).get(lang, "")
            form[f"summary_{lang}"].data = (meta.get("summary") or {}).get(lang, "")
    conflict = None
    if form.validate_on_submit():
        changes = {
            "title": {lang: form[f"title_{lang}"].data for lang in copy.languages},
            "summary": {lang: form[f"summary_{lang}"].data for lang in copy.languages},
            "workload_hours": form.workload_hours.data,
            "certificate_validity_months": form.certificate_validity_months.data,
            "institution": form.institution.data if is_admin else meta.get("institution"),
            "competences": [
                {"id": row.code, "level": form[f"level__{row.code}"].data}
                for row in competences
                if form[f"level__{row.code}"].data
            ],
        }
        _changed, conflict, copy = save_and_commit(
            copy,
            COURSE_FILE,
            lambda: documents.save_meta(copy, changes, form.base_hash.data, current_user.id),
        )
        if conflict is None:
            flash(_("Settings saved in the draft."), "success")
            return redirect(url_for("authoring.course", slug=slug))
        form.base_hash.data = drafts.text_hash(conflict.current)
    return render_template(
        "authoring/settings.html",
        copy=copy,
        title=copy.title(language),
        form=form,
        competences=competences,
        conflict=conflict,
    ), (409 if conflict else 200)


@bp.route("/courses/<slug>/lessons", methods=["POST"])
@roles_required("trainer", "admin")
def add_lesson(slug: str):
    copy = editable(slug)
    form = AddLessonForm()
    if form.validate_on_submit():
        try:
            entry = lessons.add_lesson(copy, form.slug.data, form.title.data, current_user.id)
        except drafts.DraftError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            return redirect(
                url_for(
                    "authoring.lesson",
                    slug=slug,
                    lesson_slug=entry.slug,
                    language=copy.source_language,
                )
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("authoring.course", slug=slug) + "#lessons")


@bp.route("/courses/<slug>/lessons/<lesson_slug>/move", methods=["POST"])
@roles_required("trainer", "admin")
def move_lesson(slug: str, lesson_slug: str):
    copy = editable(slug)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            lessons.move_lesson(copy, lesson_slug, int(form.offset.data), current_user.id)
            db.session.commit()
        except drafts.DraftError as error:
            flash(str(error), "error")
    return redirect(url_for("authoring.course", slug=slug) + "#lessons")


@bp.route("/courses/<slug>/lessons/<lesson_slug>/remove", methods=["POST"])
@roles_required("trainer", "admin")
def remove_lesson(slug: str, lesson_slug: str):
    copy = editable(slug)
    form = ActionForm()
    if form.validate_on_submit() and form.confirm.data:
        try:
            lessons.remove_lesson(copy, lesson_slug, current_user.id)
            db.session.commit()
        except drafts.DraftError as error:
            flash(str(error), "error")
        else:
            flash(
                _("Lesson removed from the draft; once published, learners' progress stays."),
                "success",
            )
    elif form.validate_on_submit():
        flash(_("Tick the box to confirm the removal."), "error")
    return redirect(url_for("authoring.course", slug=slug) + "#lessons")


QUIZ_SKELETON = """---
title: "{title}"
pass_mark: 60
max_attempts: 3
---
"""


@bp.route("/courses/<slug>/draft/files/<path:name>")
@roles_required("trainer", "admin")
def draft_file(slug: str, name: str):
    copy = editable(slug)
    digest = copy.assets.get(name)
    if digest is None:
        abort(404)
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(
        blob_bytes(digest),
        mimetype=mimetype,
        headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"},
    )


def _editor_url(slug: str, path: str) -> str | None:
    """The editor page of a file of the course folder, for the problems list."""
    lesson_match = LESSON_NAME_RE.match(path)
    if lesson_match:
        return url_for(
            "authoring.lesson",
            slug=slug,
            lesson_slug=lesson_match["slug"],
            language=lesson_match["language"],
        )
    quiz_match = QUIZ_NAME_RE.match(path)
    if quiz_match:
        return url_for("authoring.quiz", slug=slug, language=quiz_match["language"])
    if path == COURSE_FILE:
        return url_for("authoring.settings", slug=slug)
    return None


@bp.route("/courses/<slug>/publish", methods=["POST"])
@roles_required("trainer", "admin")
def publish(slug: str):
    copy = editable(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        return redirect(url_for("authoring.course", slug=slug))
    try:
        course = publishing.publish(copy, current_user, overwrite=form.overwrite.data == "1")
    except drafts.DraftError as error:
        flash(str(error), "error")
        return redirect(url_for("authoring.course", slug=slug))
    except drafts.StaleDraft as error:
        db.session.rollback()
        changes = diffs.diff(error.latest.files, error.latest.assets, copy.files, copy.assets)
        return render_template(
            "authoring/stale.html",
            copy=copy,
            title=copy.title(current_language()),
            latest=error.latest,
            changes=changes,
            publish_form=PublishForm(overwrite="1"),
            action_form=ActionForm(),
        ), 409
    except drafts.PublishError as error:
        db.session.rollback()
        by_file: dict[str, list] = {}
        for problem in error.problems:
            by_file.setdefault(problem.path, []).append(problem)
        return render_template(
            "authoring/problems.html",
            copy=copy,
            title=copy.title(current_language()),
            by_file=by_file,
            files=copy.files,
            editor_url=lambda path: _editor_url(slug, path),
            count=len(error.problems),
        ), 422
    db.session.commit()
    flash(_("Published: learners now see this version."), "success")
    return redirect(url_for("authoring.course", slug=course.slug))


@bp.route("/courses/<slug>/discard", methods=["POST"])
@roles_required("trainer", "admin")
def discard(slug: str):
    copy = editable(slug)
    form = ActionForm()
    if form.validate_on_submit() and form.confirm.data:
        is_new = copy.course is None
        drafts.discard(copy)
        db.session.commit()
        flash(_("The draft was discarded."), "success")
        if is_new:
            return redirect(url_for("authoring.index"))
    elif form.validate_on_submit():
        flash(_("Tick the box to confirm that the draft should be discarded."), "error")
    return redirect(url_for("authoring.course", slug=slug))
