"""Races and insiders around attempts: parallel autosaves, saves after the submit, own essays."""

from __future__ import annotations

import contextlib
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.questions.storage import question_from_dict
from app.questions.types import QUESTION_TYPES
from app.quizzes import services
from app.quizzes.models import AttemptAnswer, QuizAttempt
from tests.conftest import assign_trainer, at_once, csrf_token, login, post
from tests.quizzes.test_attempts import RIGHT, quiz_of, start


def test_parallel_autosaves_of_a_new_attempt_all_succeed(app, courses, make_user):
    learner = make_user()
    with app.app_context():
        attempt_id = services.start_attempt(learner, quiz_of(app), "en").id
        db.session.commit()
    browsers = []
    for _ in range(8):
        browser = app.test_client()
        login(browser, learner)
        browsers.append((browser, csrf_token(browser)))
    statuses: list[int] = []

    def save(index: int) -> None:
        browser, token = browsers[index]
        answer = {"csrf_token": token, "q0": str(index % 3), "q3": f"answer {index}"}
        statuses.append(browser.post(f"/quiz/attempts/{attempt_id}/save", data=answer).status_code)

    assert at_once(len(browsers), save) == []
    assert statuses == [302] * len(browsers)
    with app.app_context():
        for slot in (0, 3):
            rows = db.session.scalar(
                select(func.count(AttemptAnswer.id)).where(
                    AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.slot == slot
                )
            )
            assert rows == 1


def test_a_save_that_arrives_after_the_submit_changes_nothing(app, courses, make_user):
    learner = make_user()
    with app.app_context():
        attempt_id = services.start_attempt(learner, quiz_of(app), "en").id
        db.session.commit()
    with app.app_context():
        late = db.session.get(QuizAttempt, attempt_id)  # loaded while still open
        assert late.state == "in_progress"
        with app.app_context():  # the submit, from another request, commits first
            services.submit_attempt(db.session.get(QuizAttempt, attempt_id), {0: 1, 2: True})
            db.session.commit()
            graded = db.session.get(QuizAttempt, attempt_id).score
        with pytest.raises(services.AttemptClosed):
            services.save_responses(late, {0: 0, 2: False, 3: "rewritten"})
        db.session.commit()
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        answers = {answer.slot: answer.response for answer in attempt.answers}
        assert answers[0] == {"value": 1}
        assert answers[3] in (None, {"value": None})
        assert attempt.score == graded


def test_autosaves_racing_the_submit_never_change_a_graded_attempt(app, courses, make_user):
    learner = make_user()
    with app.app_context():
        attempt_id = services.start_attempt(learner, quiz_of(app), "en").id
        db.session.commit()

    def work(index: int) -> None:
        with app.app_context():
            attempt = db.session.get(QuizAttempt, attempt_id)
            if index == 0:
                services.submit_attempt(attempt, {0: 1})
            else:
                with contextlib.suppress(services.AttemptClosed):
                    services.save_responses(attempt, {0: 0, 3: f"late {index}"})
            db.session.commit()

    assert at_once(6, work) == []
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.state != "in_progress"
        # What was graded is what is stored: no save slipped in after the grading.
        for answer in attempt.answers:
            slot = attempt.slots[answer.slot]
            question = question_from_dict(slot["question"])
            kind = QUESTION_TYPES[question.type]
            if answer.fraction is None or not kind.is_graded_automatically:
                continue
            value = (answer.response or {}).get("value")
            expected = kind.grade(question, value).fraction if value is not None else 0.0
            assert answer.fraction == (expected or 0.0), answer.slot


def test_a_trainer_cannot_grade_their_own_essay(app, client, courses, make_user):
    trainer = make_user(roles={"trainer"})
    assign_trainer(app, trainer, "alpha")
    login(client, trainer)
    attempt = start(client)
    client.post(
        f"/quiz/attempts/{attempt}/submit", data={"csrf_token": csrf_token(client), **RIGHT}
    )
    with app.app_context():
        essay = db.session.scalar(
            select(AttemptAnswer.id).where(
                AttemptAnswer.attempt_id == attempt, AttemptAnswer.needs_grading.is_(True)
            )
        )
    queue = client.get("/quiz/grading").get_data(as_text=True)
    assert f"/quiz/grading/{essay}" not in queue
    assert client.get(f"/quiz/grading/{essay}").status_code == 403
    response = post(client, f"/quiz/grading/{essay}", {"percent": "100", "comment": "Mine."})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(AttemptAnswer, essay).needs_grading is True
        with pytest.raises(services.GradingRefused):
            services.grade_answer(db.session.get(AttemptAnswer, essay), trainer, 1.0, "")


def test_a_grade_of_zero_is_accepted(app, client, courses, make_user):
    learner, trainer = make_user(), make_user(roles={"trainer"})
    assign_trainer(app, trainer, "alpha")
    login(client, learner)
    attempt = start(client)
    client.post(
        f"/quiz/attempts/{attempt}/submit", data={"csrf_token": csrf_token(client), **RIGHT}
    )
    login(client, trainer)
    essay = int(re.search(r"/quiz/grading/(\d+)", client.get("/quiz/grading").text).group(1))
    assert (
        post(client, f"/quiz/grading/{essay}", {"percent": "0", "comment": ""}).status_code == 302
    )
    with app.app_context():
        assert db.session.get(AttemptAnswer, essay).fraction == 0.0


def test_two_trainers_grading_the_last_essays_finish_the_attempt_once(app, courses, make_user):
    learner = make_user()
    graders = [make_user(roles={"trainer"}) for _ in range(2)]
    with app.app_context():
        attempt = services.start_attempt(learner, quiz_of(app), "en")
        services.submit_attempt(attempt, {0: 1, 1: [0, 1], 2: True, 3: "cas", 4: "7", 5: "E."})
        db.session.commit()
        attempt_id = attempt.id
        essay = db.session.scalar(
            select(AttemptAnswer.id).where(
                AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.needs_grading.is_(True)
            )
        )
    outcomes: list[str] = []

    def grade(index: int) -> None:
        with app.app_context():
            try:
                services.grade_answer(db.session.get(AttemptAnswer, essay), graders[index], 1, "")
                outcomes.append("graded")
            except services.AlreadyGraded:
                outcomes.append("refused")
            db.session.commit()

    assert at_once(2, grade) == []
    assert sorted(outcomes) == ["graded", "refused"]
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).state == "finished"
