"""Public pages for anonymous visitors: kept whole per address and language, revalidated by
ETag, never shared with a logged-in person, dropped when the content changes."""

from __future__ import annotations

from sqlalchemy import select

from app.core.database import count_queries
from app.courses.models import CourseText
from app.extensions import db
from tests.conftest import login, post


def kept_pages(app) -> list[tuple]:
    return [key for key in app.extensions["content_cache"].entries if key[0] == "page"]


def test_a_visitor_gets_the_kept_page_and_a_304_when_it_is_unchanged(app, client, courses):
    first = client.get("/courses/alpha/", headers={"Accept-Language": "en"})
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers
    assert 'name="csrf_token"' not in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "no-cache"
    assert {"Cookie", "Accept-Language"} <= set(first.vary)
    etag = first.headers["ETag"]
    with app.app_context(), count_queries() as counter:
        again = client.get("/courses/alpha/", headers={"Accept-Language": "en"})
    assert counter.count == 1  # the content version: nothing else is read
    assert again.headers["ETag"] == etag
    assert again.get_data() == first.get_data()
    unchanged = client.get(
        "/courses/alpha/", headers={"Accept-Language": "en", "If-None-Match": etag}
    )
    assert unchanged.status_code == 304
    assert unchanged.get_data() == b""


def test_each_language_has_its_own_page(app, client, courses):
    english = client.get("/courses/", headers={"Accept-Language": "en"})
    slovenian = client.get("/courses/", headers={"Accept-Language": "sl"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert '<html lang="sl">' in slovenian.get_data(as_text=True)
    assert english.headers["ETag"] != slovenian.headers["ETag"]
    client.set_cookie("language", "hr")
    assert '<html lang="hr">' in client.get("/courses/").get_data(as_text=True)


def test_a_content_change_shows_at_once(app, client, courses):
    before = client.get("/courses/alpha/", headers={"Accept-Language": "en"})
    with app.app_context():
        text = db.session.scalar(
            select(CourseText).where(CourseText.language == "en").order_by(CourseText.id)
        )
        text.title = "A renamed course"
        db.session.commit()
    after = client.get("/courses/", headers={"Accept-Language": "en"})
    assert "A renamed course" in after.get_data(as_text=True)
    fresh = client.get(
        "/courses/alpha/",
        headers={"Accept-Language": "en", "If-None-Match": before.headers["ETag"]},
    )
    assert fresh.status_code == 200


def test_a_logged_in_person_never_gets_a_visitors_page(app, client, courses, make_user):
    anonymous = app.test_client()
    anonymous.get("/courses/", headers={"Accept-Language": "en"})
    login(client, make_user(full_name="Mira Logged In", language="en"))
    page = client.get("/courses/")
    assert "Mira Logged In" in page.get_data(as_text=True)
    assert "ETag" not in page.headers
    assert "Mira Logged In" not in anonymous.get("/courses/").get_data(as_text=True)


def test_a_flashed_message_is_shown_once_and_not_kept(app, client, courses, make_user):
    login(client, make_user(language="en"))
    post(client, "/logout")
    shown = client.get("/courses/").get_data(as_text=True)
    assert "You have logged out." in shown
    assert "You have logged out." not in client.get("/courses/").get_data(as_text=True)


def test_only_known_addresses_are_kept(app, client, courses):
    client.get("/courses/?competence=cooperation", headers={"Accept-Language": "en"})
    client.get("/courses/?utm_source=mail", headers={"Accept-Language": "en"})
    client.get("/courses/no-such-course/", headers={"Accept-Language": "en"})
    assert [key[1:3] for key in kept_pages(app)] == [("/courses/", b"competence=cooperation")]


def test_the_cache_can_be_switched_off(app, client, courses):
    app.config["PUBLIC_PAGE_CACHE"] = False
    response = client.get("/courses/", headers={"Accept-Language": "en"})
    assert "ETag" not in response.headers
    assert kept_pages(app) == []
