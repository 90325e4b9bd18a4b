"""Learning records reach a real LRS (Ralph) as xAPI 1.0.3 statements, and are read back: the
learner's path, the same statement never twice, an LRS that is down, and one that refuses."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.core import jobs
from app.courses.services import get_course
from app.extensions import db
from app.quizzes import services as quizzes
from app.xapi import sender
from app.xapi.models import PENDING, REFUSED, SENT, XapiActor, XapiStatement
from tests.conftest import _free_port, login, post

RIGHT = {0: 1, 1: [0, 1], 2: True, 3: "cas", 4: "7"}


@pytest.fixture
def recording(app, lrs):
    app.config.update(lrs.config())
    yield lrs
    app.config["XAPI_LRS_URL"] = ""


def _learner_path(app, client, learner: int) -> None:
    login(client, learner)
    post(client, "/courses/alpha/enrol")
    for lesson in ("first", "second", "third"):
        post(client, f"/courses/alpha/lessons/{lesson}/complete")
    with app.app_context():
        quiz = quizzes.quiz_for_course(get_course("alpha").id)
        attempt = quizzes.start_attempt(learner, quiz, "en")
        quizzes.submit_attempt(attempt, RIGHT)
        db.session.commit()


def test_a_learners_path_is_in_the_lrs(app, client, courses, make_user, recording):
    learner = make_user(email="ana@example.org")
    _learner_path(app, client, learner)
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    with app.app_context():
        rows = list(db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)))
        pseudonym = db.session.scalar(select(XapiActor.pseudonym))
    assert {row.status for row in rows} == {SENT}
    verbs = [row.verb for row in rows]
    assert verbs[0] == "launched"
    assert verbs.count("completed") == 4  # three lessons and the course
    assert verbs.count("answered") == 5
    assert "passed" in verbs
    assert "earned" in verbs
    assert "mastered" in verbs
    for row in rows:
        stored = recording.statement(row.statement_id)
        assert stored is not None, row.verb
        assert stored["id"] == row.statement_id
        assert stored["verb"] == row.statement["verb"]
        assert stored["object"]["id"] == row.statement["object"]["id"]
        # A pseudonymous account, never the person's name or address.
        assert stored["actor"]["account"] == {"homePage": base, "name": pseudonym}
        assert "ana@example.org" not in str(stored)
        assert "Test User" not in str(stored)
        assert stored["verb"]["id"].startswith(
            ("http://adlnet.gov/expapi/verbs/", "http://id.tincanapi.com/verb/earned")
        )
    by_verb = {row.verb: row.statement for row in rows}
    assert by_verb["launched"]["object"]["id"] == f"{base}/courses/alpha/"
    lesson = next(row.statement for row in rows if "/lessons/" in row.statement["object"]["id"])
    assert lesson["context"]["contextActivities"]["parent"][0]["id"] == f"{base}/courses/alpha/"
    passed = by_verb["passed"]
    assert passed["object"]["id"] == f"{base}/courses/alpha/quiz"
    assert passed["result"]["success"] is True
    assert passed["result"]["score"]["scaled"] > 0.5
    answered = by_verb["answered"]
    assert answered["context"]["contextActivities"]["grouping"][0]["id"] == f"{base}/courses/alpha/"
    assert by_verb["earned"]["object"]["id"].startswith(f"{base}/verify/")


def test_a_statement_sent_again_is_not_recorded_twice(app, client, courses, make_user, recording):
    learner = make_user()
    login(client, learner)
    post(client, "/courses/alpha/enrol")
    with app.app_context():
        row = db.session.scalar(select(XapiStatement))
        assert row.status == SENT
        # A worker that sent it but died before it could say so: the retry sends it again.
        row.status = PENDING
        db.session.commit()
        assert sender.send([row.statement_id]) == 0
        assert db.session.get(XapiStatement, row.id).status == SENT
    # Read from the LRS's own store: a GET by id answers one statement whatever it holds.
    assert recording.stored_count(row.statement_id) == 1


def test_an_lrs_that_is_down_gets_the_statements_later(app, client, courses, make_user, lrs):
    app.config.update({**lrs.config(), "XAPI_LRS_URL": f"http://127.0.0.1:{_free_port()}/xAPI"})
    try:
        learner = make_user()
        login(client, learner)
        post(client, "/courses/alpha/enrol")
        with app.app_context():
            row = db.session.scalar(select(XapiStatement))
            assert row.status == PENDING
            assert row.tries == 1
            assert "Connection refused" in row.error or "refused" in row.error.lower()
            failure = db.session.scalar(select(jobs.JobFailure))
            assert failure.name.endswith("send_statements")
        assert lrs.statement(row.statement_id) is None
        app.config["XAPI_LRS_URL"] = lrs.url  # the LRS is back: the periodic resend sends it
        with app.app_context():
            sender.resend_pending.call_local()
            assert db.session.get(XapiStatement, row.id).status == SENT
        assert lrs.statement(row.statement_id)["id"] == row.statement_id
    finally:
        app.config["XAPI_LRS_URL"] = ""


def test_a_refused_statement_waits_is_audited_and_sent_again(
    app, client, courses, make_user, recording
):
    learner = make_user()
    with app.app_context():
        user = db.session.get(User, learner)
        admin = make_user(roles={"admin"}, institution=user.institution.slug)
        bad = {
            "id": str(uuid.uuid4()),
            "actor": {"mbox": "mailto:x@y.z"},
            "object": {"id": "http://example.org/a"},
        }  # no verb: the LRS refuses it
        db.session.add(XapiStatement(statement_id=bad["id"], user_id=learner, verb="broken",
                                     statement=bad))  # fmt: skip
        db.session.commit()
        assert sender.send([bad["id"]]) == 0
        row = db.session.scalar(select(XapiStatement).where(XapiStatement.verb == "broken"))
        assert row.status == REFUSED
        assert row.error.startswith("422")
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "xapi_refused"))
        assert entry.subject_id == learner
        assert '"status":422' in entry.details
        sender.resend_pending.call_local()  # a refused statement is not sent again by itself
        assert db.session.get(XapiStatement, row.id).tries == 1
        row_id = row.id
    login(client, admin)
    page = client.get("/admin/learning-records").get_data(as_text=True)
    assert bad["id"] in page
    assert "Send again" in page
    with app.app_context():  # the data is put right...
        row = db.session.get(XapiStatement, row_id)
        row.statement = {**row.statement, "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"}}
        db.session.commit()
    response = post(client, f"/admin/learning-records/{row_id}/send", follow_redirects=True)
    assert "will be sent again" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(XapiStatement, row_id).status == SENT
        assert db.session.scalar(select(func.count()).select_from(XapiStatement)) == 1
    assert recording.statement(bad["id"])["verb"]["id"].endswith("/launched")
