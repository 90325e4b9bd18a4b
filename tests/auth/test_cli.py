"""`flask institutions`, `flask users create` and `flask demo seed`."""

from __future__ import annotations

from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app.auth.models import COUNTRIES, INSTITUTION_KINDS, PARTNER_ROLES, User
from app.auth.partners import PARTNERS
from app.extensions import db


def test_institutions_list_prints_the_seeded_slugs(runner):
    result = runner.invoke(args=["institutions", "list"])
    assert result.exit_code == 0
    assert result.output.split() == sorted(slug for slug, *_ in PARTNERS)
    assert "czss-cakovec" in result.output
    # The seeded partners speak the model's vocabulary for countries, kinds and roles.
    for _slug, _name, _short, country, kind, role in PARTNERS:
        assert country in COUNTRIES
        assert kind in INSTITUTION_KINDS
        assert role in PARTNER_ROLES
    assert runner.invoke(args=["institutions", "seed"]).output.strip() == "Nothing changed."


def test_users_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Maja@Example.org",
            "--name",
            "Maja Kralj",
            "--role",
            "hr",
            "--institution",
            "zrsz",
        ],
        input="a-long-secret-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "password" not in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "maja@example.org"))
        assert user.roles == {"learner", "hr"}
        assert check_password_hash(user.password_hash, "a-long-secret-password")


def test_users_create_generates_a_password_when_none_is_given(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--institution",
            "zrsz",
        ],
        input="",
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("password: ")[1].strip()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "x@example.org"))
        assert check_password_hash(user.password_hash, password)


def test_users_create_refuses_bad_input(runner):
    bad = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "y@example.org",
            "--name",
            "Y",
            "--institution",
            "atlantis",
        ],
        input="a-long-secret-password\n",
    )
    assert bad.exit_code != 0
    assert "unknown institution 'atlantis'" in bad.output
    runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "y@example.org",
            "--name",
            "Y",
            "--institution",
            "zrsz",
        ],
        input="a-long-secret-password\n",
    )
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "y@example.org",
            "--name",
            "Y",
            "--institution",
            "zrsz",
        ],
        input="a-long-secret-password\n",
    )
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_demo_seed_is_idempotent_and_prints_logins(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "learner@demo.2sokrog.eu / zelena-lipa-ob-potoku" in first.output
    assert "admin@demo.2sokrog.eu" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 4
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.2sokrog.eu"))
        assert admin.has_role("admin")


def test_demo_seed_refuses_production(app, runner):
    app.config["IS_PRODUCTION"] = True
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code != 0
    assert "refusing" in result.output
