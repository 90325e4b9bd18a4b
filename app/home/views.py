"""The dashboard at / and the accessibility statement with its feedback form."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.certificates import listing
from app.competences.expiry import expiring_soon
from app.core import jobs, mail
from app.core.database import local_today
from app.core.i18n import current_language
from app.core.permissions import public
from app.courses import services as course_services
from app.courses.assignments import assignments_for
from app.courses.resume import resume_point
from app.courses.trainers import editable_courses
from app.extensions import db, limiter
from app.home.forms import FeedbackForm
from app.quizzes import services as quiz_services

bp = Blueprint("home", __name__)

# The date the statement was prepared and last reviewed (the EU model statement asks for both).
STATEMENT_PREPARED = date(2026, 12, 7)


def _waiting_essays() -> int:
    course_ids = None
    if not current_user.has_role("admin"):
        course_ids = [course.id for course in editable_courses(current_user)]
    query = quiz_services.grading_query(course_ids, grader_id=current_user.id)
    count: int = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return count


def _is_trainer() -> bool:
    return bool(current_user.has_role("trainer") or current_user.has_role("admin"))


@bp.route("/")
@public
def dashboard():
    """Learners see where to go on; staff also what waits for them."""
    if not current_user.is_authenticated:
        return redirect(url_for("courses.catalogue"))
    language = current_language()
    groups = course_services.my_learning(current_user.id, language)
    completed = {card.course.id for card in groups["completed"]}
    assigned = [row for row in assignments_for(current_user) if row.course_id not in completed]
    return render_template(
        "home/dashboard.html",
        resume=resume_point(current_user.id, language),
        in_progress=groups["in_progress"] + groups["enrolled"],
        completed=len(groups["completed"]),
        assigned=assigned,
        today=local_today(),
        certificates=listing.learner_certificates(current_user.id)[:3],
        expiring=expiring_soon(current_user.id),
        essays=_waiting_essays() if _is_trainer() else None,
        job_failures=jobs.unresolved_failures() if current_user.has_role("admin") else None,
    )


@bp.route("/accessibility", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["FEEDBACK_RATE_LIMIT"], methods=["POST"])
def accessibility():
    """The accessibility statement (after the EU model, Decision (EU) 2018/1523) and a form to
    report a barrier, which goes to the operator's contact address."""
    form = FeedbackForm()
    if current_user.is_authenticated and not form.is_submitted():
        form.email.data = current_user.email
    if form.validate_on_submit():
        to = mail.Recipient(
            current_app.config["ACCESSIBILITY_CONTACT"],
            "",
            current_app.config["ACCESSIBILITY_LANGUAGE"],
        )
        with force_locale(to.language):  # in the language of whoever answers it
            mail.send(
                to,
                _("Accessibility feedback"),
                "accessibility_feedback",
                kind="accessibility-feedback",
                page=form.page.data,
                message=form.message.data,
                reply_to=form.email.data,
                reporter_language=current_language(),
            )
        db.session.commit()
        flash(_("Thank you. Your message has been sent; we answer within 14 days."), "success")
        return redirect(url_for("home.accessibility"))
    return render_template(
        "home/accessibility.html",
        form=form,
        contact=current_app.config["ACCESSIBILITY_CONTACT"],
        prepared=STATEMENT_PREPARED,
    ), (400 if form.is_submitted() else 200)
