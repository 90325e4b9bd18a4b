"""The trainers' progress report of a course: who started, completed, is stuck; each lesson."""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from app.core.i18n import current_language
from app.core.paging import paginate_rows
from app.core.permissions import roles_required
from app.courses.services import course_card, get_course
from app.quizzes import progress_report, services
from app.quizzes.views import TRAINERS, _trainer_of, bp


@bp.route("/courses/<slug>/progress")
@roles_required(*TRAINERS)
def progress(slug: str):
    course = get_course(slug, with_content=False)
    if course is None:
        abort(404)
    _trainer_of(course)
    quiz = services.quiz_for_course(course.id)
    status = request.args.get("status")
    status = status if status in progress_report.STATUSES else None
    # The states' counts are the list's total too: the learners' aggregates (every enrolled
    # learner's lessons and attempts) are computed twice a view, not three times.
    counts = progress_report.status_counts(course, quiz)
    page = paginate_rows(
        progress_report.learners_query(course, quiz, status),
        current_app.config["LIST_PER_PAGE"],
        total=counts[status] if status else sum(counts.values()),
    )
    language = current_language()
    return render_template(
        "quizzes/progress.html",
        card=course_card(course, language),
        rows=progress_report.learner_rows(page.items),
        page=page,
        status=status,
        counts=counts,
        lessons=progress_report.lesson_rows(course, language),
        has_quiz=quiz is not None,
        stuck_days=progress_report.STUCK_AFTER.days,
    )
