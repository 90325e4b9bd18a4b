"""`flask competences check` and `sync`: file:line errors, idempotence, retiring not deleting."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from app.competences.models import Evidence
from app.competences.services import EvidenceInput, record_evidence
from app.extensions import db
from app.framework.models import Competence
from tests.conftest import COURSES


def test_check_reports_file_and_line(runner, tmp_path):
    path = tmp_path / "competences.yml"
    text = (COURSES / "competences.yml").read_text()
    path.write_text(text.replace("validity_months: 36", "validity_months: 36\n    colour: red"))
    result = runner.invoke(args=["competences", "check", str(path)])
    assert result.exit_code == 1
    line = path.read_text().splitlines().index("    colour: red") + 1
    assert f"competences.yml:{line}: unknown key 'colour' in a competence" in result.output
    ok = runner.invoke(args=["competences", "check", str(COURSES / "competences.yml")])
    assert ok.exit_code == 0


def test_sync_is_idempotent_and_retires_without_deleting(app, runner, tmp_path, make_user):
    path = tmp_path / "competences.yml"
    shutil.copy(COURSES / "competences.yml", path)
    first = runner.invoke(args=["competences", "sync", str(path)])
    assert "created competence cooperation" in first.output
    assert runner.invoke(args=["competences", "sync", str(path)]).output.strip() == (
        "Nothing changed."
    )
    learner = make_user()
    with app.app_context():
        cooperation = db.session.scalar(select(Competence).where(Competence.code == "cooperation"))
        record_evidence([EvidenceInput(learner, cooperation.id, 2, "course")])
        db.session.commit()
    text = path.read_text()
    start = text.index("  - id: cooperation")
    end = text.index("job_roles:")
    path.write_text(text[:start] + text[end:].replace("      cooperation: 2\n", ""))
    result = runner.invoke(args=["competences", "sync", str(path)])
    assert result.exit_code == 0, result.output
    assert "retired competence cooperation" in result.output
    with app.app_context():
        row = db.session.scalar(select(Competence).where(Competence.code == "cooperation"))
        assert row.is_retired
        assert db.session.scalar(select(Evidence.level).where(Evidence.user_id == learner)) == 2


def test_a_retired_competence_stays_in_the_matrix_marked(app, client, runner, tmp_path,
                                                         make_user):  # fmt: skip
    from tests.conftest import login

    path = tmp_path / "competences.yml"
    shutil.copy(COURSES / "competences.yml", path)
    runner.invoke(args=["competences", "sync", str(path)])
    text = path.read_text()
    start, end = text.index("  - id: cooperation"), text.index("job_roles:")
    path.write_text(text[:start] + text[end:].replace("      cooperation: 2\n", ""))
    runner.invoke(args=["competences", "sync", str(path)])
    login(client, make_user(roles={"hr"}))
    html = client.get("/hr/matrix").get_data(as_text=True)
    assert 'Cooperation <span class="meta">(retired)</span>' in html
    assert "cooperation (retired) level" in client.get("/hr/matrix.csv").get_data(as_text=True)
