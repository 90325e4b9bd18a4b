"""Retention: quiz attempts older than ATTEMPT_RETENTION_YEARS are deleted, answers included.

What they proved stays: the evidence recorded from them (its link to the attempt is cut),
the completion of the course and the certificate.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update

from app.competences.models import Evidence
from app.core import events
from app.core.database import utcnow
from app.extensions import db
from app.quizzes.models import AttemptAnswer, QuizAttempt


def cutoff(years: int, now: datetime | None = None) -> datetime:
    now = now or utcnow()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def old_attempts(before: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(QuizAttempt).where(QuizAttempt.started_at < before)
        )
        or 0
    )


def purge_attempts(before: datetime) -> int:
    """Delete the attempts started before `before`; returns how many."""
    old = select(QuizAttempt.id).where(QuizAttempt.started_at < before)
    count = old_attempts(before)
    if not count:
        return 0
    db.session.execute(
        update(Evidence)
        .where(Evidence.attempt_id.in_(old))
        .values(attempt_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(old)))
    db.session.execute(
        delete(QuizAttempt).where(QuizAttempt.started_at < before),
        execution_options={"synchronize_session": False},
    )
    events.attempts_purged.send(None, count=count, before=before)
    return count
