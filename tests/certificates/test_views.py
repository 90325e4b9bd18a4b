"""The public verification page, My certificates, HR's list and CSV, and revocation by admins."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from app.auth.models import User
from app.certificates import services
from app.certificates.models import Certificate
from app.core.database import count_queries
from app.courses.services import get_course
from app.extensions import db
from tests.certificates.conftest import issue
from tests.conftest import login, post

VERDICTS = {
    "valid": {"en": "Valid", "sl": "Veljavno", "hr": "Valjano"},
    "expired": {"en": "Expired", "sl": "Poteklo", "hr": "Isteklo"},
    "revoked": {"en": "Revoked", "sl": "Preklicano", "hr": "Opozvano"},
    "unknown": {"en": "Unknown", "sl": "Neznano", "hr": "Nepoznato"},
}


@pytest.mark.parametrize("language", ["sl", "hr", "en"])
def test_the_verification_page_in_three_languages(app, client, courses, make_user, language):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    valid = issue(app, make_user(full_name="Ivana Babić"))
    expired = issue(app, make_user(), "alpha", today=date(2020, 1, 1))
    with app.app_context():
        row = db.session.get(Certificate, expired.id)
        row.expires_on = date(2021, 1, 1)
        revoked = issue(app, make_user())
        admin = db.session.get(User, make_user(roles={"admin"}))
        services.revoke(db.session.get(Certificate, revoked.id), admin, "Duplicate record.")
        db.session.commit()

    page = client.get(f"/verify/{valid.code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'lang="{language}"' in text
    assert VERDICTS["valid"][language] in text
    assert "Ivana Babić" in text
    assert "Beta tečaj" in text
    assert "Centar za socijalnu skrb Čakovec" in text
    # Only what an employer needs: no e-mail, no account details.
    assert "@example.org" not in text

    text = client.get(f"/verify/{expired.code}").get_data(as_text=True)
    assert VERDICTS["expired"][language] in text
    text = client.get(f"/verify/{revoked.code}").get_data(as_text=True)
    assert VERDICTS["revoked"][language] in text
    # The reason is the institution's record, not the public's: only "revoked" and the date.
    assert "Duplicate record." not in text
    page = client.get("/verify/0000-0000-0000-0000")
    assert page.status_code == 404
    assert VERDICTS["unknown"][language] in page.get_data(as_text=True)


def test_a_typed_code_is_normalised(app, client, courses, make_user):
    certificate = issue(app, make_user())
    typed = "-".join(certificate.code[i : i + 4] for i in range(0, 16, 4)).lower()
    response = client.get(f"/verify?code={typed}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{certificate.code}")
    page = client.get("/verify?code=not-a-code")
    assert "This is not a verification code" in page.get_data(as_text=True)
    assert 'value="not-a-code"' in page.get_data(as_text=True)


def test_lookups_are_rate_limited_per_address(app, client, courses, make_user):
    app.config.update(VERIFY_RATE_LIMIT="3 per 10 minutes")
    certificate = issue(app, make_user())
    for _ in range(3):
        assert client.get("/verify/AAAAAAAAAAAAAAAA").status_code == 404
    refused = client.get(f"/verify/{certificate.code}")
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Too many lookups" in text
    assert certificate.learner_name not in text
    # Another address is not affected.
    other = client.get(f"/verify/{certificate.code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_a_limit_that_cannot_be_read_stops_the_start(tmp_path):
    from app import create_app

    with pytest.raises(RuntimeError, match="VERIFY_RATE_LIMIT"):
        create_app("testing", {"STORAGE_DIR": str(tmp_path), "VERIFY_RATE_LIMIT": "3"})


def test_my_certificates_lists_downloads(app, client, courses, make_user):
    learner = make_user()
    certificate = issue(app, learner)
    issue(app, make_user())  # someone else's
    login(client, learner)
    page = client.get("/my/certificates").get_data(as_text=True)
    assert certificate.serial in page
    assert page.count("Download PDF") == 1
    assert f"/certificates/{certificate.id}.json" in page
    assert f"/verify/{certificate.code}" in page


def test_hr_sees_their_institutions_employees_only(app, client, courses, make_user):
    mine = issue(app, make_user(full_name="Maja Marić", institution="csd-lasko"))
    theirs = issue(app, make_user(full_name="Boris Turk", institution="zrsz"))
    login(client, make_user(roles={"hr"}, institution="csd-lasko"))
    page = client.get("/hr/certificates").get_data(as_text=True)
    assert "Maja Marić" in page
    assert "Boris Turk" not in page
    assert client.get(f"/certificates/{theirs.id}.pdf").status_code == 404
    assert client.get(f"/certificates/{mine.id}.pdf").status_code == 200
    data = client.get("/hr/certificates.csv").data
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads č, š, ž only after a BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Serial number", "Employee"]
    assert [row[1] for row in rows[1:]] == ["Maja Marić"]
    assert rows[1][7] == "Valid"
    # An HR officer cannot widen the scope with ?institution=.
    page = client.get("/hr/certificates?institution=zrsz").get_data(as_text=True)
    assert "Boris Turk" not in page


def test_filters_and_admin_scope(app, client, courses, make_user):
    issue(app, make_user(full_name="Ana Alpha"), "alpha")
    beta = issue(app, make_user(full_name="Bor Beta", institution="zrsz"), "beta")
    login(client, make_user(roles={"admin"}))
    page = client.get("/hr/certificates").get_data(as_text=True)
    assert "Ana Alpha" in page
    assert "Bor Beta" in page
    with app.app_context():
        beta_id = get_course("beta").id
    page = client.get(f"/hr/certificates?course={beta_id}").get_data(as_text=True)
    assert "Ana Alpha" not in page
    assert "Bor Beta" in page
    page = client.get("/hr/certificates?q=alpha").get_data(as_text=True)
    assert "Ana Alpha" in page
    assert "Bor Beta" not in page
    page = client.get("/hr/certificates?institution=zrsz").get_data(as_text=True)
    assert "Ana Alpha" not in page
    assert "Bor Beta" in page
    page = client.get(f"/hr/certificates?q={beta.serial}").get_data(as_text=True)
    assert "Bor Beta" in page
    page = client.get("/hr/certificates?status=revoked").get_data(as_text=True)
    assert "Bor Beta" not in page


def test_the_year_filter_offers_the_first_to_the_last_year(app, client, courses, make_user):
    import re

    login(client, make_user(roles={"admin"}))
    assert '<option value="2024"' not in client.get("/hr/certificates").get_data(as_text=True)
    early = issue(app, make_user(full_name="Ana Alpha"), "alpha")
    late = issue(app, make_user(full_name="Bor Beta"), "beta")
    with app.app_context():
        db.session.get(Certificate, early.id).issued_on = date(2024, 12, 31)
        db.session.get(Certificate, late.id).issued_on = date(2026, 1, 1)
        db.session.commit()
    page = client.get("/hr/certificates").get_data(as_text=True)
    assert re.findall(r'<option value="(\d{4})"', page) == ["2026", "2025", "2024"]
    page = client.get("/hr/certificates?year=2024").get_data(as_text=True)
    assert "Ana Alpha" in page
    assert "Bor Beta" not in page


def test_admin_revokes_with_a_reason(app, client, courses, make_user):
    certificate = issue(app, make_user())  # beta: issued by czss-cakovec
    login(client, make_user(roles={"admin"}, institution="czss-cakovec"))
    response = post(client, f"/certificates/{certificate.id}/revoke", {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    response = post(
        client, f"/certificates/{certificate.id}/revoke", {"reason": "Wrong course recorded."}
    )
    assert response.status_code == 302
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Revoked" in page
    assert "Wrong course recorded." not in page
    staff = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "Wrong course recorded." in staff
    again = post(client, f"/certificates/{certificate.id}/revoke", {"reason": "Again."})
    assert "already revoked" in again.get_data(as_text=True)


def test_only_an_admin_of_the_issuer_revokes(app, client, courses, make_user):
    certificate = issue(app, make_user())
    login(client, make_user(roles={"admin"}, institution="bistra-ptuj"))
    assert client.get(f"/certificates/{certificate.id}/revoke").status_code == 403
    response = post(client, f"/certificates/{certificate.id}/revoke", {"reason": "Forged reason."})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Certificate, certificate.id).revoked_at is None


def test_the_hr_list_runs_a_fixed_number_of_queries(app, client, courses, make_user):
    login(client, make_user(roles={"hr"}))

    def queries() -> int:
        with app.app_context(), count_queries() as counter:
            assert client.get("/hr/certificates").status_code == 200
            assert client.get("/hr/certificates.csv").status_code == 200
        return counter.count

    issue(app, make_user(), "beta")
    few = queries()
    for slug in ("alpha", "beta"):
        for _ in range(3):
            issue(app, make_user(), slug)
    assert queries() == few
