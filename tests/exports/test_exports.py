"""Exports of a whole institution through the job: asked for, progress, download, who may."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from app.auth.services import institution_by_slug
from app.core import jobs
from app.core import storage as storage_module
from app.core.database import utcnow
from app.core.storage import StoredFile, storage
from app.exports import services, writers
from app.exports.jobs import purge_exports, run_export
from app.exports.models import Export
from app.extensions import db
from tests.certificates.conftest import issue
from tests.conftest import login, post


def _ask(client, kind="matrix", fmt="csv", institution="csd-lasko"):
    response = post(client, "/exports", {"kind": kind, "format": fmt, "institution": institution})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return response.headers["Location"]


def test_hr_export_the_matrix_as_csv_through_the_job(app, client, courses, make_user):
    hr = make_user(roles={"hr"})
    make_user(full_name='=HYPERLINK("http://evil")', email="formula@example.org")
    make_user(full_name="Živa Čebašek")
    make_user(full_name="Far Away", institution="czss-cakovec")
    login(client, hr)
    status = _ask(client)
    page = client.get(status).get_data(as_text=True)
    assert "Ready: 3 rows." in page  # immediate jobs: written when the request committed
    assert 'role="status"' in page
    assert 'aria-live="polite"' in page
    assert "js/exports.js" in page
    state = client.get(status, headers={"Accept": "application/json"}).get_json()
    assert state["status"] == "done"
    assert state["progress"] == 100
    response = client.get(state["download"])
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "competences-csd-lasko-" in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["name", "email", "job_role"]
    names = [row[0] for row in rows[1:]]
    assert "Živa Čebašek" in names
    assert '\'=HYPERLINK("http://evil")' in names  # no formula
    assert "Far Away" not in names
    with app.app_context():
        export = db.session.scalar(select(Export))
        path = storage().path(services.key_of(export))  # the local backend by default
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert "no-store" in response.headers["Cache-Control"]


def test_certificates_export_as_xlsx_in_the_askers_language(app, client, courses, make_user):
    hr = make_user(roles={"hr"}, language="sl")
    learner = make_user(full_name="Ana Novak")
    certificate = issue(app, learner)
    login(client, hr)
    status = _ask(client, kind="certificates", fmt="xlsx")
    state = client.get(status, headers={"Accept": "application/json"}).get_json()
    response = client.get(state["download"])
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Serijska številka"
    assert rows[1][0] == certificate.serial
    assert rows[1][1] == "Ana Novak"
    assert rows[1][7] == "Veljavno"


def test_the_page_shows_the_progress_until_the_worker_has_written_it(app, client, courses,
                                                                     make_user):  # fmt: skip
    hr = make_user(roles={"hr"})
    for _ in range(5):
        make_user()
    login(client, hr)
    jobs.huey.immediate = False  # a worker that has not got to it yet
    try:
        status = _ask(client, fmt="xlsx")
    finally:
        jobs.huey.flush()
        jobs.huey.immediate = True
    page = client.get(status).get_data(as_text=True)
    assert "Waiting for its turn" in page
    assert 'value="0"' in page
    assert "Refresh to see the progress" in page  # without JavaScript
    assert f'href="{status}/download"' not in page
    export_id = int(status.rsplit("/", 1)[1])
    state = client.get(status, headers={"Accept": "application/json"}).get_json()
    assert state == {"status": "queued", "progress": 0, "message": "Waiting for its turn…",
                     "download": None}  # fmt: skip
    # Asked for again while it waits: the same export, not a second one.
    assert _ask(client, fmt="xlsx") == status
    run_export.call_local(export_id)
    page = client.get(status).get_data(as_text=True)
    assert "Ready: 6 rows." in page
    assert f'href="{status}/download"' in page
    assert "Refresh to see the progress" not in page
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{status}/download").data)).active
    assert sheet.max_row == 7  # the header and six people


def test_the_writer_reports_its_progress_as_it_goes(app, courses, make_user, tmp_path,
                                                    monkeypatch):  # fmt: skip
    for _ in range(5):
        make_user()
    monkeypatch.setattr(writers, "STEP", 2)
    seen: list[int] = []
    with app.app_context():
        institution = institution_by_slug("csd-lasko").id
        written = writers.write_matrix(institution, "csv", "en", str(tmp_path / "m.csv"),
                                       seen.append)  # fmt: skip
    assert written == 5
    assert seen == [2, 4, 5]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("asker", 200), ("same-hr", 404), ("same-admin", 200), ("other-admin", 404),
     ("learner", 403)],
)  # fmt: skip
def test_only_the_asker_and_the_institutions_admins_may_download(app, client, courses, make_user,
                                                                 who, expected):  # fmt: skip
    asker = make_user(roles={"hr"})
    login(client, asker)
    status = _ask(client)
    people = {
        "asker": asker,
        "same-hr": make_user(roles={"hr"}),
        "same-admin": make_user(roles={"admin"}),
        "other-admin": make_user(roles={"admin"}, institution="czss-cakovec"),
        "learner": make_user(),
    }
    other = app.test_client()
    login(other, people[who])
    assert other.get(status).status_code == expected
    assert other.get(f"{status}/download").status_code == expected
    listed = other.get("/exports")
    if expected == 200:
        assert status in listed.get_data(as_text=True)
    elif listed.status_code == 200:
        assert status not in listed.get_data(as_text=True)


def test_hr_cannot_export_another_institution_an_admin_can(app, client, courses, make_user):
    login(client, make_user(roles={"hr"}))
    refused = post(client, "/exports", {"kind": "matrix", "format": "csv",
                                        "institution": "czss-cakovec"})  # fmt: skip
    assert refused.status_code == 200
    assert "Not a valid choice" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Export)) is None
    login(client, make_user(roles={"admin"}))
    status = _ask(client, institution="czss-cakovec")
    assert "Center za socijalnu skrb Čakovec" in client.get(status).get_data(as_text=True) or (
        "Čakovec" in client.get(status).get_data(as_text=True)
    )


def test_old_exports_are_purged_with_their_files(app, client, courses, make_user):
    login(client, make_user(roles={"hr"}))
    old, new = _ask(client), _ask(client, fmt="xlsx")
    with app.app_context():
        exports = {row.id: row for row in db.session.scalars(select(Export))}
        old_export = exports[int(old.rsplit("/", 1)[1])]
        old_key = services.key_of(old_export)
        new_key = services.key_of(exports[int(new.rsplit("/", 1)[1])])
        old_export.created_at = utcnow() - timedelta(days=8)
        db.session.commit()
    purge_exports.call_local()
    with app.app_context():
        assert not storage().exists(old_key)
        assert storage().exists(new_key)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_an_export_in_the_database_store_is_served_by_any_server(app, client, courses,
                                                                 make_user):  # fmt: skip
    app.config["STORAGE_BACKEND"] = "database"
    storage_module.init_app(app)
    login(client, make_user(roles={"hr"}))
    status = _ask(client)
    with app.app_context():
        export = db.session.scalar(select(Export))
        key = services.key_of(export)
        assert db.session.get(StoredFile, key).size == export.size
    assert not (Path(app.config["STORAGE_DIR"]) / key).exists()  # no local file at all
    response = client.get(f"{status}/download")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert "competences-csd-lasko-" in response.headers["Content-Disposition"]
    with app.app_context():
        db.session.get(Export, export.id).created_at = utcnow() - timedelta(days=8)
        db.session.commit()
    purge_exports.call_local()
    with app.app_context():
        assert db.session.get(StoredFile, key) is None


def test_the_matrix_and_certificate_pages_lead_to_the_background_export(client, make_user):
    login(client, make_user(roles={"hr"}))
    for page, kind in (("/hr/matrix", "matrix"), ("/hr/certificates", "certificates")):
        html = client.get(page).get_data(as_text=True)
        assert f'href="/exports?kind={kind}"' in html
        form = client.get(f"/exports?kind={kind}").get_data(as_text=True)
        assert f'selected value="{kind}"' in form


def test_a_failed_export_says_whether_it_will_be_tried_again(app, client, courses, make_user):
    hr = make_user(roles={"hr"})
    login(client, hr)
    jobs.huey.immediate = False
    try:
        status = _ask(client)
    finally:
        jobs.huey.flush()
        jobs.huey.immediate = True
    export_id = int(status.rsplit("/", 1)[1])
    # The folder the file goes into cannot be made: a file of that name is in the way.
    folder = Path(app.config["STORAGE_DIR"]) / "exports"
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("in the way")
    task = run_export.s(export_id)  # huey's own task, with its retries left
    with pytest.raises((FileExistsError, NotADirectoryError)):
        run_export.call_local(export_id, task=task)
    state = client.get(status, headers={"Accept": "application/json"}).get_json()
    assert state["status"] == "retrying"
    assert "will be tried again" in state["message"]
    # Asked for again meanwhile: the same export, still being tried.
    assert _ask(client) == status
    task.retries = 0
    with pytest.raises((FileExistsError, NotADirectoryError)):
        run_export.call_local(export_id, task=task)
    state = client.get(status, headers={"Accept": "application/json"}).get_json()
    assert state["status"] == "failed"
    assert "will not be tried again" in state["message"]
    assert "Failed" in client.get("/exports").get_data(as_text=True)
    # Asking again now starts a new one, which works once the way is clear.
    folder.unlink()
    assert _ask(client) != status
