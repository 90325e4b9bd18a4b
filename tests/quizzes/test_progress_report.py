"""The trainers' progress report: states per learner in SQL, lessons read, paging, scoping."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.core.database import count_queries, utcnow
from app.courses.models import Enrolment, LessonProgress
from app.extensions import db
from tests.conftest import assign_trainer, login, post


def _learner(app, client_factory, make_user, name, lessons=()):
    learner = make_user(full_name=name)
    client = client_factory()
    login(client, learner)
    post(client, "/courses/alpha/enrol")
    for lesson in lessons:
        post(client, f"/courses/alpha/lessons/{lesson}/complete")
    return learner


def test_the_report_shows_each_learners_state_and_each_lesson(app, client, courses, make_user):
    new = app.test_client
    _learner(app, new, make_user, "Ana Fresh")
    busy = _learner(app, new, make_user, "Bor Busy", ["first"])
    stuck = _learner(app, new, make_user, "Cene Stuck", ["first", "second"])
    done = _learner(app, new, make_user, "Dora Done", ["first", "second", "third"])
    with app.app_context():
        # Cene read nothing for three weeks.
        old = utcnow() - timedelta(days=21)
        db.session.execute(
            update(LessonProgress).where(LessonProgress.user_id == stuck).values(completed_at=old)
        )
        db.session.execute(
            update(Enrolment).where(Enrolment.user_id == stuck).values(enrolled_at=old)
        )
        # Dora passed the quiz too (alpha is completed with its quiz).
        db.session.execute(
            update(Enrolment).where(Enrolment.user_id == done).values(completed_at=utcnow())
        )
        db.session.commit()
    trainer = make_user(roles={"trainer"})
    login(client, trainer)
    assert client.get("/courses/alpha/progress").status_code == 403  # not this course's trainer
    assign_trainer(app, trainer, "alpha")
    html = client.get("/courses/alpha/progress").get_data(as_text=True)
    assert "All (4)" in html
    assert "Stuck (1)" in html
    assert "In progress (1)" in html
    assert "Not started (1)" in html
    assert "Completed (1)" in html
    row = html.split("Cene Stuck", 1)[1].split("</tr>", 1)[0]
    assert "Stuck" in row
    assert "2 / 3" in row
    lessons = html.split(">Lessons</h2>", 1)[1]
    assert "3 of 4 learners" in lessons  # the first lesson: Bor, Cene, Dora
    assert "1 of 4 learners" in lessons  # the third: Dora
    only_stuck = client.get("/courses/alpha/progress?status=stuck").get_data(as_text=True)
    assert "Cene Stuck" in only_stuck
    assert "Bor Busy" not in only_stuck
    assert str(busy)  # Bor is in progress, not stuck: shown under "In progress"
    in_progress = client.get("/courses/alpha/progress?status=in_progress").get_data(as_text=True)
    assert "Bor Busy" in in_progress


def test_the_report_pages_with_a_fixed_number_of_queries(app, client, courses, make_user):
    app.config["LIST_PER_PAGE"] = 2
    trainer = make_user(roles={"trainer"})
    assign_trainer(app, trainer, "alpha")
    for number in range(3):
        _learner(app, app.test_client, make_user, f"Learner {number}", ["first"])
    login(client, trainer)

    def queries() -> int:
        with app.app_context(), count_queries() as counter:
            html = client.get("/courses/alpha/progress").get_data(as_text=True)
        assert html.count("Learner ") == 2
        assert "Page 1 of " in html
        return counter.count

    few = queries()
    for number in range(3, 7):
        _learner(app, app.test_client, make_user, f"Learner {number}", ["first", "second"])
    assert queries() == few
