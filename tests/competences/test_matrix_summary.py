"""The HR matrix's summary row: counted over the institution's staff, kept for every server
for SUMMARY_MAX_AGE, filtered from the kept groups exactly as when counted live."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import Institution, Unit, User
from app.competences.matrix_summary import Summary, matrix_summary
from app.competences.models import ReportSnapshot
from app.competences.services import EvidenceInput, current_levels, record_evidence
from app.core.database import count_queries
from app.extensions import db
from app.framework.models import Competence, JobRole, JobRoleTarget
from tests.competences.test_matrix import setup_people
from tests.conftest import login, post


def _cooperation(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Competence.id).where(Competence.code == "cooperation"))


def test_the_summary_row_is_kept_until_too_old_or_recalculated(app, client, courses, make_user):
    people = setup_people(app, make_user)
    app.config["SUMMARY_MAX_AGE"] = 900
    login(client, people["hr"])
    page = client.get("/hr/matrix?sort=gap").get_data(as_text=True)
    assert page.count("50%") == 2  # one of two meets each target
    assert "calculated on" in page
    assert "Recalculate now" not in page  # counted for this very view

    with app.app_context():  # Bor now meets cooperation too (2 of 2)
        record_evidence([EvidenceInput(people["bor"], _cooperation(app), 2, "course")])
        db.session.commit()
    with app.app_context(), count_queries() as counter:
        page = client.get("/hr/matrix?sort=gap").get_data(as_text=True)
    kept_queries = counter.count
    assert "Bor Beginner" in page
    assert page.count("50%") == 2  # the kept counts: the new record is not counted yet
    assert "more than 15 minutes old" in page
    assert "Recalculate now" in page

    # Another server on the same database shows the same kept row.
    other = app.test_client()
    login(other, people["hr"])
    assert other.get("/hr/matrix").get_data(as_text=True).count("50%") == 2

    response = post(client, "/hr/matrix/recalculate?sort=gap", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/hr/matrix"
    assert response.request.args["sort"] == "gap"  # back to the same filters
    assert "The summary row has been calculated again." in page
    # Only the page's filters come back: not url_for's own options, to another scheme or host.
    response = post(client, "/hr/matrix/recalculate?sort=gap&_external=1&_scheme=javascript")
    assert response.headers["Location"] == "/hr/matrix?sort=gap"
    assert page.count("100%") == 1
    assert page.count("50%") == 1

    with app.app_context():  # 16 minutes later the kept row is too old: counted again
        bor = db.session.get(User, people["bor"])
        record_evidence(
            [EvidenceInput(bor.id, _competence(app, "activation-planning"), 3, "course")]
        )
        institution = bor.institution_id
        row = db.session.get(ReportSnapshot, f"matrix:{institution}")
        row.computed_at = row.computed_at - timedelta(minutes=16)
        db.session.commit()
    with app.app_context(), count_queries() as counter:
        page = client.get("/hr/matrix?sort=gap").get_data(as_text=True)
    assert page.count("100%") == 2
    assert counter.count > kept_queries  # the aggregate ran


def _competence(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Competence.id).where(Competence.code == code))


def test_each_institution_keeps_its_own_row(app, client, courses, make_user):
    people = setup_people(app, make_user)
    app.config["SUMMARY_MAX_AGE"] = 900
    login(client, people["hr"])
    assert client.get("/hr/matrix").get_data(as_text=True).count("50%") == 2
    elsewhere = app.test_client()
    login(elsewhere, make_user(roles={"hr"}, institution="czss-cakovec"))
    page = elsewhere.get("/hr/matrix").get_data(as_text=True)
    assert "50%" not in page  # Ivo alone: 0 of 1 and 1 of 1, not Laško's row
    assert "100%" in page

    def counted_at() -> dict[str, object]:
        with app.app_context():
            rows = db.session.execute(select(ReportSnapshot.name, ReportSnapshot.computed_at))
            return {row.name: row.computed_at for row in rows}

    with app.app_context():
        slugs = dict(db.session.execute(select(Institution.slug, Institution.id)).all())
    lasko, cakovec = f"matrix:{slugs['csd-lasko']}", f"matrix:{slugs['czss-cakovec']}"
    before = counted_at()
    # HR of Čakovec recalculates Čakovec only, whatever the query string says.
    assert post(elsewhere, "/hr/matrix/recalculate?institution=csd-lasko").status_code == 302
    after = counted_at()
    assert after[lasko] == before[lasko]
    assert after[cakovec] != before[cakovec]


def test_filters_on_the_kept_groups_equal_the_live_count(app, courses, make_user):
    """Job role and unit filters applied to the kept groups give the figures a live count of
    the same people gives, for every combination."""
    people = setup_people(app, make_user)
    extra = [make_user(institution="csd-lasko", full_name=f"Person {n}") for n in range(4)]
    with app.app_context():
        lasko = db.session.get(User, people["hr"]).institution_id
        parent = Unit(institution_id=lasko, code="p", name="Parent")
        db.session.add(parent)
        db.session.flush()
        child = Unit(institution_id=lasko, code="c", name="Child", parent_id=parent.id)
        db.session.add(child)
        db.session.flush()
        # One of the test framework's job roles, and none (no targets at all).
        roles = [db.session.scalar(select(JobRole.id).order_by(JobRole.id)), None]
        competences = list(db.session.scalars(select(Competence)))
        codes = {c.code: c.id for c in competences}
        for number, user_id in enumerate([people["ana"], people["bor"], *extra]):
            user = db.session.get(User, user_id)
            user.unit_id = [None, parent.id, child.id][number % 3]
            user.job_role_id = roles[number % 2]
            record_evidence(
                [EvidenceInput(user_id, codes["cooperation"], 1 + number % 3, "course")]
            )
        db.session.commit()
        subtree = {None: None, parent.id: {parent.id, child.id}, child.id: {child.id}}
        shown = 0
        for role in roles:
            for unit in [None, parent.id, child.id]:
                live = matrix_summary(lasko, role, unit, competences, max_age=0)
                matrix_summary(lasko, role, unit, competences, max_age=900)  # keeps
                kept = matrix_summary(lasko, role, unit, competences, max_age=900)
                assert not kept.computed
                expected = _by_hand(lasko, role, subtree[unit], competences)
                assert live.cells == expected, (role, unit)
                assert kept.cells == expected, (role, unit)
                shown += sum(cell.with_target for cell in expected)
        assert shown  # the filters selected people with targets


def _by_hand(institution_id, role, units, competences) -> list[Summary]:
    """The same figures from each selected person's levels and targets, in Python."""
    people = [
        user
        for user in db.session.scalars(select(User).where(User.institution_id == institution_id))
        if (role is None or user.job_role_id == role) and (units is None or user.unit_id in units)
    ]
    levels = current_levels([user.id for user in people])
    targets = {
        (t.job_role_id, t.competence_id): t.level for t in db.session.scalars(select(JobRoleTarget))
    }
    cells = []
    for competence in competences:
        cell = Summary()
        for user in people:
            target = targets.get((user.job_role_id, competence.id))
            if target is not None:
                cell.with_target += 1
                state = levels.get((user.id, competence.id))
                cell.met += int((state.level if state else 0) >= target)
        cells.append(cell)
    return cells


def test_links_keep_the_filters_and_nothing_else(app, client, courses, make_user):
    """The export links and the pager carry the list's filters, never url_for's own options."""
    people = setup_people(app, make_user)
    login(client, people["hr"])
    page = client.get("/hr/matrix?sort=gap&_scheme=javascript&_external=1&_anchor=x").text
    assert 'href="/hr/matrix.csv?sort=gap"' in page
    assert "javascript:" not in page
    login(client, people["hr"])
    page = client.get("/hr/certificates?_external=1&_scheme=javascript").text
    assert 'href="/hr/certificates.csv"' in page
    assert "javascript:" not in page
