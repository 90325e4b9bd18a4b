"""Evidence and the level rule: expiry, supersession, self-assessment; evidence from quizzes
and course completion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.competences.models import Evidence
from app.competences.services import (
    EvidenceError,
    EvidenceInput,
    add_months,
    current_levels,
    record_evidence,
    supersede,
)
from app.courses.services import get_course
from app.extensions import db
from app.framework.models import Competence
from app.quizzes import services as quizzes
from tests.conftest import login, post


def competence(code: str) -> int:
    return db.session.scalar(select(Competence.id).where(Competence.code == code))


def test_add_months_keeps_the_day_where_it_can():
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 15, tzinfo=UTC), 36) == datetime(2029, 11, 15, tzinfo=UTC)


def test_level_is_the_highest_verified_unexpired_evidence(app, courses, ctx, make_user):
    learner, newcomer = make_user(), make_user()
    planning, cooperation = competence("activation-planning"), competence("cooperation")
    long_ago = datetime.now(UTC) - timedelta(days=365 * 4)
    # activation-planning is valid for 36 months: evidence from four years ago has expired.
    record_evidence(
        [EvidenceInput(learner, planning, 4, "rating", recorded_by_id=learner)], now=long_ago
    )
    record_evidence(
        [
            EvidenceInput(learner, planning, 2, "course"),
            EvidenceInput(learner, cooperation, 3, "quiz"),
            EvidenceInput(learner, cooperation, 1, "course"),
            EvidenceInput(learner, planning, 4, "self"),
        ]
    )
    levels = current_levels([learner])
    assert levels[(learner, planning)].level == 2
    assert levels[(learner, planning)].self_level == 4  # shown, never counted
    assert levels[(learner, cooperation)].level == 3  # cooperation has no expiry
    assert current_levels([newcomer]) == {}


def test_a_corrected_rating_supersedes_and_both_stay(app, courses, ctx, make_user):
    learner, assessor = make_user(), make_user(roles={"trainer"})
    cooperation = competence("cooperation")
    (wrong,) = record_evidence(
        [EvidenceInput(learner, cooperation, 4, "rating", recorded_by_id=assessor)]
    )
    assert current_levels([learner])[(learner, cooperation)].level == 4
    fixed = supersede(wrong, 2, assessor, "Typing error: meant level 2.")
    assert fixed.supersedes_id == wrong.id
    assert current_levels([learner])[(learner, cooperation)].level == 2
    assert len(db.session.scalars(select(Evidence)).all()) == 2
    with pytest.raises(EvidenceError):
        supersede(wrong, 3, assessor, "again")
    with pytest.raises(EvidenceError):
        record_evidence([EvidenceInput(learner, cooperation, 5, "rating")])


def test_a_passed_quiz_and_a_completed_course_give_evidence(app, client, courses, make_user):
    learner = make_user()
    login(client, learner)
    post(client, "/courses/beta/lessons/only/complete")  # beta develops cooperation to level 1
    with app.app_context():
        quiz = quizzes.quiz_for_course(get_course("alpha").id)
        attempt = quizzes.start_attempt(learner, quiz, "en")
        # Only the first question is tagged (activation-planning @ 2): answer it right.
        quizzes.submit_attempt(attempt, {0: 1, 1: [0, 1], 2: True, 3: "cas", 4: "7"})
        db.session.commit()
        rows = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
        assert [(row.source, row.competence.code, row.level) for row in rows] == [
            ("course", "cooperation", 1),
            ("quiz", "activation-planning", 2),
        ]
        assert rows[1].attempt_id == attempt.id
        assert rows[1].expires_at is not None  # 36 months of validity


def test_a_failed_tagged_question_gives_no_evidence(app, courses, ctx, make_user):
    learner = make_user()
    quiz = quizzes.quiz_for_course(get_course("alpha").id)
    attempt = quizzes.start_attempt(learner, quiz, "en")
    quizzes.submit_attempt(attempt, {0: 0})
    db.session.commit()
    assert db.session.scalars(select(Evidence)).all() == []


def test_recording_evidence_takes_the_same_queries_however_many_records(
    app, courses, ctx, make_user
):
    from app.core.database import count_queries

    user = make_user()
    # One competence expires, the other does not: rows of both kinds in one call.
    ids = [competence("activation-planning"), competence("cooperation")]
    with count_queries() as few:
        record_evidence([EvidenceInput(user, ids[0], 1, "rating"),
                         EvidenceInput(user, ids[1], 1, "rating")])  # fmt: skip
    levels = (1, 2, 3, 4)
    with count_queries() as many:
        rows = record_evidence(
            [EvidenceInput(user, ids[number % 2], level, "quiz")
             for number, level in enumerate(levels * 2)]
        )  # fmt: skip
    assert few.count == many.count <= 3
    assert sorted((row.competence_id, row.level) for row in rows) == sorted(
        (ids[number % 2], level) for number, level in enumerate(levels * 2)
    )
    assert all(row.id and row.is_verified for row in rows)
