"""Every domain event is sent when its act happens, once, with what receivers need."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.certificates import services as certificates
from app.certificates.models import Certificate
from app.core import events
from app.courses.services import get_course
from app.extensions import db
from app.quizzes import services as quizzes
from app.quizzes.models import AttemptAnswer
from tests.conftest import assign_trainer, login, post

ESSAY_RIGHT = {0: 1, 1: [0, 1], 2: True, 3: "cas", 4: "7", 5: "An essay."}


@pytest.fixture
def sent() -> Iterator[list[tuple[str, dict]]]:
    """Every event sent during the test, with its keyword arguments."""
    record: list[tuple[str, dict]] = []
    receivers = []
    for signal in events.ALL:

        def receiver(_sender, _name=signal.name, **kwargs):
            record.append((_name, kwargs))

        signal.connect(receiver)
        receivers.append((signal, receiver))
    yield record
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def names(record) -> list[str]:
    return [name for name, _ in record]


def test_every_event_is_defined_once_with_a_docstring():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(events.__file__).read_text(encoding="utf-8"))
    documented = {}
    for node, following in zip(tree.body, tree.body[1:], strict=False):
        if isinstance(node, ast.Assign) and getattr(node.value, "func", None) is not None:
            if getattr(node.value.func, "attr", "") != "signal":
                continue
            doc = following.value.value if isinstance(following, ast.Expr) else None
            documented[node.targets[0].id] = doc
    assert set(documented) == {signal.name.replace("-", "_") for signal in events.ALL}
    for name, doc in documented.items():
        assert isinstance(doc, str), name
        assert "Keywords" in doc, name


def test_a_lesson_a_quiz_and_a_course_completed(app, client, courses, make_user, sent):
    learner = make_user()
    login(client, learner)
    for lesson in ("first", "second", "third"):
        post(client, f"/courses/alpha/lessons/{lesson}/complete")
    post(client, "/courses/alpha/lessons/first/complete")  # again: no second event
    lessons = [kwargs for name, kwargs in sent if name == "lesson-completed"]
    assert len(lessons) == 3
    assert {kwargs["user_id"] for kwargs in lessons} == {learner}
    assert "course-completed" not in names(sent)  # the quiz is not passed yet
    with app.app_context():
        quiz = quizzes.quiz_for_course(get_course("alpha").id)
        attempt = quizzes.start_attempt(learner, quiz, "en")
        quizzes.submit_attempt(attempt, {0: 1, 1: [0, 1], 2: True, 3: "cas", 4: "7"})
        db.session.commit()
    graded = [kwargs for name, kwargs in sent if name == "attempt-graded"]
    assert len(graded) == 1
    assert graded[0]["is_passed"] is True
    assert graded[0]["user_id"] == learner
    completed = [kwargs for name, kwargs in sent if name == "course-completed"]
    assert completed == [{"user_id": learner, "course_id": graded[0]["course_id"]}]
    issued = [kwargs for name, kwargs in sent if name == "certificate-issued"]
    assert len(issued) == 1
    assert issued[0]["issued_by_id"] is None
    # The receivers did their part: evidence from the course and the quiz, a certificate.
    with app.app_context():
        assert db.session.scalar(select(Certificate.user_id)) == learner


def test_an_essay_graded_then_the_attempt(app, courses, make_user, sent):
    learner, trainer = make_user(), make_user(roles={"trainer"})
    assign_trainer(app, trainer, "alpha")
    with app.app_context():
        attempt = quizzes.start_attempt(
            learner, quizzes.quiz_for_course(get_course("alpha").id), "en"
        )
        quizzes.submit_attempt(attempt, ESSAY_RIGHT)
        db.session.commit()
        assert "attempt-graded" not in names(sent)  # an essay waits for its trainer
        essay = db.session.scalar(select(AttemptAnswer).where(AttemptAnswer.needs_grading))
        quizzes.grade_answer(essay, trainer, 1.0, "Good.")
        db.session.commit()
    assert names(sent).count("answer-graded") == 1
    assert names(sent).count("attempt-graded") == 1
    (answer,) = [kwargs for name, kwargs in sent if name == "answer-graded"]
    assert answer["grader_id"] == trainer
    assert answer["learner_id"] == learner


def test_a_revocation_and_a_deactivation(app, client, courses, make_user, sent):
    learner = make_user()
    admin = make_user(roles={"admin"}, institution="czss-cakovec")
    with app.app_context():
        certificate, _ = certificates.issue(db.session.get(User, learner), get_course("beta"))
        certificates.revoke(certificate, db.session.get(User, admin), "Wrong person.")
        db.session.commit()
        certificate_id = certificate.id
    (revoked,) = [kwargs for name, kwargs in sent if name == "certificate-revoked"]
    assert revoked == {"certificate_id": certificate_id, "user_id": learner, "revoked_by_id": admin}
    login(client, admin)
    post(client, f"/admin/users/{learner}/deactivate")
    (deactivated,) = [kwargs for name, kwargs in sent if name == "user-deactivated"]
    assert deactivated == {"user_id": learner, "by_id": admin}


def test_a_changed_course_is_loaded_again_and_its_quiz_reports(app, tmp_path, sent, ctx):
    import shutil

    from app.courses.sync import sync_folder
    from tests.conftest import COURSES

    tree = tmp_path / "courses"
    shutil.copytree(COURSES, tree)
    report = sync_folder(tree)
    loaded = [kwargs for name, kwargs in sent if name == "course-loaded"]
    assert {kwargs["source"].slug for kwargs in loaded} == {"alpha", "beta"}
    assert any(change.endswith("quiz alpha") for change in report.changes)
