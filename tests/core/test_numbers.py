"""Numbers and percentages as each language writes them (Babel's CLDR data): 12,5 % in sl and
hr, 12.5% in en; thousands grouped; no float noise."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.core.i18n import decimal, percent
from tests.conftest import login, post

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "share", "score", "count"),
    [
        ("sl", f"12,5{NBSP}%", "3,46", "1.234"),
        ("hr", f"12,5{NBSP}%", "3,46", "1.234"),
        ("en", "12.5%", "3.46", "1,234"),
    ],
)
def test_the_filters_follow_the_language(app, language, share, score, count):
    with app.test_request_context(), force_locale(language):
        assert percent(12.5) == share
        assert decimal(3.456) == score
        assert app.jinja_env.filters["format_number"](1234) == count
        # 28.6 / 100 is 0.28600000000000003 in floats: never printed as such.
        assert percent(28.6).startswith("28")
        assert len(percent(28.6)) <= 6
        assert percent(None) == ""
        assert percent(66.666, 0).startswith("67")


def test_pages_print_percentages_in_the_readers_language(client, courses, make_user):
    login(client, make_user(language="sl"))
    post(client, "/courses/alpha/lessons/first/complete")
    page = client.get("/courses/alpha/").get_data(as_text=True)
    assert f"Opravljenih lekcij: 1 od 3 (33{NBSP}%)" in page
    hr = make_user(language="hr")
    login(client, hr)
    post(client, "/courses/alpha/lessons/first/complete")
    assert f"(33{NBSP}%)" in client.get("/courses/alpha/").get_data(as_text=True)
