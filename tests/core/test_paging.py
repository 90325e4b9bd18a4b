"""Staff lists come a page at a time: the same queries and the same page size whatever the data."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.auth.services import institution_by_slug
from app.core.database import count_queries
from app.courses import assignments
from app.courses.services import get_course
from app.extensions import db
from app.quizzes import services
from tests.certificates.conftest import issue
from tests.conftest import assign_trainer, login

PER_PAGE = 3


def _attempt(app, make_user) -> None:
    learner = make_user(full_name="Paged Learner")
    with app.app_context():
        quiz = services.quiz_for_course(get_course("alpha").id)
        attempt = services.start_attempt(learner, quiz, "en")
        db.session.commit()
        # The essay (the last slot) waits for a trainer: the attempt is in the grading queue.
        responses = dict.fromkeys(range(len(attempt.slots)))
        responses[len(attempt.slots) - 1] = "An essay long enough to be graded."
        services.submit_attempt(attempt, responses)
        db.session.commit()


def _certificate(app, make_user) -> None:
    issue(app, make_user(full_name="Paged Learner"), "beta")


def _assignment(app, make_user) -> None:
    learner = make_user(full_name="Paged Learner")
    with app.app_context():
        institution = institution_by_slug("csd-lasko")
        assignments.assign(
            institution.id, get_course("alpha").id, date(2030, 1, 1), learner, learner
        )
        db.session.commit()


LISTS = {
    # name: (make one row, the list's address, who reads it, what marks a row)
    "attempts": (_attempt, "/courses/alpha/quiz/attempts", "trainer", r"/quiz/attempts/\d+/result"),
    "grading": (_attempt, "/quiz/grading", "trainer", r"/quiz/grading/\d+"),
    "certificates": (_certificate, "/hr/certificates", "hr", r"/certificates/\d+\.pdf"),
    "assignments": (_assignment, "/hr/assignments", "hr", r"Paged Learner — due"),
}


@pytest.mark.parametrize("name", LISTS)
def test_a_staff_list_is_paged_with_a_fixed_number_of_queries(
    app, client, courses, make_user, name
):
    make, url, role, marker = LISTS[name]
    app.config["LIST_PER_PAGE"] = PER_PAGE
    reader = make_user(roles={role}, institution="csd-lasko")
    if role == "trainer":
        assign_trainer(app, reader, "alpha")
    login(client, reader)

    def rows(address: str) -> tuple[int, str, int]:
        with app.app_context(), count_queries() as counter:
            response = client.get(address)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        return len(re.findall(marker, html)), html, counter.count

    for _ in range(PER_PAGE + 1):
        make(app, make_user)
    count, html, queries = rows(url)
    assert count == PER_PAGE
    assert "Page 1 of 2" in html
    assert "page=2" in html
    count, html, _ = rows(f"{url}?page=2")
    assert count == 1
    assert "Page 2 of 2" in html
    assert rows(f"{url}?page=99")[0] == 0  # past the end: an empty page, not an error

    for _ in range(2 * PER_PAGE):
        make(app, make_user)
    count, html, more = rows(url)
    assert count == PER_PAGE
    assert "Page 1 of 4" in html
    assert more == queries  # more data, the same queries


def test_the_certificates_pager_keeps_the_filters(app, client, courses, make_user):
    app.config["LIST_PER_PAGE"] = 1
    login(client, make_user(roles={"hr"}, institution="csd-lasko"))
    for _ in range(2):
        _certificate(app, make_user)
    html = client.get("/hr/certificates?status=valid&q=paged").get_data(as_text=True)
    link = re.search(r'href="(/hr/certificates\?[^"]*page=2[^"]*)"', html).group(1)
    assert "status=valid" in link
    assert "q=paged" in link
    assert client.get(link.replace("&amp;", "&")).status_code == 200


def test_the_certificates_csv_is_streamed_whole(app, client, courses, make_user):
    app.config["LIST_PER_PAGE"] = 1  # the page size does not cut the export
    login(client, make_user(roles={"hr"}, institution="csd-lasko"))
    for _ in range(3):
        _certificate(app, make_user)
    response = client.get("/hr/certificates.csv")
    assert response.is_streamed
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffSerial number,")
    assert text.count("Paged Learner") == 3
