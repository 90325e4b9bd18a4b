"""The grading queue filtered by course and by the learner's name (diacritics folded)."""

from __future__ import annotations

from app.courses.services import get_course
from app.extensions import db
from app.quizzes import services
from tests.conftest import assign_trainer, login


def _essay(app, make_user, name: str) -> None:
    learner = make_user(full_name=name)
    with app.app_context():
        quiz = services.quiz_for_course(get_course("alpha").id)
        attempt = services.start_attempt(learner, quiz, "en")
        db.session.commit()
        responses = dict.fromkeys(range(len(attempt.slots)))
        responses[len(attempt.slots) - 1] = "An essay long enough to be graded."
        services.submit_attempt(attempt, responses)
        db.session.commit()


def test_the_queue_filters_by_learner_and_course(app, client, courses, make_user):
    _essay(app, make_user, "Ana Šimić")
    _essay(app, make_user, "Bor Novak")
    trainer = make_user(roles={"trainer"})
    assign_trainer(app, trainer, "alpha")
    login(client, trainer)
    html = client.get("/quiz/grading").get_data(as_text=True)
    assert "Ana Šimić" in html
    assert "Bor Novak" in html
    only = client.get("/quiz/grading?q=simic").get_data(as_text=True)
    assert "Ana Šimić" in only
    assert "Bor Novak" not in only
    with app.app_context():
        alpha, beta = get_course("alpha").id, get_course("beta").id
    assert "Bor Novak" in client.get(f"/quiz/grading?course={alpha}").get_data(as_text=True)
    # A course the trainer does not train shows nothing of it, and no more than their own.
    other = client.get(f"/quiz/grading?course={beta}").get_data(as_text=True)
    assert "Ana Šimić" in other  # the filter is ignored: the trainer's own courses
    assert client.get("/quiz/grading?course=abc").status_code == 200
