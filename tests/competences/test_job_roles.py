"""Job roles and target profiles in the browser: who may read and change them, and that
loading the framework file afterwards keeps what was changed."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.framework.models import Competence, JobRole
from app.framework.services import targets_for
from tests.conftest import COURSES, login, post

LEAD = "bistra-ptuj"  # the lead partner: its administrators keep the framework


def ids(app) -> tuple[int, dict[str, int]]:
    with app.app_context():
        role = db.session.scalar(select(JobRole).where(JobRole.code == "social-worker-csd"))
        competences = {row.code: row.id for row in db.session.scalars(select(Competence))}
        return role.id, competences


def form(competences: dict[str, int], **targets: int | None) -> dict[str, str]:
    data = {
        "name_sl": "Strokovni delavec CSD",
        "name_hr": "Stručni radnik",
        "name_en": "Social worker (centre)",
    }
    for code, competence_id in competences.items():
        level = targets.get(code.replace("-", "_"))
        data[f"target_{competence_id}"] = "" if level is None else str(level)
    return data


def test_a_lead_admin_changes_names_and_targets(app, client, courses, make_user):
    role_id, competences = ids(app)
    admin = make_user(roles={"admin"}, institution=LEAD)
    login(client, admin)
    page = client.get(f"/admin/job-roles/{role_id}").get_data(as_text=True)
    assert f'name="target_{competences["activation-planning"]}"' in page
    response = post(client, f"/admin/job-roles/{role_id}", form(competences, activation_planning=4))
    assert response.status_code == 302
    with app.app_context():
        role = db.session.get(JobRole, role_id)
        assert role.names["en"] == "Social worker (centre)"
        assert role.edited_at is not None
        # Activation planning's target is raised, cooperation's removed.
        assert targets_for(role_id) == {competences["activation-planning"]: 4}
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "job_role_changed"))
        assert entry.actor_id == admin
        assert "cooperation" in entry.details


def test_a_level_off_the_scale_is_refused(app, client, courses, make_user):
    role_id, competences = ids(app)
    login(client, make_user(roles={"admin"}, institution=LEAD))
    data = form(competences, activation_planning=3)
    data[f"target_{competences['cooperation']}"] = "7"
    response = post(client, f"/admin/job-roles/{role_id}", data)
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(JobRole, role_id).edited_at is None


def test_loading_the_file_keeps_a_role_changed_in_the_app(app, client, runner, courses,
                                                          make_user, tmp_path):  # fmt: skip
    role_id, competences = ids(app)
    login(client, make_user(roles={"admin"}, institution=LEAD))
    post(client, f"/admin/job-roles/{role_id}", form(competences, cooperation=1))
    path = tmp_path / "competences.yml"
    shutil.copy(COURSES / "competences.yml", path)
    result = runner.invoke(args=["competences", "sync", str(path)])
    assert result.exit_code == 0, result.output
    assert "social-worker-csd was edited in the app" in result.output
    with app.app_context():
        assert targets_for(role_id) == {competences["cooperation"]: 1}
        assert db.session.get(JobRole, role_id).names["en"] == "Social worker (centre)"


def test_a_new_role_is_created_and_survives_a_load(app, client, runner, courses, make_user):
    login(client, make_user(roles={"admin"}, institution=LEAD))
    names = {"name_sl": "Koordinator", "name_hr": "Koordinator", "name_en": "Coordinator"}
    bad = post(client, "/admin/job-roles/new", {"code": "Case Manager!", **names})
    assert bad.status_code == 400
    assert "lower-case letters" in bad.get_data(as_text=True)
    taken = post(client, "/admin/job-roles/new", {"code": "social-worker-csd", **names})
    assert "exists already" in taken.get_data(as_text=True)
    response = post(client, "/admin/job-roles/new", {"code": "coordinator", **names})
    assert response.status_code == 302
    runner.invoke(args=["competences", "sync", str(COURSES / "competences.yml")])
    with app.app_context():
        role = db.session.scalar(select(JobRole).where(JobRole.code == "coordinator"))
        assert not role.is_retired
    assert "Coordinator" in client.get("/admin/job-roles").get_data(as_text=True)


@pytest.mark.parametrize(
    ("roles", "institution"),
    [({"admin"}, "czss-cakovec"), ({"hr"}, LEAD), ({"trainer"}, LEAD), ((), LEAD)],
)
def test_only_the_lead_partners_admins_change_roles(app, client, courses, make_user, roles,
                                                    institution):  # fmt: skip
    role_id, competences = ids(app)
    login(client, make_user(roles=roles, institution=institution))
    may_read = bool({"admin", "hr"} & set(roles))
    assert client.get(f"/admin/job-roles/{role_id}").status_code == (200 if may_read else 403)
    assert client.get("/admin/job-roles").status_code == (200 if may_read else 403)
    response = post(client, f"/admin/job-roles/{role_id}", form(competences, cooperation=4))
    assert response.status_code == 403
    assert client.get("/admin/job-roles/new").status_code == 403
    with app.app_context():
        assert db.session.get(JobRole, role_id).edited_at is None
    if may_read:
        page = client.get(f"/admin/job-roles/{role_id}").get_data(as_text=True)
        assert 'name="target_' not in page  # read only: the profile as a table
        assert "3 – " in page


def test_staff_are_counted_in_the_viewers_institution_only(app, client, courses, make_user):
    role_id, _competences = ids(app)
    login(client, make_user(roles={"hr"}, institution="czss-cakovec"))
    staff = [make_user(institution=slug) for slug in ("czss-cakovec", "czss-cakovec", LEAD)]
    with app.app_context():
        for user_id in staff:
            db.session.get(User, user_id).job_role_id = role_id
        db.session.commit()
    page = client.get("/admin/job-roles").get_data(as_text=True)
    row = page[page.index("Social worker") :].split("</tr>")[0]
    assert '<td class="numeric">2</td>' in row
