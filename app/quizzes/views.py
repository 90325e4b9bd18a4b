"""Quiz pages: start, answer with autosave, submit, result; trainers' attempts, statistics,
grading, and the way to the editor's import from Moodle."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.core.csvexport import csv_response
from app.core.forms import ConfirmForm
from app.core.i18n import current_language
from app.core.params import arg_id, filter_args
from app.core.permissions import roles_required, wants_json
from app.courses.services import course_card, get_course
from app.courses.trainers import can_edit, editable_courses
from app.extensions import db
from app.questions.types import QUESTION_TYPES, QuestionType
from app.quizzes import services
from app.quizzes.answered import answered_slots, is_answered
from app.quizzes.forms import GradeForm, StartForm
from app.quizzes.models import AttemptAnswer, QuizAttempt
from app.quizzes.statistics import answer_rows, quiz_report, statistics_csv

bp = Blueprint("quizzes", __name__)
TRAINERS = ("trainer", "admin")


@bp.app_template_global()
def question_type(name: str) -> QuestionType:
    """A question's type in templates: its `template` renders it, `has_score` says if it counts."""
    return QUESTION_TYPES[name]


def _course_and_quiz(slug: str):
    course = get_course(slug, with_content=False)
    quiz = services.quiz_for_course(course.id) if course else None
    if quiz is None:
        abort(404)
    return course, quiz


def _own_attempt(attempt_id: int) -> QuizAttempt:
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(403)
    return attempt


def _open_attempt(attempt_id: int) -> tuple[QuizAttempt, ResponseReturnValue | None]:
    """The learner's own attempt, graded first if its time ran out; with the redirect to its
    result when it is no longer open (None while the learner may go on answering)."""
    attempt = _own_attempt(attempt_id)
    if services.finish_if_expired(attempt):
        db.session.commit()
        flash(_("The time was up: your attempt was graded with the answers you had saved."), "info")
    if attempt.state != "in_progress":
        return attempt, redirect(url_for("quizzes.result", attempt_id=attempt.id))
    return attempt, None


def _trains(course) -> bool:
    """Trainers see attempts, statistics and essays of the courses they are assigned to."""
    return can_edit(current_user, course)


def _trainer_of(course) -> None:
    if not _trains(course):
        abort(403)


@bp.route("/courses/<slug>/quiz")
@roles_required("learner")
def quiz_home(slug: str):
    course, quiz = _course_and_quiz(slug)
    attempts = services.attempts_of(current_user.id, quiz.id)
    # Commit only when a timed-out attempt was graded: a commit expires every loaded attempt,
    # and the page would then reload them one query each.
    finished = [attempt for attempt in attempts if services.finish_if_expired(attempt)]
    if finished:
        db.session.commit()
    return render_template(
        "quizzes/quiz.html",
        card=course_card(course, current_language()),
        quiz=quiz,
        attempts=attempts,
        left=services.attempts_left(quiz, len(attempts)),
        in_progress=next((a for a in attempts if a.state == "in_progress"), None),
        form=StartForm(),
    )


@bp.route("/courses/<slug>/quiz/start", methods=["POST"])
@roles_required("learner")
def start(slug: str):
    _course, quiz = _course_and_quiz(slug)
    if not StartForm().validate_on_submit():
        abort(400)
    try:
        attempt = services.start_attempt(current_user.id, quiz, current_language())
    except services.NoAttemptsLeft:
        flash(_("You have used all your attempts at this quiz."), "error")
        return redirect(url_for("quizzes.quiz_home", slug=slug))
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


@bp.route("/quiz/attempts/<int:attempt_id>")
@roles_required("learner")
def attempt(attempt_id: int):
    attempt, closed = _open_attempt(attempt_id)
    if closed is not None:
        return closed
    saved = {answer.slot: (answer.response or {}).get("value") for answer in attempt.answers}
    return render_template(
        "quizzes/attempt.html",
        attempt=attempt,
        course=attempt.quiz.course,
        saved=saved,
        answered=answered_slots(attempt),
        csrf=generate_csrf(),
    )


@bp.route("/quiz/attempts/<int:attempt_id>/save", methods=["POST"])
@roles_required("learner")
def save(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    responses = services.responses_from_form(attempt, request.form.to_dict(flat=False))
    try:
        services.save_responses(attempt, responses)
    except services.AttemptClosed:
        db.session.commit()  # an expired attempt was graded: keep that
        message = _("This attempt is closed; your saved answers were graded.")
        if wants_json():
            result = url_for("quizzes.result", attempt_id=attempt.id)
            return jsonify(saved=False, message=message, result=result), 409
        flash(message, "info")
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    db.session.commit()
    if wants_json():
        return jsonify(saved=True, message=_("All answers saved."))
    if request.form.get("review"):  # "Review and submit": saved first, then the summary
        return redirect(url_for("quizzes.summary", attempt_id=attempt.id))
    flash(_("Your answers are saved."), "success")
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


@bp.route("/quiz/attempts/<int:attempt_id>/submit", methods=["POST"])
@roles_required("learner")
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    was_open = attempt.state == "in_progress"
    expired = services.is_expired(attempt)
    responses = services.responses_from_form(attempt, request.form.to_dict(flat=False))
    # Nothing answered, saved or sent: ask first, for the attempt cannot be taken back.
    if (
        was_open
        and not expired
        and not request.form.get("confirm-empty")
        # What the form sends first: only a submit that sends nothing reads the saved answers.
        and not any(is_answered(value) for value in responses.values())
        and not any(answered_slots(attempt).values())
    ):
        flash(_("You have not answered any question. Confirm below to submit anyway."), "error")
        return redirect(url_for("quizzes.summary", attempt_id=attempt.id))
    services.submit_attempt(attempt, responses)
    # Worded before the commit: afterwards the learner's language is one more query away.
    message = None
    if was_open and expired:
        message = (
            _("The time was up: your attempt was graded with the answers you had saved."),
            "info",
        )
    elif was_open:
        message = (_("Your attempt is submitted."), "success")
    db.session.commit()
    if message:
        flash(*message)
    return redirect(url_for("quizzes.result", attempt_id=attempt_id))


@bp.route("/quiz/attempts/<int:attempt_id>/result")
@roles_required("learner")
def result(attempt_id: int):
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    is_owner = attempt.user_id == current_user.id
    if not is_owner and not _trains(attempt.quiz.course):
        abort(403)
    if attempt.state == "in_progress":
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    quiz = attempt.quiz
    used = len(services.attempts_of(attempt.user_id, quiz.id))
    passed = services.has_passed(attempt.user_id, quiz.id)
    # Trainers always see the answers; the learner as the quiz's review policy allows.
    with_answers = (not is_owner) or services.may_review(quiz, attempt, used, passed)
    return render_template(
        "quizzes/result.html",
        attempt=attempt,
        quiz=quiz,
        card=course_card(quiz.course, current_language()),
        rows=services.review(attempt, with_answers),
        with_answers=with_answers,
        is_owner=is_owner,
    )


# --- Trainers ---------------------------------------------------------------------------


@bp.route("/courses/<slug>/quiz/attempts")
@roles_required(*TRAINERS)
def attempts(slug: str):
    course, quiz = _course_and_quiz(slug)
    _trainer_of(course)
    page = db.paginate(
        services.attempts_query(quiz.id),
        per_page=current_app.config["LIST_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "quizzes/attempts.html", card=course_card(course, current_language()), page=page
    )


@bp.route("/courses/<slug>/quiz/statistics")
@roles_required(*TRAINERS)
def statistics(slug: str):
    course, quiz = _course_and_quiz(slug)
    _trainer_of(course)
    report = quiz_report(quiz, current_language(), current_app.config["STATISTICS_MAX_AGE"])
    if request.args.get("format") == "csv":
        response = Response(
            statistics_csv(report.items),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{slug}-statistics.csv"'},
        )
    else:
        response = Response(
            render_template(
                "quizzes/statistics.html",
                card=course_card(course, current_language()),
                count=report.attempts,
                items=report.items,
                report=report,
                max_age_minutes=round(current_app.config["STATISTICS_MAX_AGE"] / 60),
                form=ConfirmForm(),
            )
        )
    if report.computed:
        db.session.commit()  # kept for every server (after the page: a commit expires the rows)
    return response


@bp.route("/courses/<slug>/quiz/statistics/recalculate", methods=["POST"])
@roles_required(*TRAINERS)
def recalculate_statistics(slug: str):
    """Compute the statistics again now, with every finished attempt (Moodle's "Recalculate")."""
    course, quiz = _course_and_quiz(slug)
    _trainer_of(course)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    quiz_report(quiz, current_language(), max_age=0)
    db.session.commit()
    return redirect(url_for("quizzes.statistics", slug=slug))


@bp.route("/courses/<slug>/quiz/answers.csv")
@roles_required(*TRAINERS)
def answers(slug: str):
    course, quiz = _course_and_quiz(slug)
    _trainer_of(course)
    # Formula-safe, UTF-8 with a BOM, streamed: a busy quiz has hundreds of thousands of rows.
    return csv_response(answer_rows(quiz), f"{slug}-answers.csv")


@bp.route("/quiz/grading")
@roles_required(*TRAINERS)
def grading():
    """Essays to grade, oldest first; filtered by course and by the learner's name."""
    courses = editable_courses(current_user)
    course_ids = None if current_user.has_role("admin") else [course.id for course in courses]
    chosen = arg_id("course")
    if chosen and (course_ids is None or chosen in course_ids):
        course_ids = [chosen]
    learner = request.args.get("q", "").strip()[:100]
    page = db.paginate(
        services.grading_query(course_ids, grader_id=current_user.id, learner=learner),
        per_page=current_app.config["LIST_PER_PAGE"],
        error_out=False,
    )
    language = current_language()
    return render_template(
        "quizzes/grading.html",
        page=page,
        courses=[(course.id, course_card(course, language).title) for course in courses],
        chosen=chosen,
        learner=learner,
        filters=filter_args(),
    )


@bp.route("/quiz/grading/<int:answer_id>", methods=["GET", "POST"])
@roles_required(*TRAINERS)
def grade(answer_id: int):
    answer = db.get_or_404(AttemptAnswer, answer_id)
    _trainer_of(answer.attempt.quiz.course)
    if answer.attempt.user_id == current_user.id:
        abort(403)  # nobody grades their own answers
    if not answer.needs_grading:
        flash(_("This answer has already been graded."), "info")
        return redirect(url_for("quizzes.grading"))
    form = GradeForm()
    if form.validate_on_submit():
        try:
            # InputRequired: the percentage is there once the form validates.
            percent = float(form.percent.data or 0)
            services.grade_answer(answer, current_user.id, percent / 100, form.comment.data or "")
        except services.AlreadyGraded:
            db.session.rollback()
            flash(_("This answer has already been graded."), "info")
            return redirect(url_for("quizzes.grading"))
        db.session.commit()
        flash(_("Grade saved."), "success")
        return redirect(url_for("quizzes.grading"))
    slot = answer.attempt.slots[answer.slot]
    return render_template(
        "quizzes/grade.html",
        answer=answer,
        slot=slot,
        response=(answer.response or {}).get("value") or "",
        form=form,
    )


@bp.route("/courses/<slug>/quiz/import")
@roles_required(*TRAINERS)
def import_gift(slug: str):
    """Imports go through the course's draft now: the editor's import page."""
    course = get_course(slug, with_content=False)
    if course is None:
        abort(404)
    _trainer_of(course)
    return redirect(url_for("authoring.quiz_import", slug=slug), 301)


# The progress report and the attempt's summary register on the same blueprint.
from app.quizzes import attempt_views, report_views  # noqa: E402, F401
