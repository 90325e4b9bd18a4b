"""Retention: attempts older than ATTEMPT_RETENTION_YEARS go, answers included, by the nightly
job or the CLI; what they proved (evidence, completions, certificates) stays."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select, update

from app.audit.models import AuditEntry
from app.competences.models import Evidence
from app.competences.services import EvidenceInput, record_evidence
from app.core.database import utcnow
from app.extensions import db
from app.framework.models import Competence
from app.privacy.jobs import purge_old_attempts
from app.privacy.retention import cutoff
from app.quizzes.models import AttemptAnswer, QuizAttempt
from app.quizzes.services import quiz_for_course, start_attempt, submit_attempt

RIGHT = {0: 1, 1: [0, 1], 2: True, 3: "cas", 4: "7", 5: "An essay."}


def _attempt(app, user_id: int, years_ago: float) -> int:
    from app.courses.services import get_course

    with app.app_context():
        attempt = start_attempt(user_id, quiz_for_course(get_course("alpha").id), "en")
        submit_attempt(attempt, RIGHT)
        db.session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id)
            .values(started_at=utcnow() - timedelta(days=365.25 * years_ago))
        )
        db.session.commit()
        return attempt.id


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_cli_purges_old_attempts_and_keeps_what_they_proved(app, runner, courses, make_user):
    learner = make_user()
    old = _attempt(app, learner, 6)
    recent = _attempt(app, make_user(), 1)
    with app.app_context():  # what the old attempt proved
        competence = db.session.scalar(select(Competence.id))
        record_evidence([EvidenceInput(learner, competence, 2, "quiz", attempt_id=old)])
        db.session.commit()
    evidence = _count(app, Evidence)
    result = runner.invoke(args=["privacy", "purge-attempts", "--years", "5", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 attempts started before")
    assert _count(app, QuizAttempt) == 2
    result = runner.invoke(args=["privacy", "purge-attempts", "--years", "5"])
    assert "1 attempts started before" in result.output
    with app.app_context():
        assert db.session.get(QuizAttempt, old) is None
        assert db.session.get(QuizAttempt, recent) is not None
        leftover = select(func.count()).select_from(AttemptAnswer)
        assert db.session.scalar(leftover.where(AttemptAnswer.attempt_id == old)) == 0
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == evidence
        assert (
            db.session.scalar(select(Evidence.attempt_id).where(Evidence.user_id == learner))
            is None
        )
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attempts_purged"))
        assert json.loads(entry.details)["count"] == 1
    result = runner.invoke(args=["privacy", "purge-attempts", "--years", "0"])
    assert result.exit_code != 0  # never "everything"


def test_the_nightly_job_follows_the_setting(app, courses, make_user):
    old = _attempt(app, make_user(), 3)
    app.config["ATTEMPT_RETENTION_YEARS"] = 0  # kept for ever
    try:
        with app.app_context():
            purge_old_attempts.call_local()
            assert db.session.get(QuizAttempt, old) is not None
        app.config["ATTEMPT_RETENTION_YEARS"] = 2
        with app.app_context():
            purge_old_attempts.call_local()
            assert db.session.get(QuizAttempt, old) is None
    finally:
        app.config["ATTEMPT_RETENTION_YEARS"] = 5


def test_the_cutoff_of_29_february():
    from datetime import UTC, datetime

    assert cutoff(1, datetime(2028, 2, 29, 12, tzinfo=UTC)) == datetime(2027, 2, 28, 12, tzinfo=UTC)
