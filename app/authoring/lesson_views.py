"""The lesson and quiz editors: a form per file and language, with the server's live preview."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
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

from app.authoring import documents, drafts, images, lessons, publishing
from app.authoring.editor_views import QUIZ_SKELETON, editable, save_and_commit
from app.authoring.forms import (
    LessonForm,
    QuizForm,
)
from app.authoring.views import bp
from app.core.i18n import current_language
from app.core.permissions import roles_required, wants_json
from app.courses.rendering import link_resolver
from app.extensions import db
from app.questions.markdown_format import parse_quiz
from app.questions.storage import question_html


def _preview(copy: drafts.WorkingCopy, path: str, text: str, body_first_line: int, html: str):
    problems = publishing.check_file(copy, path, text)
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


@dataclass
class LessonPage:
    """One lesson in one language as its editor page needs it."""

    copy: drafts.WorkingCopy
    entry: lessons.LessonEntry
    language: str
    path: str
    current: str | None  # the file as saved in the draft; None for a new translation
    source_text: str | None  # the source language's file, for a translation

    @property
    def is_source(self) -> bool:
        return self.language == self.copy.source_language


def _lesson_page(slug: str, lesson_slug: str, language: str) -> LessonPage:
    copy = editable(slug)
    entry = lessons.lesson_entry(copy, lesson_slug)
    if entry is None or language not in copy.languages:
        abort(404)
    path = entry.paths.get(language) or lessons.lesson_path(entry.position, lesson_slug, language)
    source = None
    if language != copy.source_language:
        source = copy.files.get(entry.paths.get(copy.source_language, ""))
    return LessonPage(copy, entry, language, path, copy.files.get(path), source)


def _fill(form: LessonForm, page: LessonPage) -> None:
    """The form as the page opens: the saved file, or a new translation's source text."""
    fields = documents.lesson_fields(page.current or page.source_text)
    form.title.data, form.summary.data = fields.title, fields.summary
    form.minutes.data, form.body.data = fields.minutes, fields.body
    form.base_hash.data = drafts.text_hash(page.current)


def _attach_image(form: LessonForm, page: LessonPage) -> None:
    """An uploaded image is stored with the draft and appended to the text as Markdown."""
    upload = form.image.data
    try:
        snippet = images.add_image(
            page.copy, upload.filename or "image", upload.read(), form.image_alt.data,
            current_user.id,
        )  # fmt: skip
    except drafts.DraftError as error:
        form.image.errors.append(str(error))
        return
    db.session.commit()
    form.body.data = (form.body.data or "").rstrip() + f"\n\n{snippet}\n"
    form.image_alt.data = ""
    flash(_("The image was added at the end of the text as %(markdown)s.", markdown=snippet),
          "success")  # fmt: skip


def _fields(form: LessonForm, page: LessonPage) -> documents.LessonFields:
    """What the form says, with the source version a translation now follows."""
    recorded = documents.lesson_fields(page.current).translated_from if page.current else None
    if not page.is_source and (page.current is None or form.is_up_to_date.data):
        recorded = drafts.version_of(page.source_text) if page.source_text else None
    return documents.LessonFields(
        title=form.title.data,
        summary=form.summary.data or "",
        minutes=form.minutes.data,
        body=form.body.data or "",
        translated_from=None if page.is_source else recorded,
    )


def _render(page: LessonPage, form: LessonForm, conflict=None, preview_html=None):
    versions = lessons.source_revisions(page.copy, page.entry.slug) if not page.is_source else {}
    recorded = lessons.recorded_source(page.current) if page.current else None
    status = 409 if conflict else 422 if form.errors else 200
    state = next(
        t for t in lessons.translations(page.copy, page.entry) if t.language == page.language
    )
    source_fields = documents.lesson_fields(page.source_text) if page.source_text else None
    return render_template(
        "authoring/lesson.html",
        copy=page.copy,
        title=page.copy.title(current_language()),
        entry=page.entry,
        language=page.language,
        is_source=page.is_source,
        state=state,
        source_fields=source_fields,
        source_revision=versions.get(recorded) if recorded else None,
        form=form,
        conflict=conflict,
        preview_html=preview_html,
    ), status


@bp.route("/courses/<slug>/lessons/<lesson_slug>/<language>", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def lesson(slug: str, lesson_slug: str, language: str):
    page = _lesson_page(slug, lesson_slug, language)
    form = LessonForm()
    if request.method == "GET":
        _fill(form, page)
    if not form.validate_on_submit():
        if request.method == "POST" and wants_json():
            return jsonify(html=render_template("authoring/_form_errors.html", form=form)), 422
        return _render(page, form)
    if form.image.data:
        _attach_image(form, page)
    fields = _fields(form, page)
    text = documents.lesson_document(fields, page.current)
    conflict = None
    if form.save.data and not form.image.errors:
        changed, conflict, page.copy = save_and_commit(
            page.copy,
            page.path,
            lambda: lessons.save_lesson(
                page.copy, lesson_slug, language, fields, form.base_hash.data, current_user.id
            ),
        )
        if conflict is None:
            if changed:
                flash(_("Saved in the draft. Learners see it once it is published."), "success")
            return redirect(
                url_for("authoring.lesson", slug=slug, lesson_slug=lesson_slug, language=language)
            )
        # The next save is a deliberate choice over their version.
        form.base_hash.data = drafts.text_hash(conflict.current)
        conflict.mine = text
    files_url = url_for("authoring.draft_file", slug=slug, name="").rstrip("/")
    html = publishing.preview_lesson(page.copy, fields.body, files_url)
    preview_html = _preview(page.copy, page.path, text, _body_first_line(text), html)
    if wants_json():
        return jsonify(html=preview_html)
    return _render(page, form, conflict, preview_html)


@bp.route("/courses/<slug>/quiz/<language>", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def quiz(slug: str, language: str):
    copy = editable(slug)
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
            changed, conflict, copy = save_and_commit(
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
        # Images from the draft; an HTML question (from Moodle) rendered as HTML.
        files_url = url_for("authoring.draft_file", slug=slug, name="").rstrip("/")
        resolver = link_resolver(slug, files_url)
        preview_html = _preview(
            copy,
            path,
            text,
            1,
            render_template(
                "authoring/_quiz_preview.html",
                quiz=parsed,
                stems=[question_html(question, resolver)["stem"] for question in parsed.questions],
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
