"""Learner pages: catalogue, course, lesson, completion, My learning, content-language fallback."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.core.database import count_queries
from app.courses.models import Enrolment
from app.extensions import db
from tests.conftest import login, post


def html(response) -> str:
    return response.get_data(as_text=True)


def test_catalogue_is_public_and_in_the_readers_language(client, courses):
    response = client.get("/courses/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = html(response)
    assert '<html lang="en">' in page
    assert "Alpha course" in page
    # beta exists only in Slovenian: shown, marked with its language
    assert "Beta tečaj" in page
    assert "in Slovenščina" in page


def test_catalogue_filters_by_language_and_competence(client, courses):
    page = html(client.get("/courses/?language=en", headers={"Accept-Language": "en"}))
    assert "Alpha course" in page
    assert "Beta tečaj" not in page
    page = html(client.get("/courses/?competence=cooperation", headers={"Accept-Language": "en"}))
    assert "Beta tečaj" in page
    assert "Alpha course" not in page
    page = html(client.get("/courses/?competence=unknown"))
    assert "Alfa" not in page


def test_course_page_lists_lessons_and_asks_anonymous_to_log_in(client, courses):
    page = html(client.get("/courses/alpha/", headers={"Accept-Language": "hr"}))
    assert "Alfa tečaj na hrvatskom" in page
    assert "First lesson hr" in page
    assert "/login?next=/courses/alpha/" in page
    assert client.get("/courses/nope/").status_code == 404


def test_lesson_requires_login(client, courses):
    response = client.get("/courses/alpha/lessons/first")
    assert response.status_code == 302
    assert "/login?next=/courses/alpha/lessons/first" in response.headers["Location"]


def test_lesson_shows_stored_html_with_previous_and_next(client, courses, make_user):
    login(client, make_user(language="en"))
    page = html(client.get("/courses/alpha/lessons/second"))
    assert "<h1>Second lesson en</h1>" in page
    assert 'class="admonition note"' in page
    assert 'rel="prev" href="/courses/alpha/lessons/first"' in page
    assert 'rel="next" href="/courses/alpha/lessons/third"' in page
    assert "Lesson 2 of 3" in page
    assert client.get("/courses/alpha/lessons/none").status_code == 404


def test_fallback_language_is_announced(client, courses, make_user):
    login(client, make_user(language="hr"))
    page = html(client.get("/courses/beta/lessons/only"))
    assert "Edina lekcija" in page
    assert 'class="fallback-note"' in page
    assert '<article lang="sl"' in page


def test_completing_lessons_moves_progress_and_completes_the_course(
    app, client, courses, make_user
):
    learner = make_user(language="en")
    login(client, learner)
    response = post(client, "/courses/alpha/lessons/first/complete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/alpha/lessons/second")
    page = html(client.get("/courses/alpha/"))
    assert "1 of 3 lessons complete (33%)" in page
    assert re.search(r'<progress max="3" value="1"', page)
    post(client, "/courses/alpha/lessons/first/complete")  # twice changes nothing
    assert "1 of 3 lessons complete" in html(client.get("/courses/alpha/"))
    post(client, "/courses/alpha/lessons/second/complete")
    response = post(client, "/courses/alpha/lessons/third/complete", follow_redirects=True)
    # alpha has a quiz: every lesson done is not yet a completed course.
    assert "Lesson marked as complete." in html(response)
    assert "3 of 3 lessons complete (100%)" in html(response)
    response = post(client, "/courses/beta/lessons/only/complete", follow_redirects=True)
    assert "you have completed this course" in html(response)
    with app.app_context():
        enrolments = {
            row.course.slug: row.completed_at
            for row in db.session.scalars(select(Enrolment).where(Enrolment.user_id == learner))
        }
        assert enrolments["alpha"] is None
        assert enrolments["beta"] is not None
    page = html(client.get("/my/learning"))
    assert "Completed" in page
    assert "In progress" in page


def test_enrol_then_my_learning_shows_the_course(client, courses, make_user):
    login(client, make_user(language="en"))
    assert "not enrolled in any course" in html(client.get("/my/learning"))
    response = post(client, "/courses/beta/enrol")
    assert response.status_code == 302
    page = html(client.get("/my/learning"))
    assert "Enrolled, not started" in page
    assert "Beta tečaj" in page


def test_forms_without_csrf_token_are_refused(client, courses, make_user):
    login(client, make_user())
    assert client.post("/courses/alpha/lessons/first/complete").status_code == 400
    assert client.post("/courses/alpha/enrol").status_code == 400


def test_course_files_are_served_and_cannot_escape(client, courses):
    response = client.get("/courses/alpha/files/images/diagram.png")
    assert response.status_code == 200
    assert response.data.startswith(b"\x89PNG")
    assert client.get("/courses/alpha/files/../../../config.py").status_code == 404
    assert client.get("/courses/alpha/files/images/missing.png").status_code == 404


def _add_courses(app, number: int) -> None:
    from app.courses.models import Course, CourseText, Lesson, LessonText

    with app.app_context():
        for index in range(number):
            course = Course(
                slug=f"extra-{index}", institution_id=1, workload_hours=1, content_hash="x"
            )
            course.texts.append(CourseText(language="sl", title=f"Dodatni {index}", summary=""))
            for position in range(1, 4):
                lesson = Lesson(slug=f"l{position}", position=position)
                lesson.texts.append(
                    LessonText(
                        language="sl",
                        title="T",
                        summary="",
                        body_markdown="",
                        body_html="<p>x</p>",
                        content_hash="x",
                        source_path="x",
                    )
                )
                course.lessons.append(lesson)
            db.session.add(course)
        db.session.commit()


def _queries(app, client, path: str) -> int:
    with app.app_context(), count_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_catalogue_and_lesson_run_a_constant_number_of_queries(app, client, courses, make_user):
    login(client, make_user())
    post(client, "/courses/alpha/lessons/first/complete")
    pages = ["/courses/", "/courses/alpha/", "/courses/alpha/lessons/second", "/my/learning"]
    before = [_queries(app, client, path) for path in pages]
    _add_courses(app, 12)
    for index in range(5):
        post(client, f"/courses/extra-{index}/lessons/l1/complete")
    after = [_queries(app, client, path) for path in pages]
    assert before == after
    assert html(client.get("/courses/")).count('class="card"') == 14


def test_interface_speaks_each_language_with_its_plurals(client, courses):
    sl = html(client.get("/courses/", headers={"Accept-Language": "sl"}))
    assert '<html lang="sl">' in sl
    assert "Tečaji" in sl
    assert "2 tečaja" in sl  # the Slovenian dual
    hr = html(client.get("/courses/", headers={"Accept-Language": "hr"}))
    assert "Tečajevi" in hr
    assert "2 tečaja" in hr
    assert "3 lekcije" in hr


def test_dates_are_formatted_per_locale(app, client, courses, make_user):
    from datetime import UTC, datetime

    learner = make_user(language="sl")
    login(client, learner)
    post(client, "/courses/beta/lessons/only/complete")
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner))
        enrolment.completed_at = datetime(2026, 3, 5, 10, tzinfo=UTC)
        db.session.commit()
    assert "5. mar. 2026" in html(client.get("/my/learning"))


def test_course_page_title_is_just_the_course(client, courses):
    page = html(client.get("/courses/alpha/"))
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Alpha course ·")
    assert "<" not in title
    assert page.count("Go to the quiz") == 0  # anonymous visitors are asked to log in first
