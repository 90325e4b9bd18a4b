"""Accounts people run themselves: reset, invitation, profile and e-mail change, with the mails
as a real SMTP server receives them."""

from __future__ import annotations

import re

import pytest
from flask_babel import lazy_gettext
from sqlalchemy import select

from app.auth import selfservice
from app.auth.models import User
from app.auth.services import institution_by_slug
from app.core import notifications
from app.core.jobs import JobFailure
from app.core.mail import MailMessage
from app.extensions import db
from tests.conftest import CSRF_RE, PASSWORD, login, post
from tests.mailserver import html_of, link_in, text_of

NEW_PASSWORD = "violet tram under seven bridges"


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_a_reset_link_arrives_in_the_persons_language_and_works_once(app, client, make_user, inbox):
    user_id = make_user(email="ana@example.org", full_name="Ana Horvat", language="hr",
                        institution="czss-cakovec")  # fmt: skip
    other_browser = app.test_client()
    login(other_browser, user_id)
    assert other_browser.get("/account").status_code == 200
    # A forged Host header must not end up in the link.
    forged = {"Host": "evil.example"}
    token = CSRF_RE.search(client.get("/password/reset", headers=forged).get_data(as_text=True))
    response = client.post(
        "/password/reset",
        data={"csrf_token": token.group(1), "email": " ANA@example.org "},
        headers=forged,
    )
    assert "If an account exists for this address" in response.get_data(as_text=True)
    (message,) = inbox.wait(1)
    assert message["To"] == "Ana Horvat <ana@example.org>"
    assert "Centar za socijalnu skrb" in message["From"] or "Čakovec" in message["From"]
    assert message["Subject"] == "Postavite novu lozinku"
    assert message["Content-Language"] == "hr"
    assert message.get_content_type() == "multipart/alternative"
    assert text_of(message).startswith("Poštovani/poštovana Ana Horvat,")
    assert 'lang="hr"' in html_of(message)
    link = link_in(message, "/password/reset/")
    assert link.startswith(app.config["PUBLIC_BASE_URL"] + "/password/reset/")
    assert "evil.example" not in text_of(message) + html_of(message)

    page = client.get(_path(link))
    assert page.status_code == 200
    weak = post(client, _path(link), {"new": "password1234", "confirm": "password1234"})
    assert "too easy to guess" in weak.get_data(as_text=True)
    done = post(client, _path(link), {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                follow_redirects=True)  # fmt: skip
    assert "Please log in with it" in done.get_data(as_text=True)
    # Every other session has ended; the new password works, the old one not.
    assert other_browser.get("/account").status_code == 302
    logged_in = post(client, "/login", {"email": "ana@example.org", "password": NEW_PASSWORD},
                     follow_redirects=True)  # fmt: skip
    assert "Welcome" in logged_in.get_data(as_text=True)
    # The link was spent; the person was told their password changed.
    again = client.get(_path(link))
    assert again.status_code == 400
    assert "već upotrijebljena" in again.get_data(as_text=True)  # she reads Croatian
    changed = inbox.wait(2)[1]
    assert changed["Subject"] == "Vaša je lozinka promijenjena"
    assert link_in(changed, "/password/reset").endswith("/password/reset")


def test_the_reset_page_tells_nobody_which_addresses_exist(app, client, make_user, inbox):
    make_user(email="known@example.org")
    known = post(client, "/password/reset", {"email": "known@example.org"})
    unknown = post(client, "/password/reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'name="csrf_token"[^>]*>')  # the only part that differs per response
    assert strip.sub("", known.get_data(as_text=True)) == strip.sub(
        "", unknown.get_data(as_text=True)
    )
    assert len(inbox.wait(1, timeout=2)) == 1
    # A deactivated account gets nothing either.
    make_user(email="gone@example.org", is_active=False)
    post(client, "/password/reset", {"email": "gone@example.org"})
    assert len(inbox.wait(2, timeout=1)) == 1


def test_resets_for_one_address_are_limited_without_saying_so(app, client, make_user, inbox):
    make_user(email="flood@example.org")
    answers = [post(client, "/password/reset", {"email": "flood@example.org"}) for _ in range(5)]
    # The same answer every time.
    assert {r.status_code for r in answers} == {200}
    assert all("If an account exists" in r.get_data(as_text=True) for r in answers)
    assert len(inbox.wait(5, timeout=2)) == 3  # RESET_REQUESTS_PER_EMAIL


def test_a_tampered_or_expired_link_is_refused(app, client, make_user, monkeypatch):
    user_id = make_user()
    with app.app_context():
        token = selfservice._password_token(db.session.get(User, user_id), "reset")
    tampered = client.get(f"/password/reset/{token[:-2]}xx")
    assert tampered.status_code == 400
    assert "not valid" in tampered.get_data(as_text=True)
    # An invitation token is no reset token.
    with app.app_context():
        invitation = selfservice._password_token(db.session.get(User, user_id), "invitation")
    assert client.get(f"/password/reset/{invitation}").status_code == 400
    monkeypatch.setattr(selfservice, "RESET_SECONDS", -1)
    expired = client.get(f"/password/reset/{token}")
    assert expired.status_code == 400
    assert "expired" in expired.get_data(as_text=True)
    assert 'href="/password/reset"' in expired.get_data(as_text=True)


def test_an_admin_invites_instead_of_typing_a_password(app, client, make_user, inbox):
    admin = make_user(roles={"admin"}, full_name="Mojca Admin")
    login(client, admin)
    with app.app_context():
        institution = institution_by_slug("csd-lasko").id
    form = {"full_name": "Nova Oseba", "email": "nova@example.org", "institution_id": institution,
            "job_role_id": 0, "language": "sl", "is_active": "y", "password": ""}  # fmt: skip
    page = post(client, "/admin/users/new", form, follow_redirects=True).get_data(as_text=True)
    assert "An invitation to choose a password was sent to nova@example.org" in page
    (message,) = inbox.wait(1)
    assert message["Subject"] == "Vabilo na učno platformo 2SoKroG"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nova@example.org"))
        assert user.password_hash == ""
    stranger = app.test_client()
    refused = post(stranger, "/login", {"email": "nova@example.org", "password": ""})
    assert "Welcome" not in refused.get_data(as_text=True)

    # The admin sends it again; the first link still works until a password is chosen.
    edit = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "has not accepted the invitation yet" in edit
    post(client, f"/admin/users/{user.id}/invite")
    assert len(inbox.wait(2)) == 2
    link = link_in(message, "/invitation/")
    accepted = post(stranger, _path(link), {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                    follow_redirects=True)  # fmt: skip
    assert "Vaš račun je pripravljen" in accepted.get_data(as_text=True)  # in her language
    assert stranger.get("/account").status_code == 200
    assert app.test_client().get(_path(link)).status_code == 400  # used
    assert (
        app.test_client().get(_path(link_in(inbox.messages[1], "/invitation/"))).status_code == 400
    )
    resent = post(client, f"/admin/users/{user.id}/invite", follow_redirects=True)
    assert "has already chosen a password" in resent.get_data(as_text=True)


def test_the_profile_saves_name_language_and_mail_choices(app, client, make_user):
    kind = notifications.register(
        notifications.Kind("test-digest", lazy_gettext("Weekly digest"), order=50)
    )
    try:
        user_id = make_user(full_name="Old Name")
        login(client, user_id)
        page = client.get("/account").get_data(as_text=True)
        assert re.search(
            r'checked id="notifications-\d+" name="notifications" type="checkbox" '
            r'value="test-digest"',
            page,
        )
        post(client, "/account", {"full_name": "  New Name ", "language": "hr"})
        user = _user(app, user_id)
        assert user.full_name == "New Name"
        assert user.language == "hr"
        # Nothing ticked: every choice the person is shown is switched off.
        assert set(user.notification_optout) == {k.code for k in notifications.choices({"learner"})}
        assert "test-digest" in user.notification_optout
        assert not notifications.wanted("test-digest", user.notification_optout)
        assert notifications.wanted("password-changed", ["password-changed"])  # not optional
        assert "Moj račun" in client.get("/account").get_data(as_text=True)
    finally:
        notifications.KINDS.pop(kind.code)


def test_an_email_change_is_confirmed_from_the_new_address(app, client, make_user, inbox):
    user_id = make_user(email="old@example.org", full_name="Vid Novak", language="en")
    make_user(email="taken@example.org")
    login(client, user_id)
    wrong = post(client, "/account/email", {"email": "new@example.org", "password": "nope"})
    assert "The current password is not correct." in wrong.get_data(as_text=True)
    taken = post(client, "/account/email", {"email": "taken@example.org", "password": PASSWORD})
    assert "already exists" in taken.get_data(as_text=True)
    post(client, "/account/email", {"email": "New@Example.org", "password": PASSWORD})
    (message,) = inbox.wait(1)
    assert message["To"] == "Vid Novak <new@example.org>"
    link = link_in(message, "/account/email/")
    # Opening the link (as a mail scanner would) changes nothing.
    asked = client.get(_path(link)).get_data(as_text=True)
    assert "new@example.org" in asked
    assert _user(app, user_id).email == "old@example.org"
    done = post(client, _path(link), follow_redirects=True).get_data(as_text=True)
    assert "Your e-mail address is now new@example.org" in done
    assert _user(app, user_id).email == "new@example.org"
    notice = inbox.wait(2)[1]
    assert notice["To"] == "Vid Novak <old@example.org>"
    assert "new@example.org" in text_of(notice)
    assert client.get("/account").status_code == 302  # every session ended
    assert post(app.test_client(), _path(link)).status_code == 400  # spent


def test_a_mail_server_that_is_down_does_not_fail_the_request(app, client, make_user, smtp_server):
    from app.extensions import mail

    make_user(email="down@example.org")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port + 1)  # nobody there
    mail.init_app(app)
    response = post(client, "/password/reset", {"email": "down@example.org"})
    assert response.status_code == 200
    assert "If an account exists" in response.get_data(as_text=True)
    with app.app_context():
        message = db.session.scalar(select(MailMessage))
        assert message.status == "failed"
        assert message.body_text == ""  # with a mail server, bodies (reset links) are not kept
        failure = db.session.scalar(select(JobFailure))
        assert failure.name.endswith("deliver")
        assert failure.retries_left > 0  # it will be tried again


def test_without_a_mail_server_mails_go_to_the_admins_outbox(app, client, make_user):
    admin = make_user(roles={"admin"})
    make_user(email="dev@example.org", language="en")
    post(client, "/password/reset", {"email": "dev@example.org"})
    login(client, admin)
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert "Reset your password" in outbox
    assert "Written to the log" in outbox
    message_id = re.search(r"/admin/outbox/(\d+)", outbox).group(1)
    page = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "/password/reset/" in page
    learner = app.test_client()
    login(learner, make_user())
    assert learner.get("/admin/outbox").status_code == 403


@pytest.mark.parametrize("path", ["/password/reset/x", "/invitation/x", "/account/email/x"])
def test_garbage_tokens_get_a_page_not_an_error(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
