"""The privacy notice, in Slovenian, Croatian and English, linked from every page's footer."""

from __future__ import annotations

import pytest

from tests.conftest import login

HEADINGS = {
    "en": ("Privacy notice", "Legal basis", "Your rights"),
    "sl": ("Obvestilo o varstvu osebnih podatkov", "Pravna podlaga", "Vaše pravice"),
    "hr": ("Obavijest o zaštiti osobnih podataka", "Pravna osnova", "Vaša prava"),
}


@pytest.mark.parametrize("language", ["en", "sl", "hr"])
def test_the_notice_is_in_each_language(app, client, language):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    page = client.get("/privacy").get_data(as_text=True)
    for heading in HEADINGS[language]:
        assert heading in page
    assert app.config["PRIVACY_CONTACT"] in page
    assert f"{app.config['ATTEMPT_RETENTION_YEARS']}" in page


def test_every_footer_links_the_notice(app, client, courses, make_user):
    for path in ("/privacy", "/courses/", "/login", "/verify"):
        assert 'href="/privacy"' in client.get(path).get_data(as_text=True), path
    login(client, make_user())
    for path in ("/courses/", "/account/data"):
        assert 'href="/privacy"' in client.get(path).get_data(as_text=True), path
