"""Notifications hang off the domain events: the packages below never call up to send them."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.auth.models import User
from app.certificates.models import Certificate
from app.core import events, jobs
from app.extensions import db
from app.notifications import notices, sending
from app.notifications.jobs import notify_assignment
from app.quizzes.models import AttemptAnswer, QuizAttempt


def on_assignment_made(_sender: object, *, assignment_id: int, **_: Any) -> None:
    # A job role may be a hundred people: their mails are written by the worker, once the
    # assignment is committed.
    jobs.after_commit(notify_assignment, assignment_id)


def on_certificate_issued(_sender: object, *, certificate_id: int, user_id: int, **_: Any) -> None:
    """One mail, in the certificate's own transaction: issued and told, or neither."""
    certificate = db.session.get(Certificate, certificate_id)
    user = db.session.get(User, user_id)
    if certificate is not None and user is not None:
        sending.send(user, [notices.certificate_issued(certificate)])


def on_answer_graded(_sender: object, *, attempt_id: int, learner_id: int, **_: Any) -> None:
    """When the last essay of an attempt is graded, the learner is told once (graders of one
    attempt take turns on its row lock, so exactly one of them sees none left)."""
    waiting = db.session.scalar(
        select(func.count())
        .select_from(AttemptAnswer)
        .where(AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.needs_grading.is_(True))
    )
    attempt = db.session.get(QuizAttempt, attempt_id)
    user = db.session.get(User, learner_id)
    if not waiting and attempt is not None and user is not None:
        sending.send(user, [notices.essay_graded(attempt)])


def init_app(_app: Flask) -> None:
    events.assignment_made.connect(on_assignment_made)
    events.certificate_issued.connect(on_certificate_issued)
    events.answer_graded.connect(on_answer_graded)
