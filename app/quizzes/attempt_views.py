"""The summary of an attempt before it is submitted: what is answered, what is not."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from app.core.permissions import roles_required
from app.extensions import db
from app.quizzes import services
from app.quizzes.answered import answered_slots
from app.quizzes.views import _own_attempt, bp


@bp.route("/quiz/attempts/<int:attempt_id>/summary")
@roles_required("learner")
def summary(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if services.finish_if_expired(attempt):
        db.session.commit()
        flash(_("The time was up: your attempt was graded with the answers you had saved."), "info")
    if attempt.state != "in_progress":
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    answered = answered_slots(attempt)
    return render_template(
        "quizzes/summary.html",
        attempt=attempt,
        answered=answered,
        unanswered=sum(not done for done in answered.values()),
        csrf=generate_csrf(),
    )
