"""Catalogue, course page, lesson page, lesson completion and "My learning"."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
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
from markupsafe import Markup

from app.core.content import cached
from app.core.database import local_today, read_only
from app.core.i18n import LANGUAGES, current_language
from app.core.pagecache import public_page
from app.core.permissions import public, roles_required
from app.core.storage import BadKey, storage
from app.courses import hooks, material_services, progress, services
from app.courses.assignments import assignments_for
from app.courses.forms import CompleteLessonForm, EnrolForm
from app.courses.trainers import can_edit
from app.extensions import db
from app.framework.services import active_competences

bp = Blueprint("courses", __name__)


@bp.app_template_global("course_title")
def _course_title(course) -> str:
    return services.course_title(course, current_language())


@bp.app_template_global("page_kind")
def _page_kind(kind: str) -> str:
    """What a course page is, in the interface language."""
    labels = {
        "outcomes": _("Learning outcomes"),
        "glossary": _("Glossary"),
        "sources": _("Sources and further reading"),
        "case-study": _("Case study"),
        "template": _("Template"),
        "facilitator-guide": _("Facilitator guide"),
    }
    return labels.get(kind, kind)


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _course_or_404(slug: str):
    course = services.get_course(slug)
    if course is None:
        abort(404)
    return course


@dataclass(frozen=True)
class CataloguePage:
    """What the catalogue shows every reader of one language, rendered once per content version."""

    entries: list[services.CatalogueEntry]
    card_html: dict[int, Markup]
    # (code, name) of the competences offered as a filter.
    competences: list[tuple[str, str]]


def _catalogue_page(language: str) -> CataloguePage:
    entries = services.catalogue_entries(language)
    return CataloguePage(
        entries=entries,
        # Jinja escaped every value of the card when it rendered it.
        card_html={
            entry.course_id: Markup(render_template("courses/_card.html", entry=entry))  # noqa: S704  # nosec B704
            for entry in entries
        },
        competences=[(item.code, item.name(language)) for item in active_competences()],
    )


@bp.route("/courses/")
@read_only
@public
@public_page("language", "competence")
def catalogue():
    language = request.args.get("language", "")
    competence = request.args.get("competence", "")
    reader = current_language()
    # Cards are the same for every reader of a language: only their progress is per request.
    page = cached(("catalogue", reader), lambda: _catalogue_page(reader))
    entries = services.filter_catalogue(
        page.entries,
        content_language=language if language in LANGUAGES else None,
        competence_code=competence or None,
    )
    learner_progress = (
        services.catalogue_progress(current_user.id, [entry.course_id for entry in entries])
        if current_user.is_authenticated and entries
        else {}
    )
    return render_template(
        "courses/catalogue.html",
        cards=entries,
        card_html=page.card_html,
        learner_progress=learner_progress,
        language=language,
        competence=competence,
        competences=page.competences,
    )


@bp.route("/courses/<slug>/")
@read_only
@public
@public_page()
def course(slug: str):
    course = _course_or_404(slug)
    user_id = _user_id()
    done = progress.completed_lesson_ids(user_id, course.id)
    lessons = [
        services.lesson_view(lesson, current_language(), done)
        for lesson in services.active_lessons(course)
    ]
    enrolment = progress.get_enrolment(user_id, course.id) if user_id else None
    return render_template(
        "courses/course.html",
        materials=material_services.course_materials(course.id, current_language()),
        # The course page's parts from higher packages (its quiz): see app/courses/hooks.py.
        **hooks.page_context(course),
        card=services.course_card(course, current_language()),
        lessons=lessons,
        done=sum(1 for lesson in lessons if lesson.is_done),
        enrolment=enrolment,
        # Made for a logged-in reader only: a form's CSRF token would give a visitor a session.
        form=EnrolForm() if current_user.is_authenticated else None,
        # Links for the course's own trainers (and admins): its editor, attempts, statistics.
        can_train=current_user.is_authenticated and can_edit(current_user, course),
    )


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@roles_required("learner")
def enrol(slug: str):
    course = _course_or_404(slug)
    if not EnrolForm().validate_on_submit():
        abort(400)
    progress.enrol(current_user.id, course)
    db.session.commit()
    flash(_("You are enrolled in this course."), "success")
    return redirect(url_for("courses.course", slug=slug))


def _lesson_context(slug: str, lesson_slug: str):
    course = _course_or_404(slug)
    lessons = services.active_lessons(course)
    index = next((i for i, lesson in enumerate(lessons) if lesson.slug == lesson_slug), None)
    if index is None:
        abort(404)
    return course, lessons, index


@bp.route("/courses/<slug>/lessons/<lesson_slug>")
@read_only
@roles_required("learner")
def lesson(slug: str, lesson_slug: str):
    language = current_language()
    # Titles, the lesson list and the bodies are the same for every reader: only the
    # learner's progress is read per request.
    outline = cached(("outline", slug, language), lambda: services.course_outline(slug, language))
    index = outline.index(lesson_slug) if outline else None
    if outline is None or index is None:
        abort(404)
    lessons = outline.lessons
    shown = lessons[index]
    done = progress.completed_lesson_ids(current_user.id, outline.course_id)
    return render_template(
        "courses/lesson.html",
        outline=outline,
        lesson=shown,
        body=outline.bodies[shown.text_id],
        is_done=shown.lesson_id in done,
        position=index + 1,
        total=len(lessons),
        done=sum(1 for item in lessons if item.lesson_id in done),
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        form=CompleteLessonForm(),
    )


@bp.route("/courses/<slug>/lessons/<lesson_slug>/complete", methods=["POST"])
@roles_required("learner")
def complete(slug: str, lesson_slug: str):
    course, lessons, index = _lesson_context(slug, lesson_slug)
    if not CompleteLessonForm().validate_on_submit():
        abort(400)
    enrolment = progress.complete_lesson(current_user.id, course, lessons[index])
    db.session.commit()
    if enrolment.completed_at:
        flash(_("Well done: you have completed this course."), "success")
    else:
        flash(_("Lesson marked as complete."), "success")
    if index + 1 < len(lessons):
        return redirect(url_for("courses.lesson", slug=slug, lesson_slug=lessons[index + 1].slug))
    return redirect(url_for("courses.course", slug=slug))


@bp.route("/courses/<slug>/pages/<page_slug>")
@read_only
@public
@public_page()
def page(slug: str, page_slug: str):
    """A course page: outcomes, glossary, sources, a case study, a template or the guide."""
    course = _course_or_404(slug)
    shown = material_services.course_page(course.id, page_slug, current_language())
    if shown is None:
        abort(404)
    return render_template(
        "courses/page.html", card=services.course_card(course, current_language()), page=shown
    )


@bp.route("/courses/<slug>/pages/<page_slug>/download")
@public
def download_page(slug: str, page_slug: str):
    """A template as a standalone HTML file, which word processors open for editing."""
    course = _course_or_404(slug)
    shown = material_services.course_page(course.id, page_slug, current_language())
    if shown is None or shown.kind != "template":
        abort(404)
    html = render_template("courses/page_download.html", page=shown)
    name = f"{slug}-{page_slug}.{shown.language}.html"
    return Response(
        html,
        mimetype="text/html",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/courses/<slug>/files/<path:name>")
@public
def course_file(slug: str, name: str):
    _course_or_404(slug)
    try:
        return storage().response(f"courses/{slug}/{name}", max_age=3600)
    except BadKey:
        abort(404)


@bp.route("/my/learning")
@read_only
@roles_required("learner")
def my_learning():
    groups = services.my_learning(current_user.id, current_language())
    completed = {card.course.id for card in groups["completed"]}
    assigned = [row for row in assignments_for(current_user) if row.course_id not in completed]
    return render_template(
        "courses/my_learning.html", groups=groups, assigned=assigned, today=local_today()
    )
