"""The summary across institutions: aggregated only, groups under five never shown."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.auth.models import User
from app.competences.services import EvidenceInput, record_evidence
from app.competences.summary import Cell, _suppress
from app.core.database import count_queries
from app.extensions import db
from app.framework.models import Competence, JobRole
from tests.conftest import login, post


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
    staff(app, make_user, "zrsz", 7, 2)  # 3 of 7
    staff(app, make_user, "bistra-ptuj", 2, 2)  # a small group: 2 of 2
    staff(app, make_user, "czss-cakovec", 3, 2)  # a small group: 3 of 3, alone in Croatia
    login(client, make_user(roles={"admin"}, institution="zrsz"))
    html = client.get("/reports/summary").get_data(as_text=True)
    zrsz = row_of(html, "Zavod Republike Slovenije za zaposlovanje")
    assert "<td>8</td>" in zrsz  # 7 and the administrator
    assert "43%" in zrsz
    for small in (
        "Znanstveno-raziskovalno središče Bistra Ptuj",
        "Centar za socijalnu skrb Čakovec",
    ):
        assert row_of(html, small).count("fewer than 5") == 1 + 2  # staff and both competences
    # Shown, Laško and Slovenia would give Bistra's figures by subtraction (Slovenia less
    # Laško and ZRSZ), and Slovenia and all partners Croatia's: they are hidden as well.
    assert row_of(html, "Center za socialno delo Laško").count("fewer than 5") == 3
    assert row_of(html, ">Slovenia<").count("fewer than 5") == 3
    assert row_of(html, ">Croatia<").count("fewer than 5") == 3
    everyone = row_of(html, ">All partners<")
    assert "<td>19</td>" in everyone
    assert "61%" in everyone  # 11 of 18 meet the target
    assert "fewer than 5" not in everyone


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


def _cells(draw, count):
    return [Cell(draw(st.integers(0, 30))) for _ in range(count)]


@st.composite
def trees(draw):
    """Two countries of institutions, their totals and the total of all, as the summary has."""
    countries = []
    for _ in range(2):
        children = _cells(draw, draw(st.integers(0, 5)))
        parent = Cell(sum(cell.counted for cell in children))
        countries.append((parent, children))
    everyone = Cell(sum(parent.counted for parent, _ in countries))
    return [*countries, (everyone, [parent for parent, _ in countries])]


@given(trees())
def test_no_hidden_figure_can_be_found_by_subtraction(tree):
    _suppress(tree)
    for parent, children in tree:
        terms = [cell for cell in [parent, *children] if cell.counted]
        assert all(cell.hidden for cell in terms if cell.counted < 5)
        # One hidden figure in a sum of shown ones is the sum less the others.
        assert sum(cell.hidden for cell in terms) != 1


def test_the_sql_counts_the_level_as_the_matrix_does(app, courses, make_user):
    """Corrections, expiry and self-assessments count in the summary as in current_levels."""
    from datetime import timedelta

    from app.competences.models import Evidence
    from app.competences.services import current_levels, supersede
    from app.competences.summary import summary_report
    from app.core.database import utcnow

    people = [make_user(institution="csd-lasko") for _ in range(6)]
    with app.app_context():
        role = db.session.scalar(select(JobRole.id).where(JobRole.code == "social-worker-csd"))
        cooperation = db.session.scalar(
            select(Competence.id).where(Competence.code == "cooperation")
        )
        for user in people:
            db.session.get(User, user).job_role_id = role

        def rate(user: int, level: int, source: str = "rating") -> Evidence:
            return record_evidence([EvidenceInput(user, cooperation, level, source)])[0]

        rate(people[0], 3)  # meets the target (2)
        supersede(rate(people[1], 3), 1, people[0], "a typing error")  # corrected below it
        rate(people[2], 4, "self")  # a self-assessment is never counted
        rate(people[3], 3).expires_at = utcnow() - timedelta(days=1)  # expired
        rate(people[4], 1)
        rate(people[4], 2)  # the highest counts
        db.session.commit()  # people[5] has no record at all

        levels = current_levels(people)
        expected = sum(
            levels.get((user, cooperation)).level >= 2
            for user in people
            if (user, cooperation) in levels
        )
        report = summary_report()
        competences, rows = report.competences, report.rows
        column = [competence.id for competence in competences].index(cooperation)
        lasko = next(row for row in rows if row.label == "Center za socialno delo Laško")
        cell = lasko.cells[column]
        assert (cell.counted, cell.met) == (6, 2)
        assert cell.met == expected


def test_counted_levels_of_some_people_are_theirs_and_the_same(app, courses, make_user):
    """An institution's report reads its own staff's records only, with the same levels."""
    from app.competences.summary import counted_levels
    from app.core.database import utcnow

    lasko = [make_user(institution="csd-lasko") for _ in range(3)]
    zrsz = [make_user(institution="zrsz") for _ in range(2)]
    with app.app_context():
        cooperation = db.session.scalar(
            select(Competence.id).where(Competence.code == "cooperation")
        )
        record_evidence(
            [EvidenceInput(user, cooperation, 1 + n, "rating") for n, user in enumerate(lasko)]
            + [EvidenceInput(user, cooperation, 4, "rating") for user in zrsz]
        )
        db.session.commit()
        now = utcnow()

        def rows(levels) -> set[tuple[int, int, int]]:
            query = select(levels.c.user_id, levels.c.competence_id, levels.c.level)
            return {tuple(row) for row in db.session.execute(query)}

        everyone = rows(counted_levels(now))
        theirs = rows(counted_levels(now, select(User.id).where(User.id.in_(lasko))))
        assert theirs == {(user, cooperation, 1 + n) for n, user in enumerate(lasko)}
        assert theirs == {row for row in everyone if row[0] in lasko}


def test_the_counts_are_kept_for_every_server_until_they_are_too_old(
    app, client, courses, make_user
):
    """Kept counts are shown while younger than SUMMARY_MAX_AGE (saying when they were
    counted), counted again after it, and at once on "Recalculate now"."""
    from datetime import timedelta

    from app.competences.models import ReportSnapshot
    from app.competences.summary import SNAPSHOT

    app.config["SUMMARY_MAX_AGE"] = 900
    staff(app, make_user, "zrsz", 6, 2)  # 3 of 6 meet cooperation, with the admin 7 staff
    login(client, make_user(roles={"admin"}, institution="zrsz"))
    zrsz = "Zavod Republike Slovenije za zaposlovanje"
    page = client.get("/reports/summary").get_data(as_text=True)
    assert "<td>7</td>" in row_of(page, zrsz)
    assert "Recalculate now" not in page  # counted for this very view
    staff(app, make_user, "zrsz", 2, 2)  # two more people, both meeting the target
    with app.app_context(), count_queries() as counter:
        page = client.get("/reports/summary").get_data(as_text=True)
    assert "<td>7</td>" in row_of(page, zrsz)  # the kept counts: not counted again
    assert "more than 15 minutes old" in page
    assert "Recalculate now" in page
    kept_queries = counter.count

    # Another server (a second app on the same database) shows the same kept counts.
    other = app.test_client()
    login(other, make_user(roles={"admin"}, institution="zrsz"))  # the tenth
    assert "<td>7</td>" in row_of(other.get("/reports/summary").get_data(as_text=True), zrsz)

    with app.app_context():  # 16 minutes later the counts are too old: counted again
        row = db.session.get(ReportSnapshot, SNAPSHOT)
        row.computed_at = row.computed_at - timedelta(minutes=16)
        db.session.commit()
    with app.app_context(), count_queries() as counter:
        page = client.get("/reports/summary").get_data(as_text=True)
    assert "<td>10</td>" in row_of(page, zrsz)
    assert counter.count > kept_queries  # the aggregates ran

    staff(app, make_user, "zrsz", 1, 2)
    assert "<td>10</td>" in row_of(client.get("/reports/summary").get_data(as_text=True), zrsz)
    response = post(client, "/reports/summary/recalculate", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The summary has been calculated again." in page
    assert "<td>11</td>" in row_of(page, zrsz)
