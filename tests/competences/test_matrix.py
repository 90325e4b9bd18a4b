"""The HR matrix: institution scoping on page, export and CLI; filters, sorting, summary;
exports equal to the page; real XLSX; a fixed number of queries."""

from __future__ import annotations

import csv
import io

import openpyxl
from sqlalchemy import select

from app.auth.models import User
from app.competences.services import EvidenceInput, record_evidence
from app.core.database import count_queries
from app.extensions import db
from app.framework.models import Competence, JobRole
from tests.conftest import login


def setup_people(app, make_user) -> dict[str, int]:
    """Two people at CSD Laško with targets, one at CZSS Čakovec; some evidence."""
    people = {
        "hr": make_user(roles={"hr"}, institution="csd-lasko", full_name="Hana HR"),
        "ana": make_user(institution="csd-lasko", full_name="Ana Able"),
        "bor": make_user(institution="csd-lasko", full_name="Bor Beginner"),
        "ivo": make_user(institution="czss-cakovec", full_name="Ivo Elsewhere"),
    }
    with app.app_context():
        role = db.session.scalar(select(JobRole.id).where(JobRole.code == "social-worker-csd"))
        for key in ("ana", "bor", "ivo"):
            db.session.get(User, people[key]).job_role_id = role
        codes = {c.code: c.id for c in db.session.scalars(select(Competence))}
        record_evidence(
            [
                EvidenceInput(people["ana"], codes["activation-planning"], 3, "course"),
                EvidenceInput(people["ana"], codes["cooperation"], 2, "quiz"),
                EvidenceInput(people["bor"], codes["cooperation"], 1, "course"),
                EvidenceInput(people["ivo"], codes["cooperation"], 4, "course"),
            ]
        )
        db.session.commit()
    return people


def test_hr_sees_only_their_own_institution(app, client, courses, make_user):
    people = setup_people(app, make_user)
    login(client, people["hr"])
    html = client.get("/hr/matrix").get_data(as_text=True)
    assert "Ana Able" in html
    assert "Bor Beginner" in html
    assert "Ivo Elsewhere" not in html
    # Asking for another institution changes nothing for HR.
    html = client.get("/hr/matrix?institution=czss-cakovec").get_data(as_text=True)
    assert "Ivo Elsewhere" not in html
    exported = client.get("/hr/matrix.csv?institution=czss-cakovec").get_data(as_text=True)
    assert "Ivo Elsewhere" not in exported
    assert "Ana Able" in exported
    assert client.get(f"/hr/employees/{people['ivo']}").status_code == 403
    assert client.get(f"/hr/employees/{people['ana']}").status_code == 200


def test_admin_may_choose_the_institution(app, client, courses, make_user):
    people = setup_people(app, make_user)
    login(client, make_user(roles={"admin"}, institution="bistra-ptuj"))
    html = client.get("/hr/matrix?institution=czss-cakovec").get_data(as_text=True)
    assert "Ivo Elsewhere" in html
    assert "Ana Able" not in html
    assert client.get("/hr/matrix?institution=atlantis").status_code == 404
    assert client.get(f"/hr/employees/{people['ivo']}").status_code == 200


def test_cells_summary_and_sorting(app, client, courses, make_user):
    people = setup_people(app, make_user)
    login(client, people["hr"])
    html = client.get("/hr/matrix?sort=gap").get_data(as_text=True)
    # Targets: activation-planning 3, cooperation 2. Ana meets both; Bor misses 3 + 1.
    assert html.index("Bor Beginner") < html.index("Ana Able")
    assert "Share meeting the target" in html
    assert html.count("50%") == 2  # one of two meets each target
    assert ">Hana HR</a>" in html  # HR staff are employees too (no job role: no targets)
    by_name = client.get("/hr/matrix").get_data(as_text=True)
    assert by_name.index("Ana Able") < by_name.index("Bor Beginner")


def test_filters(app, client, courses, make_user):
    people = setup_people(app, make_user)
    login(client, people["hr"])
    with app.app_context():
        role = db.session.scalar(select(JobRole.id).where(JobRole.code == "social-worker-csd"))
        from app.courses.services import get_course

        beta = get_course("beta").id
    html = client.get(f"/hr/matrix?job_role={role}").get_data(as_text=True)
    assert ">Hana HR</a>" not in html
    assert "Ana Able" in html
    html = client.get(f"/hr/matrix?course={beta}").get_data(as_text=True)
    assert '<th scope="col">Cooperation</th>' in html
    assert "Activation planning</th>" not in html


def test_csv_and_xlsx_carry_exactly_the_page(app, client, courses, make_user, tmp_path):
    people = setup_people(app, make_user)
    login(client, people["hr"])
    response = client.get("/hr/matrix.csv?sort=gap")
    assert response.is_streamed  # read and sent a chunk at a time, never held whole
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["name", "email", "job_role"]
    assert rows[0][3:5] == ["activation-planning level", "cooperation level"]
    assert [row[0] for row in rows[1:]] == ["Bor Beginner", "Ana Able", "Hana HR"]
    assert rows[1][3:] == ["0", "1", "3", "2", "4"]
    response = client.get("/hr/matrix.xlsx?sort=gap")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    path = tmp_path / "m.xlsx"
    path.write_bytes(response.data)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.freeze_panes == "B2"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == rows[0]
    assert values[1][3] == 0  # levels are numbers, not text
    assert [str(v) if v is not None else "" for v in values[1]] == rows[1]


def test_cli_export_is_scoped_to_the_institution(app, runner, courses, make_user, tmp_path):
    setup_people(app, make_user)
    out = tmp_path / "m.csv"
    result = runner.invoke(
        args=[
            "reports",
            "matrix",
            "--institution",
            "csd-lasko",
            "--format",
            "csv",
            "--output",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "Ana Able" in text
    assert "Ivo Elsewhere" not in text
    xlsx = tmp_path / "m.xlsx"
    runner.invoke(
        args=[
            "reports",
            "matrix",
            "--institution",
            "czss-cakovec",
            "--format",
            "xlsx",
            "--output",
            str(xlsx),
        ]
    )
    sheet = openpyxl.load_workbook(xlsx).active
    assert [row[0].value for row in sheet.iter_rows()][1:] == ["Ivo Elsewhere"]


def test_cli_exports_every_institution_with_all(app, runner, courses, make_user, tmp_path):
    setup_people(app, make_user)
    out = tmp_path / "all.xlsx"
    result = runner.invoke(
        args=["reports", "matrix", "--all", "--format", "xlsx", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = [row[0].value for row in openpyxl.load_workbook(out).active.iter_rows()][1:]
    assert {"Ana Able", "Bor Beginner", "Ivo Elsewhere"} <= set(names)
    both = runner.invoke(
        args=["reports", "matrix", "--all", "--institution", "csd-lasko", "--output", str(out)]
    )
    assert both.exit_code != 0
    assert "either --institution SLUG or --all" in both.output


def test_matrix_runs_a_fixed_number_of_queries(app, client, courses, make_user):
    people = setup_people(app, make_user)
    login(client, people["hr"])
    with app.app_context(), count_queries() as few:
        client.get("/hr/matrix")
    for _ in range(15):
        make_user(institution="csd-lasko")
    with app.app_context():
        users = db.session.scalars(select(User.id)).all()
        cid = db.session.scalar(select(Competence.id))
        record_evidence([EvidenceInput(user, cid, 2, "course") for user in users])
        db.session.commit()
    with app.app_context(), count_queries() as many:
        client.get("/hr/matrix")
    assert few.count == many.count


def test_hr_corrects_a_rating_and_both_stay_visible(app, client, courses, make_user):
    from tests.conftest import post

    people = setup_people(app, make_user)
    login(client, people["hr"])
    with app.app_context():
        codes = {c.code: c.id for c in db.session.scalars(select(Competence))}
    post(
        client,
        f"/hr/employees/{people['bor']}",
        {"competence_id": codes["cooperation"], "level": 4, "comment": "Oops, wrong person."},
    )
    page = client.get(f"/hr/employees/{people['bor']}").get_data(as_text=True)
    link = page.split('href="/hr/evidence/', 1)[1].split('"', 1)[0]
    response = post(
        client,
        f"/hr/evidence/{link}",
        {"competence_id": codes["cooperation"], "level": 1, "comment": "Corrected."},
    )
    assert response.status_code == 302
    page = client.get(f"/hr/employees/{people['bor']}").get_data(as_text=True)
    assert "Oops, wrong person." in page
    assert "Corrected." in page
    assert "corrects an earlier record" in page
    assert "Correct this rating" in page  # the new one can be corrected again, the old not
    assert page.count("Correct this rating") == 1
    assert client.get(f"/hr/evidence/{link}").status_code == 200
    login(client, make_user(roles={"hr"}, institution="zrsz"))
    assert client.get(f"/hr/evidence/{link}").status_code == 403


def test_hr_appoints_an_assessor_who_then_rates(app, client, courses, make_user):
    from tests.conftest import post

    people = setup_people(app, make_user)
    login(client, people["hr"])
    response = post(client, "/hr/assessors", {"user_id": people["ana"], "appoint": "1"})
    assert response.status_code == 302
    assert (
        post(client, "/hr/assessors", {"user_id": people["ivo"], "appoint": "1"}).status_code == 403
    )
    with app.app_context():
        assert db.session.get(User, people["ana"]).has_role("assessor")
        assert not db.session.get(User, people["ivo"]).has_role("assessor")
        cooperation = db.session.scalar(
            select(Competence.id).where(Competence.code == "cooperation")
        )
    login(client, people["ana"])
    rated = post(
        client,
        f"/hr/employees/{people['bor']}",
        {"competence_id": cooperation, "level": 2, "comment": "Led a case conference."},
    )
    assert rated.status_code == 302
    assert client.get(f"/hr/employees/{people['ivo']}").status_code == 403
    login(client, people["hr"])
    post(client, "/hr/assessors", {"user_id": people["ana"], "appoint": "0"})
    login(client, people["ana"])
    assert client.get(f"/hr/employees/{people['bor']}").status_code == 403


def test_an_appointment_returns_to_the_same_institution_and_nothing_else(
    app, client, courses, make_user
):
    from tests.conftest import post

    people = setup_people(app, make_user)
    login(client, make_user(roles={"admin"}))
    # The institution an administrator picked is kept; other keys are not url_for's options.
    response = post(
        client,
        "/hr/assessors?institution=czss-cakovec&_external=1&_anchor=x",
        {"user_id": people["ivo"], "appoint": "1"},
    )
    assert response.status_code == 302
    assert response.location == "/hr/assessors?institution=czss-cakovec"
    with app.app_context():
        assert db.session.get(User, people["ivo"]).has_role("assessor")


def test_streamed_export_has_exactly_the_rows_of_the_page(app, courses, make_user):
    from app.competences import reports

    setup_people(app, make_user)
    with app.app_context():
        for institution_id in (db.session.get(User, make_user()).institution_id, None):
            query = reports.MatrixFilter(institution_id=institution_id)
            built = reports.build_matrix(query)
            # One person per chunk: every chunk boundary is crossed.
            streamed = reports.stream_matrix(query, chunk=1)
            assert [(row.user.id, row.cells) for row in streamed.rows] == [
                (row.user.id, row.cells) for row in built.rows
            ]
        everyone = reports.build_matrix(reports.MatrixFilter(institution_id=None))
        assert {"Ana Able", "Ivo Elsewhere"} <= {row.user.full_name for row in everyone.rows}


def test_matrix_cells_say_level_target_and_whether_it_is_met(app, client, courses, make_user):
    people = setup_people(app, make_user)
    login(client, people["hr"])
    html = client.get("/hr/matrix").get_data(as_text=True)
    rows = {name: html[html.index(f">{name}</a>") :].split("</tr>")[0] for name in
            ("Ana Able", "Bor Beginner", "Hana HR")}  # fmt: skip
    # Ana: activation planning 3 of 3, cooperation 2 of 2; Bor: 0 of 3, 1 of 2.
    met = '<span class="ok">✓<span class="vh"> met</span></span>'
    below = '<strong>✗<span class="vh"> below target</span></strong>'
    assert f'<td><b class="lv3">3</b> / 3 {met}</td>' in rows["Ana Able"]
    assert below not in rows["Ana Able"]
    assert f'<td class="below"><b class="lv0">0</b> / 3 {below}</td>' in rows["Bor Beginner"]
    assert "<td>4</td>" in rows["Bor Beginner"]  # total gap: 3 + 1
    assert '<span class="vh">no target</span>' in rows["Hana HR"]
    assert 'class="below"' not in rows["Hana HR"]
    assert f'href="/hr/employees/{people["bor"]}"' in html


def test_nobody_rates_their_own_competence(app, client, courses, make_user):
    from app.competences.models import Evidence
    from tests.conftest import post

    for role in ("hr", "assessor", "trainer", "admin"):
        rater = make_user(roles={role})
        login(client, rater)
        with app.app_context():
            cooperation = db.session.scalar(
                select(Competence.id).where(Competence.code == "cooperation")
            )
        page = client.get(f"/hr/employees/{rater}").get_data(as_text=True)
        assert "You cannot rate your own competences" in page
        response = post(
            client,
            f"/hr/employees/{rater}",
            {"competence_id": cooperation, "level": 4, "comment": "I am excellent."},
        )
        assert response.status_code == 403, role
        with app.app_context():
            assert db.session.scalars(select(Evidence).where(Evidence.user_id == rater)).all() == []
            # Nor by correcting a rating someone else gave them.
            (rating,) = record_evidence(
                [EvidenceInput(rater, cooperation, 1, "rating", recorded_by_id=None)]
            )
            db.session.commit()
            rating_id = rating.id
        response = post(
            client,
            f"/hr/evidence/{rating_id}/correct",
            {"competence_id": cooperation, "level": 4, "comment": "Better."},
        )
        assert response.status_code == 403, role


def test_the_matrix_is_paged_by_gap_with_the_summary_of_everyone(app, client, courses, make_user):
    """A page of the largest gaps, in SQL order; the summary row counts every employee."""
    people = setup_people(app, make_user)
    app.config["MATRIX_PER_PAGE"] = 1
    login(client, people["hr"])
    first = client.get("/hr/matrix?sort=gap").get_data(as_text=True)
    assert "Bor Beginner" in first  # the largest gap (3 + 1) first
    assert "Ana Able" not in first
    assert "3 employees" in first
    assert "Page 1 of 3" in first
    assert first.count("50%") == 2  # the summary still counts Ana and Bor
    second = client.get("/hr/matrix?sort=gap&page=2").get_data(as_text=True)
    assert "Ana Able" in second
    assert "Bor Beginner" not in second
    assert "sort=gap" in second.split('class="pager"', 1)[1]  # the pager keeps the order

    def queries() -> int:
        with app.app_context(), count_queries() as counter:
            assert client.get("/hr/matrix?sort=gap").status_code == 200
        return counter.count

    before = queries()
    for number in range(5):
        make_user(institution="csd-lasko", full_name=f"Zoe Later {number}")
    assert queries() == before


def test_only_employees_below_a_target(app, client, courses, make_user):
    people = setup_people(app, make_user)
    login(client, people["hr"])
    row = '<th scope="row"><a href="/hr/employees/'
    html = client.get("/hr/matrix?gap=1").get_data(as_text=True)
    listed = html.count(row)
    assert f">{listed} employee" in html  # the count is of those listed, not of everyone
    everyone = client.get("/hr/matrix?sort=gap").get_data(as_text=True)
    assert everyone.count(row) > listed
    assert f">{everyone.count(row)} employees" in everyone
    assert "Bor Beginner" in html  # below both targets
    assert ">Hana HR</a>" not in html  # no job role, no target
    assert "Ana Able" not in html  # meets both
    assert 'id="filter-gap" name="gap" value="1" checked' in html
    exported = client.get("/hr/matrix.csv?gap=1").get_data(as_text=True)
    assert "Bor Beginner" in exported
    assert "Ana Able" not in exported


def test_one_competence_and_who_is_below_its_target(app, client, courses, make_user):
    people = setup_people(app, make_user)
    cene = make_user(institution="csd-lasko", full_name="Cene Coop")
    with app.app_context():
        codes = {c.code: c.id for c in db.session.scalars(select(Competence))}
        user = db.session.get(User, cene)
        user.job_role_id = db.session.scalar(
            select(JobRole.id).where(JobRole.code == "social-worker-csd")
        )
        # Meets activation planning (3 of 3), below the target in cooperation (0 of 2).
        record_evidence([EvidenceInput(cene, codes["activation-planning"], 3, "course")])
        db.session.commit()
    login(client, people["hr"])
    planning = codes["activation-planning"]
    html = client.get(f"/hr/matrix?competence={planning}").get_data(as_text=True)
    assert "Activation planning</th>" in html
    assert "Cooperation</th>" not in html
    assert f'<option value="{planning}" selected>' in html
    below = client.get(f"/hr/matrix?competence={planning}&gap=1").get_data(as_text=True)
    assert "Bor Beginner" in below  # 0 of 3
    assert "Cene Coop" not in below  # meets this one
    assert "Ana Able" not in below
    cooperation = client.get(f"/hr/matrix?competence={codes['cooperation']}&gap=1").text
    assert "Cene Coop" in cooperation
    assert "Bor Beginner" in cooperation
    assert "Ana Able" not in cooperation
    exported = client.get(f"/hr/matrix.csv?competence={planning}&gap=1").get_data(as_text=True)
    assert exported.splitlines()[0].count(",") < 6  # the person's columns and one competence
    assert "Bor Beginner" in exported
    assert "Cene Coop" not in exported
