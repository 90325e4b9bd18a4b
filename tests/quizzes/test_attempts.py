"""Attempts through the real app: autosave, submit once, time limit, attempts, review policy,
essays, course completion, statistics."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.core.database import count_queries, utcnow
from app.courses.models import Enrolment
from app.courses.services import get_course
from app.extensions import db
from app.quizzes import services
from app.quizzes.models import AttemptAnswer, Quiz, QuizAttempt, QuizItem
from tests.conftest import assign_trainer, csrf_token, login, post

# The alpha quiz, slot by slot: single (b right), multiple (0 and 1), true/false (true),
# short answer (čas, diacritics ignored), numerical (7), essay.
RIGHT = {"q0": "1", "q1": ["0", "1"], "q2": "true", "q3": "cas", "q4": "7,0", "q5": "An essay."}


def page(response) -> str:
    return response.get_data(as_text=True)


def quiz_of(app, slug: str = "alpha") -> Quiz:
    return services.quiz_for_course(get_course(slug).id)


def start(client) -> int:
    response = post(client, "/courses/alpha/quiz/start")
    assert response.status_code == 302, page(response)
    return int(re.search(r"/quiz/attempts/(\d+)", response.headers["Location"]).group(1))


def with_token(client, attempt: int, data: dict) -> dict:
    return {"csrf_token": csrf_token(client), **data}


def test_sync_loads_the_quiz_in_every_language(app, runner, courses):
    with app.app_context():
        quiz = quiz_of(app)
        assert quiz.pass_mark == 60
        assert quiz.max_attempts == 2
        assert [item.key for item in quiz.items] == [
            "first-step",
            "partners",
            "voluntary",
            "time-word",
            "partner-count",
            "case",
        ]
        assert set(quiz.items[0].texts) == {"sl", "hr", "en"}
        assert quiz.items[0].competence_level == 2
        assert "<p>What is the first step (hr)?</p>" in quiz.items[0].texts["hr"]["html"]["stem"]
    result = runner.invoke(args=["courses", "sync", "tests/data/courses"])
    assert result.output.strip() == "Nothing changed."


def test_the_attempt_page_never_leaks_answers(app, client, courses, make_user):
    login(client, make_user())
    attempt = start(client)
    html = page(client.get(f"/quiz/attempts/{attempt}"))
    assert "What is the first step (en)?" in html
    for secret in ("Yes: the first contact", "The process starts with contact", "čas",
                   "Closing comes last", "fraction", "correct"):  # fmt: skip
        assert secret not in html
    assert "checked" not in html


def test_answers_are_saved_as_the_learner_goes(app, client, courses, make_user):
    login(client, make_user())
    attempt = start(client)
    response = client.post(
        f"/quiz/attempts/{attempt}/save",
        data=with_token(client, attempt, {"q0": "1", "q3": "čas"}),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert json.loads(response.data)["saved"] is True
    # A partial save (one field) does not blank the others.
    client.post(f"/quiz/attempts/{attempt}/save", data=with_token(client, attempt, {"q4": "3"}))
    html = page(client.get(f"/quiz/attempts/{attempt}"))
    assert re.search(r'id="q0-1" name="q0" value="1" checked', html)
    assert 'value="čas"' in html
    assert 'value="3"' in html
    # Starting again resumes the same attempt instead of opening another.
    assert start(client) == attempt


def test_submitting_twice_grades_once(app, client, courses, make_user):
    learner = make_user()
    login(client, learner)
    attempt = start(client)
    url = f"/quiz/attempts/{attempt}/submit"
    first = client.post(url, data=with_token(client, attempt, RIGHT))
    assert first.status_code == 302
    second = client.post(url, data=with_token(client, attempt, {"q0": "0"}))
    assert second.status_code == 302
    with app.app_context():
        row = db.session.get(QuizAttempt, attempt)
        assert row.state == "needs_grading"  # the essay waits for a trainer
        assert row.score == 5.0
        assert (
            db.session.scalar(
                select(func.count(AttemptAnswer.id)).where(AttemptAnswer.attempt_id == attempt)
            )
            == 6
        )
        first_answer = next(a for a in row.answers if a.slot == 0)
        assert first_answer.response == {"value": 1}
    html = page(client.get(f"/quiz/attempts/{attempt}/result"))
    assert "Waiting for grading" in html


def test_time_limit_is_enforced_on_the_server(app, client, courses, make_user):
    login(client, make_user())
    with app.app_context():
        quiz_of(app).time_limit_minutes = 5
        db.session.commit()
    attempt = start(client)
    client.post(f"/quiz/attempts/{attempt}/save", data=with_token(client, attempt, {"q0": "1"}))
    token = csrf_token(client, f"/quiz/attempts/{attempt}")
    with app.app_context():
        row = db.session.get(QuizAttempt, attempt)
        row.deadline_at = utcnow() - timedelta(minutes=2)
        db.session.commit()
    late = client.post(f"/quiz/attempts/{attempt}/submit", data={"csrf_token": token, **RIGHT})
    assert late.status_code == 302
    with app.app_context():
        row = db.session.get(QuizAttempt, attempt)
        assert row.state == "finished"
        assert row.score == 1.0  # only the answer saved in time counts
        assert row.is_passed is False


def test_an_expired_attempt_is_graded_when_the_learner_comes_back(app, client, courses, make_user):
    login(client, make_user())
    attempt = start(client)
    client.post(f"/quiz/attempts/{attempt}/save", data=with_token(client, attempt, {"q2": "true"}))
    with app.app_context():
        row = db.session.get(QuizAttempt, attempt)
        row.deadline_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    response = client.get(f"/quiz/attempts/{attempt}")
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt}/result")
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt).score == 1.0


def test_maximum_attempts_and_review_after_the_last(app, client, courses, make_user):
    login(client, make_user())
    first = start(client)
    client.post(f"/quiz/attempts/{first}/submit", data=with_token(client, first, {"q0": "0"}))
    html = page(client.get(f"/quiz/attempts/{first}/result"))
    assert "Correct answers and feedback are not shown" in html
    assert "Yes: the first contact" not in html
    second = start(client)
    assert second != first
    client.post(f"/quiz/attempts/{second}/submit", data=with_token(client, second, {"q0": "0"}))
    html = page(client.get(f"/quiz/attempts/{second}/result"))
    assert "Correct answer:" in html
    assert "Closing comes last" not in html  # feedback of the choice not picked
    assert "The process starts with contact." in html
    refused = post(client, "/courses/alpha/quiz/start", follow_redirects=True)
    assert "You have used all your attempts" in page(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 2


def test_immediate_review_shows_feedback(app, client, courses, make_user):
    login(client, make_user())
    with app.app_context():
        quiz_of(app).show_answers = "immediately"
        db.session.commit()
    attempt = start(client)
    client.post(f"/quiz/attempts/{attempt}/submit", data=with_token(client, attempt, {"q0": "2"}))
    html = page(client.get(f"/quiz/attempts/{attempt}/result"))
    assert "Closing comes last." in html
    assert "✗" in html


def test_essay_grading_finishes_the_attempt_and_completes_the_course(
    app, client, courses, make_user
):
    learner = make_user()
    trainer = make_user(roles={"trainer"})
    login(client, learner)
    for lesson in ("first", "second", "third"):
        post(client, f"/courses/alpha/lessons/{lesson}/complete")
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner))
        assert enrolment.completed_at is None  # the quiz is not passed yet
    attempt = start(client)
    client.post(f"/quiz/attempts/{attempt}/submit", data=with_token(client, attempt, RIGHT))
    # Only the course's trainers grade its essays.
    outsider = make_user(roles={"trainer"})
    login(client, outsider)
    assert "Nothing is waiting for grading." in page(client.get("/quiz/grading"))
    assign_trainer(app, trainer, "alpha")
    login(client, trainer)
    queue = page(client.get("/quiz/grading"))
    answer_id = int(re.search(r"/quiz/grading/(\d+)", queue).group(1))
    login(client, outsider)
    assert client.get(f"/quiz/grading/{answer_id}").status_code == 403
    assert client.get(f"/quiz/attempts/{attempt}/result").status_code == 403
    login(client, trainer)
    response = post(client, f"/quiz/grading/{answer_id}", {"percent": "50", "comment": "Good."})
    assert response.status_code == 302
    assert "Nothing is waiting for grading." in page(client.get("/quiz/grading"))
    with app.app_context():
        row = db.session.get(QuizAttempt, attempt)
        assert row.state == "finished"
        assert row.score == 5.5
        assert row.is_passed is True
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner))
        assert enrolment.completed_at is not None
    login(client, learner)
    assert "Good." in page(client.get(f"/quiz/attempts/{attempt}/result"))


def test_someone_elses_attempt_is_refused(app, client, courses, make_user):
    login(client, make_user())
    attempt = start(client)
    login(client, make_user())
    assert client.get(f"/quiz/attempts/{attempt}").status_code == 403
    token = csrf_token(client)
    data = {"csrf_token": token, "q0": "1"}
    assert client.post(f"/quiz/attempts/{attempt}/save", data=data).status_code == 403
    assert client.get(f"/quiz/attempts/{attempt}/result").status_code == 403


def test_statistics_and_csv(app, client, courses, make_user):
    for answers in (RIGHT, {"q0": "0", "q2": "false"}, {"q0": "1", "q2": "true"}):
        login(client, make_user())
        attempt = start(client)
        client.post(f"/quiz/attempts/{attempt}/submit", data=with_token(client, attempt, answers))
    trainer = make_user(roles={"trainer"})
    with app.app_context():
        for row in db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.needs_grading)):
            services.grade_answer(row, trainer, 1.0, "")
        db.session.commit()
    login(client, trainer)
    assert client.get("/courses/alpha/quiz/statistics").status_code == 403
    assign_trainer(app, trainer, "alpha")
    html = page(client.get("/courses/alpha/quiz/statistics"))
    assert "Based on 3 finished attempts." in html
    csv = client.get("/courses/alpha/quiz/statistics?format=csv").data.decode("utf-8-sig")
    lines = csv.strip().splitlines()
    assert lines[0].startswith("question,type,attempts,facility_index,discrimination_index")
    first = next(line for line in lines if line.startswith("first-step"))
    assert ",3,66.7," in first
    assert "First contact: 2" in first
    assert "Wait for the client: 1" in first


def test_grading_runs_a_fixed_number_of_queries(app, courses, make_user):
    def submit_counting(learner: int) -> tuple[int, int]:
        attempt = services.start_attempt(learner, quiz_of(app), "en")
        db.session.commit()
        responses = dict.fromkeys(range(len(attempt.slots)))
        with count_queries() as counter:
            services.submit_attempt(attempt, responses)
            db.session.commit()
        return len(attempt.slots), counter.count

    with app.app_context():
        few = submit_counting(make_user())
        quiz = quiz_of(app)
        for index in range(18):
            source = quiz.items[index % 6]
            quiz.items.append(
                QuizItem(
                    key=f"extra-{index}",
                    position=100 + index,
                    type=source.type,
                    points=1,
                    texts=source.texts,
                )
            )
        db.session.commit()
        many = submit_counting(make_user())
    assert (few[0], many[0]) == (6, 24)
    assert few[1] == many[1]


def test_two_simultaneous_submits_grade_once(app, courses, make_user):
    import threading

    learner = make_user()
    with app.app_context():
        attempt_id = services.start_attempt(learner, quiz_of(app), "en").id
        db.session.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def submit(choice: int) -> None:
        try:
            with app.app_context():
                attempt = db.session.get(QuizAttempt, attempt_id)
                barrier.wait(timeout=5)
                services.submit_attempt(attempt, {0: choice, 2: True})
                db.session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(choice,)) for choice in (1, 0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.state == "finished"
        assert len(attempt.answers) == len(attempt.slots)
        first = next(answer for answer in attempt.answers if answer.slot == 0)
        # Whichever click won, the score is the grade of the answers it saved.
        assert attempt.score == 1.0 + first.fraction


def test_shuffled_choices_are_mapped_back_when_graded(app, courses, make_user):
    import random

    learner = make_user()
    with app.app_context():
        quiz = quiz_of(app)
        quiz.shuffle_choices = True
        db.session.commit()
        orders = set()
        for seed in range(8):
            attempt = services.start_attempt(learner, quiz_of(app), "en", random.Random(seed))
            orders.add(tuple(attempt.slots[0]["order"]))
            # The learner clicks whatever is shown where the right answer ended up.
            shown = attempt.slots[0]["order"].index(1)
            responses = services.responses_from_form(attempt, {"q0": [str(shown)]})
            assert responses == {0: 1}
            db.session.delete(attempt)
            db.session.commit()
        assert len(orders) > 1


def test_groups_draw_pick_questions_and_attempts_keep_what_they_showed(
    app, runner, courses, make_user, tmp_path
):
    import random
    import shutil

    from tests.conftest import COURSES

    tree = tmp_path / "courses"
    shutil.copytree(COURSES, tree)
    for language in ("sl", "hr", "en"):
        path = tree / "alpha" / f"quiz.{language}.md"
        text = path.read_text()
        path.write_text(
            text.replace("Title: partners", "## Group: pool (pick: 2)\n\nTitle: partners")
        )
    assert runner.invoke(args=["courses", "sync", str(tree)]).exit_code == 0
    learner = make_user()
    with app.app_context():
        drawn = set()
        for seed in range(6):
            attempt = services.start_attempt(learner, quiz_of(app), "en", random.Random(seed))
            keys = [slot["key"] for slot in attempt.slots]
            assert keys[0] == "first-step"  # outside the group: always asked
            assert len(keys) == 3
            drawn.add(tuple(keys[1:]))
            db.session.delete(attempt)
            db.session.commit()
        assert len(drawn) > 1
        attempt = services.start_attempt(learner, quiz_of(app), "en", random.Random(1))
        db.session.commit()
        attempt_id, stem = attempt.id, attempt.slots[0]["question"]["stem"]
    # The author rewrites the first question and makes another answer right.
    for language in ("sl", "hr", "en"):
        path = tree / "alpha" / f"quiz.{language}.md"
        text = path.read_text().replace("*b) First contact", "b)  First contact")
        path.write_text(text.replace("a)  Wait for the client", "*a) Wait for the client"))
    assert runner.invoke(args=["courses", "sync", str(tree)]).exit_code == 0
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.slots[0]["question"]["stem"] == stem
        services.submit_attempt(attempt, {0: 1})
        db.session.commit()
        assert next(a for a in attempt.answers if a.slot == 0).fraction == 1.0


def test_review_before_submitting_shows_what_is_answered(app, client, courses, make_user):
    login(client, make_user())
    attempt = start(client)
    saved = client.post(
        f"/quiz/attempts/{attempt}/save",
        data=with_token(client, attempt, {"q0": "1", "q0-present": "1", "review": "1"}),
    )
    assert saved.headers["Location"].endswith(f"/quiz/attempts/{attempt}/summary")
    html = page(client.get(f"/quiz/attempts/{attempt}/summary"))
    assert html.count("✓ Answered") == 1
    assert "5 questions are not answered." in html  # six to answer
    assert "Once you submit, you can no longer change your answers." in html
    assert f'action="/quiz/attempts/{attempt}/submit"' in html


def test_an_empty_attempt_is_submitted_only_when_confirmed(app, client, courses, make_user):
    login(client, make_user())
    attempt = start(client)
    url = f"/quiz/attempts/{attempt}/submit"
    refused = client.post(url, data=with_token(client, attempt, {}))
    assert refused.headers["Location"].endswith(f"/quiz/attempts/{attempt}/summary")
    html = page(client.get(f"/quiz/attempts/{attempt}/summary"))
    assert "You have not answered any question." in html
    assert 'name="confirm-empty"' in html
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt).state == "in_progress"
    done = client.post(url, data=with_token(client, attempt, {"confirm-empty": "1"}))
    assert done.headers["Location"].endswith("/result")
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt).state != "in_progress"
