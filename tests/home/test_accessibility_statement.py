"""The accessibility statement: every section of the EU model, three languages, feedback by mail."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login
from tests.mailserver import text_of

SECTIONS = {
    "en": ["Compliance status", "Non-accessible content",
           "Preparation of this accessibility statement", "Feedback and contact information",
           "Enforcement procedure"],
    "sl": ["Stanje skladnosti", "Nedostopna vsebina", "Priprava te izjave o dostopnosti",
           "Povratne informacije in kontaktni podatki", "Izvršilni postopek"],
    "hr": ["Status usklađenosti", "Nepristupačni sadržaj", "Priprema ove izjave o pristupačnosti",
           "Povratne informacije i podaci za kontakt", "Postupak praćenja provedbe"],
}  # fmt: skip


@pytest.mark.parametrize("language", list(SECTIONS))
def test_the_statement_has_every_section_in_each_language(client, language):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    html = client.get("/accessibility").get_data(as_text=True)
    for heading in SECTIONS[language]:
        assert f">{heading}</h2>" in html
    assert "EN 301 549" in html
    assert "dostopnost@2sokrog.eu" in html


def test_every_page_links_to_the_statement(client, courses):
    for path in ("/courses/", "/login", "/verify"):
        assert 'href="/accessibility"' in client.get(path).get_data(as_text=True)


def test_feedback_reaches_the_contact_address(app, client, inbox):
    token = csrf_token(client, "/accessibility")
    response = client.post(
        "/accessibility",
        data={
            "csrf_token": token,
            "page": "/hr/matrix",
            "message": "The matrix cannot be read with my screen reader.",
            "email": "reader@example.org",
        },
    )
    assert response.status_code == 302
    assert "Your message has been sent" in client.get("/accessibility").get_data(as_text=True)
    (message,) = inbox.wait(1)
    assert message["To"] == "dostopnost@2sokrog.eu"
    assert message["Subject"] == "Povratna informacija o dostopnosti"  # the contact reads sl
    body = text_of(message)
    assert "The matrix cannot be read with my screen reader." in body
    assert "reader@example.org" in body
    assert "/hr/matrix" in body


def test_an_empty_message_is_refused_with_a_message_and_nothing_sent(client, inbox):
    token = csrf_token(client, "/accessibility")
    response = client.post(
        "/accessibility", data={"csrf_token": token, "message": " ", "email": "not-an-address"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert "Invalid email address" in html or "e-mail" in html.lower()
    assert inbox.wait(0, timeout=0.5) == []


def test_a_logged_in_reader_finds_their_address_filled_in(client, make_user):
    login(client, make_user(email="mojca@example.org"))
    assert 'value="mojca@example.org"' in client.get("/accessibility").get_data(as_text=True)
