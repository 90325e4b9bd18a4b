"""The summary across institutions: aggregated only, groups under five never shown."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.competences.services import EvidenceInput, record_evidence
from app.core.database import count_queries
from app.extensions import db
from app.framework.models import Competence, JobRole
from tests.conftest import login


def staff(app, make_user, institution: str, count: int, level: int) -> None:
    ids = [make_user(institution=institution) for _ in range(count)]
    with app.app_context():
        role = db.session.scalar(select(JobRole.id).where(JobRole.code == "social-worker-csd"))
        cooperation = db.session.scalar(
            select(Competence.id).where(Competence.code == "cooperation")
        )
        for user in ids:
            db.session.get(User, user).job_role_id = role
        record_evidence([EvidenceInput(user, cooperation, level, "course") for user in ids[:3]])
        db.session.commit()


def row_of(html: str, label: str) -> str:
    return html.split(label, 1)[1].split("</tr>", 1)[0]


def test_small_groups_are_never_shown_as_figures(app, client, courses, make_user):
    staff(app, make_user, "csd-lasko", 6, 2)  # 3 of 6 meet cooperation (target 2)
    staff(app, make_user, "czss-cakovec", 3, 2)  # a small group
    login(client, make_user(roles={"admin"}, institution="bistra-ptuj"))
    html = client.get("/reports/summary").get_data(as_text=True)
    lasko = row_of(html, "Center za socialno delo Laško")
    assert "<td>6</td>" in lasko
    assert "50 %" in lasko
    cakovec = row_of(html, "Centar za socijalnu skrb Čakovec")
    assert "100 %" not in cakovec
    assert cakovec.count("fewer than 5") == 1 + 2  # staff and both competences
    croatia = row_of(html, ">Croatia<")
    assert "fewer than 5" in croatia
    everyone = row_of(html, ">All partners<")
    assert "67 %" in everyone  # 6 of 9 meet the target


def test_hr_of_the_lead_partner_may_see_it_others_not(app, client, courses, make_user):
    login(client, make_user(roles={"hr"}, institution="bistra-ptuj"))
    assert client.get("/reports/summary").status_code == 200
    login(client, make_user(roles={"hr"}, institution="zrsz"))
    assert client.get("/reports/summary").status_code == 403


def test_summary_runs_a_fixed_number_of_queries(app, client, courses, make_user):
    login(client, make_user(roles={"admin"}, institution="bistra-ptuj"))
    staff(app, make_user, "csd-lasko", 2, 2)
    with app.app_context(), count_queries() as few:
        client.get("/reports/summary")
    staff(app, make_user, "zrsz", 12, 3)
    with app.app_context(), count_queries() as many:
        client.get("/reports/summary")
    assert few.count == many.count
