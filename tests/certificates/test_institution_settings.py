"""An administrator keeps their institution's details; certificates and the profile use them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import Institution
from app.auth.services import institution_by_slug, seed_institutions
from app.extensions import db
from tests.certificates.conftest import issue
from tests.certificates.test_ob3_conformance import schema_problems
from tests.conftest import login, post

DETAILS = {
    "name": "Center za socijalno skrb Čakovec",
    "short_name": "CZSS Čakovec",
    "street_address": "Ulica Matice hrvatske 4",
    "postal_code": "40000",
    "locality": "Čakovec",
    "signatory_name": "Marija Horvat",
    "signatory_title": "Ravnateljica",
}


def test_an_admin_sets_the_details_certificates_show(app, client, courses, make_user):
    admin = make_user(roles={"admin"}, institution="czss-cakovec")
    login(client, admin)
    page = client.get("/admin/institution").get_data(as_text=True)
    assert 'autocomplete="postal-code"' in page
    response = post(client, "/admin/institution", DETAILS)
    assert response.status_code == 302
    profile = client.get("/issuers/czss-cakovec?format=json").get_json()
    assert schema_problems("profile.json", profile) == []
    assert profile["name"] == DETAILS["name"]
    assert profile["address"] == {
        "type": ["Address"],
        "addressCountryCode": "HR",
        "streetAddress": "Ulica Matice hrvatske 4",
        "postalCode": "40000",
        "addressLocality": "Čakovec",
    }
    assert "40000 Čakovec" in client.get("/issuers/czss-cakovec").get_data(as_text=True)
    certificate = issue(app, make_user())  # course beta is issued by czss-cakovec
    assert certificate.signatory_name == "Marija Horvat"
    assert certificate.signatory_title == "Ravnateljica"
    assert certificate.credential["issuer"]["name"] == DETAILS["name"]
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "institution_changed")
        )
        assert entry.actor_id == admin
        assert "signatory_name" in entry.details
        # Seeding the partners again (make run, a deployment) keeps what the admin set.
        seed_institutions()
        db.session.commit()
        assert institution_by_slug("czss-cakovec").name == DETAILS["name"]


def test_required_details_and_lengths_are_checked(app, client, courses, make_user):
    login(client, make_user(roles={"admin"}, institution="czss-cakovec", language="sl"))
    response = post(
        client, "/admin/institution", {**DETAILS, "signatory_name": "  ", "postal_code": "9" * 30}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "To polje je obvezno." in page
    with app.app_context():
        assert institution_by_slug("czss-cakovec").postal_code == ""


@pytest.mark.parametrize("roles", [{"hr"}, {"trainer"}, ()])
def test_only_admins_change_their_institution(app, client, courses, make_user, roles):
    login(client, make_user(roles=roles, institution="czss-cakovec"))
    assert client.get("/admin/institution").status_code == 403
    assert post(client, "/admin/institution", DETAILS).status_code == 403


def test_an_admin_changes_only_their_own_institution(app, client, courses, make_user):
    # The page has no institution in its address: it is always the admin's own.
    login(client, make_user(roles={"admin"}, institution="bistra-ptuj"))
    post(client, "/admin/institution", {**DETAILS, "name": "Bistra renamed"})
    with app.app_context():
        names = dict(db.session.execute(select(Institution.slug, Institution.name)).all())
        assert names["bistra-ptuj"] == "Bistra renamed"
        assert names["czss-cakovec"] != "Bistra renamed"
