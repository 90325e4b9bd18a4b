"""Administration of accounts: list, filter, create, edit, deactivate, assign roles."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.auth.services import institution_by_slug
from app.core.database import count_queries
from app.extensions import db
from tests.conftest import login, post


def test_admin_lists_and_filters_users(app, client, make_user):
    admin = make_user(roles={"admin"}, full_name="Admin Person", institution="bistra-ptuj")
    make_user(full_name="Hana Trainer", roles={"trainer"}, institution="czss-cakovec")
    make_user(full_name="Ivo Learner", institution="csd-lasko")
    login(client, admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Hana Trainer" in page
    assert "Ivo Learner" in page
    page = client.get("/admin/users?role=trainer").get_data(as_text=True)
    assert "Hana Trainer" in page
    assert "Ivo Learner" not in page
    with app.app_context():
        lasko = institution_by_slug("csd-lasko").id
    page = client.get(f"/admin/users?institution={lasko}").get_data(as_text=True)
    assert "Ivo Learner" in page
    assert "Hana Trainer" not in page
    assert "Hana" in client.get("/admin/users?q=hana").get_data(as_text=True)


def test_user_list_runs_a_constant_number_of_queries(app, client, make_user):
    login(client, make_user(roles={"admin"}))
    make_user(roles={"hr"})
    with app.app_context(), count_queries() as few:
        client.get("/admin/users")
    for index in range(15):
        make_user(roles={"trainer"} if index % 2 else set(), institution="zrsz")
    with app.app_context(), count_queries() as many:
        client.get("/admin/users")
    assert few.count == many.count


def test_admin_creates_a_user_who_is_invited(app, client, make_user):
    login(client, make_user(roles={"admin"}))
    with app.app_context():
        institution = institution_by_slug("hzz-varazdin").id
    response = post(
        client,
        "/admin/users/new",
        {
            "full_name": "Nova Oseba",
            "email": "nova@example.org",
            "institution_id": institution,
            "job_role_id": 0,
            "language": "hr",
            "roles": ["hr", "trainer"],
            "is_active": "y",
            "password": "",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Account created for Nova Oseba. An invitation to choose a password" in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nova@example.org"))
        assert user.roles == {"learner", "hr", "trainer"}
        assert user.institution.slug == "hzz-varazdin"
        assert user.language == "hr"
        assert user.password_hash == ""  # no password until the invitation is accepted


def test_create_form_errors_keep_what_was_typed(client, make_user):
    login(client, make_user(roles={"admin"}))
    make_user(email="taken@example.org")
    response = post(
        client,
        "/admin/users/new",
        {
            "full_name": "Ime Priimek",
            "email": "taken@example.org",
            "institution_id": 1,
            "job_role_id": 0,
            "language": "sl",
            "password": "short",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "An account with this e-mail already exists." not in page  # the password fails first
    assert 'value="Ime Priimek"' in page
    assert "Field must be at least 10 characters long." in page or "10" in page
    response = post(
        client,
        "/admin/users/new",
        {
            "full_name": "Ime Priimek",
            "email": "taken@example.org",
            "institution_id": 1,
            "job_role_id": 0,
            "language": "sl",
            "password": "long-enough-password",
        },
    )
    assert "An account with this e-mail already exists." in response.get_data(as_text=True)


def test_admin_edits_roles_and_deactivates(app, client, make_user):
    admin = make_user(roles={"admin"})
    other = make_user(full_name="Druga Oseba", email="druga@example.org")
    login(client, admin)
    response = post(
        client,
        f"/admin/users/{other}",
        {
            "full_name": "Druga Oseba",
            "email": "druga@example.org",
            "institution_id": 1,
            "job_role_id": 0,
            "language": "en",
            "roles": ["hr"],
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, other).roles == {"learner", "hr"}
    assert post(client, f"/admin/users/{other}/deactivate").status_code == 302
    with app.app_context():
        assert db.session.get(User, other).is_active is False


def test_admin_cannot_lock_themselves_out(app, client, make_user):
    admin = make_user(roles={"admin"}, email="me@example.org")
    login(client, admin)
    post(client, f"/admin/users/{admin}/deactivate")
    response = post(
        client,
        f"/admin/users/{admin}",
        {
            "full_name": "Me",
            "email": "me@example.org",
            "institution_id": 1,
            "job_role_id": 0,
            "language": "en",
            "roles": [],
            "is_active": "y",
        },
    )
    assert "You cannot remove your own administrator access." in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, admin)
        assert user.is_active
        assert user.has_role("admin")
