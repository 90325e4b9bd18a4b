"""The catalogue's cards and the lesson page's outline are cached per content version: every
worker shows a change from its next request, and a warm page runs a handful of queries."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from app.auth.models import Institution
from app.core.content import current_token
from app.core.database import count_queries
from app.courses.models import Course
from app.courses.sync import sync_folder
from app.extensions import db
from tests.conftest import COURSES, login, make_app, post


def html(response) -> str:
    return response.get_data(as_text=True)


def _queries(app, client, path: str) -> tuple[int, str]:
    with app.app_context(), count_queries() as counter:
        response = client.get(path)
        assert response.status_code == 200, path
    return counter.count, html(response)


def _token(app) -> str | None:
    with app.app_context():
        return current_token()


def _other_worker(app, tmp_path):
    """A second app on the same database: another gunicorn worker with a cache of its own."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other-storage")


def _edited_courses(tmp_path, old: str, new: str, path: str = "alpha/course.yml"):
    folder = tmp_path / "courses"
    shutil.copytree(COURSES, folder)
    target = folder / path
    target.write_text(target.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return folder


def test_a_course_changed_by_another_worker_shows_on_the_next_request(
    app, client, courses, make_user, tmp_path
):
    login(client, make_user())
    assert "Alpha course" in html(client.get("/courses/"))
    assert "Second lesson body en." in html(client.get("/courses/alpha/lessons/second"))
    other = _other_worker(app, tmp_path)
    folder = _edited_courses(tmp_path, "en: Alpha course", "en: Alpha, second edition")
    lesson = folder / "alpha" / "02-second.en.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8")
        .replace("Second lesson en", "Second lesson, revised")
        .replace("Second lesson body en.", "A revised body."),
        encoding="utf-8",
    )
    with other.app_context():
        sync_folder(folder)
        db.session.commit()

    catalogue = html(client.get("/courses/"))
    assert "Alpha, second edition" in catalogue
    assert "Alpha course" not in catalogue
    page = html(client.get("/courses/alpha/lessons/second"))
    assert "Alpha, second edition" in page  # the breadcrumb, from the outline
    assert "Second lesson, revised" in page
    assert "A revised body." in page
    # The previous lesson's link names the next one by its new title too.
    assert "Second lesson, revised" in html(client.get("/courses/alpha/lessons/first"))


def test_a_retired_course_leaves_the_cached_pages(app, client, courses, make_user, tmp_path):
    login(client, make_user())
    assert client.get("/courses/beta/lessons/only").status_code == 200
    assert "/courses/beta/" in html(client.get("/courses/"))
    folder = tmp_path / "courses"
    shutil.copytree(COURSES, folder)
    shutil.rmtree(folder / "beta")
    with _other_worker(app, tmp_path).app_context():
        sync_folder(folder)
        db.session.commit()
    assert client.get("/courses/beta/lessons/only").status_code == 404
    assert "/courses/beta/" not in html(client.get("/courses/"))


def test_an_institution_renamed_shows_on_the_cards(app, client, courses):
    client.get("/courses/")
    with app.app_context():
        institution = db.session.scalar(
            select(Institution).where(Institution.slug == "bistra-ptuj")
        )
        institution.short_name = "Bistra (renamed)"
        db.session.commit()
    assert "Bistra (renamed)" in html(client.get("/courses/"))


def test_only_content_changes_the_version(app, client, courses, make_user):
    before = _token(app)
    assert before
    login(client, make_user())
    # Learning writes enrolments and progress, not content: the caches stay.
    post(client, "/courses/alpha/enrol")
    post(client, "/courses/alpha/lessons/first/complete")
    assert _token(app) == before
    # A change rolled back takes its new version back with it.
    with app.app_context():
        db.session.scalar(select(Course).where(Course.slug == "alpha")).workload_hours = 99
        db.session.flush()
        assert current_token() != before
        db.session.rollback()
    assert _token(app) == before
    with app.app_context():
        db.session.scalar(select(Course).where(Course.slug == "alpha")).workload_hours = 5
        db.session.commit()
    assert _token(app) != before
    assert "5 hours" in html(client.get("/courses/"))


def test_warm_pages_run_a_handful_of_queries_whatever_the_learners_progress(
    app, client, courses, make_user
):
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    cold, _ = _queries(app, anonymous, "/courses/")
    # The version (read by the page cache and by the cards' cache: tests check it every
    # time), then the cards are built: courses, their texts, their competences and those
    # competences' rows, institutions, lesson counts, and the filter's competences.
    assert cold == 9
    warm, page = _queries(app, anonymous, "/courses/")
    assert warm == 1  # the content version only: the whole page comes from the page cache
    assert page.count('class="card"') == 2

    login(client, make_user())
    # The user, the version, the enrolments (none: no lessons-done query).
    assert _queries(app, client, "/courses/")[0] == 3
    post(client, "/courses/alpha/lessons/first/complete")
    token = _token(app)
    # Completing a course issues a certificate and evidence: still not content.
    post(client, "/courses/beta/lessons/only/complete")
    assert _token(app) == token
    count, page = _queries(app, client, "/courses/")
    # The user, the version, the enrolments, the lessons done in them.
    assert count == 4
    assert "1 of 3 lessons complete (33%)" in page
    assert "1 of 1 lessons complete (100%)" in page

    # Cold: the user, the version, the outline (course, its texts, lessons, their titles,
    # the bodies shown), the learner's progress in the course.
    assert _queries(app, client, "/courses/alpha/lessons/second")[0] == 8
    # Warm: the user, the version, the learner's progress; the body is kept with the outline.
    count, page = _queries(app, client, "/courses/alpha/lessons/second")
    assert count == 3
    assert "1 of 3 lessons complete" in page
    count, page = _queries(app, client, "/courses/alpha/lessons/third")
    assert count == 3
    assert "Third lesson body en." in page
    assert "Second lesson body" not in page


def test_the_filters_work_on_the_cached_cards(client, courses):
    client.get("/courses/")  # the cards are cached, unfiltered
    only_english = html(client.get("/courses/?language=en"))
    assert only_english.count('class="card"') == 1
    assert "/courses/alpha/" in only_english
    by_competence = html(client.get("/courses/?competence=cooperation"))
    assert by_competence.count('class="card"') == 1
    assert "/courses/beta/" in by_competence
    assert '<option value="cooperation" selected>' in by_competence
    assert html(client.get("/courses/?competence=no-such-code")).count('class="card"') == 0
    # An unknown language is no filter at all, as before.
    assert html(client.get("/courses/?language=xx")).count('class="card"') == 2


def test_the_version_is_read_at_most_once_a_second_and_at_once_after_a_change_here(
    app, client, courses, tmp_path
):
    """Production reads the version at most every CONTENT_CHECK_SECONDS: a warm catalogue then
    runs no version query, another server's change shows after that time, and a change made
    through this server shows at once."""
    from app.core.content import ContentCache

    app.extensions["content_cache"] = ContentCache(check_seconds=3600)
    client.get("/courses/")
    warm, _page = _queries(app, client, "/courses/")
    other = _other_worker(app, tmp_path)
    folder = _edited_courses(tmp_path, "en: Alpha course", "en: Alpha, elsewhere")
    with other.app_context():
        sync_folder(folder)
        db.session.commit()
    count, page = _queries(app, client, "/courses/")
    assert "Alpha, elsewhere" not in page  # not read again within the interval
    assert count == warm
    app.extensions["content_cache"].checked_at -= 3601  # the interval has passed
    assert "Alpha, elsewhere" in html(client.get("/courses/"))
    # A change committed through this app is shown by it from the next request.
    with app.app_context():
        institution = db.session.scalar(
            select(Institution).where(Institution.slug == "bistra-ptuj")
        )
        institution.short_name = "Bistra-Renamed"
        db.session.commit()
    assert "Bistra-Renamed" in html(client.get("/courses/"))
