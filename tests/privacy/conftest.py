"""A learner with something of everything held about a person: attempts with a typed essay,
evidence with a rater's comment, a certificate, an e-mail and audit entries."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.auth import selfservice
from app.auth.models import User
from app.certificates.services import issue
from app.competences.services import EvidenceInput, record_evidence
from app.courses.services import get_course
from app.extensions import db
from app.framework.models import Competence
from app.quizzes import services as quizzes

ESSAY = "My case: a family in Laško, visited twice."


@dataclass
class Person:
    id: int
    email: str
    certificate_id: int
    certificate_code: str
    attempt_id: int


@pytest.fixture
def person(app, courses, make_user) -> Person:
    email = "vesna.kos@example.org"
    user_id = make_user(email=email, full_name="Vesna Kos", language="sl")
    rater = make_user(roles={"trainer"}, full_name="Rater One")
    with app.app_context():
        user = db.session.get(User, user_id)
        quiz = quizzes.quiz_for_course(get_course("alpha").id)
        attempt = quizzes.start_attempt(user_id, quiz, "sl")
        quizzes.submit_attempt(attempt, {0: 1, 3: "cas", 5: ESSAY})
        competence = db.session.scalar(db.select(Competence.id))
        record_evidence(
            [
                EvidenceInput(
                    user_id, competence, 2, "rating", recorded_by_id=rater,
                    comment="Knows the clients well.",
                )
            ]
        )  # fmt: skip
        certificate, _ = issue(user, get_course("beta"))
        selfservice.request_reset(email)
        db.session.commit()
        return Person(user_id, email, certificate.id, certificate.code, attempt.id)
