"""The browser editor: course drafts, lessons, quizzes, images, publishing and history."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable

from flask import (
    Response,
    abort,
    flash,
    jsonify,
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
from app.authoring import drafts, services
from app.authoring.forms import (
    ActionForm,
    AddLessonForm,
    LessonForm,
    MoveForm,
    NewCourseForm,
    PublishForm,
    QuizForm,
    settings_form,
)
from app.authoring.issuers import issuer_choices
from app.authoring.views import bp
from app.core.i18n import current_language
from app.core.markdown import render_markdown
from app.core.params import parse_id
from app.core.permissions import roles_required, wants_json
from app.courses.revisions import blob_bytes
from app.courses.sources import COURSE_FILE, LESSON_NAME_RE, QUIZ_NAME_RE
from app.extensions import db
from app.framework.models import Competence
from app.questions.markdown_format import parse_quiz


def _editable(slug: str) -> drafts.WorkingCopy:
    copy = drafts.working_copy(slug)
    if copy is None:
        abort(404)
    if not services.can_edit_copy(current_user, copy):
        abort(403)
    return copy


def _save(
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
        copy = _editable(copy.slug)
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
            copy = drafts.new_course(
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
    copy = _editable(slug)
    entries = drafts.lessons(copy)
    quiz_languages = [
        language for language in copy.languages if f"quiz.{language}.md" in copy.files
    ]
    titles = {
        entry.slug: drafts.lesson_fields(
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
        translations={entry.slug: drafts.translations(copy, entry) for entry in entries},
        quiz_languages=quiz_languages,
        add_form=AddLessonForm(),
        publish_form=PublishForm(),
        action_form=ActionForm(),
        move_form=MoveForm(),
        latest=drafts.revisions(copy.course, limit=1) if copy.course else [],
    )


@bp.route("/courses/<slug>/settings", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def settings(slug: str):
    copy = _editable(slug)
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
        _changed, conflict, copy = _save(
            copy,
            COURSE_FILE,
            lambda: drafts.save_meta(copy, changes, form.base_hash.data, current_user.id),
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
    copy = _editable(slug)
    form = AddLessonForm()
    if form.validate_on_submit():
        try:
            entry = drafts.add_lesson(copy, form.slug.data, form.title.data, current_user.id)
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


def _preview(copy: drafts.WorkingCopy, path: str, text: str, body_first_line: int, html: str):
    problems = drafts.check_file(copy, path, text)
    lines = text.splitlines()
    return render_template(
        "authoring/_preview.html",
        html=html,
        problems=problems,
        lines=lines,
        body_first_line=body_first_line,
    )


def _body_first_line(text: str) -> int:
    """Where the body starts in the file the editor writes (the front matter comes first)."""
    lines = text.splitlines()
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    return closing + 3


@bp.route("/courses/<slug>/lessons/<lesson_slug>/<language>", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def lesson(slug: str, lesson_slug: str, language: str):
    copy = _editable(slug)
    entry = drafts.lesson_entry(copy, lesson_slug)
    if entry is None or language not in copy.languages:
        abort(404)
    path = entry.paths.get(language)
    current = copy.files.get(path) if path else None
    is_source = language == copy.source_language
    source_text = None if is_source else copy.files.get(entry.paths.get(copy.source_language, ""))
    state = next(t for t in drafts.translations(copy, entry) if t.language == language)
    form = LessonForm()
    if request.method == "GET":
        fields = drafts.lesson_fields(current or source_text)
        if current is None:
            # A new translation starts from the source text, to be translated in place.
            fields.translated_from = None
        form.title.data, form.summary.data = fields.title, fields.summary
        form.minutes.data, form.body.data = fields.minutes, fields.body
        form.base_hash.data = drafts.text_hash(current)
    conflict = None
    preview_html = None
    if form.validate_on_submit():
        if form.image.data:
            upload = form.image.data
            try:
                snippet = drafts.add_image(
                    copy,
                    upload.filename or "image",
                    upload.read(),
                    form.image_alt.data,
                    current_user.id,
                )
            except drafts.DraftError as error:
                form.image.errors.append(str(error))
            else:
                db.session.commit()
                form.body.data = (form.body.data or "").rstrip() + f"\n\n{snippet}\n"
                form.image_alt.data = ""
                flash(
                    _(
                        "The image was added at the end of the text as %(markdown)s.",
                        markdown=snippet,
                    ),
                    "success",
                )
        recorded = drafts.lesson_fields(current).translated_from if current else None
        if not is_source and (current is None or form.is_up_to_date.data):
            recorded = drafts.version_of(source_text) if source_text else None
        fields = drafts.LessonFields(
            title=form.title.data,
            summary=form.summary.data or "",
            minutes=form.minutes.data,
            body=form.body.data or "",
            translated_from=None if is_source else recorded,
        )
        text = drafts.lesson_document(fields)
        file_path = path or drafts.lesson_path(entry.position, lesson_slug, language)
        if form.save.data and not form.image.errors:
            changed, conflict, copy = _save(
                copy,
                file_path,
                lambda: drafts.save_lesson(
                    copy, lesson_slug, language, fields, form.base_hash.data, current_user.id
                ),
            )
            if conflict is None:
                if changed:
                    flash(_("Saved in the draft. Learners see it once it is published."), "success")
                return redirect(
                    url_for(
                        "authoring.lesson", slug=slug, lesson_slug=lesson_slug, language=language
                    )
                )
            # The next save is a deliberate choice over their version.
            form.base_hash.data = drafts.text_hash(conflict.current)
            conflict.mine = text
        files_url = url_for("authoring.draft_file", slug=slug, name="").rstrip("/")
        preview_html = _preview(
            copy,
            file_path,
            text,
            _body_first_line(text),
            drafts.preview_lesson(copy, fields.body, files_url),
        )
        if wants_json():
            return jsonify(html=preview_html)
    elif request.method == "POST" and wants_json():
        return jsonify(html=render_template("authoring/_form_errors.html", form=form)), 422
    versions = drafts.source_revisions(copy, lesson_slug) if not is_source else {}
    recorded = drafts.recorded_source(current) if current else None
    status = 409 if conflict else 422 if form.errors else 200
    return render_template(
        "authoring/lesson.html",
        copy=copy,
        title=copy.title(current_language()),
        entry=entry,
        language=language,
        is_source=is_source,
        state=state,
        source_fields=drafts.lesson_fields(source_text) if source_text else None,
        source_revision=versions.get(recorded) if recorded else None,
        form=form,
        conflict=conflict,
        preview_html=preview_html,
    ), status


@bp.route("/courses/<slug>/lessons/<lesson_slug>/move", methods=["POST"])
@roles_required("trainer", "admin")
def move_lesson(slug: str, lesson_slug: str):
    copy = _editable(slug)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            drafts.move_lesson(copy, lesson_slug, int(form.offset.data), current_user.id)
            db.session.commit()
        except drafts.DraftError as error:
            flash(str(error), "error")
    return redirect(url_for("authoring.course", slug=slug) + "#lessons")


@bp.route("/courses/<slug>/lessons/<lesson_slug>/remove", methods=["POST"])
@roles_required("trainer", "admin")
def remove_lesson(slug: str, lesson_slug: str):
    copy = _editable(slug)
    form = ActionForm()
    if form.validate_on_submit() and form.confirm.data:
        try:
            drafts.remove_lesson(copy, lesson_slug, current_user.id)
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


@bp.route("/courses/<slug>/quiz/<language>", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def quiz(slug: str, language: str):
    copy = _editable(slug)
    if language not in copy.languages:
        abort(404)
    path = f"quiz.{language}.md"
    current = copy.files.get(path)
    source = copy.files.get(f"quiz.{copy.source_language}.md")
    form = QuizForm()
    if request.method == "GET":
        form.text.data = current or source or QUIZ_SKELETON.format(title=copy.title(language))
        form.base_hash.data = drafts.text_hash(current)
    conflict = None
    preview_html = None
    if form.validate_on_submit():
        text = drafts.normalise(form.text.data or "")
        if form.save.data:
            changed, conflict, copy = _save(
                copy,
                path,
                lambda: drafts.save_file(copy, path, text, form.base_hash.data, current_user.id),
            )
            if conflict is None:
                if changed:
                    flash(_("Saved in the draft. Learners see it once it is published."), "success")
                return redirect(url_for("authoring.quiz", slug=slug, language=language))
            form.base_hash.data = drafts.text_hash(conflict.current)
            conflict.mine = text
        parsed, _problems = parse_quiz(text, path)
        preview_html = _preview(
            copy,
            path,
            text,
            1,
            render_template(
                "authoring/_quiz_preview.html",
                quiz=parsed,
                stems=[render_markdown(question.stem) for question in parsed.questions],
            ),
        )
        if wants_json():
            return jsonify(html=preview_html)
    return render_template(
        "authoring/quiz.html",
        copy=copy,
        title=copy.title(current_language()),
        language=language,
        form=form,
        conflict=conflict,
        preview_html=preview_html,
    ), (409 if conflict else 200)


@bp.route("/courses/<slug>/draft/files/<path:name>")
@roles_required("trainer", "admin")
def draft_file(slug: str, name: str):
    copy = _editable(slug)
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
    copy = _editable(slug)
    form = PublishForm()
    if not form.validate_on_submit():
        return redirect(url_for("authoring.course", slug=slug))
    try:
        course = drafts.publish(copy, current_user, overwrite=form.overwrite.data == "1")
    except drafts.DraftError as error:
        flash(str(error), "error")
        return redirect(url_for("authoring.course", slug=slug))
    except drafts.StaleDraft as error:
        db.session.rollback()
        changes = drafts.diff(error.latest.files, error.latest.assets, copy.files, copy.assets)
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
    copy = _editable(slug)
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


@bp.route("/courses/<slug>/history")
@roles_required("trainer", "admin")
def history(slug: str):
    copy = _editable(slug)
    revisions = drafts.revisions(copy.course) if copy.course else []
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
    found = drafts.revision(copy.course, number)
    return (found.files, found.assets) if found else None


@bp.route("/courses/<slug>/history/diff")
@roles_required("trainer", "admin")
def diff(slug: str):
    copy = _editable(slug)
    revisions = drafts.revisions(copy.course) if copy.course else []
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
        changes=drafts.diff(old[0], old[1], new[0], new[1]),
    )


@bp.route("/courses/<slug>/history/<int:number>/restore", methods=["POST"])
@roles_required("trainer", "admin")
def restore(slug: str, number: int):
    copy = _editable(slug)
    old = drafts.revision(copy.course, number) if copy.course else None
    if old is None:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit() and form.confirm.data:
        drafts.restore(copy, old, current_user.id)
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
