"""The summary of an attempt before it is submitted: what is answered, what is not."""

from __future__ import annotations

from flask import render_template
from flask_wtf.csrf import generate_csrf

from app.core.permissions import roles_required
from app.quizzes.answered import answered_slots
from app.quizzes.views import _open_attempt, bp


@bp.route("/quiz/attempts/<int:attempt_id>/summary")
@roles_required("learner")
def summary(attempt_id: int):
    attempt, closed = _open_attempt(attempt_id)
    if closed is not None:
        return closed
    answered = answered_slots(attempt)
    return render_template(
        "quizzes/summary.html",
        attempt=attempt,
        answered=answered,
        unanswered=sum(not done for done in answered.values()),
        csrf=generate_csrf(),
    )
